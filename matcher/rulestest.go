package matcher

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/linli/linli/rules"
)

// RulesTestInput is a tester's facts, spelt as rules read them (see
// rules.Env), and optionally a rules file to try instead of the rules in
// force.
type RulesTestInput struct {
	Wish        RulesTestWish     `json:"wish"`
	Resident    RulesTestResident `json:"resident"`
	Supplier    RulesTestSupplier `json:"supplier"`
	WalkMinutes float64           `json:"walk_minutes"`
	// Now is the time the rules see; the server's now when not given.
	Now time.Time `json:"now,omitzero"`
	// YAML, when given, is the text of a rules file tried instead of the
	// rules in force.
	YAML string `json:"yaml,omitempty"`
}

// RulesTestWish is the wish's facts.
type RulesTestWish struct {
	Category string         `json:"category"`
	Needs    RulesTestNeeds `json:"needs"`
	DueAt    time.Time      `json:"due_at,omitzero"`
	OnSite   bool           `json:"on_site,omitempty"`
}

// RulesTestNeeds is what the wish needs of a supplier.
type RulesTestNeeds struct {
	Skills []string `json:"skills,omitempty"`
}

// RulesTestResident is the resident's facts; AgeBand is computed from Age
// when not given.
type RulesTestResident struct {
	Age          int      `json:"age"`
	AgeBand      string   `json:"age_band,omitempty"`
	Disabilities []string `json:"disabilities,omitempty"`
	LivesAlone   bool     `json:"lives_alone,omitempty"`
}

// RulesTestSupplier is the supplier's facts; Certifications are those
// valid at Now.
type RulesTestSupplier struct {
	Kind            string   `json:"kind"`
	Age             int      `json:"age,omitempty"`
	Skills          []string `json:"skills,omitempty"`
	Certifications  []string `json:"certifications,omitempty"`
	ActiveClaims    int      `json:"active_claims,omitempty"`
	MaxActiveClaims int      `json:"max_active_claims,omitempty"`
	Rating          float64  `json:"rating,omitempty"`
	Vetted          bool     `json:"vetted,omitempty"`
}

// RulesTestResult is the rules' answer on a tester's facts: allowed or
// not, the rule that decided a "no" (the first that denies, as the
// matcher names it) with its explanation, and every rule's verdict.
type RulesTestResult struct {
	Allowed  bool          `json:"allowed"`
	Rule     string        `json:"rule,omitempty"`
	Explain  string        `json:"explain,omitempty"`
	Source   string        `json:"source"` // "in_force" or "proposed"
	Verdicts []RuleVerdict `json:"verdicts"`
}

// RuleVerdict is what one rule said.
type RuleVerdict struct {
	Name    string `json:"name"`
	Applies bool   `json:"applies"`
	Allowed bool   `json:"allowed"`
	Explain string `json:"explain"`
	Error   string `json:"error,omitempty"`
}

var supplierKinds = []string{"volunteer", "organisation", "enterprise", "resource"}

func (in *RulesTestInput) validate(c *Catalog) error {
	if err := checkCategory("wish.category", in.Wish.Category, c); err != nil {
		return err
	}
	for _, l := range []struct {
		field string
		list  []string
		vocab []string
	}{
		{"wish.needs.skills", in.Wish.Needs.Skills, nil},
		{"resident.disabilities", in.Resident.Disabilities, c.Disabilities},
		{"supplier.skills", in.Supplier.Skills, nil},
		{"supplier.certifications", in.Supplier.Certifications, c.CertificationTypes},
	} {
		if err := checkTokens(l.field, l.list, l.vocab); err != nil {
			return err
		}
	}
	switch {
	case in.Resident.Age < 0 || in.Resident.Age > 130:
		return Invalid("resident.age", "must be between 0 and 130")
	case in.Resident.AgeBand != "" && !slices.Contains([]string{"child", "minor", "adult", "elderly"}, in.Resident.AgeBand):
		return Invalid("resident.age_band", "must be child, minor, adult or elderly")
	case !slices.Contains(supplierKinds, in.Supplier.Kind):
		return Invalid("supplier.kind", "must be one of %s", strings.Join(supplierKinds, ", "))
	case in.Supplier.Age < 0 || in.Supplier.Age > 130:
		return Invalid("supplier.age", "must be between 0 and 130")
	case in.Supplier.ActiveClaims < 0 || in.Supplier.ActiveClaims > 10_000:
		return Invalid("supplier.active_claims", "must be between 0 and 10000")
	case in.Supplier.MaxActiveClaims < 0 || in.Supplier.MaxActiveClaims > 10_000:
		return Invalid("supplier.max_active_claims", "must be between 0 and 10000 (0: no limit)")
	case !(in.Supplier.Rating >= 0 && in.Supplier.Rating <= 5):
		return Invalid("supplier.rating", "must be between 0 and 5")
	case !(in.WalkMinutes >= 0 && in.WalkMinutes <= 600):
		return Invalid("walk_minutes", "must be between 0 and 600")
	}
	return nil
}

