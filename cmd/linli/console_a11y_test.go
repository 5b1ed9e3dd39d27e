package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// The accessibility audit: axe-core (vendored as a test asset in
// testdata/axe, never served) is evaluated in each page of the console
// and run for the WCAG 2.1 A and AA rules; a keyboard check of this
// test's own covers what axe does not: no positive tabindex, nothing that
// reacts to the pointer without being reachable and operable by the
// keyboard, and Tab reaching every control.

var axeSource = sync.OnceValues(func() (string, error) {
	raw, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	return string(raw), err
})

// listenerProbe runs before the console's scripts in each document: it
// notes on each element the events listened for (Preact adds its
// handlers with addEventListener on the element itself).
const listenerProbe = `(() => {
  const add = EventTarget.prototype.addEventListener, remove = EventTarget.prototype.removeEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, opts) {
    if (this instanceof Element) (this.__linliListens ||= new Map()).set(type, ((this.__linliListens.get(type)) || 0) + 1);
    return add.call(this, type, fn, opts);
  };
  EventTarget.prototype.removeEventListener = function (type, fn, opts) {
    if (this instanceof Element && this.__linliListens && this.__linliListens.get(type)) this.__linliListens.set(type, this.__linliListens.get(type) - 1);
    return remove.call(this, type, fn, opts);
  };
  addEventListener('focusin', (e) => { (window.__linliFocused ||= new Set()).add(e.target); }, true);
})()`

// axeRun runs axe for the WCAG 2.1 A and AA rules and gives one line per
// violation: rule, impact, the target selectors (and, for contrast, what
// axe measured).
const axeRun = `axe.run(document, {
  runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  resultTypes: ['violations'],
}).then((r) => r.violations.map((v) => v.id + ' (' + v.impact + '): ' + v.help + '\n      ' +
  v.nodes.map((n) => n.target.join(' ') + ((v.id === 'color-contrast' && n.any[0] && n.any[0].data)
    ? ' [' + n.any[0].data.fgColor + ' on ' + n.any[0].data.bgColor + ': ' + n.any[0].data.contrastRatio + ', needs ' + n.any[0].data.expectedContrastRatio + ']' : '')).join('\n      ')))`

// keyboardStatic lists the controls the keyboard cannot use: a positive
// tabindex (it breaks the reading order), and an element that listens
// for clicks or presses of the pointer but is neither natively focusable
// nor given a role, tabindex ≥ 0 and a key handler.
const keyboardStatic = `(() => {
  const out = [];
  const desc = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '')
    + (el.dataset && el.dataset.cell ? '[data-cell="' + el.dataset.cell + '"]' : '');
  for (const el of document.querySelectorAll('[tabindex]')) if (el.tabIndex > 0) out.push('positive tabindex ' + el.tabIndex + ' on ' + desc(el));
  const native = 'a[href], button, input, select, textarea, summary, [contenteditable="true"]';
  const on = (el, ...types) => types.some((t) => el.__linliListens && el.__linliListens.get(t) > 0);
  for (const el of document.querySelectorAll('*')) {
    if (!on(el, 'click', 'dblclick', 'mousedown', 'mouseup', 'pointerdown', 'pointerup')) continue;
    if (el.matches(native)) continue;
    const problems = [];
    if (!(el.tabIndex >= 0 && el.hasAttribute('tabindex'))) problems.push('not focusable');
    if (!el.getAttribute('role')) problems.push('no role');
    if (!on(el, 'keydown', 'keyup', 'keypress')) problems.push('no key handler');
    if (problems.length) out.push(desc(el) + ' reacts to the pointer but has ' + problems.join(', '));
  }
  return out;
})()`

