package rules

import (
	"reflect"
	"unsafe"

	"github.com/expr-lang/expr/ast"
)

// This file holds what keeps Evaluate free of allocations. Two things in
// expr's VM allocate on every run, and both are avoided here:
//
//   - Reading a field of an addressable struct copies the field into a new
//     interface value. Running a program on *Env makes every field read
//     addressable; running it on an Env value held in an interface does not.
//     boxEnv builds that interface without copying the Env.
//   - `x in list` on a []string boxes every element it compares, and
//     `all(list, # in other)` boxes every element it visits. membership
//     rewrites those forms into calls of plain Go functions whose type,
//     func(any, any) bool, the VM calls directly (OpCallTyped).

// boxEnv returns an interface holding *env as an Env value, without copying
// it: the interface's data word points at env itself. Reading struct fields
// through such an interface does not allocate, because reflect knows the
// value is not addressable and hands out pointers into it. The interface
// must not outlive the call that made it, and env must not change while a
// program runs on it, which Evaluate's contract already asks of callers.
func boxEnv(env *Env) any {
	if env == nil {
		panic("rules: nil *Env")
	}
	v := any(Env{}) // a zero value is boxed statically: this copies the type word only
	(*eface)(unsafe.Pointer(&v)).data = unsafe.Pointer(env)
	return v
}

// eface is the layout of an empty interface value.
type eface struct {
	typ, data unsafe.Pointer
}

var (
	stringType      = reflect.TypeOf("")
	stringSliceType = reflect.TypeOf([]string(nil))
)

// hasString reports whether list, a []string, holds needle, a string. It
// has exactly the semantics of expr's `needle in list` for these types.
func hasString(needle, list any) bool {
	s, _ := needle.(string)
	l, _ := list.([]string)
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// hasAllStrings reports whether every element of want, a []string, is in
// list, a []string: `all(want, # in list)`.
func hasAllStrings(want, list any) bool {
	w, _ := want.([]string)
	for _, x := range w {
		if !hasString(x, list) {
			return false
		}
	}
	return true
}

// hasAnyString reports whether some element of want, a []string, is in
// list, a []string: `any(want, # in list)`.
func hasAnyString(want, list any) bool {
	w, _ := want.([]string)
	for _, x := range w {
		if hasString(x, list) {
			return true
		}
	}
	return false
}

// membership is an expr patcher that rewrites membership tests on []string
// into calls of hasString, hasAllStrings and hasAnyString. It runs after
// type checking, so it rewrites only nodes whose types are known to be
// string and []string; everything else is left to the VM.
type membership struct {
	// calls holds the hasString calls this patcher made, so that a
	// predicate `# in list` can be recognised when its builtin is visited
	// (ast.Walk visits children first).
	calls map[*ast.CallNode]bool
}

// Visit implements ast.Visitor.
func (p *membership) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.BinaryNode:
		if n.Operator != "in" || n.Left.Type() != stringType || n.Right.Type() != stringSliceType {
			return
		}
		call := &ast.CallNode{
			Callee:    &ast.ConstantNode{Value: hasString},
			Arguments: []ast.Node{n.Left, n.Right},
		}
		if p.calls == nil {
			p.calls = map[*ast.CallNode]bool{}
		}
		p.calls[call] = true
		ast.Patch(node, call)

	case *ast.BuiltinNode:
		p.predicate(node, n)
	}
}

// predicate rewrites all(want, # in list), any(want, # in list) and
// none(want, # in list) when want and list are []string and list does not
// depend on the predicate's element, so it can be read once.
func (p *membership) predicate(node *ast.Node, n *ast.BuiltinNode) {
	if len(n.Arguments) != 2 || n.Arguments[0].Type() != stringSliceType {
		return
	}
	pred, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return
	}
	call, ok := pred.Node.(*ast.CallNode)
	if !ok || !p.calls[call] {
		return
	}
	elem, ok := call.Arguments[0].(*ast.PointerNode)
	if !ok || elem.Name != "" || !isEnvPath(call.Arguments[1]) {
		return
	}
	want, list := n.Arguments[0], call.Arguments[1]
	switch n.Name {
	case "all":
		ast.Patch(node, &ast.CallNode{
			Callee:    &ast.ConstantNode{Value: hasAllStrings},
			Arguments: []ast.Node{want, list},
		})
	case "any":
		ast.Patch(node, &ast.CallNode{
			Callee:    &ast.ConstantNode{Value: hasAnyString},
			Arguments: []ast.Node{want, list},
		})
	case "none":
		ast.Patch(node, &ast.UnaryNode{
			Operator: "!",
			Node: &ast.CallNode{
				Callee:    &ast.ConstantNode{Value: hasAnyString},
				Arguments: []ast.Node{want, list},
			},
		})
	}
}

// isEnvPath reports whether node is a plain field path into the environment,
// such as supplier.skills: an identifier naming an Env field followed by
// non-optional field names. Such a path reads the same value wherever it is
// evaluated and cannot fail.
func isEnvPath(node ast.Node) bool {
	for {
		switch n := node.(type) {
		case *ast.IdentifierNode:
			return isEnvRoot(n.Value)
		case *ast.MemberNode:
			if n.Optional || n.Method {
				return false
			}
			if _, ok := n.Property.(*ast.StringNode); !ok {
				return false
			}
			node = n.Node
		default:
			return false
		}
	}
}

// isEnvRoot reports whether name is one of Env's fields as rules spell them.
func isEnvRoot(name string) bool {
	switch name {
	case "wish", "resident", "supplier", "walk_minutes", "now":
		return true
	}
	return false
}
