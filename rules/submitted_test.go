package rules

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"
)

// A rules file submitted through the API runs on the service's CPU for
// every open wish and supplier of a dry run: one staff key must not be
// able to pin it. Whatever could make an expression costly is refused,
// naming the rule; the operator's files on disk may still use it.
func TestSubmittedRulesCostIsBounded(t *testing.T) {
	file := func(when, require string) string {
		s := "rules:\n  - name: costly\n"
		if when != "" {
			s += "    when: '" + when + "'\n"
		}
		return s + "    require: '" + require + "'\n    explain: x\n"
	}
	let := "let a = lower(wish.category); let b = a + a; let c = b + b; let d = c + c; let e = d + d; len(e) > 0"
	for _, tt := range []struct{ when, require, want string }{
		{"", "all(1..3000, # > 0)", "ranges"},
		{"resident.age >= 0 && all(1..1000000, {# > 0})", "true", "ranges"},
		{"", `len(repeat("ab", 400000)) > 0`, "repeat"},
		{"", let, "let"},
		{"", "all(supplier.skills, {all(supplier.skills, {all(supplier.skills, {# != \"\"})})})", "iterate"},
		{"", "any([1,2,3,4,5,6,7,8], {any([1,2,3,4,5,6,7,8], {# > 9})})", "iterate"},
		{"", "count(map(supplier.skills, {#}), {# != \"\"}) > 0", "map"},
	} {
		src := file(tt.when, tt.require)
		set, err := ParseSubmitted("proposed.yaml", []byte(src))
		var le *LoadError
		if err == nil || !errors.As(err, &le) || le.Problems[0].Rule != "costly" || !strings.Contains(le.Problems[0].Message, tt.want) {
			t.Errorf("ParseSubmitted(%q) = %v, %v; want refused naming rule costly and %q", src, set, err, tt.want)
		}
		if _, err := Parse("operator.yaml", []byte(src)); err != nil && tt.want != "let" {
			t.Errorf("Parse, for the operator's files, refuses %q: %v", src, err)
		}
	}
	ok := file("len(resident.disabilities) > 0", "all(wish.needs.skills, # in supplier.skills) && count(filter(supplier.skills, {lower(#) != \"\"}), {# != \"x\"}) >= 0")
	if _, err := ParseSubmitted("proposed.yaml", []byte(ok)); err != nil {
		t.Errorf("a cheap file refused: %v", err)
	}
}

// A submitted file that drops a rule the district requires is refused,
// naming the rule, as a reload of the files on disk would be.
func TestSubmittedRulesKeepTheRequiredRules(t *testing.T) {
	data, err := os.ReadFile("../configs/rules/default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	required := []string{"minors-need-safeguarding", "elderly-home-visits-need-background-check"}
	set, err := ParseSubmitted("proposed.yaml", data, required...)
	if err != nil || set.Len() < 5 {
		t.Fatalf("the default rules, submitted: %v, %v", set, err)
	}
	cut := strings.Replace(string(data), "minors-need-safeguarding", "minors-maybe", 1)
	_, err = ParseSubmitted("proposed.yaml", []byte(cut), required...)
	var le *LoadError
	if !errors.As(err, &le) || len(le.Problems) != 1 || le.Problems[0].Rule != "minors-need-safeguarding" {
		t.Fatalf("a file without minors-need-safeguarding: %v; want refused naming it", err)
	}
}

// A cheap expression costs little even at the limits of its size.
func TestCheapExpressionIsFast(t *testing.T) {
	list := "[" + strings.Repeat("1,", 120) + "1]"
	src := "rules:\n  - name: big\n    require: 'all(" + list + ", {# in " + list + "})'\n    explain: x\n"
	set, err := ParseSubmitted("proposed.yaml", []byte(src))
	if err != nil {
		t.Skipf("refused as written (%v): nothing to time", err)
	}
	start := time.Now()
	for range 100 {
		set.Evaluate(&Env{})
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("100 evaluations took %v", d)
	}
}
