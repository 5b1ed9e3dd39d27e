package rules

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"text/tabwriter"
	"time"

	"go.yaml.in/yaml/v3"
)

// testCase is one entry of a cases file: facts, and the verdict the rules
// should reach on them.
type testCase struct {
	name string
	env  Env
	want string // "allow" or "deny"
	rule string // the rule expected to deny; "" accepts any
}

// RunCases evaluates set on every case of the cases file at casesPath and
// writes a table of the results to w: case, wanted and actual verdict, the
// rule that denied, and PASS or FAIL. It returns how many cases failed. An
// error means the cases file itself is wrong (unreadable, unknown keys,
// facts of the wrong type, a rule name the set does not have); then no
// case is run.
//
// A cases file holds a list under "cases:"; each case has a name, the facts
// wish, resident, supplier, walk_minutes and now (now defaults to the time
// of the run) spelled as rules spell them, want: allow or deny, and for a
// deny, optionally, the rule expected to deny.
func RunCases(set *Set, casesPath string, w io.Writer) (failed int, err error) {
	data, err := readFile(casesPath)
	if err != nil {
		return 0, fmt.Errorf("run cases: %w", err)
	}
	cases, err := parseCases(casesPath, data, set, time.Now())
	if err != nil {
		return 0, fmt.Errorf("run cases: %w", err)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tWANT\tGOT\tDENIED BY\tRESULT")
	for i := range cases {
		c := &cases[i]
		got, by := "allow", "-"
		if ok, r := set.Evaluate(&c.env); !ok {
			got, by = "deny", r.Name
		}
		result := "PASS"
		switch {
		case got != c.want:
			result = "FAIL"
		case c.rule != "" && by != c.rule:
			result = fmt.Sprintf("FAIL (want denied by %s)", c.rule)
		}
		if result != "PASS" {
			failed++
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", c.name, c.want, got, by, result)
	}
	if err := tw.Flush(); err != nil {
		return failed, fmt.Errorf("run cases: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%d cases, %d failed\n", len(cases), failed); err != nil {
		return failed, fmt.Errorf("run cases: %w", err)
	}
	return failed, nil
}

// caseProblems collects the problems of a cases file.
type caseProblems struct {
	path string
	list []string
}

// add records a problem at node, in the case labelled label ("" for none).
func (cp *caseProblems) add(node *yaml.Node, label, format string, args ...any) {
	pos := cp.path
	if node != nil {
		pos = fmt.Sprintf("%s:%d:%d", cp.path, node.Line, node.Column)
	}
	if label != "" {
		label = "case " + label + ": "
	}
	cp.list = append(cp.list, pos+": "+label+fmt.Sprintf(format, args...))
}

// parseCases parses a cases file, reporting every problem found.
func parseCases(path string, data []byte, set *Set, now time.Time) ([]testCase, error) {
	names := make([]string, len(set.rules))
	for i, r := range set.rules {
		names[i] = r.Name
	}
	return parseCasesOf(path, data, names, now)
}

// parseCasesOf is parseCases for rules known by their names: a case's
// rule must be one of ruleNames, or anything when ruleNames is nil.
func parseCasesOf(path string, data []byte, ruleNames []string, now time.Time) ([]testCase, error) {
	cp := &caseProblems{path: path}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf(`%s: file is empty: want a list of cases under "cases:"`, path)
		}
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	root := resolve(doc.Content[0])
	var list *yaml.Node
	if root.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(root.Content); i += 2 {
			if key := root.Content[i]; key.Value != "cases" {
				cp.add(key, "", "unknown key %q", key.Value)
			} else {
				list = resolve(root.Content[i+1])
			}
		}
	}
	if list == nil || list.Kind != yaml.SequenceNode {
		cp.add(root, "", `want a list of cases under "cases:"`)
		return nil, errors.New(strings.Join(cp.list, "\n"))
	}
	var rules map[string]bool
	if ruleNames != nil {
		rules = map[string]bool{}
		for _, n := range ruleNames {
			rules[n] = true
		}
	}
	var cases []testCase
	names := map[string]bool{}
	for i, item := range list.Content {
		c, ok := parseCase(cp, i+1, resolve(item), rules, now)
		if c.name != "" && names[c.name] {
			cp.add(item, fmt.Sprintf("%q", c.name), "duplicate name")
		}
		names[c.name] = true
		if ok {
			cases = append(cases, c)
		}
	}
	if len(cp.list) > 0 {
		return nil, errors.New(strings.Join(cp.list, "\n"))
	}
	return cases, nil
}

// parseCase parses the n-th case of a file; rules are the names of the
// rules under test.
func parseCase(cp *caseProblems, n int, item *yaml.Node, rules map[string]bool, now time.Time) (testCase, bool) {
	label := fmt.Sprintf("#%d", n)
	if item.Kind != yaml.MappingNode {
		cp.add(item, label, "want a mapping")
		return testCase{}, false
	}
	for j := 0; j+1 < len(item.Content); j += 2 {
		if key, val := item.Content[j], resolve(item.Content[j+1]); key.Value == "name" && val.Value != "" {
			label = fmt.Sprintf("%q", val.Value)
		}
	}
	before := len(cp.list)
	c := testCase{env: Env{Now: now}}
	wantNode, ruleNode := item, item
	for j := 0; j+1 < len(item.Content); j += 2 {
		key, val := item.Content[j], resolve(item.Content[j+1])
		switch key.Value {
		case "name":
			c.name = val.Value
		case "want":
			c.want, wantNode = val.Value, val
		case "rule":
			c.rule, ruleNode = val.Value, val
		default:
			decodeFacts(cp, label, key, val, reflect.ValueOf(&c.env).Elem())
		}
	}
	if c.name == "" {
		cp.add(item, label, "name is required")
	}
	switch {
	case c.want != "allow" && c.want != "deny":
		cp.add(wantNode, label, "want must be allow or deny, not %q", c.want)
	case c.rule != "" && c.want == "allow":
		cp.add(ruleNode, label, "rule is only for want: deny")
	case c.rule != "" && rules != nil && !rules[c.rule]:
		cp.add(ruleNode, label, "no rule named %q in the rules", c.rule)
	}
	return c, len(cp.list) == before
}

var timeType = reflect.TypeOf(time.Time{})

// decodeFacts decodes the fact named by key, with value val, into the
// field of struct v that rules know by that name, reporting names that are
// not facts and values of the wrong type.
func decodeFacts(cp *caseProblems, label string, key, val *yaml.Node, v reflect.Value) {
	f, ok := factField(v, key.Value)
	if !ok {
		cp.add(key, label, "unknown key %q", key.Value)
		return
	}
	if f.Kind() != reflect.Struct || f.Type() == timeType {
		if err := val.Decode(f.Addr().Interface()); err != nil {
			cp.add(val, label, "%s: want %s", key.Value, kindName(f.Type()))
		}
		return
	}
	if val.Kind != yaml.MappingNode {
		cp.add(val, label, "%s: want a mapping", key.Value)
		return
	}
	for i := 0; i+1 < len(val.Content); i += 2 {
		decodeFacts(cp, label, val.Content[i], resolve(val.Content[i+1]), f)
	}
}

// kindName names a fact's type for people writing cases.
func kindName(t reflect.Type) string {
	switch {
	case t == timeType:
		return "a time such as 2026-03-01T09:00:00Z"
	case t.Kind() == reflect.Slice:
		return "a list such as [a, b]"
	case t.Kind() == reflect.Bool:
		return "true or false"
	case t.Kind() == reflect.String:
		return "text"
	default:
		return "a number"
	}
}

// factField returns the field of struct v whose expr tag is name.
func factField(v reflect.Value, name string) (reflect.Value, bool) {
	t := v.Type()
	for i := range t.NumField() {
		if t.Field(i).Tag.Get("expr") == name {
			return v.Field(i), true
		}
	}
	return reflect.Value{}, false
}
