package assign

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
)

// Options tune Solve; the zero value is a cold start on every core.
type Options struct {
	// Workers is how many parts of the graph are solved at once; 0 means
	// GOMAXPROCS.
	Workers int
	// Warm is the previous round's prices and choices, or nil.
	Warm *Warm
	// Progress, if set, is told how many of the wishes are settled. Calls
	// come one at a time, with done never decreasing; the last has done
	// equal to total.
	Progress func(done, total int)
}

// Solve returns an optimal solution of p: the largest total weight of
// matched wishes and, for that weight, the smallest total cost. It returns
// Validate's error for a malformed p and ctx's error if ctx ends first.
func Solve(ctx context.Context, p *Problem, opt Options) (*Solution, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	sol := &Solution{Match: make([]int32, p.Wishes), Price: make([]int64, p.Suppliers)}
	for w := range sol.Match {
		sol.Match[w] = -1
	}
	workers := opt.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parts := split(p, workers)
	outer := min(workers, len(parts))
	pr := newProgress(opt.Progress, p.Wishes)
	var next atomic.Int64
	errs := make([]error, len(parts))
	var wg sync.WaitGroup
	for range outer {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= len(parts) {
					return
				}
				errs[i] = solvePart(ctx, parts[i], opt.Warm, sol, pr, workers)
				if errs[i] != nil {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	pr.finish()
	sol.summarize(p)
	return sol, nil
}

// solvePart solves one part and writes its wishes' and suppliers' entries
// of sol, which no other part shares.
//
// workers is how many goroutines may share the part's parallel steps,
// which only a large part uses.
func solvePart(ctx context.Context, g *graph, warm *Warm, sol *Solution, pr *progress, workers int) error {
	if len(g.supplier) < 1<<16 {
		workers = 1
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cls := classify(g)
	hint, price := localWarm(g, warm)
	q, err := counts(ctx, g, cls, hint)
	if err != nil {
		return err
	}
	m := newMincost(g, cls, q, workers)
	var free []int32
	if price != nil {
		free = m.warmStart(price, hint)
	} else {
		free = m.start(nil)
	}
	pr.add(g.wishes - len(free))
	if err := m.run(ctx, free, pr.add); err != nil {
		return err
	}
	for w := range int32(g.wishes) {
		if e := m.edge[w]; e >= 0 {
			sol.Match[g.problemWish(w)] = g.problemEdge(w, e)
		}
	}
	for s := range int32(g.suppliers) {
		if id := g.problemSupplier(s); id >= 0 {
			sol.Price[id] = m.sup[s].price
		}
	}
	return nil
}

// localWarm maps a warm start onto g's indices: by wish the supplier to
// try first, by supplier the price. Both are nil for a cold start.
func localWarm(g *graph, warm *Warm) (hint []int32, price []int64) {
	if warm == nil {
		return nil, nil
	}
	price = make([]int64, g.suppliers)
	for s := range int32(g.suppliers) {
		if id := g.problemSupplier(s); id >= 0 && int(id) < len(warm.Price) {
			price[s] = warm.Price[id]
		}
	}
	hint = make([]int32, g.wishes)
	var local map[int32]int32
	if g.supplierID != nil {
		local = make(map[int32]int32, len(g.supplierID))
		for s, id := range g.supplierID {
			local[id] = int32(s)
		}
	}
	for w := range int32(g.wishes) {
		hint[w] = -1
		id := g.problemWish(w)
		if int(id) >= len(warm.Supplier) || warm.Supplier[id] < 0 {
			continue
		}
		if local == nil {
			hint[w] = warm.Supplier[id]
		} else if s, ok := local[warm.Supplier[id]]; ok {
			hint[w] = s
		}
	}
	return hint, price
}

// progress serializes Options.Progress across parts.
type progress struct {
	mu          sync.Mutex
	report      func(done, total int)
	done, total int
	last        int
}

func newProgress(report func(done, total int), total int) *progress {
	return &progress{report: report, total: total}
}

// add counts n more settled wishes, reporting at most every 1/256th.
func (p *progress) add(n int) {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done += n
	if p.done-p.last >= max(1, p.total/256) {
		p.last = p.done
		p.report(min(p.done, p.total), p.total)
	}
}

// finish reports the whole as done.
func (p *progress) finish() {
	if p.report == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.report(p.total, p.total)
}
