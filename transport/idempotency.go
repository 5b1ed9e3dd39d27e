package transport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/linli/linli/matcher"
)

// idempotent honours the Idempotency-Key header of a POST: the first
// request with a key runs, and any repeat of it by the same caller gets the
// first response again (with Idempotent-Replayed: true) and changes
// nothing; a repeat with another body is refused with 422.
func (h *handler) idempotent(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, h.opts.MaxBody))
		if err != nil {
			errorEncoder(r.Context(), matcher.Invalid("body", "could not be read or is larger than %d bytes", h.opts.MaxBody), w)
			return
		}
		sum := sha256.New()
		io.WriteString(sum, r.Method+" "+r.URL.Path+"\n")
		sum.Write(body)
		resp, replayed, err := h.svc.Idempotent(r.Context(), key, hex.EncodeToString(sum.Sum(nil)), func() *matcher.Response {
			r.Body = io.NopCloser(bytes.NewReader(body))
			rec := &recorder{header: http.Header{}, status: http.StatusOK}
			next.ServeHTTP(rec, r)
			return &matcher.Response{Status: rec.status, ContentType: rec.header.Get("Content-Type"), Body: rec.body.Bytes()}
		})
		if err != nil {
			errorEncoder(r.Context(), err, w)
			return
		}
		w.Header().Set("Content-Type", resp.ContentType)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-store")
		if replayed {
			w.Header().Set("Idempotent-Replayed", "true")
		}
		w.WriteHeader(resp.Status)
		_, _ = w.Write(resp.Body)
	})
}

// recorder keeps a response in memory, to be stored and then sent.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }
