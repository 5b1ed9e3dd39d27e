package transport

import (
	"testing"
	"time"
)

func TestCSVCellsAreInert(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x","y")`: `'=HYPERLINK("http://x","y")`, "+1 call me": "'+1 call me", "@SUM(A1)": "'@SUM(A1)",
		"-12.5": "-12.5", "+3": "+3", "长者助餐": "长者助餐", "": "", "\tx": "'\tx",
	} {
		if got := inert(in); got != want {
			t.Errorf("inert(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestReportPeriod(t *testing.T) {
	q, err := decodeReport(nil, map[string]string{"period": "2026-01-01/2026-01-31"})
	if err != nil || !q.From.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) || !q.To.Equal(time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)) {
		t.Fatalf("a period of dates: %v, %v, %v; want all of January", q.From, q.To, err)
	}
	for _, bad := range []string{"2026-01-01", "x/y", "2026-01-01/2026-13-01"} {
		if _, err := decodeReport(nil, map[string]string{"period": bad}); err == nil {
			t.Errorf("period %q accepted", bad)
		}
	}
}

// A resolution given is the one used: 0 or less is refused, not read as
// "not given" (the default 8).
func TestReportResolutionGivenIsChecked(t *testing.T) {
	for _, bad := range []string{"0", "-1", "x", "8.5"} {
		if _, err := decodeReport(nil, map[string]string{"resolution": bad}); err == nil {
			t.Errorf("resolution %q accepted", bad)
		}
	}
	if q, err := decodeReport(nil, map[string]string{"resolution": "9"}); err != nil || q.Resolution != 9 {
		t.Errorf("resolution 9: %v %v", q.Resolution, err)
	}
}
