package matcher

import (
	"cmp"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/linli/linli/geo"
)

// Public figures: what anyone may read without a key about the services
// bought with public money. They hold no resident data; places are cells
// of the coarse resolution; every count under k (the privacy setting),
// and every figure drawn from fewer than k wishes or ratings, is null and
// named in Suppressed, so that nobody can be singled out; and every count
// shown is rounded to the nearest multiple of k, so that the difference of
// two programmes' figures (identical but for a small group) bounds what
// that group did rather than telling it.

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

// publicFigures k-anonymises an evaluation by withheld's rules: a figure
// is shown only when it counts, or is drawn from, at least k distinct
// residents; and every count shown is rounded to a multiple of k, the cost
// per confirmed wish worked out from the rounded count (the budget is
// public, so the exact one would give the count back).
func (s *Service) publicFigures(ev *tally) PublicFigures {
	k := s.cfg.KAnonymity
	no := withheld(ev, k)
	f := PublicFigures{Distribution: map[string]PublicCount{}, Suppressed: []string{}}
	if no["all"] {
		f.Suppressed = append(f.Suppressed, "all: fewer than k residents served")
		for _, r := range ratingBuckets {
			f.Distribution[r] = nil
		}
		return f
	}
	count := func(figure, name string, n int) PublicCount {
		if no[figure] {
			f.Suppressed = append(f.Suppressed, name)
			return nil
		}
		v := roundTo(n, k)
		return &v
	}
	w := ev.Wishes
	f.Claimed, f.Fulfilled = count("claimed", "claimed", w.Claimed), count("fulfilled", "fulfilled", w.Fulfilled)
	f.Confirmed = count("confirmed", "confirmed", w.Confirmed)
	f.Disputed, f.ReleasedStale = count("disputed", "disputed", w.Disputed), count("released_stale", "released_stale", w.ReleasedStale)
	for _, r := range ratingBuckets {
		f.Distribution[r] = count("distribution."+r, "distribution."+r, ev.Distribution[r])
	}
	if no["ratings"] {
		f.Suppressed = append(f.Suppressed, "ratings", "satisfaction_mean", "score")
	} else {
		f.Ratings = count("ratings", "ratings", ev.Ratings)
		f.SatisfactionMean, f.Score = ev.Mean, ev.Score
	}
	if no["time_to_claim"] {
		f.Suppressed = append(f.Suppressed, "median_time_to_claim_hours")
	} else {
		f.MedianClaimHours = ev.TimeToClaim.Median
	}
	if no["time_to_fulfil"] {
		f.Suppressed = append(f.Suppressed, "median_time_to_fulfil_hours")
	} else {
		f.MedianFulfilHrs = ev.TimeToFulfil.Median
	}
	if no["hours"] {
		f.Suppressed = append(f.Suppressed, "hours", "cost_per_confirmed")
	} else {
		h := ev.Hours
		f.Hours = &h
		if ev.Budget != nil {
			c := round2(*ev.Budget / float64(*f.Confirmed))
			f.CostPerConfirmed = &c
		}
	}
	return f
}

// roundTo rounds n to the nearest multiple of k (halves up); n ≥ k stays
// at least k.
func roundTo(n, k int) int { return (n + k/2) / k * k }

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

// publicTTL is how long public figures are served before they are worked
// out again: anyone may ask for them, without a key, and working them out
// reads every wish.
const publicTTL = time.Minute

// publicCache holds the public figures last worked out.
type publicCache struct {
	mu         sync.Mutex
	at         time.Time
	programmes map[string]*PublicProgramme
	providers  *Page[PublicProviderFigures]
}

// publicFiguresNow returns the public figures, worked out at most once a
// publicTTL; requests meanwhile wait for the one working them out.
func (s *Service) publicFiguresNow() (map[string]*PublicProgramme, *Page[PublicProviderFigures]) {
	c := &s.public
	c.mu.Lock()
	defer c.mu.Unlock()
	if now := time.Now(); c.programmes == nil || now.Sub(c.at) > publicTTL {
		progs := map[string]*PublicProgramme{}
		s.programmes.Each(func(pg *Programme) bool {
			v := s.publicProgramme(pg)
			progs[pg.ID] = &v
			return true
		})
		c.programmes, c.providers, c.at = progs, s.publicProviders(), now
	}
	return c.programmes, c.providers
}

// PublicProgrammes lists every programme with its public figures, by id,
// as worked out in the last minute.
func (s *Service) PublicProgrammes(ctx context.Context, req PageRequest) (*Page[PublicProgramme], error) {
	progs, _ := s.publicFiguresNow()
	pg, err := page(s, req, s.lists.programmes, s.programmes, nil, func(p *Programme) bool { return progs[p.ID] != nil })
	if err != nil {
		return nil, err
	}
	out := &Page[PublicProgramme]{Items: make([]*PublicProgramme, len(pg.Items)), Next: pg.Next}
	for i, p := range pg.Items {
		out.Items[i] = progs[p.ID]
	}
	return out, nil
}

// PublicProgramme returns one programme's public record.
func (s *Service) PublicProgramme(ctx context.Context, id string) (*PublicProgramme, error) {
	progs, _ := s.publicFiguresNow()
	if v := progs[id]; v != nil {
		return v, nil
	}
	return nil, notFound()
}

// PublicProviders lists every provider of a programme with its public
// figures over all its claims, as worked out in the last minute.
func (s *Service) PublicProviders(ctx context.Context) (*Page[PublicProviderFigures], error) {
	_, providers := s.publicFiguresNow()
	return providers, nil
}

func (s *Service) publicProviders() *Page[PublicProviderFigures] {
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
	return out
}
