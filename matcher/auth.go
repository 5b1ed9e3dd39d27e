package matcher

import (
	"context"
	"time"
)

// Roles.
const (
	RoleAdmin        = "admin"
	RoleCoordinator  = "coordinator"
	RoleSocialWorker = "social_worker"
	RoleEnterprise   = "enterprise"
	RoleOrganisation = "organisation"
	RoleVolunteer    = "volunteer"
)

// Roles lists every role.
var roles = []string{RoleAdmin, RoleCoordinator, RoleSocialWorker, RoleEnterprise, RoleOrganisation, RoleVolunteer}

// IsStaff reports whether role is district staff, who may see residents'
// exact data.
func IsStaff(role string) bool {
	return role == RoleAdmin || role == RoleCoordinator || role == RoleSocialWorker
}

// APIKey is a stored key. The key itself is never stored: ID is the SHA-256
// of it, so a leaked database leaks no usable key.
type APIKey struct {
	ID        string    `json:"-"`
	Prefix    string    `json:"prefix"`
	Role      string    `json:"role"`
	SubjectID string    `json:"subject_id,omitempty"`
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
	RevokedAt time.Time `json:"revoked_at,omitzero"`
}

// Principal is the authenticated caller of a request.
type Principal struct {
	KeyPrefix string
	Role      string
	SubjectID string
}

// Party returns the principal as an actor in events.
func (p Principal) Party() Party { return Party{Kind: p.Role, ID: p.SubjectID} }

type principalKey struct{}

// WithPrincipal returns ctx carrying p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// PrincipalFrom returns the caller carried by ctx.
func PrincipalFrom(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// authorize returns the caller when their role is one of allowed: EUNAUTHORIZED
// when there is no caller, EFORBIDDEN when the role may not do this.
func authorize(ctx context.Context, allowed ...string) (Principal, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return p, Errorf(EUNAUTHORIZED, "an API key is required")
	}
	if contains(allowed, p.Role) {
		return p, nil
	}
	return p, Errorf(EFORBIDDEN, "role %s may not do this", p.Role)
}
