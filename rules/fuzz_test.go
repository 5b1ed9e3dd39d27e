package rules

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// FuzzLoad feeds arbitrary bytes to the loader as a rules file. Loading
// must never panic; it either fails with located problems or yields rules
// that evaluate, allowing or denying, without panicking either.
func FuzzLoad(f *testing.F) {
	for _, path := range []string{defaultRules, defaultCases} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	for _, seed := range []string{
		"",
		"rules: []\n",
		"rules:\n  - name: a\n    require: supplier.vetted\n    explain: x\n",
		"rules:\n  - name: a\n    when: resident.age < 18\n    require: '\"child_safeguarding\" in supplier.certifications'\n    explain: x\n",
		"rules:\n  - name: a\n    require: 'all(wish.needs.skills, # in supplier.skills)'\n    explain: x\n",
		"rules:\n  - name: a\n    require: wish.needs.skills[0] == \"x\"\n    explain: x\n",
		"rules:\n  - name: a\n    require: |\n      let n = len(supplier.skills);\n      n > 0 && none(supplier.skills, # in resident.disabilities)\n    explain: x\n",
		"rules:\n  - name: a\n    require: >-\n      supplier.kind == \"volunteer\"\n        && supplier.agee >= 18\n    explain: x\n",
		"rules:\n  - name: a\n    require: \"\\\"a\\\" in supplier.certs\"\n    explain: x\n",
		"rules:\n  - name: a\n    require: all(wish.needs.skills, # in supplier.skills)\n    explain: x\n",
		"rules:\n  - &r {name: a, require: 'true', explain: x}\n  - *r\n",
		"rules:\n  - name: a\n    require: *missing\n",
		"rules:\n  - name: Bad Name\n    requires: true\n",
		"rules:\n  - name: a\n    require: a: b\n",
		"rules: none\n",
		"rules: []\n---\nrules: []\n",
		"- a\n- b\n",
		"rules:\n  - name: a\n    require: 1 +\n    explain: x\n",
		"rules:\n  - name: a\n    require: \"\\t\\u00e9 == 1\"\n    explain: x\n",
		"rules:\n  - name: 鄰里\n    require: wish.category == \"送餐\"\n    explain: 長者送餐\n",
		"rules:\n  - {name: a, require: 'now > wish.due_at', explain: x}\n",
		"rules:\n  - {name: a, require: 'sum(1..10) > walk_minutes', explain: x}\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := build([]source{{path: "f.yaml", data: data}})
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) || len(le.Problems) == 0 {
				t.Fatalf("error %v lists no problems", err)
			}
			for _, p := range le.Problems {
				if p.File != "f.yaml" || p.Line < 0 || p.Col < 0 || !strings.HasPrefix(p.String(), "f.yaml") {
					t.Fatalf("badly located problem %+v", p)
				}
			}
			return
		}
		for _, r := range set.Rules() {
			if !namePattern.MatchString(r.Name) || r.Require == "" || r.Explain == "" {
				t.Fatalf("loaded an invalid rule %+v", r)
			}
		}
		for _, env := range []Env{{}, allowedEnv(), benchEnvs()["elderly-disabled-home-visit"]} {
			ok, denied := set.Evaluate(&env)
			if ok != (denied == nil) {
				t.Fatalf("Evaluate = %v, %v", ok, denied)
			}
			pok, pdenied := set.Prepare(&env).Evaluate(&env)
			if pok != ok || pdenied != denied {
				t.Fatalf("Plan.Evaluate = %v, %v; Set.Evaluate = %v, %v", pok, name(pdenied), ok, name(denied))
			}
		}
	})
}
