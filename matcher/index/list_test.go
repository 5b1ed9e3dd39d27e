package index_test

import (
	"fmt"
	"slices"
	"testing"

	"pgregory.net/rapid"

	"github.com/linli/linli/matcher/index"
)

// TestListPagesEqualAFilteredSort pages through a list under random nodes
// and filters, and compares with sorting and filtering every id.
func TestListPagesEqualAFilteredSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		l := index.NewList()
		node := map[string]string{}
		nodes := []string{"a", "b", "c", "d"}
		for i := range rapid.IntRange(0, 200).Draw(t, "puts") {
			id := fmt.Sprintf("id_%03d", rapid.IntRange(0, 150).Draw(t, fmt.Sprint("id", i)))
			n := rapid.SampledFrom(nodes).Draw(t, fmt.Sprint("node", i))
			if rapid.IntRange(0, 9).Draw(t, fmt.Sprint("remove", i)) == 0 && node[id] != "" {
				l.Remove(id, node[id])
				delete(node, id)
				continue
			}
			l.Put(id, node[id], n)
			node[id] = n
		}
		scope := rapid.SliceOfDistinct(rapid.SampledFrom(nodes), rapid.ID).Draw(t, "scope")
		if rapid.Bool().Draw(t, "all") {
			scope = nil
		}
		odd := rapid.Bool().Draw(t, "odd")
		keep := func(id string) bool { return !odd || id[len(id)-1]%2 == 1 }
		var want []string
		for id, n := range node {
			if (scope == nil || slices.Contains(scope, n)) && keep(id) {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		limit := rapid.IntRange(1, 30).Draw(t, "limit")
		var got []string
		after := ""
		for range 1000 {
			ids, next := l.Page(scope, after, limit, keep)
			if len(ids) > limit {
				t.Fatalf("a page of %d, limit %d", len(ids), limit)
			}
			got = append(got, ids...)
			if next == "" {
				break
			}
			after = next
		}
		if !slices.Equal(got, want) {
			t.Fatalf("paged %v\nwant  %v", got, want)
		}
	})
}