// env returns the facts as rules read them.
func (in *RulesTestInput) env(now time.Time) *rules.Env {
	if !in.Now.IsZero() {
		now = in.Now
	}
	band := in.Resident.AgeBand
	if band == "" {
		band = AgeBand(in.Resident.Age)
	}
	return &rules.Env{
		Wish: rules.Wish{Category: in.Wish.Category, Needs: rules.Needs{Skills: orEmpty(in.Wish.Needs.Skills)},
			DueAt: in.Wish.DueAt, OnSite: in.Wish.OnSite},
		Resident: rules.Resident{Age: in.Resident.Age, AgeBand: band, Disabilities: orEmpty(in.Resident.Disabilities),
			LivesAlone: in.Resident.LivesAlone},
		Supplier: rules.Supplier{Kind: in.Supplier.Kind, Age: in.Supplier.Age, Skills: orEmpty(in.Supplier.Skills),
			Certifications: orEmpty(in.Supplier.Certifications), ActiveClaims: in.Supplier.ActiveClaims,
			MaxActiveClaims: in.Supplier.MaxActiveClaims, Rating: in.Supplier.Rating, Vetted: in.Supplier.Vetted},
		WalkMinutes: in.WalkMinutes,
		Now:         now,
	}
}

// TestRules evaluates the rules in force (or the rules file in.YAML) on a
// tester's facts. Staff only; it reads no resident and changes nothing.
func (s *Service) TestRules(ctx context.Context, in RulesTestInput) (*RulesTestResult, error) {
	if _, _, err := s.allow(ctx, RulesTest, ""); err != nil {
		return nil, err
	}
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return nil, err
	}
	out := &RulesTestResult{Allowed: true, Source: "in_force", Verdicts: []RuleVerdict{}}
	var set *rules.Set
	if in.YAML != "" {
		proposed, err := parseProposed(in.YAML, nil) // facts typed by the tester: a rule may be tried alone
		if err != nil {
			return nil, err
		}
		set, out.Source = proposed, "proposed"
	} else {
		current, err := s.ruleSet()
		if err != nil {
			return nil, err
		}
		set = current
	}
	if set == nil {
		return out, nil
	}
	for _, v := range set.Verdicts(in.env(s.now())) {
		rv := RuleVerdict{Name: v.Rule.Name, Applies: v.Applies, Allowed: v.Allows, Explain: v.Rule.Explain}
		if v.Err != nil {
			rv.Error = v.Err.Error()
		}
		if !v.Allows && out.Allowed {
			out.Allowed, out.Rule, out.Explain = false, v.Rule.Name, v.Rule.Explain
		}
		out.Verdicts = append(out.Verdicts, rv)
	}
	return out, nil
}

// proposedFile names the text of a proposed rules file in its set.
const proposedFile = "proposed.yaml"

