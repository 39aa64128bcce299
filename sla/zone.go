package sla

import (
	"fmt"
	"time"
)

// Zone is a calendar's time zone, known by its IANA name such as "America/New_York". The
// zero Zone is UTC. Its text form is the name.
type Zone struct{ loc *time.Location }

// LoadZone returns the zone with the given IANA name; "" means UTC. It refuses "Local",
// which would change with the machine. The error wraps ErrInvalidCalendar.
func LoadZone(name string) (Zone, error) {
	if name == "" {
		return Zone{}, nil
	}
	if name == "Local" {
		return Zone{}, fmt.Errorf("sla: zone %q: %w: name an IANA zone", name, ErrInvalidCalendar)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return Zone{}, &ZoneError{Name: name, Err: err}
	}
	return Zone{loc: loc}, nil
}

// ZoneError is a time zone name the system does not know. It matches ErrInvalidCalendar.
type ZoneError struct {
	Name string
	Err  error // what time.LoadLocation said
}

// Error implements error.
func (e *ZoneError) Error() string {
	return fmt.Sprintf("sla: zone %q: %v: %v", e.Name, ErrInvalidCalendar, e.Err)
}

// Unwrap returns ErrInvalidCalendar and the loader's error.
func (e *ZoneError) Unwrap() []error { return []error{ErrInvalidCalendar, e.Err} }

// Plain says what is wrong in words a person reads: Unknown time zone "Mars/Base".
func (e *ZoneError) Plain() string { return fmt.Sprintf("Unknown time zone %q", e.Name) }

// Location returns the zone as a *time.Location; UTC for the zero Zone.
func (z Zone) Location() *time.Location {
	if z.loc == nil {
		return time.UTC
	}
	return z.loc
}

// String returns the zone's name.
func (z Zone) String() string { return z.Location().String() }

// MarshalText returns the zone's name.
func (z Zone) MarshalText() ([]byte, error) { return []byte(z.String()), nil }

// UnmarshalText loads the named zone, as LoadZone does.
func (z *Zone) UnmarshalText(b []byte) error {
	v, err := LoadZone(string(b))
	if err != nil {
		return err
	}
	*z = v
	return nil
}

// Date is a day of the calendar, without a time or a zone, such as a holiday. Its text form
// is "2006-01-02".
type Date struct{ n int64 } // days since 1970-01-01

// NewDate returns the date of year, month and day, normalized as time.Date does
// (October 32 is November 1).
func NewDate(year int, month time.Month, day int) Date {
	return Date{n: time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Unix() / calDaySecs}
}

// ParseDate parses "2006-01-02" and refuses dates that do not exist. The error wraps
// ErrInvalidCalendar.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("sla: date %q: %w: want YYYY-MM-DD", s, ErrInvalidCalendar)
	}
	return NewDate(t.Date()), nil
}

// String returns the date as "2006-01-02".
func (d Date) String() string {
	return time.Unix(d.n*calDaySecs, 0).UTC().Format(time.DateOnly)
}

// MarshalText returns the date as "2006-01-02".
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses the date, as ParseDate does.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}
