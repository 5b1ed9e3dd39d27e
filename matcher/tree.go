package matcher

import (
	"slices"
	"sync"
)

// maxDepth bounds how far up the tree a walk goes: deeper than any real
// district (district, street, community, organisation, team) and a guard
// against a cycle written by a replica running older code.
const maxDepth = 32

// tree is the district tree: every organisation is a node, and its parent
// is the node it hangs under (none for a root). A staff key's scope is the
// subtree of the node it names. It is fed by the organisations applied.
type tree struct {
	mu       sync.RWMutex
	parent   map[string]string
	kind     map[string]string
	children map[string][]string
}

func newTree() *tree {
	return &tree{parent: map[string]string{}, kind: map[string]string{}, children: map[string][]string{}}
}

// put records node id with its kind under parent ("" for a root).
func (t *tree) put(id, kind, parent string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	old, existed := t.parent[id]
	switch {
	case !existed:
		t.children[parent] = append(t.children[parent], id)
	case old != parent:
		t.children[old] = slices.DeleteFunc(t.children[old], func(c string) bool { return c == id })
		t.children[parent] = append(t.children[parent], id)
	}
	t.parent[id], t.kind[id] = parent, kind
}

// roots returns the nodes without a parent.
func (t *tree) roots() []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return slices.Clone(t.children[""])
}

// has reports whether id is a node.
func (t *tree) has(id string) bool {
	t.mu.RLock()
	defer t.mu.RUnlock()
	_, ok := t.kind[id]
	return ok
}

// kindOf returns the kind of node id.
func (t *tree) kindOf(id string) string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	return t.kind[id]
}

// within reports whether node is root or below it. An empty node (an
// entity registered by an admin under no node) is within no root.
func (t *tree) within(root, node string) bool {
	if root == "" || node == "" {
		return false
	}
	t.mu.RLock()
	defer t.mu.RUnlock()
	for range maxDepth {
		if node == root {
			return true
		}
		next, ok := t.parent[node]
		if !ok || next == "" {
			return false
		}
		node = next
	}
	return false
}

// subtree returns root and every node below it.
func (t *tree) subtree(root string) []string {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := []string{root}
	for i := 0; i < len(out) && i < 100_000; i++ {
		out = append(out, t.children[out[i]]...)
	}
	return out
}

// reachableNode reports whether p may register things under node: any
// node for an admin, one in their subtree for staff.
func (s *Service) reachableNode(p Principal, node string) bool {
	if p.Role == RoleAdmin {
		return s.tree.has(node)
	}
	return IsStaff(p.Role) && s.tree.within(p.SubjectID, node)
}

// placement returns the node something is registered under: the one
// given, which p must reach; else the current one; else p's own node
// (none for an admin).
func (s *Service) placement(p Principal, field, given, current string) (string, error) {
	switch {
	case given != "":
		if !s.reachableNode(p, given) {
			return "", Invalid(field, "no node in your scope has id %q", given)
		}
		return given, nil
	case current != "":
		return current, nil
	case p.Role == RoleAdmin:
		return "", nil
	}
	return p.SubjectID, nil
}
