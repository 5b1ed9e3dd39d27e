package mongo

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// DataKeySize is the length of a data key in bytes: AES-256.
const DataKeySize = 32

// sealedPrefix starts every sealed value, so a reader can tell ciphertext
// from clear text left by an older version: "enc1:<key id>:<base64>".
const sealedPrefix = "enc1:"

// Cipher seals residents' personal data with AES-256-GCM before it is
// stored. It seals with its current key and opens with the current key or
// any older one it was given, so data keys can be rotated: every sealed
// value names the key that sealed it.
type Cipher struct {
	current string
	aeads   map[string]cipher.AEAD
}

// ParseDataKey decodes a data key written in standard or URL base64.
func ParseDataKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil {
			if len(b) != DataKeySize {
				return nil, fmt.Errorf("data key: %d bytes, want %d", len(b), DataKeySize)
			}
			return b, nil
		}
	}
	return nil, errors.New("data key: not base64")
}

// NewDataKey returns a fresh random data key in standard base64.
func NewDataKey() string {
	b := make([]byte, DataKeySize)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return base64.StdEncoding.EncodeToString(b)
}

// DataKeyID returns the short, stable id of a key that sealed values carry.
// It is derived from the key with SHA-256, so it reveals nothing of it.
func DataKeyID(key []byte) string {
	sum := sha256.Sum256(append([]byte("linli data key id\x00"), key...))
	return hex.EncodeToString(sum[:4])
}

// NewCipher returns a Cipher sealing with current and opening with current
// and every key in old.
func NewCipher(current []byte, old ...[]byte) (*Cipher, error) {
	c := &Cipher{aeads: make(map[string]cipher.AEAD)}
	for i, k := range append([][]byte{current}, old...) {
		if len(k) != DataKeySize {
			return nil, fmt.Errorf("data key %d: %d bytes, want %d", i, len(k), DataKeySize)
		}
		block, err := aes.NewCipher(k)
		if err != nil {
			return nil, fmt.Errorf("data key %d: %w", i, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, fmt.Errorf("data key %d: %w", i, err)
		}
		id := DataKeyID(k)
		if i == 0 {
			c.current = id
		}
		c.aeads[id] = aead
	}
	return c, nil
}

// KeyID returns the id of the key the Cipher seals with.
func (c *Cipher) KeyID() string { return c.current }

// seal encrypts v's JSON. The associated data binds the ciphertext to its
// document and field, so a sealed value copied into another document does
// not open there.
func (c *Cipher) seal(v any, ad string) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	aead := c.aeads[c.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plain)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", fmt.Errorf("seal: %w", err)
	}
	out := aead.Seal(nonce, nonce, plain, []byte(ad))
	return sealedPrefix + c.current + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// open decrypts a value sealed by seal into v.
func (c *Cipher) open(s string, ad string, v any) error {
	rest, ok := strings.CutPrefix(s, sealedPrefix)
	if !ok {
		return errors.New("open: not a sealed value")
	}
	id, b64, ok := strings.Cut(rest, ":")
	if !ok {
		return errors.New("open: malformed sealed value")
	}
	aead, ok := c.aeads[id]
	if !ok {
		return fmt.Errorf("open: sealed with data key %s, which is neither data_key nor in data_keys_old", id)
	}
	raw, err := base64.RawStdEncoding.DecodeString(b64)
	if err != nil || len(raw) < aead.NonceSize() {
		return errors.New("open: malformed sealed value")
	}
	plain, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], []byte(ad))
	if err != nil {
		return fmt.Errorf("open: with data key %s: %w", id, err)
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return fmt.Errorf("open: %w", err)
	}
	return nil
}

// sealedKeyID returns the id of the key that sealed s, or "" when s is not
// sealed.
func sealedKeyID(s string) string {
	rest, ok := strings.CutPrefix(s, sealedPrefix)
	if !ok {
		return ""
	}
	id, _, _ := strings.Cut(rest, ":")
	return id
}
