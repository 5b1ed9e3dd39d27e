package rules

import (
	"errors"
	"fmt"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"
)

// compileExpr compiles one when or require expression against the typed
// environment, so that unknown names and type errors are load errors, and
// checks that it yields a bool.
func compileExpr(src string) (*vm.Program, error) {
	return expr.Compile(src,
		expr.Env(Env{}),
		expr.AsBool(),
		expr.MaxNodes(MaxExprNodes),
		expr.Patch(&membership{}),
	)
}

// compile compiles a rule's expressions. Problems in them are located in
// the rules file: the position of the expression's YAML scalar plus the
// position of the error within the expression. With cheap, each must also
// be Cheap, as a rules file submitted through the API must.
func (sp *ruleSpec) compile(cheap bool) (Rule, []Problem) {
	r := sp.rule
	var problems []Problem
	compile := func(src string) (*vm.Program, error) {
		p, err := compileExpr(src)
		if err == nil && cheap {
			err = Cheap(src)
		}
		return p, err
	}
	if r.When != "" {
		p, err := compile(r.When)
		if err != nil {
			problems = append(problems, sp.exprProblem("when", sp.when, err))
		}
		r.when = p
	}
	p, err := compile(r.Require)
	if err != nil {
		problems = append(problems, sp.exprProblem("require", sp.require, err))
	}
	r.require = p
	if len(problems) > 0 {
		return Rule{}, problems
	}
	r.whenPerWish = r.when == nil || readsOnlyWish(r.when.Node())
	r.requirePerWish = readsOnlyWish(r.require.Node())
	if r.when != nil {
		r.whenReads = readsOf(r.when.Node())
	}
	r.requireReads = readsOf(r.require.Node())
	return r, nil
}

// exprProblem locates an expr compile error in the rules file.
func (sp *ruleSpec) exprProblem(key string, node *yaml.Node, err error) Problem {
	offset, msg := 0, err.Error()
	var fe *file.Error
	if errors.As(err, &fe) {
		offset, msg = fe.From, fe.Message
	}
	if node.Style == 0 && strings.HasPrefix(node.LineComment, "#") {
		msg += fmt.Sprintf(` (YAML read %q as a comment: quote the expression)`, node.LineComment)
	}
	line, col := sp.lines.position(node, offset)
	return Problem{File: sp.rule.File, Line: line, Col: col, Rule: sp.label, Message: key + ": " + msg}
}

// readsOnlyWish reports whether an expression reads nothing but the wish,
// the resident and now: the facts that are the same for every supplier
// considered for one wish. A name bound with let is fine unless it could be
// mistaken for a supplier fact; what it is bound to is checked on its own,
// as part of the same tree.
func readsOnlyWish(root ast.Node) bool {
	v := &identifiers{bound: map[string]bool{}}
	ast.Walk(&root, v)
	for _, name := range v.names {
		switch {
		case name == "wish", name == "resident", name == "now":
		case v.bound[name] && !isEnvRoot(name) && !strings.HasPrefix(name, "$"):
		default:
			return false
		}
	}
	return true
}

// identifiers collects the identifiers of a tree and the names it binds.
type identifiers struct {
	names []string
	bound map[string]bool
}

// Visit implements ast.Visitor.
func (v *identifiers) Visit(node *ast.Node) {
	switch n := (*node).(type) {
	case *ast.VariableDeclaratorNode:
		v.bound[n.Name] = true
	case *ast.IdentifierNode:
		v.names = append(v.names, n.Value)
	}
}

// fileLines splits a rules file into lines of characters on first use, to
// locate expression errors.
type fileLines struct {
	data  []byte
	lines [][]rune
}

// position maps offset, a character offset into the value of the scalar
// node, to a 1-based line and column in the file. YAML may fold, indent or
// escape a scalar, so the value is aligned with the file's text from the
// node's position: each character of the value is the next matching
// character of the text, where a space may match the line break it was
// folded from. When the alignment fails (an escape sequence such as \t),
// the node's own position is returned.
func (fl *fileLines) position(node *yaml.Node, offset int) (line, col int) {
	if fl.lines == nil {
		for _, l := range strings.Split(string(fl.data), "\n") {
			fl.lines = append(fl.lines, []rune(strings.TrimSuffix(l, "\r")))
		}
	}
	c := cursor{lines: fl.lines, l: node.Line - 1, c: node.Column - 1}
	switch {
	case node.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0:
		c.l, c.c = c.l+1, 0 // the value starts on the line after | or >
	case node.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle) != 0:
		c.c++ // past the opening quote
	}
	value := []rune(node.Value)
	for i := 0; i < len(value); i++ {
		for {
			r, ok := c.peek()
			if !ok {
				return node.Line, node.Column
			}
			if r == value[i] || (r == '\n' && value[i] == ' ') {
				break
			}
			c.next()
		}
		if i == offset {
			break
		}
		c.next()
	}
	return c.l + 1, c.c + 1
}

// cursor walks the characters of a file, yielding '\n' at each line end.
type cursor struct {
	lines [][]rune
	l, c  int
}

func (c *cursor) peek() (rune, bool) {
	if c.l < 0 || c.l >= len(c.lines) {
		return 0, false
	}
	if c.c >= len(c.lines[c.l]) {
		return '\n', true
	}
	return c.lines[c.l][c.c], true
}

func (c *cursor) next() {
	if c.c >= len(c.lines[c.l]) {
		c.l, c.c = c.l+1, 0
		return
	}
	c.c++
}
