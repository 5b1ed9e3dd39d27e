package rules

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// ParseSubmitted compiles the text of a rules file submitted through the
// API (to try it, or to dry-run it on the open wishes), as Parse does,
// and refuses what Parse accepts from the operator's files on disk but a
// caller with a key must not run on the service's CPU: every when and
// require must be cheap (see Cheap), and every rule named in required
// must be in the file, as a reload would refuse a set that lacks one.
// Each problem names its rule.
func ParseSubmitted(name string, data []byte, required ...string) (*Set, error) {
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("load rules: %w", &LoadError{Problems: []Problem{
			{File: name, Message: fmt.Sprintf("file is larger than %d bytes", MaxFileBytes)}}})
	}
	set, err := buildWith([]source{{path: name, data: data}}, true)
	if err != nil {
		return nil, err
	}
	var problems []Problem
	for _, r := range required {
		if !slices.ContainsFunc(set.rules, func(x Rule) bool { return x.Name == r }) {
			problems = append(problems, Problem{File: name, Rule: r,
				Message: "is required (rules_required) and missing: a rule set without it is refused"})
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("load rules: %w", &LoadError{Problems: problems})
	}
	return set, nil
}

// cheapBuiltins are the builtins a cheap expression may call: those whose
// cost is bounded by the facts it reads and the size of the expression.
var cheapBuiltins = map[string]bool{"len": true, "all": true, "any": true, "none": true, "one": true,
	"count": true, "filter": true, "abs": true, "lower": true, "upper": true, "trim": true}

// iterating are the cheap builtins that run a predicate per element.
var iterating = map[string]bool{"all": true, "any": true, "none": true, "one": true, "count": true, "filter": true}

// Cheap reports why an expression submitted through the API could be
// costly to run, or nil. It may not use ranges (a..b), call anything but
// the builtins len, all, any, none, one, count, filter, abs, lower, upper
// and trim, bind names with let (each could double a value), nor iterate
// inside an iteration (nested all/any/...): so one evaluation costs at
// most about the number of its syntax nodes times the length of the
// longest list it reads, whoever wrote it.
func Cheap(src string) error {
	tree, err := parser.Parse(src)
	if err != nil {
		return err
	}
	c := &strictCheapness{}
	ast.Walk(&tree.Node, c)
	return c.err
}

type strictCheapness struct{ err error }

// Visit implements ast.Visitor.
func (c *strictCheapness) Visit(node *ast.Node) {
	if c.err != nil {
		return
	}
	switch n := (*node).(type) {
	case *ast.BinaryNode:
		if n.Operator == ".." {
			c.err = errors.New("may not use ranges (a..b)")
		}
	case *ast.VariableDeclaratorNode:
		c.err = fmt.Errorf("may not bind names with let (%s)", n.Name)
	case *ast.CallNode:
		c.err = errors.New("may call only the builtins " + builtinList)
	case *ast.BuiltinNode:
		switch {
		case !cheapBuiltins[n.Name]:
			c.err = fmt.Errorf("may not call %s; it may call only %s", n.Name, builtinList)
		case iterating[n.Name]:
			for _, a := range n.Arguments[min(1, len(n.Arguments)):] { // the predicates: the list may be a filter
				if nestedIteration(a) {
					c.err = fmt.Errorf("may not iterate inside %s (nested all, any, none, one, count or filter)", n.Name)
					return
				}
			}
		}
	}
}

var builtinList = strings.Join([]string{"len", "all", "any", "none", "one", "count", "filter", "abs", "lower", "upper", "trim"}, ", ")

// nestedIteration reports whether the tree holds an iterating builtin.
func nestedIteration(root ast.Node) bool {
	f := &findIteration{}
	ast.Walk(&root, f)
	return f.found
}

type findIteration struct{ found bool }

// Visit implements ast.Visitor.
func (f *findIteration) Visit(node *ast.Node) {
	if b, ok := (*node).(*ast.BuiltinNode); ok && iterating[b.Name] {
		f.found = true
	}
}
