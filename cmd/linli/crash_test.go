package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// childEnv names the variable that makes the test binary run `linli
// serve` with the rest of its environment instead of the tests, so that a
// test can kill a real server process with SIGKILL.
const childEnv = "LINLI_TEST_SERVE_CHILD"

// runChild runs serve when the test binary was started as a child; it
// reports whether it did.
func runChild() bool {
	if os.Getenv(childEnv) == "" {
		return false
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM) // as main does
	err := run(ctx, []string{"serve"}, environ(), os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "linli:", err)
		os.Exit(1)
	}
	os.Exit(0)
	return true
}

// child is a `linli serve` in a process of its own, on an embedded store.
type child struct {
	cmd  *exec.Cmd
	base string
}

const childAdmin = "lnl_crash-test-admin-key-0123456789"

func startChild(tb testing.TB, dir string, env ...string) *child {
	tb.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"=1", "LINLI_DATA_DIR="+dir, "LINLI_HTTP_ADDR=127.0.0.1:0",
		"LINLI_ADMIN_KEY="+childAdmin, "LINLI_RULES="+rulesGlob(tb), "LINLI_RATE_LIMIT=0", "LINLI_HTTP_ADDRESS_RATE_LIMIT=0",
		"LINLI_LOG_LEVEL=error", "LINLI_MONGODB_URI=", "LINLI_DATA_KEY=")
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	c := &child{cmd: cmd}
	tb.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	addr := regexp.MustCompile(`listening on (http://\S+)`)
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := addr.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
		_, _ = io.Copy(io.Discard, out)
	}()
	select {
	case c.base = <-found:
	case <-time.After(90 * time.Second):
		tb.Fatal("the child did not start")
	}
	return c
}

// kill ends the child with SIGKILL, as a crash would.
func (c *child) kill(tb testing.TB) {
	tb.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		tb.Fatal(err)
	}
	_ = c.cmd.Wait()
}

