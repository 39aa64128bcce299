package inbox

import (
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
)

// Sentinel errors. The web layer maps them to HTTP statuses in one place.
var (
	// ErrNotFound means the addressed row does not exist.
	ErrNotFound = errors.New("not found")
	// ErrInvalid means the input was rejected; the error is a *ValidationError naming the field.
	ErrInvalid = errors.New("invalid input")
	// ErrConflict means the change contradicts the current state (for example a merge of a
	// contact into itself).
	ErrConflict = errors.New("conflict")
	// ErrForbidden means the change is not allowed for this actor or recipient.
	ErrForbidden = errors.New("forbidden")
	// ErrDeactivated means a credential is refused because its agent is deactivated; it comes
	// with ErrNotFound, which every caller that needs no difference checks.
	ErrDeactivated = errors.New("agent deactivated")
)

// ValidationError says which field of an input is wrong and why. It matches ErrInvalid.
type ValidationError struct {
	Field  string
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// Is makes errors.Is(err, ErrInvalid) true.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// notFoundFK turns a foreign-key violation into a *ValidationError on field: the row the
// input names does not exist.
func notFoundFK(err error, field string) error {
	var pg *pgconn.PgError
	if errors.As(err, &pg) && pg.Code == "23503" {
		return invalid(field, "names a row that does not exist")
	}
	return err
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "23505"
}
