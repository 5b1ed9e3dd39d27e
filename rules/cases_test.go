package rules

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"
)

func TestShippedCasesPass(t *testing.T) {
	var out bytes.Buffer
	failed, err := RunCases(mustLoad(t, defaultRules), defaultCases, &out)
	if err != nil {
		t.Fatal(err)
	}
	if failed != 0 {
		t.Errorf("%d cases failed:\n%s", failed, out.String())
	}
	// Every default rule is shown to deny at least once.
	for _, r := range mustLoad(t, defaultRules).Rules() {
		if !strings.Contains(out.String(), "deny   "+r.Name) {
			t.Errorf("no case is denied by %s", r.Name)
		}
	}
}

func TestRunCases(t *testing.T) {
	const cases = `cases:
  - name: allowed
    resident: {age: 30}
    supplier: {kind: volunteer}
    want: allow
  - name: wrongly-wanted-allow
    resident: {age: 10}
    supplier: {kind: volunteer}
    want: allow
  - name: denied-by-another-rule
    resident: {age: 10}
    supplier: {kind: volunteer}
    wish: {needs: {skills: [x]}}
    want: deny
    rule: has-needed-skills
  - name: denied-by-any-rule
    resident: {age: 10}
    want: deny
`
	dir := writeFiles(t, map[string]string{"cases.yaml": cases})
	var out bytes.Buffer
	failed, err := RunCases(mustLoad(t, defaultRules), filepath.Join(dir, "cases.yaml"), &out)
	if err != nil {
		t.Fatal(err)
	}
	want := `CASE                    WANT   GOT    DENIED BY                 RESULT
allowed                 allow  allow  -                         PASS
wrongly-wanted-allow    allow  deny   minors-need-safeguarding  FAIL
denied-by-another-rule  deny   deny   minors-need-safeguarding  FAIL (want denied by has-needed-skills)
denied-by-any-rule      deny   deny   minors-need-safeguarding  PASS
4 cases, 2 failed
`
	if failed != 2 || out.String() != want {
		t.Errorf("RunCases = %d, output:\n%s\nwant 2, output:\n%s", failed, out.String(), want)
	}
}

func TestRunCasesProblems(t *testing.T) {
	tests := []struct {
		name string
		give string
		want string
	}{
		{
			name: "unknown fact",
			give: "cases:\n  - name: a\n    resident: {agee: 3}\n    want: allow\n",
			want: `c.yaml:3:16: case "a": unknown key "agee"`,
		},
		{
			name: "fact of the wrong type",
			give: "cases:\n  - name: a\n    supplier: {skills: driving}\n    want: allow\n",
			want: `c.yaml:3:24: case "a": skills: want a list such as [a, b]`,
		},
		{
			name: "not a time",
			give: "cases:\n  - name: a\n    now: yesterday\n    want: allow\n",
			want: `c.yaml:3:10: case "a": now: want a time such as 2026-03-01T09:00:00Z`,
		},
		{
			name: "unknown key, bad want and unknown rule",
			give: "cases:\n  - name: a\n    wants: allow\n  - name: b\n    want: deny\n    rule: nope\n  - want: yes\n",
			want: `c.yaml:3:5: case "a": unknown key "wants"` + "\n" +
				`c.yaml:2:5: case "a": want must be allow or deny, not ""` + "\n" +
				`c.yaml:6:11: case "b": no rule named "nope" in the rules` + "\n" +
				`c.yaml:7:5: case #3: name is required` + "\n" +
				`c.yaml:7:11: case #3: want must be allow or deny, not "yes"`,
		},
		{
			name: "duplicate case and rule with allow",
			give: "cases:\n  - {name: a, want: allow}\n  - {name: a, want: allow, rule: has-needed-skills}\n",
			want: `c.yaml:3:34: case "a": rule is only for want: deny` + "\n" +
				`c.yaml:3:5: case "a": duplicate name`,
		},
		{
			name: "not a cases file",
			give: "rules: []\n",
			want: `c.yaml:1:1: unknown key "rules"` + "\n" + `c.yaml:1:1: want a list of cases under "cases:"`,
		},
	}
	set := mustLoad(t, defaultRules)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Chdir(writeFiles(t, map[string]string{"c.yaml": tt.give}))
			var out bytes.Buffer
			_, err := RunCases(set, "c.yaml", &out)
			if err == nil || err.Error() != "run cases: "+tt.want {
				t.Errorf("RunCases error:\n%v\nwant:\nrun cases: %s", err, tt.want)
			}
			if out.Len() != 0 {
				t.Errorf("RunCases wrote %q for a broken cases file", out.String())
			}
		})
	}
}

func TestRunCasesNow(t *testing.T) {
	set := mustLoadText(t, "rules:\n"+
		"  - name: not-overdue\n"+
		"    require: wish.due_at > now\n"+
		"    explain: The wish is overdue.\n")
	dir := writeFiles(t, map[string]string{"c.yaml": `cases:
  - name: due-later
    wish: {due_at: 2026-03-05T00:00:00Z}
    now: 2026-03-01T00:00:00Z
    want: allow
  - name: overdue
    wish: {due_at: 2026-03-05T00:00:00Z}
    now: 2026-03-06T00:00:00Z
    want: deny
    rule: not-overdue
  - name: now-defaults-to-the-time-of-the-run
    wish: {due_at: 2001-01-01T00:00:00Z}
    want: deny
`})
	var out bytes.Buffer
	if failed, err := RunCases(set, filepath.Join(dir, "c.yaml"), &out); err != nil || failed != 0 {
		t.Errorf("RunCases = %d, %v:\n%s", failed, err, out.String())
	}
}
