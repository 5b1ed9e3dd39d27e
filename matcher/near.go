package matcher

import (
	"strconv"
	"strings"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
)

// ParseNear reads a point written "LAT,LNG".
func ParseNear(s string) (geo.Point, error) {
	lat, lng, ok := strings.Cut(s, ",")
	la, err1 := strconv.ParseFloat(strings.TrimSpace(lat), 64)
	ln, err2 := strconv.ParseFloat(strings.TrimSpace(lng), 64)
	l := &Location{Lat: la, Lng: ln}
	if !ok || err1 != nil || err2 != nil || checkLocation("near", l) != nil {
		return geo.Point{}, Invalid("near", "must be a point written LAT,LNG, such as 30.27,120.15")
	}
	return l.Point(), nil
}

// nearWishes lists for p, a supplier, in their public form and nearest
// first, the open wishes whose walking circle holds the point near
// ("LAT,LNG"), that p may serve and that keep keeps (the other filters of
// the list). Circles, walks, bands and order are measured from each wish's
// cloaked point (the centre of its cloaking cell), never from the
// resident's exact point, so that no probing of the listing can place a
// resident more precisely than that cell.
func (s *Service) nearWishes(p Principal, near string, keep func(*Wish) bool, req PageRequest) (*Page[WishView], error) {
	at, err := ParseNear(near)
	if err != nil {
		return nil, err
	}
	limit, err := s.limit(req)
	if err != nil {
		return nil, err
	}
	me := index.Party(p.Party())
	if !s.index.HasSupplier(me) {
		return nil, Errorf(EFORBIDDEN, "this key's %s is not registered as a supplier of wishes", p.Role)
	}
	set, err := s.ruleSet()
	if err != nil {
		return nil, err
	}
	now, active := s.now(), s.ledger.activeClaims(p.Party())
	pg := &Page[WishView]{Items: []*WishView{}}
	skipping := req.After != ""
	s.index.Near(at, func(nw index.Nearby) bool {
		if skipping {
			skipping = nw.ID != req.After
			return true
		}
		if s.ledger.status(nw.ID) != StatusOpen {
			return true
		}
		w, ok := s.wishes.Get(nw.ID)
		if !ok || !now.Before(w.DueAt) || !keep(w) {
			return true
		}
		v, err := s.index.Decide(nw.ID, me, index.Ask{Rules: set, Now: now, Active: active, From: &at})
		if err != nil || !v.OK() {
			return true
		}
		if len(pg.Items) == limit {
			pg.Next = pg.Items[len(pg.Items)-1].ID
			return false
		}
		band := geo.Band(s.grid.WalkMinutes(nw.Meters))
		pg.Items = append(pg.Items, s.wishView(p, w, false, &band))
		return true
	})
	return pg, nil
}
