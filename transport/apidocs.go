package transport

import (
	"embed"
	"net/http"
)

// apiDocs is the human-readable API reference: Redoc (vendored, see
// apidocs/README.md) rendering /openapi.json, served at /docs with nothing
// fetched from elsewhere.
//
//go:embed apidocs/index.html apidocs/redoc.standalone.js
var apiDocs embed.FS

func (h *handler) serveDocs() {
	page, _ := apiDocs.ReadFile("apidocs/index.html")
	script, _ := apiDocs.ReadFile("apidocs/redoc.standalone.js")
	h.mux.HandleFunc("GET /docs", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; worker-src 'self' blob:; script-src 'self' blob:")
		_, _ = w.Write(page)
	})
	h.mux.HandleFunc("GET /docs/redoc.standalone.js", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
		w.Header().Set("Cache-Control", "public, max-age=86400")
		_, _ = w.Write(script)
	})
}
