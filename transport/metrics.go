package transport

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the service's Prometheus metrics, on a registry of its own
// (no global state), served at GET /metrics. They hold counts and
// durations only, never personal data.
type metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newMetrics(svc Service) *metrics {
	m := &metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "linli_http_requests_total",
			Help: "HTTP requests by route and status code.",
		}, []string{"route", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "linli_http_request_seconds",
			Help:    "HTTP request durations by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 10},
		}, []string{"route"}),
	}
	m.reg.MustRegister(m.requests, m.duration,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if e := svc.Rules(); e != nil {
		m.reg.MustRegister(
			prometheus.NewCounterFunc(prometheus.CounterOpts{
				Name: "linli_rules_reload_failures_total",
				Help: "Rules reloads that failed to compile and kept the last good set.",
			}, func() float64 { return float64(e.Status().Failures) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "linli_rules_loaded",
				Help: "Rules in the set that is serving.",
			}, func() float64 { return float64(e.Status().Rules) }),
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{
				Name: "linli_rules_reload_failing",
				Help: "1 while the newest rules files fail to compile and an older set serves.",
			}, func() float64 {
				if e.Status().LastError != "" {
					return 1
				}
				return 0
			}),
		)
	}
	return m
}

// instrument counts and times the requests of one route.
func (m *metrics) instrument(route string, next http.Handler) http.Handler {
	count := m.requests.MustCurryWith(prometheus.Labels{"route": route})
	hist := m.duration.WithLabelValues(route)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		hist.Observe(time.Since(start).Seconds())
		count.WithLabelValues(strconv.Itoa(sw.status)).Inc()
	})
}

func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}
