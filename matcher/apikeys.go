package matcher

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"
	"sync"
	"time"
)

// keyPrefix starts every API key, so a leaked key is easy to recognise.
const keyPrefix = "lnl_"

// APIKey is a stored key. The key itself is never stored: ID is the SHA-256
// of it, so a leaked database leaks no usable key. Keys are shown by their
// prefix, the first 12 characters.
type APIKey struct {
	ID        string    `json:"-"`
	Version   int       `json:"-"`
	Prefix    string    `json:"prefix"`
	Role      string    `json:"role"`
	SubjectID string    `json:"subject_id,omitempty"`
	CreatedBy Actor     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
	RevokedBy *Actor    `json:"revoked_by,omitempty"`
}

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

// keyIndex holds every API key by hash and by prefix, fed by the log, so
// that authenticating a request reads no store: a guessed key costs a map
// look-up, and a revocation applies on every replica as soon as it
// follows the log.
type keyIndex struct {
	mu       sync.RWMutex
	byHash   map[string]*APIKey
	byPrefix map[string]string
}

func newKeyIndex() *keyIndex {
	return &keyIndex{byHash: map[string]*APIKey{}, byPrefix: map[string]string{}}
}

func (x *keyIndex) put(k *APIKey) {
	x.mu.Lock()
	x.byHash[k.ID] = k
	if k.Prefix != "" {
		x.byPrefix[k.Prefix] = k.ID
	}
	x.mu.Unlock()
}

func (x *keyIndex) get(hash string) (*APIKey, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	k, ok := x.byHash[hash]
	return k, ok
}

func (s *Service) keyByPrefix(prefix string) (*APIKey, bool) {
	s.keys.mu.RLock()
	defer s.keys.mu.RUnlock()
	k, ok := s.keys.byHash[s.keys.byPrefix[prefix]]
	return k, ok
}

