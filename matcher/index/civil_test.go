package index

import (
	"testing"
	"time"

	"pgregory.net/rapid"
)

// TestParseCivilAgreesWithTime: the fast path reads every string as
// time.Parse(time.DateOnly) does, valid or not.
func TestParseCivilAgreesWithTime(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		s := rapid.OneOf(
			rapid.Custom(func(t *rapid.T) string {
				return time.Date(rapid.IntRange(1, 9999).Draw(t, "y"), time.Month(rapid.IntRange(1, 12).Draw(t, "m")),
					rapid.IntRange(1, 31).Draw(t, "d"), 0, 0, 0, 0, time.UTC).Format(time.DateOnly)
			}),
			rapid.StringMatching(`[0-9]{4}-[0-9]{2}-[0-9]{2}`),
			rapid.StringMatching(`[0-9x]{4}-[0-9]{1,2}-[0-9 ]{2}`),
		).Draw(t, "date")
		want := civilDate(0)
		if d, err := time.Parse(time.DateOnly, s); err == nil {
			want = civilOf(d)
		}
		if got := parseCivil(s); got != want {
			t.Fatalf("parseCivil(%q) = %d; time.Parse gives %d", s, got, want)
		}
	})
}
