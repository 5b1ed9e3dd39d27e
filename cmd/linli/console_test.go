package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// The console's end-to-end tests drive it in Debian's Chromium, headless,
// on a district made through the API. They are skipped only where
// /usr/bin/chromium is missing and LINLI_REQUIRE_BROWSER is unset; .ci/run
// installs the browser and sets it.

const chromium = "/usr/bin/chromium"

// consolePages are the console's pages and the route each needs, as
// app.js has them.
var consolePages = []struct{ id, route string }{
	{"map", "GET /v1/coverage"},
	{"wishes", "GET /v1/wishes"},
	{"rounds", "POST /v1/match-runs"},
	{"rules", "POST /v1/rules/test"},
	{"programmes", "GET /v1/programmes"},
	{"stats", "GET /v1/stats/weekly"},
}

// browser is a headless Chromium whose tabs record every request they
// make and every error their pages report.
type browser struct {
	ctx      context.Context
	mu       sync.Mutex
	requests []string
	problems []string
	artefact string
	timings  []string
}

func mustBrowser(tb testing.TB) *browser {
	tb.Helper()
	if _, err := os.Stat(chromium); err != nil {
		if os.Getenv("LINLI_REQUIRE_BROWSER") == "" {
			tb.Skipf("no %s and LINLI_REQUIRE_BROWSER is unset: the console's browser tests need Debian's chromium (.ci/run installs it)", chromium)
		}
		tb.Fatalf("LINLI_REQUIRE_BROWSER is set but %s is missing: %v", chromium, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(tb.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	tb.Cleanup(func() {
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		tb.Fatalf("start chromium: %v", err)
	}
	dir := os.Getenv("LINLI_ARTEFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "out")
	}
	dir = filepath.Join(dir, "console")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	return &browser{ctx: ctx, artefact: dir}
}

// tab opens a new tab: its own sessionStorage, so its own sign-in.
func (b *browser) tab(tb testing.TB) context.Context {
	tb.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx)
	tb.Cleanup(cancel)
	err := chromedp.Listen(ctx, func(ev any) {
		b.mu.Lock()
		defer b.mu.Unlock()
		switch e := ev.(type) {
		case *network.EventRequestWillBeSent:
			b.requests = append(b.requests, e.Request.URL)
		case *runtime.EventExceptionThrown:
			b.problems = append(b.problems, "exception: "+exceptionText(e.ExceptionDetails))
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.ConsoleAPICalledTypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.problems = append(b.problems, "console error: "+strings.Join(parts, " "))
			}
		case *log.EventEntryAdded:
			if e.Entry.Level == log.EntryLevelError && !strings.Contains(e.Entry.URL, "/v1/") {
				b.problems = append(b.problems, "browser log: "+e.Entry.Text+" "+e.Entry.URL)
			}
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return ctx
}

func exceptionText(d *runtime.ExceptionDetails) string {
	if d.Exception != nil && d.Exception.Description != "" {
		return d.Exception.Description
	}
	return d.Text
}

// check fails the test on any request that left 127.0.0.1 and any error
// a page reported.
func (b *browser) check(tb testing.TB) {
	tb.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range b.requests {
		u, err := url.Parse(r)
		if err != nil || (u.Scheme != "data" && u.Scheme != "blob" && u.Hostname() != "127.0.0.1") {
			tb.Errorf("the console made a request off 127.0.0.1: %s", r)
		}
	}
	for _, p := range b.problems {
		tb.Errorf("the page reported: %s", p)
	}
	b.problems = nil
	tb.Logf("%d requests, all to 127.0.0.1", len(b.requests))
}

func runAction[T any](tb testing.TB, ctx context.Context, what string, a chromedp.Action[T]) T {
	tb.Helper()
	// Generous: on a loaded 2-core machine (other test binaries, other
	// browsers) one step has been seen to take over 20 s; page times are
	// reported by the screenshots test, not asserted here.
	c, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	v, err := chromedp.Run(c, a)
	if err != nil {
		tb.Fatalf("%s: %v", what, err)
	}
	return v
}

func do(tb testing.TB, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	tb.Helper()
	runAction(tb, ctx, what, chromedp.Steps(steps...))
}

func eval[T any](tb testing.TB, ctx context.Context, js string) T {
	tb.Helper()
	return runAction(tb, ctx, js, chromedp.Evaluate[T](js))
}

// signIn opens the console in a new tab and signs in with key, in lang.
func (b *browser) signIn(tb testing.TB, base, key, lang string) context.Context {
	tb.Helper()
	ctx := b.tab(tb)
	b.signInTab(tb, ctx, base, key, lang)
	return ctx
}

// signInTab signs in in the tab ctx, in lang.
func (b *browser) signInTab(tb testing.TB, ctx context.Context, base, key, lang string) {
	tb.Helper()
	do(tb, ctx, "open the console", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#api-key")))
	if eval[string](tb, ctx, "document.documentElement.lang") != lang {
		do(tb, ctx, "switch the language", chromedp.Click(chromedp.CSS(".signin .tools button")))
		runAction(tb, ctx, "the language switched", chromedp.Poll[bool](fmt.Sprintf("document.documentElement.lang === %q", lang)))
	}
	do(tb, ctx, "sign in",
		chromedp.SendKeys(chromedp.CSS("#api-key"), key),
		chromedp.Click(chromedp.CSS(`.signin button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`nav.pages`)))
	if strings.Contains(eval[string](tb, ctx, "location.href"), key) {
		tb.Fatal("the key is in the URL")
	}
}

// open goes to a page and waits until its data arrived.
func (b *browser) open(tb testing.TB, ctx context.Context, page, arg string) {
	tb.Helper()
	eval[any](tb, ctx, fmt.Sprintf("location.hash = %q; 0", hash(page, arg)))
	do(tb, ctx, "open "+hash(page, arg), chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`main[data-page=%q][data-ready="true"]`, page))))
}

// load loads the console afresh on a page, signed in as the tab is, and
// returns how long it took until the page's data arrived: the page, its
// scripts and catalogue, GET /v1/me and the page's own requests.
func (b *browser) load(tb testing.TB, ctx context.Context, page, arg string) time.Duration {
	tb.Helper()
	eval[any](tb, ctx, fmt.Sprintf("history.replaceState(null, '', %q); 0", hash(page, arg)))
	start := time.Now()
	do(tb, ctx, "load "+hash(page, arg), chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`main[data-page=%q][data-ready="true"]`, page))))
	return time.Since(start)
}

func hash(page, arg string) string {
	if arg != "" {
		return "#/" + page + "/" + arg
	}
	return "#/" + page
}

// shoot saves a screenshot of the whole page.
func (b *browser) shoot(tb testing.TB, ctx context.Context, name string) {
	tb.Helper()
	png := runAction(tb, ctx, "screenshot "+name, chromedp.FullScreenshot(100))
	if err := os.WriteFile(filepath.Join(b.artefact, name+".png"), png, 0o644); err != nil {
		tb.Fatal(err)
	}
}

// nav returns the pages the console offers.
func nav(tb testing.TB, ctx context.Context) []string {
	tb.Helper()
	return eval[[]string](tb, ctx, `[...document.querySelectorAll('nav.pages a')].map(a => a.getAttribute('href').slice(2))`)
}

// wantPages are the pages whose route the policy table lets role call,
// among the routes /openapi.json has.
func wantPages(ops []operation, role string) []string {
	var out []string
	for _, p := range consolePages {
		for _, op := range ops {
			if op.method+" "+op.path != p.route {
				continue
			}
			if _, policy, ok := matcher.PolicyOf(op.action); ok {
				if _, may := policy[role]; may {
					out = append(out, p.id)
				}
			}
		}
	}
	return out
}

// consoleDistrict is the demo district of the browser tests.
type consoleDistrict struct {
	*district
	confirmed, fulfilled, cancelled string
	keys                            map[string]string // role → a key for the console to use
	districtKey                     string
}

// mustConsoleDistrict is the authorization matrix's district, with wishes
// in every state in A and keys of every role.
func mustConsoleDistrict(tb testing.TB, s *server) *consoleDistrict {
	tb.Helper()
	d := &consoleDistrict{district: mustDistrict(tb, s)}
	a := d.a
	sw, ent := a.keys["social_worker"], a.enterpriseKey
	for _, c := range []string{"tutoring", "home_visit", "companionship"} {
		b := wishBody(a.resident)
		b["category"] = c
		s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes", sw, b)
	}
	d.fulfilled = a.mustWish(tb, s)
	s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes/"+d.fulfilled+"/claims", ent, nil)
	s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes/"+d.fulfilled+"/fulfilment", ent, map[string]any{"note": "new tyre fitted"})
	d.confirmed = a.mustWish(tb, s)
	s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes/"+d.confirmed+"/claims", ent, nil)
	s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes/"+d.confirmed+"/fulfilment", ent, map[string]any{"note": "done"})
	s.mustCall(tb, http.StatusCreated, "POST", "/v1/wishes/"+d.confirmed+"/confirmation", sw, map[string]any{"outcome": "confirmed", "rating": 4})
	d.cancelled = a.mustWish(tb, s)
	s.mustCall(tb, http.StatusOK, "POST", "/v1/wishes/"+d.cancelled+"/cancel", sw, map[string]any{"reason": "moved away"})
	// Two departments buy repairs for A's resident's cell: duplicate
	// coverage (where the service has programmes yet).
	grid, _ := geo.New(geo.DefaultConfig())
	cell := grid.CellAt(geo.Point{Lat: 30.2705, Lng: 120.1502}, 8).String()
	for i, dept := range []string{"民政局", "卫健委"} {
		body := programmeBody([]string{a.organisation, d.a2.organisation}[i])
		body["department"], body["category"], body["cells"], body["name"] = dept, "repair", []string{cell}, dept+"助残维修"
		if status, m := s.call(tb, "POST", "/v1/programmes", d.keys0(s, tb), body); status != http.StatusCreated && status != http.StatusNotFound {
			tb.Fatalf("a programme: %d %v", status, m)
		}
	}
	d.keys = map[string]string{
		"admin":         s.admin,
		"coordinator":   d.keys0(s, tb),
		"social_worker": sw,
		"enterprise":    ent,
		"organisation":  a.keys["organisation"],
		"volunteer":     a.keys["volunteer"],
	}
	return d
}

// keys0 is the district coordinator's key, made once.
func (d *consoleDistrict) keys0(s *server, tb testing.TB) string {
	if d.districtKey == "" {
		d.districtKey = s.mustKey(tb, "coordinator", d.root)
	}
	return d.districtKey
}

// TestConsoleInTheBrowser signs in as every role and checks what each is
// offered, then the pages: the wish board and a wish's history, the rules
// tester, a dry-run round, the map and the programmes (when the API has
// their routes), and a supplier's board, which must hold no resident's
// data. Screenshots of each page in Chinese and English are saved.
func TestConsoleInTheBrowser(t *testing.T) {
	b := mustBrowser(t)
	s := mustServe(t, nil)
	d := mustConsoleDistrict(t, s)
	ops, _ := mustOperations(t, s)
	base := strings.Replace(s.base, "localhost", "127.0.0.1", 1)

	t.Run("every role is offered what its routes allow", func(t *testing.T) {
		for _, role := range matcher.Roles() {
			ctx := b.signIn(t, base, d.keys[role], "zh-CN")
			got, want := nav(t, ctx), wantPages(ops, role)
			if !slices.Equal(got, want) {
				t.Errorf("%s is offered %v, want %v", role, got, want)
			}
			if role == "enterprise" || role == "organisation" || role == "volunteer" {
				if !slices.Equal(got, []string{"wishes"}) {
					t.Errorf("a supplier (%s) is offered %v, want the wish board only", role, got)
				}
			}
			if who := eval[string](t, ctx, `document.querySelector('.who .role').textContent`); who == "" || who == role {
				t.Errorf("%s: the header names the role %q, want its Chinese name", role, who)
			}
		}
	})

	t.Run("a wish's history", func(t *testing.T) {
		ctx := b.signIn(t, base, d.keys["social_worker"], "zh-CN")
		b.open(t, ctx, "wishes", d.confirmed)
		do(t, ctx, "the timeline", chromedp.WaitVisible(chromedp.CSS("ol.timeline")))
		events := s.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+d.confirmed+"/events", d.keys["social_worker"], nil)["items"].([]any)
		types := eval[[]string](t, ctx, `[...document.querySelectorAll('ol.timeline li')].map(li => li.dataset.type)`)
		var want []string
		for _, e := range events {
			want = append(want, e.(map[string]any)["type"].(string))
		}
		if !slices.Equal(types, want) || len(want) < 4 {
			t.Errorf("the timeline shows %v, want the history %v", types, want)
		}
		if text := eval[string](t, ctx, `document.querySelector('ol.timeline').textContent`); !strings.Contains(text, "确认完成") || !strings.Contains(text, "评分 4") {
			t.Errorf("the timeline does not say who confirmed with which rating: %s", text)
		}
	})

	t.Run("a social worker confirms a fulfilment with a rating", func(t *testing.T) {
		ctx := b.signIn(t, base, d.keys["social_worker"], "en")
		b.open(t, ctx, "wishes", d.fulfilled)
		do(t, ctx, "confirm with 3 stars",
			chromedp.Click(chromedp.CSS(`input[name="rating"][value="3"]`)),
			chromedp.Click(chromedp.CSS(`form.card button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS(`ol.timeline li[data-type="confirmed"]`)))
		w := s.mustCall(t, http.StatusOK, "GET", "/v1/wishes/"+d.fulfilled, d.keys["social_worker"], nil)
		if w["status"] != "confirmed" {
			t.Errorf("after confirming in the console the wish is %v", w["status"])
		}
	})

	t.Run("the rules tester names the denying rule", func(t *testing.T) {
		ctx := b.signIn(t, base, d.keys["social_worker"], "zh-CN")
		b.open(t, ctx, "rules", "")
		do(t, ctx, "test a volunteer without a safeguarding check for a child",
			chromedp.Click(chromedp.CSS("#run-test")), chromedp.WaitVisible(chromedp.CSS("#verdict")))
		var explain string
		for _, r := range s.mustCall(t, http.StatusOK, "GET", "/v1/rules", d.keys["social_worker"], nil)["rules"].([]any) {
			if r := r.(map[string]any); r["name"] == "minors-need-safeguarding" {
				explain = r["explain"].(string)
			}
		}
		verdict := eval[map[string]string](t, ctx, `(() => { const v = document.querySelector('#verdict'); return {allowed: v.dataset.allowed, rule: v.dataset.rule, text: v.textContent}; })()`)
		if explain == "" || verdict["allowed"] != "false" || verdict["rule"] != "minors-need-safeguarding" || !strings.Contains(verdict["text"], explain) {
			t.Errorf("the tester shows %v; want denied by minors-need-safeguarding with %q", verdict, explain)
		}
		do(t, ctx, "preview the rules in force as an edit",
			chromedp.Click(chromedp.CSS(`#impact-yaml + button, section[aria-labelledby="impact-h"] button[type="submit"]`)),
			chromedp.WaitVisible(chromedp.CSS("#impact")))
		if same := eval[bool](t, ctx, `(() => { const i = document.querySelector('#impact').dataset; return i.gain === '0' && i.lose === '0' && +i.wishes > 0; })()`); !same {
			t.Errorf("the rules in force, previewed as an edit, change what wishes may get: %v", eval[map[string]string](t, ctx, `({...document.querySelector('#impact').dataset})`))
		}
		b.shoot(t, ctx, "rules-tested-zh")
	})

	t.Run("a coordinator's dry run and its proposals", func(t *testing.T) {
		ctx := b.signIn(t, base, d.keys["coordinator"], "zh-CN")
		b.open(t, ctx, "rounds", "")
		do(t, ctx, "start a dry run",
			chromedp.Click(chromedp.CSS("#start-round")),
			chromedp.WaitVisible(chromedp.CSS(`section[data-status="done"] #proposals`)))
		id := eval[string](t, ctx, `document.querySelector('section[data-run]').dataset.run`)
		run := s.mustCall(t, http.StatusOK, "GET", "/v1/match-runs/"+id, d.keys["coordinator"], nil)
		proposals, _ := run["proposals"].([]any)
		rows := eval[int](t, ctx, `document.querySelectorAll('#proposals tbody tr').length`)
		if run["dry_run"] != true || len(proposals) == 0 || rows != len(proposals) {
			t.Errorf("the console shows %d proposals of round %s; the API has %d (dry run %v)", rows, id, len(proposals), run["dry_run"])
		}
		do(t, ctx, "the proposals on the map", chromedp.WaitVisible(chromedp.CSS(".proposal-map svg")))
		b.shoot(t, ctx, "rounds-dry-run-zh")
	})

	t.Run("the coverage map", func(t *testing.T) {
		key := d.keys["coordinator"]
		ctx := b.signIn(t, base, key, "zh-CN")
		b.open(t, ctx, "map", "")
		geoj := s.mustCall(t, http.StatusOK, "GET", "/v1/coverage?resolution=8&format=geojson", key, nil)
		features := geoj["features"].([]any)
		flagged := map[string]int{}
		firstFlagged := ""
		for _, f := range features {
			props := f.(map[string]any)["properties"].(map[string]any)
			for _, fl := range props["flags"].([]any) {
				flagged[fl.(string)]++
				if fl == "gap" && firstFlagged == "" {
					firstFlagged = props["cell"].(string)
				}
			}
		}
		got := eval[map[string]int](t, ctx, `(() => { const c = document.querySelectorAll('g.cell'); const n = f => document.querySelectorAll('g.cell[data-flags~="' + f + '"]').length;
			return {cells: c.length, gap: n('gap'), duplicate: n('duplicate'), strained: n('strained')}; })()`)
		if len(features) == 0 || got["cells"] != len(features) || got["gap"] != flagged["gap"] || got["duplicate"] != flagged["duplicate"] || got["strained"] != flagged["strained"] {
			t.Errorf("the map draws %v; the GeoJSON has %d cells, flags %v", got, len(features), flagged)
		}
		if firstFlagged != "" {
			do(t, ctx, "open a gap by the keyboard",
				chromedp.Focus(chromedp.CSS(fmt.Sprintf(`g.cell[data-cell=%q]`, firstFlagged))),
				chromedp.KeyEvent("\r"),
				chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`aside.panel[data-cell=%q]`, firstFlagged))))
			if text := eval[string](t, ctx, `document.querySelector('aside.panel').textContent`); !strings.Contains(text, "步行") {
				t.Errorf("the panel of the gap %s does not say its nearest supply and walk: %s", firstFlagged, text)
			}
		}
		do(t, ctx, "zoom in and go to resolution 9", chromedp.Click(chromedp.CSS(`.map-tools button`)))
		eval[any](t, ctx, `(() => { const s = document.querySelector('#map-resolution'); s.value = '9'; s.dispatchEvent(new Event('change', {bubbles: true})); return 0; })()`)
		runAction(t, ctx, "the cells of resolution 9", chromedp.Poll[bool](`document.querySelector('g.cell') && document.querySelector('g.cell').dataset.cell.startsWith('89')`))
		b.shoot(t, ctx, "map-res9-zh")
	})

	t.Run("programmes and their evaluation", func(t *testing.T) {
		ctx := b.signIn(t, base, d.keys["coordinator"], "en")
		b.open(t, ctx, "programmes", "")
		list := s.mustCall(t, http.StatusOK, "GET", "/v1/programmes", d.keys["coordinator"], nil)["items"].([]any)
		if rows := eval[int](t, ctx, `document.querySelectorAll('tr[data-programme]').length`); len(list) == 0 || rows != len(list) {
			t.Fatalf("the catalogue shows %d programmes, the API has %d", rows, len(list))
		}
		id := list[0].(map[string]any)["id"].(string)
		b.open(t, ctx, "programmes", id)
		do(t, ctx, "the evaluation", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`aside.panel[data-programme=%q]`, id))))
		first := eval[string](t, ctx, `document.querySelector('aside.panel h3').textContent`)
		if first != "Satisfaction" {
			t.Errorf("the evaluation begins with %q, want satisfaction first", first)
		}
		do(t, ctx, "export the catalogue", chromedp.Click(chromedp.CSS(`.exports button`)))
		if n := eval[int](t, ctx, `document.querySelectorAll('main .error').length`); n != 0 {
			t.Errorf("exporting showed an error: %s", eval[string](t, ctx, `document.querySelector('main .error').textContent`))
		}
	})

	t.Run("a supplier's board holds no resident data", func(t *testing.T) {
		for _, role := range []string{"enterprise", "volunteer"} {
			ctx := b.signIn(t, base, d.keys[role], "zh-CN")
			b.open(t, ctx, "wishes", "")
			rows := eval[int](t, ctx, `document.querySelectorAll('table.list tbody tr').length`)
			if rows == 0 {
				t.Errorf("%s sees no open wish", role)
			}
			page := eval[string](t, ctx, `document.documentElement.outerHTML + JSON.stringify(sessionStorage) + JSON.stringify(localStorage)`)
			secrets := append([]string{"Wang Fang", "13900001111", "left wheel", "1948-03-02", d.a.resident, d.b.resident, "30.2705", "120.1502"}, otherSecrets...)
			for _, secret := range secrets {
				if strings.Contains(page, secret) {
					t.Errorf("%s's console holds %q", role, secret)
				}
			}
		}
	})

	t.Run("every page of every role passes axe's WCAG 2.1 AA rules, at a desktop's and a phone's width, and Tab reaches every control", func(t *testing.T) {
		b.audit(t, base, d)
	})

	t.Run("screenshots and load times of every page", func(t *testing.T) {
		for _, who := range []string{"coordinator", "social_worker", "enterprise"} {
			for _, lang := range []string{"zh-CN", "en"} {
				ctx := b.signIn(t, base, d.keys[who], lang)
				for _, page := range nav(t, ctx) {
					arg := ""
					if page == "wishes" && who != "enterprise" {
						arg = d.confirmed
					}
					took := b.load(t, ctx, page, arg)
					b.timings = append(b.timings, fmt.Sprintf("%s %s %s: %v", who, lang, page, took.Round(time.Millisecond)))
					b.shoot(t, ctx, fmt.Sprintf("%s-%s-%s", page, who, lang))
				}
			}
		}
		ctx := b.signIn(t, base, d.keys["social_worker"], "zh-CN")
		do(t, ctx, "a phone's width", chromedp.EmulateViewport(390, 844))
		b.open(t, ctx, "wishes", d.confirmed)
		b.shoot(t, ctx, "wishes-social_worker-zh-CN-phone")
		t.Logf("page load times:\n  %s", strings.Join(b.timings, "\n  "))
	})

	b.check(t)
	t.Logf("screenshots in %s", b.artefact)
}
