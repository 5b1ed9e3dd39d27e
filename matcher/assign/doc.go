// Package assign solves Linli's matching round exactly: it pairs wishes
// with suppliers so that the total priority weight of matched wishes is as
// large as possible and, among all such pairings, the total walking cost is
// as small as possible.
//
// The problem is a sparse bipartite graph. Each wish takes at most one
// supplier; supplier j takes at most Capacity[j] wishes; each edge has an
// integer cost. Both goals are met exactly, without folding them into one
// cost with a large multiplier.
//
// # Method
//
// The sets of wishes that can be matched at the same time are the
// independent sets of a transversal matroid, so a set of largest weight is
// found greedily by priority class: augmenting paths for the highest class
// first, then for the next, never unmatching a wish already matched. Every
// set of largest weight then matches exactly the same number of wishes of
// each class (see cardinality.go). The second phase finds the cheapest
// pairing with those counts: each class gets a stand-in supplier for its
// wishes that stay unmatched, which turns the problem into one where every
// wish is assigned, and that is solved by successive shortest augmenting
// paths with supplier prices (Dijkstra on reduced costs, as in the
// Jonker–Volgenant method), started from a tight greedy assignment or from
// the previous round's prices.
//
// Independent parts of the graph (connected components, found with a
// union-find that goroutines share) are solved in parallel, largest first;
// inside a large part the passes over every edge (the union-find, each
// wish's cheapest option, the warm repair) are split between the workers,
// while the searches run one at a time. A Solution's prices and choices
// warm-start the next round (warm.go); the result is the same optimum.
//
// Where supply is plentiful the searches are short and most of the time
// goes into passes over the edges. Where nearly every supplier is taken,
// the last searches each cover most of the graph; that is this method's
// weak case (see bench/assign/README.md).
//
// The package uses only the standard library.
package assign
