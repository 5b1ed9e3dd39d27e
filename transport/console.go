package transport

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"

	"github.com/linli/linli/matcher"
)

// consoleFiles are the web console's (see console/VENDORED.md for the
// library it carries): index.html at /, everything else under /console/,
// all from the binary, nothing fetched from elsewhere.
//
//go:embed console
var consoleFiles embed.FS

// consolePolicy lets the console load and call this server only: no
// inline script or style, no other origin, no framing.
const consolePolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
	"connect-src 'self'; font-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

func (h *handler) serveConsole() {
	root, _ := fs.Sub(consoleFiles, "console")
	index, _ := fs.ReadFile(root, "index.html")
	files := http.StripPrefix("/console/", http.FileServerFS(root))
	h.mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Header().Set("Content-Security-Policy", consolePolicy)
		_, _ = w.Write(index)
	})
	h.mux.HandleFunc("GET /console/", func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/console/")
		if st, err := fs.Stat(root, name); name == "" || name == "index.html" || err != nil || st.IsDir() {
			// No listing of folders; / serves the page.
			errorEncoder(r.Context(), matcher.Errorf(matcher.ENOTFOUND, "no file %s", r.URL.Path), w)
			return
		}
		w.Header().Set("Content-Security-Policy", consolePolicy)
		files.ServeHTTP(w, r)
	})
}
