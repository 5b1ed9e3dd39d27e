package rules

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	// goodV1 denies every supplier who is not vetted.
	goodV1 = "rules:\n  - name: vetted\n    require: supplier.vetted\n    explain: x\n"
	// goodV2 denies suppliers under 18 and allows the rest.
	goodV2 = "rules:\n  - name: adult\n    require: supplier.age >= 18\n    explain: x\n" +
		"  - name: rated\n    require: supplier.rating >= 0\n    explain: x\n"
	// bad has a typo.
	bad = "rules:\n  - name: adult\n    require: supplier.agee >= 18\n    explain: x\n"
)

// writeRules replaces the content of path atomically, by renaming a
// temporary file over it, as deployments of rules files should: a file
// truncated and then written in place can be caught empty by a poll (an
// empty file is rejected, so the last good set keeps serving, but the
// rejection is logged).
func writeRules(tb testing.TB, path, content string) {
	tb.Helper()
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
		tb.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		tb.Fatal(err)
	}
}

func TestNewEngineNeedsAGoodFirstLoad(t *testing.T) {
	dir := writeFiles(t, map[string]string{"r.yaml": bad})
	e, err := NewEngine([]string{filepath.Join(dir, "r.yaml")}, nil)
	if err == nil || e != nil || !strings.Contains(err.Error(), "has no field agee") {
		t.Errorf("NewEngine = %v, %v; want the load error", e, err)
	}
}

