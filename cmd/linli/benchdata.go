package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
)

// benchDistrict generates a synthetic district the way the API would have
// written it, and writes it through the store's bulk path: a district of
// streets and communities over 40 × 40 km around 30.27 N 120.15 E, its
// volunteers, residents and wishes, each wish with its history.
type benchDistrict struct {
	grid        *geo.Grid
	rnd         *rand.Rand
	now         time.Time
	root        string
	streets     []string
	communities []string
	volunteers  []string
	residents   []benchResident
	wishes      []string
}

type benchResident struct {
	id, node string
	loc      matcher.Location
	cell     geo.Cell
}

// benchBatch is how many records one log entry of the bulk path holds.
const benchBatch = 1000

var benchActor = matcher.Actor{Kind: "system", ID: "bench"}

func newBenchDistrict(grid *geo.Grid, seed uint64, now time.Time) *benchDistrict {
	return &benchDistrict{grid: grid, rnd: rand.New(rand.NewPCG(seed, 0x6c696e6c69)), now: now}
}

// point draws a point uniformly over the district's square.
func (d *benchDistrict) point() matcher.Location {
	const mPerDeg = geo.EarthRadiusMeters * math.Pi / 180
	dy := (d.rnd.Float64() - 0.5) * benchSideMeters
	dx := (d.rnd.Float64() - 0.5) * benchSideMeters
	return matcher.Location{Lat: benchLat + dy/mPerDeg, Lng: benchLng + dx/(mPerDeg*math.Cos(benchLat*math.Pi/180))}
}

func (d *benchDistrict) record(prefix string, at time.Time) matcher.Record {
	return matcher.Record{ID: matcher.NewID(prefix), Version: 1, CreatedBy: benchActor, CreatedAt: at, UpdatedAt: at}
}

// writer appends changes in batches of entries, reporting progress.
type benchWriter struct {
	ctx     context.Context
	store   *mongo.Store
	pending []*matcher.Change
	out     io.Writer
	written int
	started time.Time
	last    time.Time
	what    string
}

func (w *benchWriter) add(c *matcher.Change) error {
	c.At, c.Actor = time.Now().UTC().Truncate(time.Millisecond), benchActor
	w.pending = append(w.pending, c)
	w.written += len(c.Records) + len(c.Events)
	if len(w.pending) < 8 {
		return nil
	}
	return w.flush()
}

func (w *benchWriter) flush() error {
	if len(w.pending) == 0 {
		return nil
	}
	if err := w.store.Append(w.ctx, w.pending); err != nil {
		return err
	}
	w.pending = nil
	if time.Since(w.last) > 2*time.Second {
		w.last = time.Now()
		fmt.Fprintf(w.out, "  %s: %d records written, %.0f a second\n", w.what, w.written, float64(w.written)/time.Since(w.started).Seconds())
	}
	return nil
}

// tree writes the district, its streets and its communities.
func (d *benchDistrict) tree(w *benchWriter, streets, perStreet int) error {
	c := &matcher.Change{}
	org := func(kind, parent string) string {
		loc := d.point()
		o := &matcher.Organisation{Record: d.record("org", d.now), Cell: d.grid.Cell(loc.Point()),
			OrganisationInput: matcher.OrganisationInput{Name: fmt.Sprintf("%s %d", kind, len(c.Records)), Kind: kind,
				ParentID: parent, Location: &loc, Categories: []string{}}}
		c.Records = append(c.Records, o)
		return o.ID
	}
	d.root = org(matcher.KindDistrict, "")
	for range streets {
		s := org(matcher.KindStreet, d.root)
		d.streets = append(d.streets, s)
		for range perStreet {
			d.communities = append(d.communities, org(matcher.KindCommunity, s))
		}
	}
	return w.add(c)
}

// volunteersOf writes n volunteers: ages 16–80, each certification with
// probability 0.3, valid for a year, a few skills, under random
// communities.
func (d *benchDistrict) volunteersOf(w *benchWriter, n int) error {
	skills := []string{"repair", "cooking", "tutoring", "driving", "listening"}
	certs := []string{"background_check", "child_safeguarding", "first_aid", "disability_care", "driver"}
	for start := 0; start < n; start += benchBatch {
		c := &matcher.Change{}
		for range min(benchBatch, n-start) {
			loc := d.point()
			v := &matcher.Volunteer{Record: d.record("vol", d.now), Cell: d.grid.Cell(loc.Point()),
				VolunteerInput: matcher.VolunteerInput{Name: "Volunteer", Phone: "13800000000",
					BirthDate: fmt.Sprintf("%d-%02d-15", d.now.Year()-16-d.rnd.IntN(65), 1+d.rnd.IntN(12)), Location: &loc,
					Skills: []string{}, MaxActiveClaims: 3, NodeID: d.communities[d.rnd.IntN(len(d.communities))]}}
			for _, s := range skills {
				if d.rnd.Float64() < 0.3 {
					v.Skills = append(v.Skills, s)
				}
			}
			for _, t := range certs {
				if d.rnd.Float64() < 0.3 {
					v.Certifications = append(v.Certifications, matcher.Certification{Type: t, ExpiresAt: d.now.AddDate(1, 0, 0)})
				}
			}
			c.Records = append(c.Records, v)
			d.volunteers = append(d.volunteers, v.ID)
		}
		if err := w.add(c); err != nil {
			return err
		}
	}
	return nil
}

