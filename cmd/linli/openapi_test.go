package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
)

// exchanges records every request the tests make through
// http.DefaultTransport and the response each got, so that TestMain can
// check every response against /openapi.json once the tests ran: the
// document must describe exactly what the service answers.
var exchanges struct {
	mu   sync.Mutex
	list []exchange
	doc  []byte // the last /openapi.json served
}

type exchange struct {
	method, url string
	reqHeader   http.Header
	reqBody     []byte
	status      int
	header      http.Header
	body        []byte
}

// recording is an http.RoundTripper that records exchanges.
type recording struct{ next http.RoundTripper }

func (rt recording) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		reqBody, _ = io.ReadAll(req.Body)
		req.Body = io.NopCloser(bytes.NewReader(reqBody))
	}
	resp, err := rt.next.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return resp, nil
	}
	exchanges.mu.Lock()
	defer exchanges.mu.Unlock()
	if req.URL.Path == "/openapi.json" && resp.StatusCode == http.StatusOK {
		exchanges.doc = body
	}
	exchanges.list = append(exchanges.list, exchange{method: req.Method, url: req.URL.String(), reqHeader: req.Header.Clone(),
		reqBody: reqBody, status: resp.StatusCode, header: resp.Header.Clone(), body: body})
	return resp, nil
}

// validateExchanges checks every recorded response against the document
// and returns the problems found, one line each, and how many responses
// it checked.
func validateExchanges() (problems []string, checked int) {
	exchanges.mu.Lock()
	defer exchanges.mu.Unlock()
	if exchanges.doc == nil {
		return nil, 0
	}
	doc, err := libopenapi.NewDocument(exchanges.doc)
	if err != nil {
		return []string{"the document does not parse: " + err.Error()}, 0
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		return []string{fmt.Sprintf("the document does not make a validator: %v", errs)}, 0
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			problems = append(problems, "the document itself: "+e.Error())
		}
	}
	seen := map[string]int{}
	for _, x := range exchanges.list {
		path := x.url[strings.Index(x.url[len("http://"):], "/")+len("http://"):]
		if i := strings.IndexByte(path, '?'); i >= 0 {
			path = path[:i]
		}
		switch {
		case strings.HasPrefix(path, "/debug/"):
			continue
		case x.status == http.StatusMethodNotAllowed:
			continue // a method the path does not take: no operation to check it against
		case x.status == http.StatusNotFound && strings.Contains(string(x.body), "no route"):
			continue // not a route
		case !strings.HasPrefix(path, "/v1/") && path != "/healthz" && path != "/readyz" && path != "/metrics" && path != "/openapi.json":
			continue // the console's files
		}
		req, _ := http.NewRequest(x.method, x.url, bytes.NewReader(x.reqBody))
		req.Header = x.reqHeader
		resp := &http.Response{StatusCode: x.status, Header: x.header, Body: io.NopCloser(bytes.NewReader(x.body)), Request: req}
		checked++
		if ok, verrs := v.ValidateHttpResponse(req, resp); !ok {
			for _, e := range verrs {
				key := fmt.Sprintf("%s %s → %d: %s", x.method, templatePath(path), x.status, e.Message)
				if e.Reason != "" {
					key += " (" + e.Reason + ")"
				}
				if seen[key]++; seen[key] == 1 {
					problems = append(problems, key+"\n    body: "+truncate(string(x.body), 300))
				}
			}
		}
	}
	sort.Strings(problems)
	return problems, checked
}

// templatePath replaces ids in a path by placeholders, to group problems.
func templatePath(p string) string {
	parts := strings.Split(p, "/")
	for i, s := range parts {
		if strings.Contains(s, "_") && len(s) > 20 || strings.HasPrefix(s, "lnl_") {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// checkAgainstTheDocument runs after the tests: it fails the run when a
// response did not match /openapi.json.
func checkAgainstTheDocument(code int) int {
	problems, checked := validateExchanges()
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "%d responses of %d do not match /openapi.json:\n  %s\n", len(problems), checked, strings.Join(problems, "\n  "))
		return 1
	}
	if checked > 0 {
		fmt.Fprintf(os.Stderr, "all %d responses the tests received match /openapi.json\n", checked)
	}
	return code
}
