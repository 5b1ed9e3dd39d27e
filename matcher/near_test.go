package matcher_test

import (
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// TestWishListFiltersApplyNearAPoint: a supplier listing the wishes near
// a point gets only those of the category, status and due dates it asks
// for, as in the list without near; a cell filters by the cell a wish
// shows suppliers, never by where the resident is (a cell of the
// cloaking resolution or finer finds nothing); node is for staff.
func TestWishListFiltersApplyNearAPoint(t *testing.T) {
	w := mustWorld(t, false)
	a := w.mustCommunity("")
	r := w.mustResident(a.social, "1948-03-02", &hangzhou)
	mk := func(category string, due time.Duration) *matcher.WishView {
		t.Helper()
		v, err := w.svc.CreateWish(a.social, matcher.WishInput{ResidentID: r.ID, Category: category, Title: "Help please",
			DueAt: w.clock().Add(due), AllowDuplicate: true})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	soon, later := mk("repair", 48*time.Hour), mk("home_visit", 10*24*time.Hour)
	shown, err := w.svc.GetWish(a.ent, soon.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := w.grid.Cell(hangzhou.Point())
	cloak := stored.String() // the stored cell, which the cloaking cell is by default
	finer := geo.Parent(stored, w.grid.Config().CoarseResolution+1).String()
	exact := w.grid.CellAt(hangzhou.Point(), 15).String()
	dueBetween := w.clock().Add(72 * time.Hour)
	const at = "30.2705,120.1502"
	tests := []struct {
		name   string
		give   matcher.WishFilter
		want   []string // ids, nearest first; nil for an error
		wantOn string   // the field the error names
	}{
		{"near", matcher.WishFilter{Near: at}, []string{soon.ID, later.ID}, ""},
		{"near, open", matcher.WishFilter{Near: at, Status: matcher.StatusOpen}, []string{soon.ID, later.ID}, ""},
		{"near, a category", matcher.WishFilter{Near: at, Category: "repair"}, []string{soon.ID}, ""},
		{"near, another category", matcher.WishFilter{Near: at, Category: "tutoring"}, []string{}, ""},
		{"near, due before", matcher.WishFilter{Near: at, DueBefore: dueBetween}, []string{soon.ID}, ""},
		{"near, due after", matcher.WishFilter{Near: at, DueAfter: dueBetween}, []string{later.ID}, ""},
		{"near, the shown cell", matcher.WishFilter{Near: at, Cell: shown.Cell}, []string{soon.ID, later.ID}, ""},
		{"near, the cloaking cell", matcher.WishFilter{Near: at, Cell: cloak}, []string{}, ""},
		{"near, the exact cell", matcher.WishFilter{Near: at, Cell: exact}, []string{}, ""},
		{"near, a cell finer than shown", matcher.WishFilter{Near: at, Cell: finer}, []string{}, ""},
		{"the shown cell", matcher.WishFilter{Cell: shown.Cell}, []string{soon.ID, later.ID}, ""},
		{"the cloaking cell", matcher.WishFilter{Cell: cloak}, []string{}, ""},
		{"the exact cell", matcher.WishFilter{Cell: exact}, []string{}, ""},
		{"a cell finer than shown", matcher.WishFilter{Cell: finer}, []string{}, ""},
		{"near, not a cell", matcher.WishFilter{Near: at, Cell: "nowhere"}, nil, "cell"},
		{"near, not a category", matcher.WishFilter{Near: at, Category: "gardening"}, nil, "category"},
		{"near, claimed", matcher.WishFilter{Near: at, Status: matcher.StatusClaimed}, nil, "status"},
		{"near, a node", matcher.WishFilter{Near: at, Node: a.id}, nil, "node"},
		{"a node", matcher.WishFilter{Node: a.id}, nil, "node"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pg, err := w.svc.ListWishes(a.ent, tt.give, matcher.PageRequest{})
			if tt.want == nil {
				if e, ok := err.(*matcher.Error); !ok || e.Code != matcher.EINVALID || e.Field != tt.wantOn {
					t.Fatalf("got %v, want invalid naming %s", err, tt.wantOn)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, v := range pg.Items {
				got = append(got, v.ID)
			}
			if !sameSet(got, tt.want) {
				t.Fatalf("listed %v, want %v", got, tt.want)
			}
		})
	}
	// Staff filter by the stored cell, as before.
	if pg, err := w.svc.ListWishes(a.social, matcher.WishFilter{Cell: cloak}, matcher.PageRequest{}); err != nil || len(pg.Items) != 2 {
		t.Fatalf("staff by the cloaking cell: %v, %v; want both wishes", pg, err)
	}
}

func sameSet(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	seen := map[string]int{}
	for _, s := range a {
		seen[s]++
	}
	for _, s := range b {
		seen[s]--
	}
	for _, n := range seen {
		if n != 0 {
			return false
		}
	}
	return true
}
