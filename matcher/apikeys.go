package matcher

import (
	"context"
	"slices"
	"strings"
)

// ownsKey reports whether k is p's own: same role and subject. Keys of a
// subject's other roles (a community's coordinator and social worker keys)
// are not each other's.
func ownsKey(p Principal, k *APIKey) bool {
	return k.Role == p.Role && k.SubjectID == p.SubjectID
}

// maxKeysListed bounds the keys one list reads; a district has far fewer.
const maxKeysListed = 10_000

// ListAPIKeys pages through API keys in prefix order: every key for an
// admin, the caller's own keys for everyone else. Keys are shown by prefix
// only; neither a key nor its hash is ever listed, not even as a cursor.
func (s *Service) ListAPIKeys(ctx context.Context, req PageRequest) (*Page[APIKey], error) {
	p, err := authorize(ctx, roles...)
	if err != nil {
		return nil, err
	}
	opts, err := s.listOptions(req, tenantOf(p))
	if err != nil {
		return nil, err
	}
	all, err := s.store.Keys().List(ctx, ListOptions{Limit: maxKeysListed, TenantID: opts.TenantID})
	if err != nil {
		return nil, err
	}
	var mine []*APIKey
	for _, k := range all {
		// Role "" is the bootstrap marker, not a key.
		if k.Role != "" && (p.Role == RoleAdmin || ownsKey(p, k)) && k.Prefix > opts.After {
			c := *k
			c.ID = ""
			mine = append(mine, &c)
		}
	}
	slices.SortFunc(mine, func(a, b *APIKey) int { return strings.Compare(a.Prefix, b.Prefix) })
	page := &Page[APIKey]{Items: mine}
	if len(mine) > opts.Limit {
		page.Items = mine[:opts.Limit]
		page.Next = page.Items[opts.Limit-1].Prefix
	}
	return page, nil
}

// RevokeAPIKey revokes the key shown as prefix, at once on this replica and
// within the key cache's TTL (10s) on the others. An admin may revoke any
// key, anyone else only their own; another's key is not found.
func (s *Service) RevokeAPIKey(ctx context.Context, prefix string) (*APIKey, error) {
	p, err := authorize(ctx, roles...)
	if err != nil {
		return nil, err
	}
	if !strings.HasPrefix(prefix, keyPrefix) || len(prefix) != len(keyPrefix)+8 {
		return nil, Errorf(ENOTFOUND, "no API key has prefix %q", prefix)
	}
	ps, err := s.privacyStore()
	if err != nil {
		return nil, err
	}
	k, err := ps.KeyByPrefix(ctx, prefix)
	if err != nil {
		return nil, err
	}
	if p.Role != RoleAdmin && !ownsKey(p, k) {
		return nil, Errorf(ENOTFOUND, "no API key has prefix %q", prefix)
	}
	if k.RevokedAt.IsZero() {
		k.RevokedAt = s.now().UTC()
		if err := s.store.Keys().Replace(ctx, k); err != nil {
			return nil, err
		}
	}
	s.keys.forget(k.ID)
	c := *k
	c.ID = ""
	return &c, nil
}
