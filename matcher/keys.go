package matcher

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"
)

// keyPrefix starts every API key, so a leaked key is easy to recognise.
const keyPrefix = "lnl_"

// keyCacheTTL bounds how long a revoked key may still work on a replica
// that did not revoke it.
const keyCacheTTL = 10 * time.Second

// HashKey returns the stored id of an API key.
func HashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func newKey() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return keyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// keyCache remembers recent key look-ups, so authenticating a request costs
// a store read only once per key per TTL.
type keyCache struct {
	repo Repo[APIKey]
	now  func() time.Time
	mu   sync.Mutex
	m    map[string]cachedKey
}

type cachedKey struct {
	key     *APIKey
	fetched time.Time
}

func newKeyCache(repo Repo[APIKey], now func() time.Time) *keyCache {
	return &keyCache{repo: repo, now: now, m: make(map[string]cachedKey)}
}

func (c *keyCache) get(ctx context.Context, hash string) (*APIKey, error) {
	now := c.now()
	c.mu.Lock()
	ck, ok := c.m[hash]
	c.mu.Unlock()
	if ok && now.Sub(ck.fetched) < keyCacheTTL {
		return ck.key, nil
	}
	k, err := c.repo.Get(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		k, err = nil, nil // remember misses too, so guessing costs no reads
	}
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.m) > 100_000 {
		clear(c.m)
	}
	c.m[hash] = cachedKey{key: k, fetched: now}
	c.mu.Unlock()
	return k, nil
}

func (c *keyCache) forget(hash string) {
	c.mu.Lock()
	delete(c.m, hash)
	c.mu.Unlock()
}

// Authenticate returns the principal a key stands for: EUNAUTHORIZED when
// the key is unknown, revoked or expired.
func (s *Service) Authenticate(ctx context.Context, key string) (Principal, error) {
	if !strings.HasPrefix(key, keyPrefix) || len(key) > 100 {
		return Principal{}, Errorf(EUNAUTHORIZED, "the API key is not valid")
	}
	k, err := s.keys.get(ctx, HashKey(key))
	if err != nil {
		return Principal{}, err
	}
	now := s.now()
	switch {
	case k == nil:
		return Principal{}, Errorf(EUNAUTHORIZED, "the API key is not valid")
	case !k.RevokedAt.IsZero() && !now.Before(k.RevokedAt):
		return Principal{}, Errorf(EUNAUTHORIZED, "the API key was revoked")
	case !k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt):
		return Principal{}, Errorf(EUNAUTHORIZED, "the API key has expired")
	}
	return Principal{KeyPrefix: k.Prefix, Role: k.Role, SubjectID: k.SubjectID}, nil
}

// APIKeyInput is what an admin sends to create a key.
type APIKeyInput struct {
	Role      string    `json:"role"`
	SubjectID string    `json:"subject_id"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

// NewAPIKey is a created key: the only time the key itself is shown.
type NewAPIKey struct {
	Key string `json:"key"`
	APIKey
}

// CreateAPIKey makes a key for a role and subject. Admin only. Subjects of
// non-admin roles must exist: an enterprise key names an enterprise, staff
// keys name their organisation or community.
func (s *Service) CreateAPIKey(ctx context.Context, in APIKeyInput) (*NewAPIKey, error) {
	p, err := authorize(ctx, RoleAdmin)
	if err != nil {
		return nil, err
	}
	if !contains(roles, in.Role) {
		return nil, Invalid("role", "must be one of %s", strings.Join(roles, ", "))
	}
	if err := checkText("subject_id", in.SubjectID, 64, in.Role != RoleAdmin); err != nil {
		return nil, err
	}
	if !in.ExpiresAt.IsZero() && !in.ExpiresAt.After(s.now()) {
		return nil, Invalid("expires_at", "must be in the future")
	}
	if err := s.checkSubject(ctx, in.Role, in.SubjectID); err != nil {
		return nil, err
	}
	return s.storeKey(ctx, newKey(), in, p.KeyPrefix)
}

func (s *Service) checkSubject(ctx context.Context, role, id string) error {
	var err error
	switch role {
	case RoleEnterprise:
		_, err = s.store.Enterprises().Get(ctx, id)
	case RoleOrganisation, RoleCoordinator, RoleSocialWorker:
		_, err = s.store.Organisations().Get(ctx, id)
	case RoleVolunteer:
		_, err = s.store.Volunteers().Get(ctx, id)
	}
	if ErrorCode(err) == ENOTFOUND {
		return Invalid("subject_id", "no %s subject has id %q", role, id)
	}
	return err
}

func (s *Service) storeKey(ctx context.Context, key string, in APIKeyInput, createdBy string) (*NewAPIKey, error) {
	k := APIKey{
		ID:        HashKey(key),
		Prefix:    key[:len(keyPrefix)+8],
		Role:      in.Role,
		SubjectID: in.SubjectID,
		CreatedBy: createdBy,
		CreatedAt: s.timestamp(),
		ExpiresAt: in.ExpiresAt,
	}
	if err := s.store.Keys().Create(ctx, &k); err != nil {
		return nil, err
	}
	s.keys.forget(k.ID)
	return &NewAPIKey{Key: key, APIKey: k}, nil
}

// bootstrapID marks that the first admin key was made; its unique id makes
// sure two replicas starting together make only one.
const bootstrapID = "bootstrap"

// Bootstrap makes sure an admin can reach the service. With a key given
// (LINLI_ADMIN_KEY), that key is stored as an admin key if it is not yet.
// Without one, on the very first start only, it generates a key and returns
// it, to be shown once; on later starts it returns "".
func (s *Service) Bootstrap(ctx context.Context, adminKey string) (generated string, err error) {
	admin := APIKeyInput{Role: RoleAdmin}
	if adminKey != "" {
		if !strings.HasPrefix(adminKey, keyPrefix) || len(adminKey) < len(keyPrefix)+16 {
			return "", Invalid("LINLI_ADMIN_KEY", "must start with %q and have at least 16 more characters", keyPrefix)
		}
		if _, err := s.storeKey(ctx, adminKey, admin, "bootstrap"); err != nil && ErrorCode(err) != ECONFLICT {
			return "", err
		}
		return "", nil
	}
	marker := APIKey{ID: bootstrapID, Role: "", CreatedAt: s.timestamp()}
	if err := s.store.Keys().Create(ctx, &marker); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return "", nil
		}
		return "", err
	}
	k, err := s.storeKey(ctx, newKey(), admin, "bootstrap")
	if err != nil {
		return "", errors.Join(err, s.store.Keys().Delete(ctx, bootstrapID))
	}
	return k.Key, nil
}
