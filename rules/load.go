package rules

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Limits on rules files. They keep a mistaken or hostile file from making
// the loader or the matcher slow; real rules are far below them.
const (
	MaxFileBytes    = 1 << 20 // bytes of one rules file
	MaxRulesPerFile = 200     // rules in one file
	MaxExprBytes    = 2 << 10 // bytes of one when or require expression
	MaxExprNodes    = 256     // syntax nodes of one when or require expression
	MaxExplainBytes = 1 << 10 // bytes of one explanation
)

// namePattern is what a rule name must match. Names are stable identifiers
// that appear in API errors, exclusion counts and reports.
var namePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// Load reads and compiles the rules files named by paths, in order. A path
// may be a glob such as "configs/rules/*.yaml"; its matches load in lexical
// order, except cases files (for RunCases) that live beside the rules, and
// a glob that matches nothing is a problem. Rule names must be
// unique across all files. When anything is wrong Load returns an error
// wrapping a *LoadError that lists every problem found, each as
// "file:line:col: rule \"name\": message".
func Load(paths ...string) (*Set, error) {
	set, _, err := load(paths)
	return set, err
}

// Check loads the rules files named by paths, as Load does, and reports
// every problem found. It is what `linli rules check` runs.
func Check(paths ...string) error {
	_, err := Load(paths...)
	return err
}

// load is Load that also returns the fingerprint of what it read, even when
// the files do not compile, so that a watcher can tell whether they changed
// since.
func load(patterns []string) (*Set, string, error) {
	srcs, problems := readSources(patterns)
	fp := fingerprint(srcs, problems)
	if len(problems) > 0 {
		return nil, fp, fmt.Errorf("load rules: %w", &LoadError{Problems: problems})
	}
	set, err := build(srcs)
	return set, fp, err
}

// build parses and compiles rules files already read.
func build(srcs []source) (*Set, error) { return buildWith(srcs, false) }

// buildWith is build; with cheap, every expression must also be Cheap.
func buildWith(srcs []source, cheap bool) (*Set, error) {
	var (
		rules    []Rule
		problems []Problem
		firstAt  = map[string]string{} // rule name → file:line where it is first defined
	)
	var (
		files []string
		used  []source
	)
	for _, src := range srcs {
		files, used = append(files, src.path), append(used, src)
		specs, ps := parseFile(src.path, src.data)
		problems = append(problems, ps...)
		for _, sp := range specs {
			if at, dup := firstAt[sp.rule.Name]; dup {
				problems = append(problems, sp.problem(sp.name, "duplicate name, first defined at "+at))
				continue
			}
			firstAt[sp.rule.Name] = fmt.Sprintf("%s:%d", sp.rule.File, sp.rule.Line)
			r, ps := sp.compile(cheap)
			problems = append(problems, ps...)
			if len(ps) == 0 {
				rules = append(rules, r)
			}
		}
	}
	if len(problems) > 0 {
		sortProblems(problems, files)
		return nil, fmt.Errorf("load rules: %w", &LoadError{Problems: problems})
	}
	return newSet(rules, files, fingerprint(used, nil), time.Now()), nil
}

// source is the content of one rules file.
type source struct {
	path string
	data []byte
}

