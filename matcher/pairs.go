package matcher

import (
	"context"
	"math"
	"sync"

	"github.com/linli/linli/matcher/assign"
	"github.com/linli/linli/matcher/index"
)

// PairWish is a wish a round pairs: its circle (0: the configured one)
// and its priority weight (at least 1).
type PairWish struct {
	ID       string
	Category string
	Minutes  float64
	Weight   int32
}

// Slot is one supplier's capacity in a round: a volunteer's or a
// resource's whole allowance, or an organisation's or enterprise's in one
// category (Category is "" for the first two).
type Slot struct {
	Party    Party
	Category string
}

// slotOf returns the slot a candidate for a wish of category fills.
func slotOf(c *index.Candidate, category string) Slot {
	s := Slot{Party: Party{Kind: c.Kind, ID: c.ID}}
	if c.Kind == index.Organisation || c.Kind == index.Enterprise {
		s.Category = category
	}
	return s
}

// Pairs is every eligible pair of a round's wishes and suppliers with
// room, as an assignment problem: costs are walks in 1e-4 minutes.
type Pairs struct {
	Problem assign.Problem
	Wishes  []PairWish // by wish index
	Slots   []Slot     // by supplier index
	Walks   []float64  // by edge, in minutes
	// Busy counts, by wish, the eligible suppliers left out for want of
	// room.
	Busy []int32
}

// pairChunk is how many wishes are searched between merges, which bounds
// the memory the candidate lists take.
const pairChunk = 2048

// BuildPairs finds, for every wish, every supplier inside its circle that
// the rules of s allow (as a claim would decide), and returns the pairs
// with the suppliers that have room: capacity returns how many more
// wishes a slot may take (0 or less: none). Searches run on workers
// goroutines; progress, if set, is told how many wishes are searched.
func BuildPairs(ctx context.Context, x *index.Index, wishes []PairWish, s index.Search, capacity func(Slot) int,
	workers int, progress func(done, total int)) (*Pairs, error) {
	workers = max(1, workers)
	s.Limit, s.Excluded = math.MaxInt, nil
	pr := &Pairs{Wishes: wishes, Busy: make([]int32, len(wishes))}
	p := &pr.Problem
	p.Wishes = len(wishes)
	p.Start = make([]int32, 1, len(wishes)+1)
	p.Weight = make([]int32, len(wishes))
	slotIx := map[Slot]int32{} // -1: no room
	lists := make([][]index.Candidate, pairChunk)
	for lo := 0; lo < len(wishes); lo += pairChunk {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		hi := min(lo+pairChunk, len(wishes))
		var wg sync.WaitGroup
		for k := range workers {
			wg.Go(func() {
				for i := lo + k; i < hi; i += workers {
					w := &wishes[i]
					search := s
					search.Minutes = w.Minutes
					lists[i-lo], _, _ = x.Candidates(w.ID, search, lists[i-lo][:0])
				}
			})
		}
		wg.Wait()
		for i := lo; i < hi; i++ {
			for j := range lists[i-lo] {
				c := &lists[i-lo][j]
				sl := slotOf(c, wishes[i].Category)
				ix, seen := slotIx[sl]
				if !seen {
					ix = -1
					if room := capacity(sl); room > 0 {
						ix = int32(len(pr.Slots))
						pr.Slots = append(pr.Slots, sl)
						p.Capacity = append(p.Capacity, int32(min(room, math.MaxInt32)))
					}
					slotIx[sl] = ix
				}
				if ix < 0 {
					pr.Busy[i]++
					continue
				}
				p.Supplier = append(p.Supplier, ix)
				p.Cost = append(p.Cost, walkCost(c.WalkMinutes))
				pr.Walks = append(pr.Walks, c.WalkMinutes)
			}
			p.Start = append(p.Start, int32(len(p.Supplier)))
			p.Weight[i] = max(1, wishes[i].Weight)
		}
		if progress != nil {
			progress(hi, len(wishes))
		}
	}
	p.Suppliers = len(pr.Slots)
	return pr, nil
}

// walkCost is a walk's cost in the assignment: 1e-4 minutes, rounded.
func walkCost(minutes float64) int64 {
	return min(int64(math.Round(minutes*1e4)), assign.MaxCost)
}
