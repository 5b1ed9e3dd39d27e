package matcher_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo/mongotest"
	"github.com/linli/linli/rules"
)

// candWorld is a service over a fresh store with the default rules, and
// the contexts of its staff.
type candWorld struct {
	svc                 *matcher.Service
	coordinator, social context.Context
	now                 time.Time
}

func mustCandWorld(tb testing.TB) *candWorld {
	tb.Helper()
	grid, err := geo.New(geo.DefaultConfig())
	if err != nil {
		tb.Fatal(err)
	}
	engine, err := rules.NewEngine([]string{"../configs/rules/default.yaml"}, nil)
	if err != nil {
		tb.Fatal(err)
	}
	now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	svc := matcher.NewService(mongotest.New(tb), grid, engine, matcher.Config{
		Catalog: matcher.Catalog{
			Categories:         []string{"repair", "tutoring", "home_visit", "school_supplies"},
			CertificationTypes: []string{"background_check", "child_safeguarding", "disability_care"},
			Disabilities:       []string{"wheelchair_user"},
		},
	}, matcher.WithClock(func() time.Time { return now }))
	ctx := context.Background()
	if err := svc.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	return &candWorld{
		svc:         svc,
		coordinator: matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleCoordinator, SubjectID: "org_c"}),
		social:      matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleSocialWorker, SubjectID: "org_c"}),
		now:         now,
	}
}

func (w *candWorld) mustWish(tb testing.TB, birth string, at matcher.Location, category string, skills ...string) *matcher.Wish {
	tb.Helper()
	r, err := w.svc.CreateResident(w.social, matcher.ResidentInput{
		Name: "Wang Fang", BirthDate: birth, Location: &at,
		Consent: &matcher.Consent{GivenBy: "guardian", Purpose: "matching", GivenAt: w.now.Add(-time.Hour)},
	})
	if err != nil {
		tb.Fatal(err)
	}
	wish, err := w.svc.CreateWish(w.social, matcher.WishInput{
		ResidentID: r.ID, Category: category, Title: "help", Needs: matcher.Needs{Skills: skills}, DueAt: w.now.Add(48 * time.Hour),
	})
	if err != nil {
		tb.Fatal(err)
	}
	return wish
}

func (w *candWorld) mustVolunteer(tb testing.TB, birth string, at matcher.Location, skills []string, certs ...matcher.Certification) *matcher.Volunteer {
	tb.Helper()
	v, err := w.svc.CreateVolunteer(w.coordinator, matcher.VolunteerInput{
		Name: "Chen Jie", BirthDate: birth, Location: &at, Skills: skills, Certifications: certs,
	})
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestEligible(t *testing.T) {
	w := mustCandWorld(t)
	home := matcher.Location{Lat: 30.27, Lng: 120.15}
	near := matcher.Location{Lat: 30.272, Lng: 120.152}
	far := matcher.Location{Lat: 30.29, Lng: 120.15}
	valid := matcher.Certification{Type: "child_safeguarding", ExpiresAt: w.now.Add(time.Hour)}
	expired := matcher.Certification{Type: "child_safeguarding", ExpiresAt: w.now.Add(-time.Hour)}
	child := w.mustWish(t, "2016-01-01", home, "tutoring")
	repair := w.mustWish(t, "1980-01-01", home, "repair", "repair")

	tests := []struct {
		name     string
		wish     *matcher.Wish
		supplier matcher.Party
		wantRule string // "" for eligible
		wantCode string
	}{
		{"checked volunteer", child, party(w.mustVolunteer(t, "1990-01-01", near, nil, valid)), "", ""},
		{"expired check", child, party(w.mustVolunteer(t, "1990-01-01", near, nil, expired)), "minors-need-safeguarding", matcher.EINELIGIBLE},
		{"too far", child, party(w.mustVolunteer(t, "1990-01-01", far, nil, valid)), matcher.RuleWalkingCircle, matcher.EINELIGIBLE},
		{"missing skill", repair, party(w.mustVolunteer(t, "1990-01-01", near, []string{"cooking"})), "has-needed-skills", matcher.EINELIGIBLE},
		{"has skill", repair, party(w.mustVolunteer(t, "1990-01-01", near, []string{"repair"})), "", ""},
		{"missing volunteer", repair, matcher.Party{Kind: matcher.SupplierVolunteer, ID: "vol_missing"}, "", matcher.ENOTFOUND},
		{"unknown kind", repair, matcher.Party{Kind: "wizard", ID: "x"}, "", matcher.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			minutes, err := w.svc.Eligible(context.Background(), tt.wish, tt.supplier)
			if got := matcher.ErrorCode(err); got != tt.wantCode {
				t.Fatalf("code = %q, want %q (err %v)", got, tt.wantCode, err)
			}
			if tt.wantRule != "" {
				e := err.(*matcher.Error)
				if e.Rule != tt.wantRule || e.Message == "" {
					t.Fatalf("rule = %q (%q), want %q", e.Rule, e.Message, tt.wantRule)
				}
			}
			if err == nil && (minutes <= 0 || minutes > 15) {
				t.Fatalf("walk = %v minutes", minutes)
			}
		})
	}
}

func party(v *matcher.Volunteer) matcher.Party {
	return matcher.Party{Kind: matcher.SupplierVolunteer, ID: v.ID}
}

func TestRulesImpactAndCandidates(t *testing.T) {
	w := mustCandWorld(t)
	home := matcher.Location{Lat: 30.27, Lng: 120.15}
	near := matcher.Location{Lat: 30.271, Lng: 120.151}
	wish := w.mustWish(t, "1980-01-01", home, "repair", "repair")
	fixer := w.mustVolunteer(t, "1990-01-01", near, []string{"repair"})
	w.mustVolunteer(t, "1990-01-01", near, []string{"cooking"})

	got, err := w.svc.WishCandidates(w.coordinator, wish.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Candidates) != 1 || got.Candidates[0].ID != fixer.ID || got.Excluded["has-needed-skills"] != 1 {
		t.Fatalf("candidates = %+v", got)
	}
	proposed, err := rules.Load(writeRules(t, "rules:\n  - name: anyone\n    require: 'true'\n    explain: Anyone.\n"))
	if err != nil {
		t.Fatal(err)
	}
	impact := w.svc.RulesImpact(proposed)
	if want := []matcher.RuleImpact{{WishID: wish.ID, Category: "repair", Before: 1, After: 2}}; !slices.Equal(impact, want) {
		t.Fatalf("impact = %+v, want %+v", impact, want)
	}
}

func writeRules(tb testing.TB, text string) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "rules.yaml")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		tb.Fatal(err)
	}
	return path
}