// send posts body with an Idempotency-Key and returns the status, the id
// answered and whether the answer was a replay; status 0 when the server
// did not answer.
func (c *child) send(path, key, idem string, body any) (int, string, bool) {
	var rd io.Reader
	if body != nil {
		j, _ := json.Marshal(body)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest("POST", c.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+key)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", idem)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", false
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	id, _ := m["id"].(string)
	return resp.StatusCode, id, resp.Header.Get("Idempotent-Replayed") == "true"
}

func (c *child) must(tb testing.TB, method, path, key string, body any) map[string]any {
	tb.Helper()
	s := &server{base: c.base}
	return s.mustCall(tb, map[string]int{"POST": http.StatusCreated, "GET": http.StatusOK}[method], method, path, key, body)
}

// TestRetriesAfterAKillMakeNothingTwice streams creations and claims with
// Idempotency-Keys into a server process and kills it with SIGKILL in the
// middle, three times at different moments; after each restart every
// request is retried with its key. A retry of a request that was written
// before the kill must replay it, never make a second object or claim;
// one that was not must make it now; nothing is half made.
func TestRetriesAfterAKillMakeNothingTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("starts server processes")
	}
	dir := t.TempDir()
	c := startChild(t, dir)
	community := c.must(t, "POST", "/v1/organisations", childAdmin, map[string]any{
		"name": "Xiaohe", "kind": "community", "location": map[string]any{"lat": 30.27, "lng": 120.15}})["id"].(string)
	social := c.must(t, "POST", "/v1/api-keys", childAdmin, map[string]any{"role": "social_worker", "subject_id": community})["key"].(string)
	coord := c.must(t, "POST", "/v1/api-keys", childAdmin, map[string]any{"role": "coordinator", "subject_id": community})["key"].(string)
	resident := c.must(t, "POST", "/v1/residents", social, residentBody())["id"].(string)
	var enterprises []string
	for i := range 4 {
		e := c.must(t, "POST", "/v1/enterprises", coord, map[string]any{"name": fmt.Sprint("E", i),
			"location": map[string]any{"lat": 30.2705, "lng": 120.1502}, "categories": []string{"repair"}})["id"].(string)
		enterprises = append(enterprises, c.must(t, "POST", "/v1/api-keys", childAdmin,
			map[string]any{"role": "enterprise", "subject_id": e})["key"].(string))
	}
	const n = 120
	bodies := make([]map[string]any, n) // the same body every retry: the key is for one request
	for i := range bodies {
		bodies[i] = wishBody(resident)
		bodies[i]["title"] = fmt.Sprint("wish ", i)
	}
	body := func(i int) map[string]any { return bodies[i] }
	wishOf := make([]string, n) // by request, once known
	var mu sync.Mutex
	round := func(c *child, killAfter int, kill bool) {
		var answered sync.WaitGroup
		done := make(chan struct{}, 2*n)
		next := make(chan int)
		var wg sync.WaitGroup
		for range 6 {
			wg.Go(func() {
				for i := range next {
					status, id, _ := c.send("/v1/wishes", social, fmt.Sprint("wish-", i), body(i))
					if status == http.StatusCreated {
						mu.Lock()
						if wishOf[i] != "" && wishOf[i] != id {
							t.Errorf("request %d made wish %s, then %s", i, wishOf[i], id)
						}
						wishOf[i] = id
						mu.Unlock()
						done <- struct{}{}
						// and claim it, racing with the same key from two enterprises' retries
						_, _, _ = c.send("/v1/wishes/"+id+"/claims", enterprises[i%len(enterprises)], fmt.Sprint("claim-", i), nil)
						done <- struct{}{}
					}
				}
			})
		}
		answered.Go(func() {
			for range killAfter {
				<-done
			}
			if kill {
				c.kill(t)
			}
		})
		for i := range n {
			next <- i
		}
		close(next)
		wg.Wait()
		if !kill {
			return
		}
		for range 2 * n { // drain what arrived after the kill
			select {
			case <-done:
			default:
			}
		}
		answered.Wait()
	}
	for r, after := range []int{17, 80, 151} {
		round(c, after, true)
		c = startChild(t, dir)
		t.Logf("round %d: killed after %d answers, restarted", r+1, after)
	}
	round(c, 0, false) // every request once more, to the end
	for i, id := range wishOf {
		if id == "" {
			t.Fatalf("request %d never made its wish", i)
		}
		status, again, replayed := c.send("/v1/wishes", social, fmt.Sprint("wish-", i), body(i))
		if status != http.StatusCreated || again != id || !replayed {
			t.Fatalf("a last retry of request %d: %d %s replayed=%v, want the replay of %s", i, status, again, replayed, id)
		}
	}
	s := &server{base: c.base}
	list := map[string]bool{}
	for after := ""; ; {
		m := s.mustCall(t, http.StatusOK, "GET", "/v1/wishes?limit=200&after="+after, social, nil)
		for _, it := range m["items"].([]any) {
			item := it.(map[string]any)
			if list[item["title"].(string)] {
				t.Fatalf("%q was made twice", item["title"])
			}
			list[item["title"].(string)] = true
			h := s.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+item["id"].(string)+"/events", social, nil)
			claims := 0
			for _, e := range h["items"].([]any) {
				if e.(map[string]any)["type"] == "claimed" {
					claims++
				}
			}
			if claims > 1 {
				t.Fatalf("wish %s was claimed %d times", item["id"], claims)
			}
		}
		if after, _ = m["next"].(string); after == "" {
			break
		}
	}
	if len(list) != n {
		t.Fatalf("%d wishes, want %d", len(list), n)
	}
	if !strings.HasPrefix(c.base, "http://127.0.0.1:") {
		t.Fatalf("child at %s", c.base)
	}
}

// TestShutdownTellsLoadBalancersFirst: after SIGTERM, /readyz answers 503
// while the listener is still open (for http.drain_delay), then the
// process exits cleanly.
func TestShutdownTellsLoadBalancersFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server process")
	}
	c := startChild(t, t.TempDir(), "LINLI_HTTP_DRAIN_DELAY=3s")
	ready := func() int {
		resp, err := http.Get(c.base + "/readyz")
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if st := ready(); st != http.StatusOK {
		t.Fatalf("/readyz before shutdown: %d", st)
	}
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	st := ready()
	for ; st == http.StatusOK && time.Since(start) < 2*time.Second; st = ready() {
		time.Sleep(20 * time.Millisecond)
	}
	if st != http.StatusServiceUnavailable {
		t.Fatalf("/readyz after SIGTERM: %d, want 503 while the listener is open", st)
	}
	exited := make(chan error, 1)
	go func() { exited <- c.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit 30 s after SIGTERM")
	}
	if took := time.Since(start); took < 2*time.Second {
		t.Fatalf("the listener closed %s after SIGTERM, before the 3 s drain delay", took)
	}
}
