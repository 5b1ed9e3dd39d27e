package matcher_test

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo"
	"github.com/linli/linli/matcher/mongo/mongotest"
	"github.com/linli/linli/rules"
)

// world is a service over a fresh store, with a clock the test moves, an
// admin, and helpers to build the district tree and its people.
type world struct {
	tb     testing.TB
	store  *mongo.Store
	name   string
	grid   *geo.Grid
	engine *rules.Engine
	mu     sync.Mutex
	now    time.Time
	svc    *matcher.Service
	admin  context.Context
	keys   int
}

var catalog = matcher.Catalog{
	Categories:         []string{"repair", "home_visit", "tutoring", "companionship"},
	CertificationTypes: []string{"background_check", "child_safeguarding", "disability_care"},
	Disabilities:       []string{"wheelchair_user", "visual"},
}

// mustWorld builds a world; with rules, the repository's default rules.
func mustWorld(tb testing.TB, withRules bool) *world {
	tb.Helper()
	grid, err := geo.New(geo.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	w := &world{tb: tb, grid: grid, now: time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC), name: mongotest.DatabaseName()}
	if withRules {
		if w.engine, err = rules.NewEngine([]string{"../configs/rules/default.yaml"}, nil); err != nil {
			tb.Fatal(err)
		}
	}
	w.store = mongotest.Open(tb, w.name)
	w.admin = w.as(matcher.RoleAdmin, "")
	w.svc = w.open(w.store)
	return w
}

// open returns a new service over store, loaded, as a replica starting.
func (w *world) open(store *mongo.Store) *matcher.Service {
	w.tb.Helper()
	svc := matcher.NewService(store, w.grid, w.engine, matcher.Config{Catalog: catalog}, matcher.WithClock(w.clock),
		matcher.WithLogger(slog.New(slog.DiscardHandler)))
	if err := svc.Open(context.Background()); err != nil {
		w.tb.Fatal(err)
	}
	return svc
}

// restart replaces the service by a new one over a new connection to the
// same database: what it serves is what the log holds.
func (w *world) restart() {
	w.tb.Helper()
	w.store = mongotest.Open(w.tb, w.name)
	w.svc = w.open(w.store)
}

// replica opens another service on the same database.
func (w *world) replica() *matcher.Service {
	w.tb.Helper()
	return w.open(mongotest.Open(w.tb, w.name))
}

func (w *world) clock() time.Time {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.now
}

func (w *world) advance(d time.Duration) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.now = w.now.Add(d)
}

// as returns the context of a caller with its own key prefix.
func (w *world) as(role, subject string) context.Context {
	w.mu.Lock()
	w.keys++
	prefix := fmt.Sprintf("lnl_t%07d", w.keys)
	w.mu.Unlock()
	return matcher.WithPrincipal(context.Background(), matcher.Principal{Role: role, SubjectID: subject, KeyPrefix: prefix})
}

var hangzhou = matcher.Location{Lat: 30.2705, Lng: 120.1502}

// near returns a point dy, dx metres from hangzhou.
func near(dy, dx float64) *matcher.Location {
	const m = 1.0 / 111_195
	return &matcher.Location{Lat: hangzhou.Lat + dy*m, Lng: hangzhou.Lng + dx*m/0.8638}
}

// mustNode makes a node of the tree under parent ("" for a root, made by
// the admin).
func (w *world) mustNode(kind, parent string, categories ...string) *matcher.Organisation {
	w.tb.Helper()
	ctx := w.admin
	if parent != "" {
		ctx = w.as(matcher.RoleCoordinator, parent)
	}
	o, err := w.svc.CreateOrganisation(ctx, matcher.OrganisationInput{Name: kind + " " + parent, Kind: kind,
		Location: &hangzhou, Categories: categories})
	if err != nil {
		w.tb.Fatal(err)
	}
	return o
}

func (w *world) mustResident(ctx context.Context, birth string, at *matcher.Location) *matcher.Resident {
	w.tb.Helper()
	consent := &matcher.Consent{GivenBy: "self", Purpose: "matching", GivenAt: w.clock().Add(-time.Hour)}
	if matcher.AgeAt(birth, w.clock()) < 14 {
		consent.GivenBy, consent.GuardianName = "guardian", "Wang Li"
	}
	r, err := w.svc.CreateResident(ctx, matcher.ResidentInput{Name: "Wang Fang", Phone: "13900001111", BirthDate: birth,
		Address: "12 Xixi Road", Location: at, Disabilities: []string{}, Consent: consent})
	if err != nil {
		w.tb.Fatal(err)
	}
	return r
}

func (w *world) mustWish(ctx context.Context, residentID, category string, onSite bool) *matcher.WishView {
	w.tb.Helper()
	v, err := w.svc.CreateWish(ctx, matcher.WishInput{ResidentID: residentID, Category: category, Title: "Help please",
		Description: "Mrs Wang, third floor", DueAt: w.clock().Add(48 * time.Hour), OnSite: onSite, AllowDuplicate: true})
	if err != nil {
		w.tb.Fatal(err)
	}
	return v
}

func (w *world) mustEnterprise(ctx context.Context, at *matcher.Location, categories ...string) *matcher.Enterprise {
	w.tb.Helper()
	e, err := w.svc.CreateEnterprise(ctx, matcher.EnterpriseInput{Name: "Repairs", Location: at, Categories: categories, Vetted: true})
	if err != nil {
		w.tb.Fatal(err)
	}
	return e
}

func (w *world) mustVolunteer(ctx context.Context, at *matcher.Location, max int, certs ...string) *matcher.Volunteer {
	w.tb.Helper()
	in := matcher.VolunteerInput{Name: "Li Wei", BirthDate: "1990-01-01", Location: at, MaxActiveClaims: max,
		Skills: []string{"repair"}}
	for _, c := range certs {
		in.Certifications = append(in.Certifications, matcher.Certification{Type: c, ExpiresAt: w.clock().AddDate(1, 0, 0)})
	}
	v, err := w.svc.CreateVolunteer(ctx, in)
	if err != nil {
		w.tb.Fatal(err)
	}
	return v
}

// code returns err's code, "" for nil.
func code(err error) string { return matcher.ErrorCode(err) }
