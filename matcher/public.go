package matcher

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/linli/linli/geo"
)

// Public figures: what anyone may read without a key about the services
// bought with public money. They hold no resident data; places are cells
// of the coarse resolution; and every count under k (the privacy
// setting), and every figure drawn from fewer than k wishes or ratings,
// is null and named in Suppressed, so that nobody can be singled out.

// PublicCount is a count, or null when under k.
type PublicCount = *int

// PublicFigures are an evaluation's figures, k-anonymised.
type PublicFigures struct {
	Claimed          PublicCount `json:"claimed"`
	Fulfilled        PublicCount `json:"fulfilled"`
	Confirmed        PublicCount `json:"confirmed"`
	Disputed         PublicCount `json:"disputed"`
	ReleasedStale    PublicCount `json:"released_stale"`
	MedianClaimHours *float64    `json:"median_time_to_claim_hours"`
	MedianFulfilHrs  *float64    `json:"median_time_to_fulfil_hours"`
	SatisfactionMean *float64    `json:"satisfaction_mean"`
	Ratings          PublicCount `json:"ratings"`
	// Distribution holds each rating's count, null where under k.
	Distribution     map[string]PublicCount `json:"distribution"`
	Hours            *float64               `json:"hours"`
	CostPerConfirmed *float64               `json:"cost_per_confirmed"`
	Score            *float64               `json:"score"`
	Suppressed       []string               `json:"suppressed"`
}

// PublicProvider names a provider.
type PublicProvider struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// PublicProgramme is a programme as the public sees it.
type PublicProgramme struct {
	ID          string         `json:"id"`
	Name        string         `json:"name"`
	Department  string         `json:"department"`
	Provider    PublicProvider `json:"provider"`
	Category    string         `json:"category"`
	TargetTags  []string       `json:"target_tags"`
	Budget      float64        `json:"budget"`
	StartsAt    time.Time      `json:"starts_at"`
	EndsAt      time.Time      `json:"ends_at"`
	Output      *Output        `json:"output,omitempty"`
	Resolution  int            `json:"resolution"`
	Cells       []string       `json:"cells"` // the area, as coarse cells
	Figures     PublicFigures  `json:"figures"`
	GeneratedAt time.Time      `json:"generated_at"`
}

// PublicProviderFigures is a provider's public record.
type PublicProviderFigures struct {
	PublicProvider
	Programmes []string      `json:"programmes"`
	Budget     float64       `json:"budget"`
	Figures    PublicFigures `json:"figures"`
}

// publicFigures k-anonymises an evaluation.
func (s *Service) publicFigures(ev *Evaluation) PublicFigures {
	k := s.cfg.KAnonymity
	f := PublicFigures{Distribution: map[string]PublicCount{}, Suppressed: []string{}}
	count := func(name string, n int) PublicCount {
		if n < k {
			f.Suppressed = append(f.Suppressed, name)
			return nil
		}
		v := n
		return &v
	}
	if n := ev.Wishes.Claimed; n > 0 && n < k {
		// Too few wishes: every figure could point at someone.
		f.Suppressed = append(f.Suppressed, "all: fewer than k wishes")
		for _, r := range []string{"1", "2", "3", "4", "5"} {
			f.Distribution[r] = nil
		}
		return f
	}
	w := ev.Wishes
	f.Claimed, f.Fulfilled, f.Confirmed = count("claimed", w.Claimed), count("fulfilled", w.Fulfilled), count("confirmed", w.Confirmed)
	f.Disputed, f.ReleasedStale = count("disputed", w.Disputed), count("released_stale", w.ReleasedStale)
	f.Ratings = count("ratings", ev.Satisfaction.Count)
	for _, r := range []string{"1", "2", "3", "4", "5"} {
		f.Distribution[r] = count("distribution."+r, ev.Satisfaction.Distribution[r])
	}
	if f.Ratings != nil {
		f.SatisfactionMean = ev.Satisfaction.Mean
	}
	if ev.TimeToClaim.Count >= k {
		f.MedianClaimHours = ev.TimeToClaim.Median
	} else {
		f.Suppressed = append(f.Suppressed, "median_time_to_claim_hours")
	}
	if ev.TimeToFulfil.Count >= k {
		f.MedianFulfilHrs = ev.TimeToFulfil.Median
		h := ev.Hours
		f.Hours = &h
	} else {
		f.Suppressed = append(f.Suppressed, "median_time_to_fulfil_hours", "hours")
	}
	if f.Confirmed != nil {
		f.CostPerConfirmed = ev.CostPerConfirmed
	} else {
		f.Suppressed = append(f.Suppressed, "cost_per_confirmed")
	}
	if f.Claimed != nil {
		f.Score = ev.Score
	} else {
		f.Suppressed = append(f.Suppressed, "score")
	}
	return f
}

