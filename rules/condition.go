package rules

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// Condition is a compiled expression over a resident's facts (resident.*
// and now), such as the target group of a purchased-service programme. It
// is compiled and checked as a rule's expressions are, and may read
// nothing of a wish or a supplier.
type Condition struct {
	src  string
	prog *vm.Program
}

// CompileCondition compiles src, refusing one that does not yield a bool,
// names an unknown fact, or reads anything but resident.* and now. The
// error gives the column at fault.
func CompileCondition(src string) (*Condition, error) {
	if strings.TrimSpace(src) == "" {
		return nil, errors.New("is empty")
	}
	prog, err := compileExpr(src)
	if err != nil {
		var fe *file.Error
		if errors.As(err, &fe) {
			return nil, fmt.Errorf("column %d: %s", fe.From+1, fe.Message)
		}
		return nil, err
	}
	v := &identifiers{bound: map[string]bool{}}
	root := prog.Node()
	ast.Walk(&root, v)
	tree, err := parser.Parse(src) // as written, before the patches compileExpr makes
	if err != nil {
		return nil, err
	}
	cheap := &cheapness{}
	ast.Walk(&tree.Node, cheap)
	if cheap.err != nil {
		return nil, cheap.err
	}
	for _, name := range v.names {
		if (name == "wish" || name == "supplier" || name == "walk_minutes") && !v.bound[name] {
			return nil, fmt.Errorf("may read only resident.* and now, not %s", name)
		}
	}
	return &Condition{src: src, prog: prog}, nil
}

// conditionBuiltins are the functions a condition may call: those whose
// cost is bounded by the resident's own facts. Ranges (1..n) and builtins
// that make large values (repeat, ...) are refused, because a condition
// runs for every resident and wish of a report, public ones included.
var conditionBuiltins = map[string]bool{"len": true, "all": true, "any": true, "none": true, "one": true,
	"count": true, "filter": true, "abs": true, "lower": true, "upper": true, "trim": true}

// cheapness finds what makes a condition costly.
type cheapness struct{ err error }

// Visit implements ast.Visitor.
func (c *cheapness) Visit(node *ast.Node) {
	if c.err != nil {
		return
	}
	switch n := (*node).(type) {
	case *ast.BinaryNode:
		if n.Operator == ".." {
			c.err = errors.New("may not use ranges (a..b): a condition runs for every resident")
		}
	case *ast.BuiltinNode:
		if !conditionBuiltins[n.Name] {
			c.err = fmt.Errorf("may not call %s; a condition may call %s", n.Name, "len, all, any, none, one, count, filter, abs, lower, upper, trim")
		}
	case *ast.CallNode:
		c.err = errors.New("may call only the builtins len, all, any, none, one, count, filter, abs, lower, upper, trim")
	}
}

// String returns the expression.
func (c *Condition) String() string { return c.src }

// Holds reports whether the resident's facts satisfy the condition at
// now. An expression that fails at run time (an index out of range, say)
// does not hold.
func (c *Condition) Holds(r Resident, now time.Time) bool {
	out, err := expr.Run(c.prog, &Env{Resident: r, Now: now})
	ok, _ := out.(bool)
	return err == nil && ok
}
