package rules

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// writeFiles writes files (name → content) into a fresh directory and
// returns it.
func writeFiles(tb testing.TB, files map[string]string) string {
	tb.Helper()
	dir := tb.TempDir()
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	return dir
}

// mustLoadText loads one rules file with the given content.
func mustLoadText(tb testing.TB, content string) *Set {
	tb.Helper()
	dir := writeFiles(tb, map[string]string{"r.yaml": content})
	set, err := Load(filepath.Join(dir, "r.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// loadProblems loads one file named f.yaml, from the working directory so
// that problems name it plainly, and returns the problems as strings.
func loadProblems(t *testing.T, content string) []string {
	t.Helper()
	t.Chdir(writeFiles(t, map[string]string{"f.yaml": content}))
	_, err := Load("f.yaml")
	if err == nil {
		return nil
	}
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("Load error %v is not a *LoadError", err)
	}
	if !strings.HasPrefix(err.Error(), "load rules: ") {
		t.Errorf("Load error %q lacks its context", err)
	}
	var got []string
	for _, p := range le.Problems {
		got = append(got, p.String())
	}
	return got
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name string
		give string
		want []string
	}{
		{
			name: "unknown field in a plain scalar",
			give: "rules:\n" +
				"  - name: typo\n" +
				"    require: resident.agee > 1\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:23: rule "typo": require: type rules.Resident has no field agee`},
		},
		{
			name: "type error in when",
			give: "rules:\n" +
				"  - name: types\n" +
				"    when: supplier.age > \"x\"\n" +
				"    require: true\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:24: rule "types": when: invalid operation: > (mismatched types int and string)`},
		},
		{
			name: "error on the second line of a folded scalar",
			give: "rules:\n" +
				"  - name: folded\n" +
				"    require: >-\n" +
				"      supplier.kind == \"volunteer\"\n" +
				"        && supplier.agee >= 18\n" +
				"    explain: x\n",
			want: []string{`f.yaml:5:21: rule "folded": require: type rules.Supplier has no field agee`},
		},
		{
			name: "error on the third line of a literal scalar",
			give: "rules:\n" +
				"  - name: literal\n" +
				"    require: |\n" +
				"      supplier.kind == \"volunteer\" &&\n" +
				"      supplier.age >= 18 &&\n" +
				"      \"x\" in supplier.certs\n" +
				"    explain: x\n",
			want: []string{`f.yaml:6:23: rule "literal": require: type rules.Supplier has no field certs`},
		},
		{
			name: "error after escapes in a double-quoted scalar",
			give: "rules:\n" +
				"  - name: quoted\n" +
				"    require: \"\\\"a\\\" in supplier.certs\"\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:33: rule "quoted": require: type rules.Supplier has no field certs`},
		},
		{
			name: "syntax error",
			give: "rules:\n" +
				"  - name: syntax\n" +
				"    require: resident.age >= (18\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:32: rule "syntax": require: unexpected token EOF`},
		},
		{
			name: "not a bool",
			give: "rules:\n" +
				"  - name: int\n" +
				"    require: supplier.age\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:14: rule "int": require: expected bool, but got int`},
		},
		{
			name: "a YAML comment cut the expression",
			give: "rules:\n" +
				"  - name: comment\n" +
				"    require: all(wish.needs.skills, # in supplier.skills)\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:35: rule "comment": require: unexpected token EOF (YAML read "# in supplier.skills)" as a comment: quote the expression)`},
		},
		{
			name: "too many nodes",
			give: "rules:\n" +
				"  - name: big\n" +
				"    require: " + strings.Repeat("1 + ", 150) + "1 > 0\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:528: rule "big": require: compilation failed: expression exceeds maximum allowed nodes`},
		},
		{
			name: "too many bytes",
			give: "rules:\n" +
				"  - name: long\n" +
				"    require: " + strings.Repeat("supplier.vetted && ", 110) + "true\n" +
				"    explain: x\n",
			want: []string{`f.yaml:3:14: rule "long": require is 2094 bytes, more than the limit of 2048`},
		},
		{
			name: "missing explain and require",
			give: "rules:\n" +
				"  - name: bare\n" +
				"    when: true\n",
			want: []string{
				`f.yaml:2:5: rule "bare": require is required`,
				`f.yaml:2:5: rule "bare": explain is required`,
			},
		},
		{
			name: "missing name",
			give: "rules:\n" +
				"  - require: true\n" +
				"    explain: x\n",
			want: []string{`f.yaml:2:5: rule #1: name is required`},
		},
		{
			name: "bad name",
			give: "rules:\n" +
				"  - name: Minors_Need_Checks\n" +
				"    require: true\n" +
				"    explain: x\n",
			want: []string{`f.yaml:2:11: rule "Minors_Need_Checks": name "Minors_Need_Checks" must match ^[a-z0-9][a-z0-9-]{0,63}$`},
		},
		{
			name: "unknown and duplicate keys",
			give: "rules:\n" +
				"  - name: keys\n" +
				"    requires: true\n" +
				"    require: true\n" +
				"    explain: x\n" +
				"    explain: y\n",
			want: []string{
				`f.yaml:3:5: rule "keys": unknown key "requires" (want name, when, require, explain)`,
				`f.yaml:6:5: rule "keys": duplicate key "explain"`,
			},
		},
		{
			name: "expression that is not text",
			give: "rules:\n" +
				"  - name: list\n" +
				"    require: [true]\n" +
				"    explain: x\n",
			want: []string{
				`f.yaml:2:5: rule "list": require is required`,
				`f.yaml:3:14: rule "list": require must be text`,
			},
		},
		{
			name: "duplicate name in one file",
			give: "rules:\n" +
				"  - name: twice\n" +
				"    require: true\n" +
				"    explain: x\n" +
				"  - name: twice\n" +
				"    require: false\n" +
				"    explain: y\n",
			want: []string{`f.yaml:5:11: rule "twice": duplicate name, first defined at f.yaml:2`},
		},
		{
			name: "every problem of a file",
			give: "rules:\n" +
				"  - name: one\n" +
				"    require: supplier.nope\n" +
				"    explain: x\n" +
				"  - name: two\n" +
				"    when: wish.nope\n" +
				"    require: true\n" +
				"    explain: x\n",
			want: []string{
				`f.yaml:3:23: rule "one": require: type rules.Supplier has no field nope`,
				`f.yaml:6:16: rule "two": when: type rules.Wish has no field nope`,
			},
		},
		{
			name: "unknown top-level key",
			give: "rulez:\n  - name: x\n",
			want: []string{`f.yaml:1:1: unknown key "rulez"`},
		},
		{
			name: "a cases file",
			give: "cases: []\n",
			want: []string{`f.yaml:1:1: unknown key "cases": this is a cases file, for RunCases`},
		},
		{
			name: "missing rules",
			give: "{}\n",
			want: []string{`f.yaml:1:1: missing key "rules"`},
		},
		{
			name: "rules not a list",
			give: "rules: none\n",
			want: []string{`f.yaml:1:8: "rules" must be a list of rules`},
		},
		{
			name: "empty file",
			give: "# nothing yet\n",
			want: []string{`f.yaml: file is empty: want a list of rules under "rules:"`},
		},
		{
			name: "YAML syntax error",
			give: "rules:\n  - name: x\n    require: a: b\n",
			want: []string{`f.yaml:3: yaml: mapping values are not allowed in this context`},
		},
		{
			name: "two documents",
			give: "rules: []\n---\nrules: []\n",
			want: []string{`f.yaml:2:1: more than one YAML document`},
		},
		{
			name: "rule that is not a mapping",
			give: "rules:\n  - minors-need-safeguarding\n",
			want: []string{`f.yaml:2:5: rule #1: want a mapping with name, when, require and explain`},
		},
		{
			name: "valid: null when and an empty list elsewhere",
			give: "rules:\n" +
				"  - name: ok\n" +
				"    when: ~\n" +
				"    require: supplier.vetted\n" +
				"    explain: x\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := loadProblems(t, tt.give)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestLoadRulesPerFileLimit(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n")
	for range MaxRulesPerFile + 1 {
		b.WriteString("  - {name: x, require: 'true', explain: x}\n")
	}
	got := loadProblems(t, b.String())
	want := `f.yaml:2:3: 201 rules, more than the limit of 200 per file`
	if len(got) != 1 || got[0] != want {
		t.Errorf("problems %q, want %q", got, want)
	}
}

func TestLoadFiles(t *testing.T) {
	const one = "rules:\n  - name: a\n    require: supplier.vetted\n    explain: x\n"
	const two = "rules:\n  - name: b\n    require: supplier.vetted\n    explain: x\n"
	const dupOfOne = "rules:\n  - name: c\n    require: 'true'\n    explain: x\n  - name: a\n    require: 'true'\n    explain: x\n"
	tests := []struct {
		name      string
		give      []string
		wantRules []string
		wantErr   string
	}{
		{name: "glob in lexical order", give: []string{"2-two.yaml", "1-one.yaml"}, wantRules: []string{"b", "a"}},
		{name: "glob", give: []string{"[12]-*.yaml"}, wantRules: []string{"a", "b"}},
		{name: "a file named twice loads once", give: []string{"1-one.yaml", "[0-9]-*.yaml"}, wantErr: `load rules: 3-dup.yaml:5:11: rule "a": duplicate name, first defined at 1-one.yaml:2`},
		{name: "names are unique across files", give: []string{"1-one.yaml", "3-dup.yaml"}, wantErr: `load rules: 3-dup.yaml:5:11: rule "a": duplicate name, first defined at 1-one.yaml:2`},
		{name: "missing file", give: []string{"nope.yaml"}, wantErr: `load rules: nope.yaml: open nope.yaml: no such file or directory`},
		{name: "glob matching nothing", give: []string{"*.yml"}, wantErr: `load rules: *.yml: pattern matches no files`},
		{name: "nothing", give: nil, wantErr: `load rules: : no rules files given`},
		{name: "a cases file named as rules", give: []string{"cases.yaml"}, wantErr: `load rules: cases.yaml:1:1: unknown key "cases": this is a cases file, for RunCases`},
	}
	t.Chdir(writeFiles(t, map[string]string{"1-one.yaml": one, "2-two.yaml": two, "3-dup.yaml": dupOfOne, "cases.yaml": "cases: []\n"}))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			set, err := Load(tt.give...)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Load error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range set.Rules() {
				got = append(got, r.Name)
			}
			if strings.Join(got, ",") != strings.Join(tt.wantRules, ",") {
				t.Errorf("rules %v, want %v", got, tt.wantRules)
			}
			if err := Check(tt.give...); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestLoadErrorListsProblemsOfAllFiles(t *testing.T) {
	t.Chdir(writeFiles(t, map[string]string{
		"a.yaml": "rules:\n  - name: a\n    require: nope\n    explain: x\n",
		"b.yaml": "rules:\n  - name: b\n    require: 'true'\n",
	}))
	err := Check("*.yaml")
	want := "load rules: 2 problems:\n" +
		`a.yaml:3:14: rule "a": require: unknown name nope` + "\n" +
		`b.yaml:2:5: rule "b": explain is required`
	if err == nil || err.Error() != want {
		t.Errorf("Check error:\n%v\nwant:\n%s", err, want)
	}
}

func TestShippedRulesFolderLoads(t *testing.T) {
	set := mustLoad(t, "../configs/rules/*.yaml")
	if got := set.Files(); len(got) != 1 || filepath.Base(got[0]) != "default.yaml" {
		t.Errorf("files %v, want only default.yaml", got)
	}
}

func TestRuleFields(t *testing.T) {
	set := mustLoadText(t, "rules:\n"+
		"  - name: first\n"+
		"    when: resident.age < 18\n"+
		"    require: supplier.vetted\n"+
		"    explain: Needs vetting.\n")
	rules := set.Rules()
	if len(rules) != 1 {
		t.Fatalf("%d rules, want 1", len(rules))
	}
	r := rules[0]
	if r.Name != "first" || r.When != "resident.age < 18" || r.Require != "supplier.vetted" ||
		r.Explain != "Needs vetting." || filepath.Base(r.File) != "r.yaml" || r.Line != 2 {
		t.Errorf("rule %+v", r)
	}
	if set.Len() != 1 || len(set.Files()) != 1 || len(set.Hash()) != 64 || set.LoadedAt().IsZero() {
		t.Errorf("set: len %d, files %v, hash %q, loaded at %v", set.Len(), set.Files(), set.Hash(), set.LoadedAt())
	}
}
