package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRulesCheckJudgesAsTheServiceWill: `linli rules check` passes the
// default rules, and refuses, naming the rule, a file the service would
// refuse: one whose minors rule is kept by name but exempts categories.
func TestRulesCheckJudgesAsTheServiceWill(t *testing.T) {
	good := filepath.Join(filepath.Dir(rulesGlob(t)), "default.yaml")
	check := func(file string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(context.Background(), []string{"rules", "check", file}, map[string]string{}, &out, &errOut)
		return out.String() + errOut.String(), err
	}
	if out, err := check(good); err != nil || !strings.Contains(out, "ok: ") {
		t.Fatalf("the default rules: %v\n%s", err, out)
	}
	src, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	exempt := strings.Replace(string(src), "    when: resident.age < 18\n",
		"    when: resident.age < 18 && wish.category in [\"tutoring\", \"school_supplies\"]\n", 1)
	if exempt == string(src) {
		t.Fatal("the minors rule is not where the test looks for it")
	}
	path := filepath.Join(t.TempDir(), "exempt.yaml")
	if err := os.WriteFile(path, []byte(exempt), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := check(path); err == nil || !strings.Contains(err.Error(), "minors-need-safeguarding") {
		t.Fatalf("a minors rule exempting most categories: %v\n%s", err, out)
	}
}
