package rules

import (
	"strings"
	"testing"
	"time"
)

// A programme's target-group condition runs for every resident of a
// coverage report and every wish of an evaluation, public ones included:
// whatever could make one run costly is refused when it is compiled.
func TestConditionCostIsBounded(t *testing.T) {
	for _, src := range []string{
		`all(1..999999, {# > 0}) && resident.age >= 60`,
		`all(1..999999, {all(1..999999, {# > 0})}) && resident.age >= 60`,
		`len(repeat("ab", 400000)) > 0 && resident.age >= 60`,
	} {
		if _, err := CompileCondition(src); err == nil {
			t.Errorf("CompileCondition(%q) compiled; want it refused as costly", src)
		}
	}
	c, err := CompileCondition(`resident.age >= 60 && any(resident.disabilities, {lower(#) == "visual"})`)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Holds(Resident{Age: 70, Disabilities: []string{"visual"}}, time.Now()) {
		t.Fatal("a cheap condition does not hold as written")
	}
	if _, err := CompileCondition(`len(resident.disabilities) > 0`); err != nil && strings.Contains(err.Error(), "may") {
		t.Fatalf("len refused: %v", err)
	}
}
