package transport

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"

	"github.com/linli/linli/matcher"
)

// idempotent honours the Idempotency-Key header of a POST. The key and a
// hash of the request travel in the context to the change the request
// makes, which records them: a repeat of the request by the same caller
// is answered with what the first made, read again now (with
// Idempotent-Replayed: true), and changes nothing; a repeat with another
// body is refused with 422. A request that made no change (it was
// refused) is simply run again.
func (h *handler) idempotent(rt *route, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		if key == "" {
			next.ServeHTTP(w, r)
			return
		}
		if err := matcher.CheckIdempotencyKey(key); err != nil {
			errorEncoder(r.Context(), err, w)
			return
		}
		read, max := readBody, h.opts.MaxBody
		if rt.form != nil {
			read, max = readForm, h.opts.MaxImport
		}
		body, err := read(r, max)
		if err != nil {
			errorEncoder(r.Context(), err, w)
			return
		}
		sum := sha256.New()
		io.WriteString(sum, r.Method+" "+r.URL.Path+"\n")
		sum.Write(body)
		ctx := matcher.WithIdempotency(r.Context(), matcher.IdempotentRequest{Key: key, Hash: hex.EncodeToString(sum.Sum(nil))})
		rec, done, err := h.svc.Replay(ctx)
		switch {
		case err != nil:
			errorEncoder(r.Context(), err, w)
			return
		case done && rt.replay != nil:
			_ = encodeResponse(r.Context(), w, h.replayResponse(r.Context(), rt, rec))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}
