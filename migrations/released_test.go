package migrations

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// checkReleased returns what breaks the release rule in present (the migration files, in the
// order they apply) against released (the files shipped, in order): a released file missing or
// renamed, a released list out of order, or a new file that does not sort after every released
// one (which would run at one point on a fresh database and at another on a migrated one).
func checkReleased(released, present []string) []string {
	var bad []string
	if !slices.IsSorted(released) {
		bad = append(bad, "the released list is not in name order")
	}
	for i := 1; i < len(released); i++ {
		if released[i] == released[i-1] {
			bad = append(bad, fmt.Sprintf("%s is released twice", released[i]))
		}
	}
	for _, name := range released {
		if !slices.Contains(present, name) {
			bad = append(bad, fmt.Sprintf("released %s is missing (a released file is never renamed or removed)", name))
		}
	}
	if len(released) == 0 {
		return bad
	}
	last := slices.Max(released)
	for _, name := range present {
		if !slices.Contains(released, name) && name <= last {
			bad = append(bad, fmt.Sprintf("new %s does not sort after the last released file %s: number it above it", name, last))
		}
	}
	return bad
}

func TestMigrationFilesFollowTheReleaseRule(t *testing.T) {
	t.Parallel()
	names, err := Names()
	if err != nil {
		t.Fatal(err)
	}
	if len(names) == 0 {
		t.Fatal("no migration files embedded")
	}
	for _, problem := range checkReleased(Released(), names) {
		t.Error(problem)
	}
}

func TestCheckReleasedCatchesEachBreach(t *testing.T) {
	t.Parallel()
	released := []string{"001_core.sql", "010_email.sql", "060_web.sql", "063_views.sql"}
	cases := []struct {
		name    string
		present []string
		want    string // a fragment of the one problem expected; empty for none
	}{
		{"as released", released, ""},
		{"a new file after the last", append(slices.Clone(released), "064_new.sql"), ""},
		{"two new files after the last", append(slices.Clone(released), "064_a.sql", "070_b.sql"), ""},
		{"a new file in a gap", []string{"001_core.sql", "010_email.sql", "012_x.sql", "060_web.sql", "063_views.sql"}, "new 012_x.sql does not sort after"},
		{"a new file numbered like the last", append(slices.Clone(released), "063_also.sql"), "new 063_also.sql"},
		{"a released file removed", []string{"001_core.sql", "060_web.sql", "063_views.sql"}, "released 010_email.sql is missing"},
		{"a released file renamed", []string{"001_core.sql", "010_mail.sql", "060_web.sql", "063_views.sql"}, "released 010_email.sql is missing"},
	}
	for _, c := range cases {
		got := checkReleased(released, c.present)
		switch {
		case c.want == "" && len(got) != 0:
			t.Errorf("%s: %q, want no problem", c.name, got)
		case c.want != "" && (len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), c.want)):
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	// A renamed file is also new: 010_mail.sql sorts before the last released file.
	if got := checkReleased(released, []string{"001_core.sql", "010_mail.sql", "060_web.sql", "063_views.sql"}); len(got) != 2 {
		t.Errorf("renamed: %q, want the missing and the misplaced file", got)
	}
	if got := checkReleased([]string{"010_email.sql", "001_core.sql"}, []string{"001_core.sql", "010_email.sql"}); len(got) != 1 {
		t.Errorf("unsorted released list: %q", got)
	}
	if got := checkReleased([]string{"001_core.sql", "001_core.sql"}, []string{"001_core.sql"}); len(got) != 1 {
		t.Errorf("a name released twice: %q", got)
	}
}
