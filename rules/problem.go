package rules

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a rules file, located as precisely as
// the loader can: Line and Col are 1-based, Col counts characters, and
// either is 0 when unknown. Rule is the rule's name, or "#n" for the n-th
// rule of a file when it has no usable name, or "" for problems outside
// any rule.
type Problem struct {
	File    string
	Line    int
	Col     int
	Rule    string
	Message string
}

// String formats p as file:line:col: rule "name": message, leaving out the
// parts that are unknown.
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Col > 0 {
			fmt.Fprintf(&b, ":%d", p.Col)
		}
	}
	b.WriteString(": ")
	switch {
	case strings.HasPrefix(p.Rule, "#"):
		fmt.Fprintf(&b, "rule %s: ", p.Rule)
	case p.Rule != "":
		fmt.Fprintf(&b, "rule %q: ", p.Rule)
	}
	b.WriteString(p.Message)
	return b.String()
}

// LoadError is returned by Load and Check when rules files have problems.
// It lists all of them, in file order, one per line.
type LoadError struct {
	Problems []Problem
}

// Error implements error.
func (e *LoadError) Error() string {
	if len(e.Problems) == 1 {
		return e.Problems[0].String()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d problems:", len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n")
		b.WriteString(p.String())
	}
	return b.String()
}
