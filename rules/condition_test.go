package rules

import (
	"strings"
	"testing"
	"time"
)

func TestCondition(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	c, err := CompileCondition(`resident.age >= 70 && "visual" in resident.disabilities`)
	if err != nil {
		t.Fatal(err)
	}
	if !c.Holds(Resident{Age: 71, Disabilities: []string{"visual"}}, now) || c.Holds(Resident{Age: 71}, now) || c.Holds(Resident{Age: 60, Disabilities: []string{"visual"}}, now) {
		t.Fatal("the condition does not decide as written")
	}
	for src, want := range map[string]string{
		"":                          "empty",
		"resident.age":              "bool",
		"resident.shoe_size > 3":    "shoe_size",
		`supplier.age > 18`:         "only resident",
		`wish.category == "repair"`: "only resident",
		"resident.age >= ":          "column",
	} {
		_, err := CompileCondition(src)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("CompileCondition(%q) = %v; want an error mentioning %q", src, err, want)
		}
	}
}