func TestReloadKeepsLastGoodSet(t *testing.T) {
	dir := writeFiles(t, map[string]string{"r.yaml": goodV1})
	path := filepath.Join(dir, "r.yaml")
	var logs bytes.Buffer
	e, err := NewEngine([]string{path}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	first := e.Current()
	st := e.Status()
	if st.Version != 1 || st.Rules != 1 || st.LastError != "" || st.Hash != first.Hash() || st.LoadedAt.IsZero() {
		t.Fatalf("status after start %+v", st)
	}

	// Unchanged files: nothing new is put in force.
	if err := e.Reload(); err != nil || e.Current() != first || e.Status().Version != 1 {
		t.Fatalf("Reload of unchanged files = %v, version %d", err, e.Status().Version)
	}

	writeRules(t, path, bad)
	err = e.Reload()
	if err == nil || !strings.Contains(err.Error(), `r.yaml:3:23: rule "adult": require: type rules.Supplier has no field agee`) {
		t.Fatalf("Reload of a bad file = %v", err)
	}
	st = e.Status()
	if e.Current() != first || st.Version != 1 || st.Failures != 1 || !strings.Contains(st.LastError, "agee") || st.LastErrorAt.IsZero() {
		t.Fatalf("status after a bad reload %+v", st)
	}

	writeRules(t, path, goodV2)
	if err := e.Reload(); err != nil {
		t.Fatal(err)
	}
	st = e.Status()
	if e.Current() == first || st.Version != 2 || st.Rules != 2 || st.LastError != "" || st.Failures != 1 {
		t.Fatalf("status after a good reload %+v", st)
	}
	if !strings.Contains(logs.String(), "rules reloaded") {
		t.Errorf("no log of the reload in %q", logs.String())
	}
}

// TestHotReloadUnderLoad swaps good, bad and good files under a watcher
// while goroutines evaluate without pause; run it with -race. Every verdict
// must come from one whole rule set: the one in force before or after a
// swap, never a mix or nothing.
func TestStatusJSON(t *testing.T) {
	dir := writeFiles(t, map[string]string{"r.yaml": goodV1})
	e, err := NewEngine([]string{filepath.Join(dir, "r.yaml")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(e.Status())
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"version", "rules", "files", "hash", "loaded_at", "failures", "eval_errors"} {
		if _, ok := got[key]; !ok {
			t.Errorf("status JSON %s lacks %q", data, key)
		}
	}
	for _, key := range []string{"last_error", "last_error_at", "last_eval_error"} {
		if _, ok := got[key]; ok {
			t.Errorf("status JSON %s of a healthy engine has %q", data, key)
		}
	}
}

func TestHotReloadUnderLoad(t *testing.T) {
	dir := writeFiles(t, map[string]string{"r.yaml": goodV1})
	path := filepath.Join(dir, "r.yaml")
	var logs syncBuffer
	e, err := NewEngine([]string{path}, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	watched := make(chan struct{})
	go func() {
		e.Watch(ctx, 5*time.Millisecond)
		close(watched)
	}()

	// A 30-year-old unvetted volunteer: denied by "vetted" under v1,
	// allowed under v2.
	var (
		wg                  sync.WaitGroup
		stop                atomic.Bool
		deniedV1, allowedV2 atomic.Int64
	)
	for range 8 {
		wg.Go(func() {
			env := Env{Supplier: Supplier{Kind: "volunteer", Age: 30}}
			for !stop.Load() {
				set := e.Current()
				ok, r := set.Evaluate(&env)
				switch {
				case !ok && r.Name == "vetted" && set.Len() == 1:
					deniedV1.Add(1)
				case ok && set.Len() == 2:
					allowedV2.Add(1)
				default:
					t.Errorf("verdict %v, %s from a set of %d rules", ok, name(r), set.Len())
					return
				}
			}
		})
	}

	waitFor := func(what string, cond func(Status) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for !cond(e.Status()) {
			if time.Now().After(deadline) {
				t.Fatalf("timed out waiting for %s; status %+v", what, e.Status())
			}
			time.Sleep(time.Millisecond)
		}
	}
	time.Sleep(20 * time.Millisecond)
	writeRules(t, path, bad)
	waitFor("the bad file to be rejected", func(s Status) bool { return s.Failures == 1 })
	if st := e.Status(); st.Version != 1 || e.Current().Len() != 1 {
		t.Errorf("a bad file changed the set in force: %+v", st)
	}
	time.Sleep(20 * time.Millisecond) // the bad file stays: it is not retried or logged again
	writeRules(t, path, goodV2)
	waitFor("the good file to be put in force", func(s Status) bool { return s.Version == 2 })
	time.Sleep(20 * time.Millisecond)
	writeRules(t, path, goodV1)
	waitFor("the first file to be put in force again", func(s Status) bool { return s.Version == 3 })
	time.Sleep(20 * time.Millisecond)

	stop.Store(true)
	wg.Wait()
	cancel()
	<-watched

	st := e.Status()
	if st.Failures != 1 || st.LastError != "" || st.Rules != 1 {
		t.Errorf("final status %+v", st)
	}
	if deniedV1.Load() == 0 || allowedV2.Load() == 0 {
		t.Errorf("evaluations: %d under v1, %d under v2; want both", deniedV1.Load(), allowedV2.Load())
	}
	if n := strings.Count(logs.String(), "rules reload rejected"); n != 1 {
		t.Errorf("bad file logged %d times, want once:\n%s", n, logs.String())
	}
}

func TestWatchSeesAddedAndRemovedFiles(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a.yaml": goodV1})
	e, err := NewEngine([]string{filepath.Join(dir, "*.yaml")}, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go e.Watch(ctx, 5*time.Millisecond)

	writeRules(t, filepath.Join(dir, "b.yaml"), "rules:\n  - name: other\n    require: 'true'\n    explain: x\n")
	for deadline := time.Now().Add(5 * time.Second); e.Current().Len() != 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("added file not loaded; status %+v", e.Status())
		}
	}
	if err := os.Remove(filepath.Join(dir, "b.yaml")); err != nil {
		t.Fatal(err)
	}
	for deadline := time.Now().Add(5 * time.Second); e.Current().Len() != 1; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("removed file still loaded; status %+v", e.Status())
		}
	}
	if got := e.Status().Version; got != 3 {
		t.Errorf("version %d, want 3", got)
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test to share.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSafeguardsRefuseARuleKeptByNameOnly: the default rules with their
// safeguarding cases; a set whose minors rule keeps its name but applies to
// nobody, to some categories only, or requires nothing, is refused at
// start and at reload as one that drops it, while a stricter set (a
// volunteer needs a background check as well) is put in force.
func TestSafeguardsRefuseARuleKeptByNameOnly(t *testing.T) {
	good, err := os.ReadFile(defaultRules)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := os.ReadFile(defaultCases)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yaml")
	writeRules(t, path, string(good))
	categories := []string{"repair", "school_supplies", "companionship", "home_visit", "meal_delivery", "medical_escort", "elderly_care", "tutoring", "shopping"}
	opts := []EngineOption{Require("minors-need-safeguarding", "elderly-home-visits-need-background-check"), Safeguards(good, cases, categories)}
	e, err := NewEngine([]string{path}, nil, opts...)
	if err != nil {
		t.Fatalf("the default rules against their own cases: %v", err)
	}
	src := string(good)
	for name, bad := range map[string]string{
		"applies to nobody": strings.Replace(src, "    when: resident.age < 18\n", "    when: resident.age < 0\n", 1),
		"exempts categories the cases do not name": strings.Replace(src, "    when: resident.age < 18\n",
			"    when: resident.age < 18 && wish.category in [\"tutoring\", \"school_supplies\"]\n", 1),
		"requires nothing": strings.Replace(src, `supplier.kind == "volunteer"
        ? "child_safeguarding" in supplier.certifications
        : supplier.vetted`, `true`, 1),
	} {
		if bad == src {
			t.Fatalf("%s: the minors rule is not where the test looks for it", name)
		}
		writeRules(t, path, bad)
		if err := e.Reload(); err == nil || !strings.Contains(err.Error(), "minors-need-safeguarding must deny") {
			t.Fatalf("%s: reload: %v; want refused naming the rule", name, err)
		}
		if _, err := NewEngine([]string{path}, nil, opts...); err == nil {
			t.Fatalf("%s: a start on it succeeded", name)
		}
	}
	stricter := strings.Replace(src, `? "child_safeguarding" in supplier.certifications`,
		`? "child_safeguarding" in supplier.certifications && "background_check" in supplier.certifications`, 1)
	if stricter == src {
		t.Fatal("the minors rule is not where the test looks for it")
	}
	writeRules(t, path, stricter)
	if err := e.Reload(); err != nil {
		t.Fatalf("a stricter minors rule: %v", err)
	}
}
