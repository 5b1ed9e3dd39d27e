package transport

import (
	"context"
	"net/http"
)

// health is what /healthz and /readyz answer: counts only, never a rule's
// text, a file path or an error that may hold residents' data. Details go
// to the log and, for staff, to GET /v1/rules.
type health struct {
	Status  string       `json:"status"`
	Version string       `json:"version,omitempty"`
	Reason  string       `json:"reason,omitempty"`
	Rules   *rulesHealth `json:"rules,omitempty"`
}

type rulesHealth struct {
	Rules          int    `json:"rules"`
	Version        uint64 `json:"version"`
	ReloadFailures uint64 `json:"reload_failures"`
	ReloadFailing  bool   `json:"reload_failing"`
	EvalErrors     uint64 `json:"eval_errors"`
}

func (h *handler) healthz(context.Context, any) (any, error) {
	return response{v: health{Status: "ok", Version: h.opts.Version}, status: http.StatusOK}, nil
}

func (h *handler) readyz(ctx context.Context, _ any) (any, error) {
	hl := health{Status: "ready", Version: h.opts.Version}
	status := http.StatusOK
	if h.top.draining.Load() {
		hl.Status, hl.Reason, status = "unavailable", "shutting down", http.StatusServiceUnavailable
	} else if err := h.svc.Ready(ctx); err != nil {
		hl.Status, hl.Reason, status = "unavailable", err.Error(), http.StatusServiceUnavailable
	}
	if e := h.svc.Rules(); e != nil {
		st := e.Status()
		hl.Rules = &rulesHealth{Rules: st.Rules, Version: st.Version, ReloadFailures: st.Failures,
			ReloadFailing: st.LastError != "", EvalErrors: st.EvalErrors}
	}
	return response{v: hl, status: status}, nil
}