// Authenticate returns the principal a key stands for: EUNAUTHORIZED when
// the key is unknown, revoked or expired. It reads memory only.
func (s *Service) Authenticate(_ context.Context, key string) (Principal, error) {
	if !strings.HasPrefix(key, keyPrefix) || len(key) > 100 {
		return Principal{}, Errorf(EUNAUTHORIZED, "the API key is not valid")
	}
	k, ok := s.keys.get(HashKey(key))
	now := s.now()
	switch {
	case !ok || k.Role == "":
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
// non-admin roles must exist: a supplier key names its enterprise,
// organisation or volunteer, a staff key its node.
func (s *Service) CreateAPIKey(ctx context.Context, in APIKeyInput) (*NewAPIKey, error) {
	p, _, err := s.allow(ctx, KeyCreate, "")
	if err != nil {
		return nil, err
	}
	if !slices.Contains(roles, in.Role) {
		return nil, Invalid("role", "must be one of %s", strings.Join(roles, ", "))
	}
	if in.Role != RoleAdmin {
		if err := checkID("subject_id", in.SubjectID, true); err != nil {
			return nil, err
		}
	} else if in.SubjectID != "" {
		return nil, Invalid("subject_id", "an admin key names no subject")
	}
	if !in.ExpiresAt.IsZero() {
		if err := checkTime("expires_at", in.ExpiresAt, s.now(), s.now().AddDate(10, 0, 0), "in the future"); err != nil {
			return nil, err
		}
	}
	kind := in.Role
	if IsStaff(in.Role) {
		kind = objOrganisation
	}
	if _, ok := s.nodeOf(kind, in.SubjectID); in.Role != RoleAdmin && !ok {
		return nil, Invalid("subject_id", "no %s has id %q", kind, in.SubjectID)
	}
	return s.storeKey(ctx, p, newKey(), in)
}

func (s *Service) storeKey(ctx context.Context, p Principal, key string, in APIKeyInput) (*NewAPIKey, error) {
	k := &APIKey{ID: HashKey(key), Version: 1, Prefix: key[:len(keyPrefix)+8], Role: in.Role, SubjectID: in.SubjectID,
		CreatedBy: p.Actor(), CreatedAt: s.timestamp(), ExpiresAt: in.ExpiresAt}
	_, err := s.commit(ctx, p, func() (*Change, error) {
		if _, taken := s.keys.get(k.ID); taken {
			return nil, Errorf(ECONFLICT, "this API key exists already")
		}
		if _, taken := s.keyByPrefix(k.Prefix); taken {
			return nil, Errorf(ECONFLICT, "an API key with this prefix exists already; make another")
		}
		return &Change{Records: []any{k}}, nil
	})
	if err != nil {
		return nil, err
	}
	return &NewAPIKey{Key: key, APIKey: *k}, nil
}

// ListAPIKeys pages through API keys in prefix order: every key for an
// admin, the caller's own key for everyone else. Keys are shown by prefix
// only; neither a key nor its hash is ever listed, not even as a cursor.
func (s *Service) ListAPIKeys(ctx context.Context, req PageRequest) (*Page[APIKey], error) {
	p, _, err := s.allow(ctx, KeyList, "")
	if err != nil {
		return nil, err
	}
	limit, err := s.limit(req)
	if err != nil {
		return nil, err
	}
	s.keys.mu.RLock()
	var mine []*APIKey
	for _, k := range s.keys.byHash {
		if k.Role != "" && (p.Role == RoleAdmin || k.Prefix == p.KeyPrefix) && k.Prefix > req.After {
			c := *k
			mine = append(mine, &c)
		}
	}
	s.keys.mu.RUnlock()
	slices.SortFunc(mine, func(a, b *APIKey) int { return strings.Compare(a.Prefix, b.Prefix) })
	pg := &Page[APIKey]{Items: orEmpty(mine)}
	if len(mine) > limit {
		pg.Items = mine[:limit]
		pg.Next = pg.Items[limit-1].Prefix
	}
	return pg, nil
}

// RevokeAPIKey revokes the key shown as prefix, on every replica once it
// follows the log. An admin may revoke any key, anyone else only the key
// they use; another's key is not found.
func (s *Service) RevokeAPIKey(ctx context.Context, prefix string) (*APIKey, error) {
	p, _, err := s.allow(ctx, KeyRevoke, prefix)
	if err != nil {
		return nil, err
	}
	var out *APIKey
	_, err = s.commit(ctx, p, func() (*Change, error) {
		cur, ok := s.keyByPrefix(prefix)
		if !ok {
			return nil, notFound()
		}
		k := *cur
		out = &k
		if !k.RevokedAt.IsZero() {
			return nil, nil
		}
		by := p.Actor()
		k.Version++
		k.RevokedAt, k.RevokedBy = s.timestamp(), &by
		return &Change{Records: []any{&k}}, nil
	})
	return out, err
}

// bootstrapID marks that the first admin key was made.
const bootstrapID = "bootstrap"

// Bootstrap makes sure an admin can reach the service. With a key given
// (LINLI_ADMIN_KEY), that key is stored as an admin key if it is not yet.
// Without one, on the very first start only, it generates a key and returns
// it, to be shown once; on later starts it returns "". Decided on the whole
// log, so two replicas starting together make one.
func (s *Service) Bootstrap(ctx context.Context, adminKey string) (generated string, err error) {
	boot := Principal{Role: "system", SubjectID: "bootstrap"}
	if adminKey != "" {
		if !strings.HasPrefix(adminKey, keyPrefix) || len(adminKey) < len(keyPrefix)+16 {
			return "", Invalid("LINLI_ADMIN_KEY", "must start with %q and have at least 16 more characters", keyPrefix)
		}
		if _, ok := s.keys.get(HashKey(adminKey)); ok {
			return "", nil
		}
		_, err := s.storeKey(ctx, boot, adminKey, APIKeyInput{Role: RoleAdmin})
		if ErrorCode(err) == ECONFLICT {
			err = nil
		}
		return "", err
	}
	key := newKey()
	k := &APIKey{ID: HashKey(key), Version: 1, Prefix: key[:len(keyPrefix)+8], Role: RoleAdmin,
		CreatedBy: boot.Actor(), CreatedAt: s.timestamp()}
	c, err := s.commit(ctx, boot, func() (*Change, error) {
		if _, done := s.keys.get(bootstrapID); done {
			return nil, nil
		}
		marker := &APIKey{ID: bootstrapID, Version: 1, CreatedAt: k.CreatedAt}
		return &Change{Records: []any{marker, k}}, nil
	})
	if err != nil || c == nil {
		return "", err
	}
	return key, nil
}

// GetAPIKey returns the key shown as prefix to an admin or its holder. It
// answers the replay of a revoke (there is no route to read one key), so
// it is decided as the revoke was.
func (s *Service) GetAPIKey(ctx context.Context, prefix string) (*APIKey, error) {
	if _, _, err := s.allow(ctx, KeyRevoke, prefix); err != nil {
		return nil, err
	}
	k, ok := s.keyByPrefix(prefix)
	if !ok {
		return nil, notFound()
	}
	c := *k
	return &c, nil
}
