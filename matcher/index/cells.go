package index

import (
	"sync"

	"github.com/linli/linli/geo"
)

// Cells counts the distinct residents with a wish in each coarse cell and
// in every ancestor of it, so that the cell shown of a wish can climb until
// it hides the wish's resident among k. Counts only grow, and each replica
// counts what it has applied: a replica that has not yet seen another's
// wishes shows a coarser cell, never a finer one.
type Cells struct {
	res  int // the finest resolution shown
	mu   sync.RWMutex
	n    map[geo.Cell]int
	seen map[residentCell]struct{}
}

type residentCell struct {
	resident string
	cell     geo.Cell
}

// NewCells counts at the coarse resolution res.
func NewCells(res int) *Cells {
	return &Cells{res: res, n: make(map[geo.Cell]int), seen: make(map[residentCell]struct{})}
}

// Resolution returns the finest resolution shown.
func (c *Cells) Resolution() int { return c.res }

// Add counts the resident in the coarse cell of cell and in its ancestors,
// once whatever the number of their wishes there.
func (c *Cells) Add(resident string, cell geo.Cell) {
	if cell.Resolution() < c.res {
		return
	}
	coarse := geo.Parent(cell, c.res)
	c.mu.Lock()
	defer c.mu.Unlock()
	key := residentCell{resident, coarse}
	if _, ok := c.seen[key]; ok {
		return
	}
	c.seen[key] = struct{}{}
	for r := c.res; r >= 0; r-- {
		c.n[geo.Parent(coarse, r)]++
	}
}

// Shown returns the coarse cell of cell, or its nearest ancestor, holding
// at least k residents; resolution 0 when none does.
func (c *Cells) Shown(cell geo.Cell, k int) geo.Cell {
	res := min(c.res, cell.Resolution())
	if res < 0 {
		return 0
	}
	c.mu.RLock()
	defer c.mu.RUnlock()
	for r := res; r > 0; r-- {
		if p := geo.Parent(cell, r); c.n[p] >= k {
			return p
		}
	}
	return geo.Parent(cell, 0)
}

// Residents returns how many residents are counted in cell, of the coarse
// resolution or coarser.
func (c *Cells) Residents(cell geo.Cell) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.n[cell]
}