// keyboardCandidates marks the visible controls Tab should reach and
// says how many there are; the radios of a group count once.
const keyboardCandidates = `(() => {
  const sel = 'a[href], button:not([disabled]), input:not([disabled]):not([type="hidden"]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex^="-"])';
  const seen = new Set();
  window.__linliWant = [...document.querySelectorAll(sel)].filter((el) => {
    if (!el.checkVisibility({visibilityProperty: true}) || el.closest('[inert]')) return false;
    if (el.matches('input[type="radio"]')) {
      if (seen.has(el.name)) return false;
      seen.add(el.name);
    }
    return true;
  });
  // Start from the first (the skip link): Chromium goes on from where
  // focus was last, not from the top, after a blur.
  window.__linliFocused = new Set();
  if (window.__linliWant.length) window.__linliWant[0].focus();
  return window.__linliWant.length;
})()`

const keyboardMissed = `(() => {
  const desc = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\s+/).join('.') : '')
    + (el.getAttribute('href') ? '[href="' + el.getAttribute('href') + '"]' : '') + (el.name ? '[name="' + el.name + '"]' : '')
    + (el.dataset && el.dataset.cell ? '[data-cell="' + el.dataset.cell + '"]' : '');
  const got = window.__linliFocused;
  return window.__linliWant.filter((el) => el.isConnected && !got.has(el)
    && !(el.matches('input[type="radio"]') && [...got].some((g) => g.name === el.name && g.type === 'radio'))).map(desc);
})()`

// mapColours checks what axe does not on the map: each legend swatch
// is outlined at 3:1 against the page (WCAG 1.4.11, non-text contrast),
// and the flag glyph drawn on a cell is at 4.5:1 on every level's fill.
const mapColours = `(() => {
  const out = [];
  const rgb = (s) => s.match(/[\d.]+/g).slice(0, 3).map(Number);
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(rgb(a)), y = lum(rgb(b)); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const legend = document.querySelector('.legend');
  if (!legend) return ['no map legend'];
  const probe = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  probe.innerHTML = '<text class="glyph">×</text>';
  legend.append(probe);
  const glyph = getComputedStyle(probe.firstChild).fill;
  probe.remove();
  const page = getComputedStyle(document.body).backgroundColor;
  for (const r of legend.querySelectorAll('rect.swatch')) {
    const st = getComputedStyle(r);
    if (st.stroke === 'none' || ratio(st.stroke, page) < 3) out.push('legend swatch ' + r.getAttribute('class') + ': outline ' + st.stroke + ' on ' + page + ' is under 3:1');
    if (/\blv-/.test(r.getAttribute('class')) && ratio(st.fill, glyph) < 4.5) out.push('the flag glyph ' + glyph + ' on ' + r.getAttribute('class') + ' ' + st.fill + ': ' + ratio(st.fill, glyph).toFixed(2) + ', under 4.5:1');
  }
  return out;
})()`

// a11yTab opens a tab with the listener probe, at the given width.
func (b *browser) a11yTab(tb testing.TB, width, height int64) context.Context {
	tb.Helper()
	ctx := b.tab(tb)
	do(tb, ctx, "the listener probe and the viewport",
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: listenerProbe})
			return err
		}),
		chromedp.EmulateViewport(width, height))
	return ctx
}

// axeCheck evaluates axe in the page, if it is not there yet, runs it and
// fails the test with each violation, and checks the keyboard.
func (b *browser) axeCheck(tb testing.TB, ctx context.Context, where string, walk bool) {
	tb.Helper()
	src, err := axeSource()
	if err != nil {
		tb.Fatalf("axe-core (testdata/axe/axe.min.js): %v", err)
	}
	if !eval[bool](tb, ctx, `typeof window.axe === 'object'`) {
		runAction(tb, ctx, "inject axe", chromedp.Evaluate[chromedp.Void](src+"\n;0"))
	}
	v := runAction(tb, ctx, "axe on "+where, chromedp.Evaluate[[]string](axeRun, chromedp.EvalAwaitPromise))
	if len(v) > 0 {
		tb.Errorf("%s: axe finds %d WCAG 2.1 A/AA violations:\n    %s", where, len(v), strings.Join(v, "\n    "))
	}
	if k := eval[[]string](tb, ctx, keyboardStatic); len(k) > 0 {
		tb.Errorf("%s: the keyboard cannot use:\n    %s", where, strings.Join(k, "\n    "))
	}
	if !walk {
		return
	}
	n := eval[int](tb, ctx, keyboardCandidates)
	// Twice round: Chromium also stops at scrolling boxes that hold no
	// control, which are not counted.
	tabs := make([]chromedp.Action[chromedp.Void], 2*n+4)
	for i := range tabs {
		tabs[i] = chromedp.KeyEvent("\t")
	}
	do(tb, ctx, "Tab through "+where, tabs...)
	if missed := eval[[]string](tb, ctx, keyboardMissed); len(missed) > 0 {
		tb.Errorf("%s: %d presses of Tab do not reach %d of the %d controls:\n    %s", where, len(tabs), len(missed), n, strings.Join(missed, "\n    "))
	}
}

