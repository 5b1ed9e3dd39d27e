package rules

import (
	"slices"

	"github.com/expr-lang/expr/ast"
)

// readsOf lists the facts an expression reads, as rules spell them: a
// root and a field ("supplier.age", "wish.needs") where the expression
// reads only that field, a root alone ("now", "supplier") where it reads
// the root whole, and any other name it does not bind itself ("$env"), so
// that a caller who does not know a name can refuse to rely on the list.
func readsOf(root ast.Node) []string {
	v := &reader{fields: map[*ast.IdentifierNode]string{}, bound: map[string]bool{}}
	ast.Walk(&root, v)
	var out []string
	for _, id := range v.idents {
		name := id.Value
		switch field, ok := v.fields[id]; {
		case ok:
			name += "." + field
		case !isEnvRoot(name) && v.bound[name]:
			continue // a let variable: what it is bound to is read on its own
		}
		if !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// reader collects identifiers, the field each is read for, and the names
// bound with let. ast.Walk visits children first, so fields are matched to
// identifiers once the walk is done.
type reader struct {
	idents []*ast.IdentifierNode
	fields map[*ast.IdentifierNode]string
	bound  map[string]bool
}

// Visit implements ast.Visitor.
func (v *reader) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.IdentifierNode:
		v.idents = append(v.idents, n)
	case *ast.VariableDeclaratorNode:
		v.bound[n.Name] = true
	case *ast.MemberNode:
		id, ok := n.Node.(*ast.IdentifierNode)
		field, isString := n.Property.(*ast.StringNode)
		if ok && isString && !n.Method && isEnvRoot(id.Value) {
			v.fields[id] = field.Value
		}
	}
}

// Reads returns the facts the plan's steps still read for each supplier,
// sorted and as rules spell them: "supplier.age" for a field, "now" or
// "supplier" for a root read whole, and any other name an expression
// uses unbound, such as "$env". Two plans that are the Same decide a
// supplier alike when every fact listed is equal in their environments,
// which lets callers reuse verdicts across suppliers and wishes.
func (p *Plan) Reads() []string {
	var out []string
	for _, st := range p.steps {
		if st.when != nil {
			out = append(out, st.rule.whenReads...)
		}
		if st.require != nil {
			out = append(out, st.rule.requireReads...)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Same reports whether p and q were prepared from the same set and run the
// same expressions for each supplier.
func (p *Plan) Same(q *Plan) bool {
	return p == q || (p != nil && q != nil && p.set == q.set && slices.Equal(p.steps, q.steps))
}