// residentsOf writes n residents: elderly, adults and children, some
// disabled or living alone, with their consent.
func (d *benchDistrict) residentsOf(w *benchWriter, n int) error {
	for start := 0; start < n; start += benchBatch {
		c := &matcher.Change{}
		for range min(benchBatch, n-start) {
			loc := d.point()
			age := []int{8, 35, 67, 72, 81, 88}[d.rnd.IntN(6)]
			consent := &matcher.Consent{GivenBy: "self", Purpose: "micro-wish matching", GivenAt: d.now.AddDate(0, -1, 0)}
			if age < 14 {
				consent.GivenBy, consent.GuardianName = "guardian", "Guardian"
			}
			r := &matcher.Resident{Record: d.record("rsd", d.now), Cell: d.grid.Cell(loc.Point()),
				ResidentInput: matcher.ResidentInput{Name: "Resident", Phone: "13900000000",
					BirthDate: fmt.Sprintf("%d-03-01", d.now.Year()-age), Disabilities: []string{}, LivesAlone: d.rnd.IntN(4) == 0,
					Address: "1 Road", Location: &loc, Consent: consent, NodeID: d.communities[d.rnd.IntN(len(d.communities))]}}
			if d.rnd.IntN(5) == 0 {
				r.Disabilities = []string{"wheelchair_user"}
			}
			c.Records = append(c.Records, r)
			d.residents = append(d.residents, benchResident{id: r.ID, node: r.NodeID, loc: loc, cell: r.Cell})
		}
		if err := w.add(c); err != nil {
			return err
		}
	}
	return nil
}

// wishesOf writes n wishes of random residents: about half open, a fifth
// claimed by a volunteer, the rest fulfilled and confirmed with a rating;
// each with its events.
func (d *benchDistrict) wishesOf(w *benchWriter, n int) error {
	cats := []string{"repair", "companionship", "meal_delivery", "shopping", "school_supplies"}
	for start := 0; start < n; start += benchBatch / 2 {
		c := &matcher.Change{}
		for range min(benchBatch/2, n-start) {
			r := d.residents[d.rnd.IntN(len(d.residents))]
			made := d.now.Add(-time.Duration(d.rnd.IntN(30*24)) * time.Hour)
			loc := r.loc
			wish := &matcher.Wish{Record: d.record("wsh", made), NodeID: r.node, Location: &loc, Cell: r.cell,
				WishInput: matcher.WishInput{ResidentID: r.id, Category: cats[d.rnd.IntN(len(cats))], Title: "A small wish",
					Description: "Details for the claimant", Needs: matcher.Needs{Skills: []string{}},
					DueAt: d.now.Add(time.Duration(7+d.rnd.IntN(60)) * 24 * time.Hour), AllowDuplicate: true}}
			c.Records = append(c.Records, wish)
			d.wishes = append(d.wishes, wish.ID)
			switch k := d.rnd.IntN(10); {
			case k >= 5 && len(d.volunteers) > 0:
				claimant := matcher.Party{Kind: matcher.RoleVolunteer, ID: d.volunteers[d.rnd.IntN(len(d.volunteers))]}
				at := made.Add(time.Hour)
				ev := func(seq int, typ string, at time.Time) *matcher.Event {
					return &matcher.Event{ID: matcher.EventID(wish.ID, seq), WishID: wish.ID, Seq: seq, Type: typ, Actor: benchActor,
						At: at, ClaimID: "clm_" + wish.ID, Claimant: &claimant, DueAt: at.Add(72 * time.Hour), Category: wish.Category}
				}
				c.Events = append(c.Events, ev(1, matcher.EventClaimed, at))
				if k >= 7 {
					f := ev(2, matcher.EventFulfilled, at.Add(24*time.Hour))
					f.Note, f.DoneAt = "done", at.Add(24*time.Hour)
					conf := ev(3, matcher.EventConfirmed, at.Add(30*time.Hour))
					conf.Rating, conf.DoneAt = 3+d.rnd.IntN(3), f.DoneAt
					c.Events = append(c.Events, f, conf)
				}
			}
		}
		if err := w.add(c); err != nil {
			return err
		}
	}
	return nil
}

// openBenchStore starts an embedded store in dir and opens the log with a
// cipher of a fixed key (benchmarks keep no secrets), applying changes
// with apply (nil: none).
func openBenchStore(ctx context.Context, dir string, logger io.Writer) (*mongo.Embedded, *mongo.Store, error) {
	emb, err := mongo.StartEmbedded(dir, "", newLogger("error", "text", logger))
	if err != nil {
		return nil, nil, err
	}
	key, _ := mongo.ParseDataKey(benchDataKey)
	c, _ := mongo.NewCipher(key)
	st, err := mongo.Open(ctx, emb.URI(), "linli", mongo.WithEmbedded(emb), mongo.WithCipher(c))
	if err != nil {
		emb.Close()
		return nil, nil, err
	}
	return emb, st, nil
}

// benchDataKey seals the benchmarks' residents; it protects nothing.
const benchDataKey = "YmVuY2gtZGF0YS1rZXktMDEyMzQ1Njc4OWFiY2RlZjA="
