package assign

// Solution is an optimal pairing.
type Solution struct {
	// Match is, for each wish, the index of the edge it takes, or -1.
	Match []int32
	// Matched is the number of matched wishes, Weight their total priority
	// and Cost the total cost of the chosen edges.
	Matched int
	Weight  int64
	Cost    int64
	// Price is each supplier's dual price: a wish's chosen edge costs no
	// more, price included, than any other edge it has, and a supplier
	// with room left has price 0. Passed on in a Warm, it lets the next
	// round start close to its optimum.
	Price []int64
}

// Warm is where a round starts from: a previous round's prices and choices,
// mapped onto this round's indices by the caller. Anything missing or
// stale is repaired, so a Warm changes how fast Solve is, never what it
// returns.
type Warm struct {
	// Price is by supplier; a missing or negative entry counts as 0.
	Price []int64
	// Supplier is by wish: the supplier it had, or -1.
	Supplier []int32
}

// Warm returns the warm start for the next round on the same indices. A
// caller whose wishes or suppliers changed maps it onto the new indices.
func (s *Solution) Warm(p *Problem) *Warm {
	w := &Warm{Price: s.Price, Supplier: make([]int32, len(s.Match))}
	for i, e := range s.Match {
		w.Supplier[i] = -1
		if e >= 0 {
			w.Supplier[i] = p.Supplier[e]
		}
	}
	return w
}

// summarize fills in Matched, Weight and Cost from Match.
func (s *Solution) summarize(p *Problem) {
	s.Matched, s.Weight, s.Cost = 0, 0, 0
	for w, e := range s.Match {
		if e < 0 {
			continue
		}
		s.Matched++
		s.Weight += int64(p.weight(w))
		s.Cost += p.Cost[e]
	}
}