// readSources expands patterns and reads every file they name, once each.
func readSources(patterns []string) ([]source, []Problem) {
	if len(patterns) == 0 {
		return nil, []Problem{{Message: "no rules files given"}}
	}
	var (
		srcs     []source
		problems []Problem
		seen     = map[string]bool{}
	)
	for _, pattern := range patterns {
		paths, globbed := []string{pattern}, strings.ContainsAny(pattern, `*?[\`)
		if globbed {
			matches, err := filepath.Glob(pattern)
			switch {
			case err != nil:
				problems = append(problems, Problem{File: pattern, Message: err.Error()})
				continue
			case len(matches) == 0:
				problems = append(problems, Problem{File: pattern, Message: "pattern matches no files"})
				continue
			}
			paths = matches
		}
		for _, path := range paths {
			if seen[filepath.Clean(path)] {
				continue
			}
			seen[filepath.Clean(path)] = true
			data, err := readFile(path)
			if err != nil {
				problems = append(problems, Problem{File: path, Message: err.Error()})
				continue
			}
			srcs = append(srcs, source{path: path, data: data})
		}
	}
	return srcs, problems
}

// readFile reads a file of at most MaxFileBytes.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("file is larger than %d bytes", MaxFileBytes)
	}
	return data, nil
}

// fingerprint identifies the files read and their contents, and the
// problems met reading them.
func fingerprint(srcs []source, problems []Problem) string {
	h := sha256.New()
	for _, src := range srcs {
		fmt.Fprintf(h, "%s\x00%d\x00", src.path, len(src.data))
		h.Write(src.data)
	}
	for _, p := range problems {
		fmt.Fprintf(h, "problem\x00%s\x00", p)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// ruleSpec is one rule as written in a file, before compilation.
type ruleSpec struct {
	rule                                Rule
	label                               string // the name, or "#n" when there is none
	entry, name, when, require, explain *yaml.Node
	lines                               *fileLines
}

// problem returns a problem located at node.
func (sp *ruleSpec) problem(node *yaml.Node, msg string) Problem {
	return Problem{File: sp.rule.File, Line: node.Line, Col: node.Column, Rule: sp.label, Message: msg}
}

// parseFile parses one rules file into rule specs, checking everything but
// the expressions and the uniqueness of names across files. Only specs
// without problems are returned.
func parseFile(path string, data []byte) ([]ruleSpec, []Problem) {
	list, problems := rulesList(path, data)
	if list == nil {
		return nil, problems
	}
	var (
		specs []ruleSpec
		lines = &fileLines{data: data}
		seen  = map[string]*yaml.Node{}
	)
	for i, item := range list.Content {
		sp, ps := parseRule(path, i+1, resolve(item), lines)
		problems = append(problems, ps...)
		if len(ps) > 0 {
			continue
		}
		if first, dup := seen[sp.rule.Name]; dup {
			problems = append(problems, sp.problem(sp.name, fmt.Sprintf("duplicate name, first defined at %s:%d", path, first.Line)))
			continue
		}
		seen[sp.rule.Name] = sp.name
		specs = append(specs, sp)
	}
	return specs, problems
}

// rulesList returns the list under "rules:" of a one-document YAML file,
// or nil and the problem that prevents finding it.
func rulesList(path string, data []byte) (*yaml.Node, []Problem) {
	at := func(n *yaml.Node, format string, args ...any) []Problem {
		p := Problem{File: path, Message: fmt.Sprintf(format, args...)}
		if n != nil {
			p.Line, p.Col = n.Line, n.Column
		}
		return []Problem{p}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, at(nil, `file is empty: want a list of rules under "rules:"`)
		}
		return nil, []Problem{yamlProblem(path, err)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, []Problem{yamlProblem(path, err)}
		}
		return nil, at(&extra, "more than one YAML document")
	}
	root := resolve(doc.Content[0])
	if root.Kind != yaml.MappingNode {
		return nil, at(root, `want a mapping with the key "rules"`)
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], resolve(root.Content[i+1])
		switch {
		case key.Value == "cases":
			return nil, at(key, `unknown key "cases": this is a cases file, for RunCases`)
		case key.Value != "rules":
			return nil, at(key, "unknown key %q", key.Value)
		case list != nil:
			return nil, at(key, `duplicate key "rules"`)
		case val.Kind != yaml.SequenceNode:
			return nil, at(val, `"rules" must be a list of rules`)
		}
		list = val
	}
	if list == nil {
		return nil, at(root, `missing key "rules"`)
	}
	if n := len(list.Content); n > MaxRulesPerFile {
		return nil, at(list, "%d rules, more than the limit of %d per file", n, MaxRulesPerFile)
	}
	return list, nil
}

// parseRule parses the n-th entry of a file's rules list.
func parseRule(path string, n int, entry *yaml.Node, lines *fileLines) (ruleSpec, []Problem) {
	sp := ruleSpec{
		rule:  Rule{File: path, Line: entry.Line},
		label: fmt.Sprintf("#%d", n),
		entry: entry,
		lines: lines,
	}
	if entry.Kind != yaml.MappingNode {
		return sp, []Problem{sp.problem(entry, "want a mapping with name, when, require and explain")}
	}
	// Find the name first, so that every other problem can name the rule.
	for i := 0; i+1 < len(entry.Content); i += 2 {
		if v := resolve(entry.Content[i+1]); entry.Content[i].Value == "name" && v.Kind == yaml.ScalarNode && v.Value != "" {
			sp.label = v.Value
			break
		}
	}
	var problems []Problem
	fields := map[string]*string{
		"name": &sp.rule.Name, "when": &sp.rule.When, "require": &sp.rule.Require, "explain": &sp.rule.Explain,
	}
	nodes := map[string]**yaml.Node{"name": &sp.name, "when": &sp.when, "require": &sp.require, "explain": &sp.explain}
	seen := map[string]bool{}
	for i := 0; i+1 < len(entry.Content); i += 2 {
		key, val := entry.Content[i], resolve(entry.Content[i+1])
		dst, known := fields[key.Value]
		switch {
		case !known:
			problems = append(problems, sp.problem(key, fmt.Sprintf("unknown key %q (want name, when, require, explain)", key.Value)))
			continue
		case seen[key.Value]:
			problems = append(problems, sp.problem(key, fmt.Sprintf("duplicate key %q", key.Value)))
			continue
		case val.Kind != yaml.ScalarNode:
			problems = append(problems, sp.problem(val, fmt.Sprintf("%s must be text", key.Value)))
			continue
		}
		seen[key.Value] = true
		if val.Tag != "!!null" {
			*dst = val.Value
		}
		if p, ok := nodes[key.Value]; ok {
			*p = val
		}
	}
	problems = append(problems, sp.validate()...)
	return sp, problems
}

// validate checks the parts of a rule that need no compiling.
func (sp *ruleSpec) validate() []Problem {
	var problems []Problem
	r := &sp.rule
	switch {
	case strings.TrimSpace(r.Name) == "":
		problems = append(problems, sp.problem(sp.entry, "name is required"))
	case !namePattern.MatchString(r.Name):
		problems = append(problems, sp.problem(sp.name, fmt.Sprintf("name %q must match %s", r.Name, namePattern)))
	}
	if strings.TrimSpace(r.Require) == "" {
		problems = append(problems, sp.problem(sp.entry, "require is required"))
	} else if len(r.Require) > MaxExprBytes {
		problems = append(problems, sp.problem(sp.require, fmt.Sprintf("require is %d bytes, more than the limit of %d", len(r.Require), MaxExprBytes)))
	}
	if len(r.When) > MaxExprBytes {
		problems = append(problems, sp.problem(sp.when, fmt.Sprintf("when is %d bytes, more than the limit of %d", len(r.When), MaxExprBytes)))
	}
	if strings.TrimSpace(r.Explain) == "" {
		problems = append(problems, sp.problem(sp.entry, "explain is required"))
	} else if len(r.Explain) > MaxExplainBytes {
		problems = append(problems, sp.problem(sp.explain, fmt.Sprintf("explain is %d bytes, more than the limit of %d", len(r.Explain), MaxExplainBytes)))
	}
	return problems
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// yamlLine matches the position yaml.v3 puts in its syntax errors.
var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlProblem turns a YAML syntax error into a problem with its line.
func yamlProblem(path string, err error) Problem {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		var line int
		fmt.Sscan(m[1], &line)
		return Problem{File: path, Line: line, Message: "yaml: " + m[2]}
	}
	return Problem{File: path, Message: msg}
}

// sortProblems puts problems in file order, then by line and column, so a
// name check found after compiling does not come before an earlier line.
func sortProblems(problems []Problem, files []string) {
	order := make(map[string]int, len(files))
	for i, f := range files {
		order[f] = i
	}
	slices.SortStableFunc(problems, func(a, b Problem) int {
		return cmp.Or(cmp.Compare(order[a.File], order[b.File]), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Col, b.Col))
	})
}