// audit runs axe and the keyboard checks on the sign-in page and on every
// page the coordinator, a social worker and an enterprise are offered
// (a wish with its timeline, a chosen map cell, a programme's evaluation
// and the rules tester's verdict too), in Chinese and English, at a
// desktop's width and at a phone's.
func (b *browser) audit(t *testing.T, base string, d *consoleDistrict) {
	widths := []struct {
		name          string
		width, height int64
	}{{"desktop", 1280, 900}, {"phone", 390, 844}}
	for _, w := range widths {
		for _, lang := range []string{"zh-CN", "en"} {
			for _, who := range []string{"coordinator", "social_worker", "enterprise"} {
				ctx := b.a11yTab(t, w.width, w.height)
				at := func(page string) string { return fmt.Sprintf("%s, %s, %s, %s", who, lang, w.name, page) }
				if who == "coordinator" {
					do(t, ctx, "open the console", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS("#api-key")))
					if eval[string](t, ctx, "document.documentElement.lang") != lang {
						do(t, ctx, "switch the language", chromedp.Click(chromedp.CSS(".signin .tools button")))
						runAction(t, ctx, "the language switched", chromedp.Poll[bool](fmt.Sprintf("document.documentElement.lang === %q", lang)))
					}
					b.axeCheck(t, ctx, at("sign-in"), true)
				}
				b.signInTab(t, ctx, base, d.keys[who], lang)
				for _, pg := range nav(t, ctx) {
					b.open(t, ctx, pg, "")
					b.axeCheck(t, ctx, at(pg), true)
					switch pg {
					case "wishes":
						id := d.confirmed
						if who == "enterprise" {
							id = eval[string](t, ctx, `(document.querySelector('tr[data-wish]') || {dataset: {}}).dataset.wish || ''`)
						}
						if id == "" {
							t.Errorf("%s: no wish to open", at(pg))
							continue
						}
						b.open(t, ctx, pg, id)
						do(t, ctx, "the wish", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`aside.panel[data-wish=%q]`, id))))
						b.axeCheck(t, ctx, at("wish "+id), true)
					case "map":
						if c := eval[[]string](t, ctx, mapColours); len(c) > 0 {
							t.Errorf("%s: the map's colours:\n    %s", at(pg), strings.Join(c, "\n    "))
						}
						if eval[bool](t, ctx, `!!document.querySelector('g.cell')`) {
							do(t, ctx, "choose a cell by the keyboard", chromedp.Focus(chromedp.CSS(`g.cell`)), chromedp.KeyEvent("\r"),
								chromedp.WaitVisible(chromedp.CSS(`aside.panel[data-cell]`)))
							b.axeCheck(t, ctx, at("map with a cell chosen"), false)
						}
					case "programmes":
						if id := eval[string](t, ctx, `(document.querySelector('tr[data-programme]') || {dataset: {}}).dataset.programme || ''`); id != "" {
							b.open(t, ctx, pg, id)
							do(t, ctx, "the evaluation", chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`aside.panel[data-programme=%q]`, id))))
							b.axeCheck(t, ctx, at("programme "+id), true)
						}
					case "rules":
						do(t, ctx, "test a match", chromedp.Click(chromedp.CSS("#run-test")), chromedp.WaitVisible(chromedp.CSS("#verdict")))
						b.axeCheck(t, ctx, at("rules with a verdict"), false)
					}
				}
			}
		}
	}
}
