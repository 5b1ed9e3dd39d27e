package matcher

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"time"
)

// crockford is the alphabet of ids: no I, L, O or U, so ids read aloud well.
const crockford = "0123456789abcdefghjkmnpqrstvwxyz"

// NewID returns a new identifier such as "vol_01jd8x...": a prefix naming the
// kind of thing, then 48 bits of milliseconds and 80 random bits in base32,
// so ids sort by creation time and list cursors can be plain ids.
func NewID(prefix string) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(time.Now().UnixMilli())<<16)
	if _, err := rand.Read(b[6:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	var sb strings.Builder
	sb.Grow(len(prefix) + 1 + 26)
	sb.WriteString(prefix)
	sb.WriteByte('_')
	// 128 bits → 26 base32 digits, most significant first.
	hi, lo := binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:])
	for i := 25; i >= 0; i-- {
		shift := uint(i * 5)
		var v uint64
		switch {
		case shift >= 64:
			v = hi >> (shift - 64)
		case shift > 59:
			v = lo>>shift | hi<<(64-shift)
		default:
			v = lo >> shift
		}
		sb.WriteByte(crockford[v&31])
	}
	return sb.String()
}
