package matcher

import "context"

// Roles.
const (
	RoleAdmin        = "admin"
	RoleCoordinator  = "coordinator"
	RoleSocialWorker = "social_worker"
	RoleEnterprise   = "enterprise"
	RoleOrganisation = "organisation"
	RoleVolunteer    = "volunteer"
)

// roles lists every role.
var roles = []string{RoleAdmin, RoleCoordinator, RoleSocialWorker, RoleEnterprise, RoleOrganisation, RoleVolunteer}

// Roles returns every role, for tests and documentation.
func Roles() []string { return append([]string(nil), roles...) }

// IsStaff reports whether role is district staff, who may see residents'
// data within their scope.
func IsStaff(role string) bool {
	return role == RoleAdmin || role == RoleCoordinator || role == RoleSocialWorker
}

// isSupplier reports whether role is one that serves wishes.
func isSupplier(role string) bool {
	return role == RoleEnterprise || role == RoleOrganisation || role == RoleVolunteer
}

// Party names who serves a wish or owns something: a kind (a supplier
// role, or "resource") and an id. Two parties are the same when both are.
type Party struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
}

// Actor is who did something: a role and subject, and the prefix of the
// API key used, so that every action is traced to a key holder.
type Actor struct {
	Kind string `json:"kind"`
	ID   string `json:"id"`
	Key  string `json:"key,omitempty"`
}

// Party returns the actor's party, without the key.
func (a Actor) Party() Party { return Party{Kind: a.Kind, ID: a.ID} }

// System is the actor of changes nobody asked for, such as expiry.
var System = Actor{Kind: "system", ID: "linli"}

// Principal is the authenticated caller of a request.
type Principal struct {
	KeyPrefix string
	Role      string
	SubjectID string
}

// Party returns the principal as a party: who they serve as.
func (p Principal) Party() Party { return Party{Kind: p.Role, ID: p.SubjectID} }

// Actor returns the principal as the actor of what they do.
func (p Principal) Actor() Actor { return Actor{Kind: p.Role, ID: p.SubjectID, Key: p.KeyPrefix} }

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