// parseProposed compiles a proposed rules file as `linli rules check`
// does, and more strictly (rules.ParseSubmitted): a file sent with a key
// runs on the service's CPU, so its expressions must be cheap, and it must
// keep every rule named in required. Its problems are one EINVALID of the
// field yaml, each located by line and column, whose rule is the first
// problem's.
func parseProposed(text string, required []string) (*rules.Set, error) {
	if strings.TrimSpace(text) == "" {
		return nil, Invalid("yaml", "is required: the text of a rules file")
	}
	set, err := rules.ParseSubmitted(proposedFile, []byte(text), required...)
	var le *rules.LoadError
	switch {
	case err == nil:
		return set, nil
	case errors.As(err, &le):
		msgs := make([]string, len(le.Problems))
		for i, p := range le.Problems {
			p.File = ""
			msgs[i] = strings.TrimPrefix(p.String(), ": ")
			if p.Line > 0 {
				msgs[i] = "line " + strings.TrimPrefix(msgs[i], ":")
			}
		}
		e := Invalid("yaml", "%s", strings.Join(msgs, "; "))
		if r := le.Problems[0].Rule; r != "" && !strings.HasPrefix(r, "#") {
			e.Rule = r
		}
		return nil, e
	default:
		return nil, Invalid("yaml", "%v", err)
	}
}

// RulesImpactInput is a proposed rules file.
type RulesImpactInput struct {
	YAML string `json:"yaml"`
}

// RulesImpactReport is the dry run of a proposed rules file on the open
// wishes in the caller's scope: every wish, most suppliers lost first,
// and the totals.
type RulesImpactReport struct {
	Rules  int          `json:"rules"`
	Items  []RuleImpact `json:"items"`
	Totals ImpactTotals `json:"totals"`
}

// ImpactTotals sum up RuleImpact rows: how many open wishes gain or lose
// eligible suppliers, the eligible wish-supplier pairs now and proposed,
// and the open wishes nobody may serve now and proposed.
type ImpactTotals struct {
	OpenWishes   int `json:"open_wishes"`
	Gain         int `json:"gain"`
	Lose         int `json:"lose"`
	Unchanged    int `json:"unchanged"`
	PairsBefore  int `json:"pairs_before"`
	PairsAfter   int `json:"pairs_after"`
	NobodyBefore int `json:"nobody_before"`
	NobodyAfter  int `json:"nobody_after"`
}

// TotalImpact sums rows up.
func TotalImpact(rows []RuleImpact) ImpactTotals {
	t := ImpactTotals{OpenWishes: len(rows)}
	for _, r := range rows {
		t.PairsBefore, t.PairsAfter = t.PairsBefore+r.Before, t.PairsAfter+r.After
		if r.Before == 0 {
			t.NobodyBefore++
		}
		if r.After == 0 {
			t.NobodyAfter++
		}
		switch {
		case r.After > r.Before:
			t.Gain++
		case r.After < r.Before:
			t.Lose++
		default:
			t.Unchanged++
		}
	}
	return t
}

// SortImpact orders rows most suppliers lost first, then by wish.
func SortImpact(rows []RuleImpact) {
	slices.SortFunc(rows, func(a, b RuleImpact) int {
		return cmp.Or(cmp.Compare(a.After-a.Before, b.After-b.Before), cmp.Compare(a.WishID, b.WishID))
	})
}

// PreviewRules compiles a proposed rules file and returns its impact on
// the open wishes in the caller's scope, as `linli rules impact` does on
// the whole store. Staff only; nothing changes.
func (s *Service) PreviewRules(ctx context.Context, in RulesImpactInput) (*RulesImpactReport, error) {
	p, _, err := s.allow(ctx, RulesPreview, "")
	if err != nil {
		return nil, err
	}
	var required []string
	if s.rules != nil {
		required = s.rules.Required()
	}
	set, err := parseProposed(in.YAML, required)
	if err != nil {
		return nil, err
	}
	if s.rules != nil {
		if err := s.rules.Check(set); err != nil { // as a reload would refuse it
			return nil, Invalid("yaml", "%s", strings.TrimPrefix(err.Error(), "rules: "))
		}
	}
	rows := s.rulesImpact(s.scopeNodes(p), set)
	SortImpact(rows)
	return &RulesImpactReport{Rules: set.Len(), Items: orEmpty(rows), Totals: TotalImpact(rows)}, nil
}