// providerOf names a provider.
func (s *Service) providerOf(p Party) PublicProvider {
	out := PublicProvider{Kind: p.Kind, ID: p.ID}
	if o, ok := s.organisations.Get(p.ID); ok {
		out.Name = o.Name
	} else if e, ok := s.enterprises.Get(p.ID); ok {
		out.Name = e.Name
	}
	return out
}

// publicProgramme is pg as the public sees it.
func (s *Service) publicProgramme(pg *Programme) PublicProgramme {
	res := s.grid.Config().CoarseResolution
	coarse := map[geo.Cell]bool{}
	if pa := s.areas.get(pg.ID); pa != nil {
		for c := range pa.cells {
			coarse[geo.Parent(c, res)] = true
		}
	}
	cells := make([]string, 0, len(coarse))
	for c := range coarse {
		cells = append(cells, c.String())
	}
	slices.Sort(cells)
	return PublicProgramme{ID: pg.ID, Name: pg.Name, Department: pg.Department, Provider: s.providerOf(pg.Provider),
		Category: pg.Category, TargetTags: slices.Clone(pg.TargetGroup.Tags), Budget: pg.Budget, StartsAt: pg.StartsAt,
		EndsAt: pg.EndsAt, Output: pg.Output, Resolution: res, Cells: cells,
		Figures: s.publicFigures(s.evaluateProgramme(pg)), GeneratedAt: s.timestamp()}
}

// PublicProgrammes lists every programme with its public figures, by id.
func (s *Service) PublicProgrammes(ctx context.Context, req PageRequest) (*Page[PublicProgramme], error) {
	pg, err := page(s, req, s.lists.programmes, s.programmes, nil, nil)
	if err != nil {
		return nil, err
	}
	out := &Page[PublicProgramme]{Items: make([]*PublicProgramme, len(pg.Items)), Next: pg.Next}
	for i, p := range pg.Items {
		v := s.publicProgramme(p)
		out.Items[i] = &v
	}
	return out, nil
}

// PublicProgramme returns one programme's public record.
func (s *Service) PublicProgramme(ctx context.Context, id string) (*PublicProgramme, error) {
	pg, ok := s.programmes.Get(id)
	if !ok {
		return nil, notFound()
	}
	v := s.publicProgramme(pg)
	return &v, nil
}

// PublicProviders lists every provider of a programme with its public
// figures over all its claims.
func (s *Service) PublicProviders(ctx context.Context) (*Page[PublicProviderFigures], error) {
	byProvider := map[Party]*PublicProviderFigures{}
	s.programmes.Each(func(pg *Programme) bool {
		f := byProvider[pg.Provider]
		if f == nil {
			f = &PublicProviderFigures{PublicProvider: s.providerOf(pg.Provider), Programmes: []string{}}
			byProvider[pg.Provider] = f
		}
		f.Programmes = append(f.Programmes, pg.ID)
		f.Budget += pg.Budget
		return true
	})
	out := &Page[PublicProviderFigures]{Items: []*PublicProviderFigures{}}
	for p, f := range byProvider {
		slices.Sort(f.Programmes)
		f.Budget = round2(f.Budget)
		f.Figures = s.publicFigures(s.evaluate(claimScope{provider: p, members: s.memberOf(p),
			keep: func(*Wish) bool { return true }, to: s.now().Add(time.Minute)}))
		out.Items = append(out.Items, f)
	}
	slices.SortFunc(out.Items, func(a, b *PublicProviderFigures) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
