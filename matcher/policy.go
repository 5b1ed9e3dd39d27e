package matcher

import (
	"context"
	"maps"
	"slices"
)

// Action names one thing a caller may ask of the service. Every route of
// the API does exactly one action, and whether the caller may do it is
// decided in one place, Service.allow, from the table policies.
type Action string

// Actions.
const (
	KeyCreate Action = "api_key.create"
	KeyList   Action = "api_key.list"
	KeyRevoke Action = "api_key.revoke"

	VolunteerCreate Action = "volunteer.create"
	VolunteerList   Action = "volunteer.list"
	VolunteerRead   Action = "volunteer.read"
	VolunteerUpdate Action = "volunteer.update"
	VolunteerHours  Action = "volunteer.hours"

	OrganisationCreate  Action = "organisation.create"
	OrganisationList    Action = "organisation.list"
	OrganisationRead    Action = "organisation.read"
	OrganisationUpdate  Action = "organisation.update"
	OrganisationRatings Action = "organisation.ratings"

	EnterpriseCreate  Action = "enterprise.create"
	EnterpriseList    Action = "enterprise.list"
	EnterpriseRead    Action = "enterprise.read"
	EnterpriseUpdate  Action = "enterprise.update"
	EnterpriseRatings Action = "enterprise.ratings"

	ResourceCreate Action = "resource.create"
	ResourceList   Action = "resource.list"
	ResourceRead   Action = "resource.read"
	ResourceUpdate Action = "resource.update"

	ResidentCreate   Action = "resident.create"
	ResidentList     Action = "resident.list"
	ResidentRead     Action = "resident.read"
	ResidentUpdate   Action = "resident.update"
	ResidentWithdraw Action = "resident.withdraw_consent"

	WishCreate     Action = "wish.create"
	WishList       Action = "wish.list"
	WishRead       Action = "wish.read"
	WishUpdate     Action = "wish.update"
	WishCandidates Action = "wish.candidates"
	WishClaim      Action = "wish.claim"
	WishWithdraw   Action = "wish.withdraw_claim"
	WishReassign   Action = "wish.reassign"
	WishFulfil     Action = "wish.fulfil"
	WishConfirm    Action = "wish.confirm"
	WishCancel     Action = "wish.cancel"
	WishEvents     Action = "wish.events"
	WishAddress    Action = "wish.address"

	RulesStatus Action = "rules.status"

	MatchStart   Action = "match_run.start"
	MatchList    Action = "match_run.list"
	MatchRead    Action = "match_run.read"
	MatchApprove Action = "match_run.approve"

	ProgrammeCreate     Action = "programme.create"
	ProgrammeList       Action = "programme.list"
	ProgrammeRead       Action = "programme.read"
	ProgrammeUpdate     Action = "programme.update"
	ProgrammeEvaluation Action = "programme.evaluation"
	ProviderEvaluation  Action = "provider.evaluation"
	CoverageRead        Action = "coverage.read"
	DemandRead          Action = "demand.read"

	OfferList    Action = "offer.list"
	OfferRead    Action = "offer.read"
	OfferAccept  Action = "offer.accept"
	OfferDecline Action = "offer.decline"

	ImportCreate Action = "import.create"
	ImportList   Action = "import.list"
	ImportRead   Action = "import.read"

	MeRead       Action = "me.read"
	RulesTest    Action = "rules.test"
	RulesPreview Action = "rules.impact"
	StatsWeekly  Action = "stats.weekly"
	StatsRatings Action = "stats.ratings"
)

// Reach is one way a caller may reach the object an action names.
type Reach string

// Reaches.
const (
	// Anywhere: the action names no object (creating, listing); what a
	// list holds is the caller's scope.
	Anywhere Reach = "anywhere"
	// Everything: any object (admins).
	Everything Reach = "everything"
	// InScope: the object is registered under the node the caller's key
	// names, or under a node below it.
	InScope Reach = "in_scope"
	// Itself: the object is the caller's own subject.
	Itself Reach = "itself"
	// Owned: the object, a resource, is the caller's.
	Owned Reach = "owned"
	// Member: the object, a volunteer, is a member of the caller's
	// organisation.
	Member Reach = "member"
	// Claimant: the caller holds the wish's active claim.
	Claimant Reach = "claimant"
	// PastClaimant: the caller holds or held a claim of the wish.
	PastClaimant Reach = "past_claimant"
	// Listed: the wish is in the marketplace every supplier may claim
	// from: every wish, which all start open and public; claiming one that
	// is no longer open is a conflict.
	Listed Reach = "listed"
	// OpenWish: the wish is open, and shown in its public form.
	OpenWish Reach = "open_wish"
	// OwnKey: the object is the API key the caller uses.
	OwnKey Reach = "own_key"
	// Offeree: the object, an offer, is made to the caller or to a
	// resource the caller owns.
	Offeree Reach = "offeree"
)

// Policy says, for each role that may do an action, the reaches any of
// which lets it reach the object. A role not in it may not do the action
// at all (403); a role in it that reaches no object with the id gets 404,
// as for an id that does not exist, decided from memory before anything
// of the object is read.
type Policy map[string][]Reach

// object kinds that actions name.
const (
	objNone         = ""
	objKey          = "api_key"
	objVolunteer    = "volunteer"
	objOrganisation = "organisation"
	objEnterprise   = "enterprise"
	objResource     = "resource"
	objResident     = "resident"
	objWish         = "wish"
	objRun          = "match_run"
	objOffer        = "offer"
	objProgramme    = "programme"
	objProvider     = "provider" // an organisation or an enterprise
	objImport       = "import"
)

// rule is one row of the table: the kind of object the action names and
// who may reach it how.
type rule struct {
	object string
	policy Policy
}

var (
	staffScope = []Reach{InScope}
	adminAll   = []Reach{Everything}
	anywhere   = []Reach{Anywhere}
)

// policies is the authorization table: one row per action.
var policies = map[Action]rule{
	KeyCreate: {objNone, Policy{RoleAdmin: anywhere}},
	KeyList:   {objNone, everyRole(anywhere)},
	KeyRevoke: {objKey, Policy{RoleAdmin: adminAll, RoleCoordinator: {OwnKey}, RoleSocialWorker: {OwnKey},
		RoleEnterprise: {OwnKey}, RoleOrganisation: {OwnKey}, RoleVolunteer: {OwnKey}}},

	VolunteerCreate: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	VolunteerList:   {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	VolunteerRead:   {objVolunteer, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleVolunteer: {Itself}, RoleOrganisation: {Member}}},
	VolunteerUpdate: {objVolunteer, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope}},
	VolunteerHours:  {objVolunteer, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleVolunteer: {Itself}, RoleOrganisation: {Member}}},

	OrganisationCreate: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	OrganisationList:   {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
	OrganisationRead: {objOrganisation, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope,
		RoleOrganisation: {Itself}}},
	OrganisationUpdate:  {objOrganisation, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope}},
	OrganisationRatings: {objOrganisation, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleOrganisation: {Itself}}},

	EnterpriseCreate:  {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	EnterpriseList:    {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	EnterpriseRead:    {objEnterprise, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleEnterprise: {Itself}}},
	EnterpriseUpdate:  {objEnterprise, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope}},
	EnterpriseRatings: {objEnterprise, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleEnterprise: {Itself}}},

	ResourceCreate: {objNone, Policy{RoleEnterprise: anywhere, RoleOrganisation: anywhere}},
	ResourceList: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere,
		RoleEnterprise: anywhere, RoleOrganisation: anywhere}},
	ResourceRead: {objResource, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope,
		RoleEnterprise: {Owned}, RoleOrganisation: {Owned}}},
	ResourceUpdate: {objResource, Policy{RoleEnterprise: {Owned}, RoleOrganisation: {Owned}}},

	ResidentCreate:   {objNone, Policy{RoleSocialWorker: anywhere}},
	ResidentList:     {objNone, Policy{RoleAdmin: anywhere, RoleSocialWorker: anywhere}},
	ResidentRead:     {objResident, Policy{RoleAdmin: adminAll, RoleSocialWorker: staffScope}},
	ResidentUpdate:   {objResident, Policy{RoleSocialWorker: staffScope}},
	ResidentWithdraw: {objResident, Policy{RoleAdmin: adminAll, RoleSocialWorker: staffScope}},

	WishCreate: {objNone, Policy{RoleSocialWorker: anywhere}},
	WishList:   {objNone, everyRole(anywhere)},
	WishRead: {objWish, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope,
		RoleEnterprise: {Claimant, OpenWish}, RoleOrganisation: {Claimant, OpenWish}, RoleVolunteer: {Claimant, OpenWish}}},
	WishUpdate:     {objWish, Policy{RoleSocialWorker: staffScope}},
	WishCandidates: {objWish, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope}},
	WishClaim:      {objWish, Policy{RoleEnterprise: {Listed}, RoleOrganisation: {Listed}, RoleVolunteer: {Listed}}},
	WishWithdraw:   {objWish, Policy{RoleEnterprise: {Claimant}, RoleOrganisation: {Claimant}, RoleVolunteer: {Claimant}}},
	WishReassign:   {objWish, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope}},
	WishFulfil:     {objWish, Policy{RoleEnterprise: {Claimant}, RoleOrganisation: {Claimant}, RoleVolunteer: {Claimant}}},
	WishConfirm:    {objWish, Policy{RoleSocialWorker: staffScope}},
	WishCancel:     {objWish, Policy{RoleSocialWorker: staffScope}},
	WishEvents: {objWish, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope,
		RoleEnterprise: {PastClaimant}, RoleOrganisation: {PastClaimant}, RoleVolunteer: {PastClaimant}}},
	WishAddress: {objWish, Policy{RoleSocialWorker: staffScope,
		RoleEnterprise: {Claimant}, RoleOrganisation: {Claimant}, RoleVolunteer: {Claimant}}},

	RulesStatus: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},

	// The district's picture: coordinators buy and watch programmes,
	// social workers see the needs and the catalogue of their scope.
	ProgrammeCreate:     {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	ProgrammeList:       {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
	ProgrammeRead:       {objProgramme, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope}},
	ProgrammeUpdate:     {objProgramme, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope}},
	ProgrammeEvaluation: {objProgramme, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope}},
	ProviderEvaluation: {objProvider, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope,
		RoleOrganisation: {Itself}, RoleEnterprise: {Itself}}},
	CoverageRead: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
	DemandRead:   {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},

	// Rounds are the coordinators': a social worker records wishes, a
	// coordinator pairs them.
	MatchStart:   {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	MatchList:    {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere}},
	MatchRead:    {objRun, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope}},
	MatchApprove: {objRun, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope}},

	OfferList: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere,
		RoleEnterprise: anywhere, RoleOrganisation: anywhere, RoleVolunteer: anywhere}},
	OfferRead: {objOffer, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope,
		RoleEnterprise: {Offeree}, RoleOrganisation: {Offeree}, RoleVolunteer: {Offeree}}},
	OfferAccept:  {objOffer, Policy{RoleEnterprise: {Offeree}, RoleOrganisation: {Offeree}, RoleVolunteer: {Offeree}}},
	OfferDecline: {objOffer, Policy{RoleEnterprise: {Offeree}, RoleOrganisation: {Offeree}, RoleVolunteer: {Offeree}}},

	// Imports are the staff's. Which kinds a role may import is the create
	// row of the kind (coordinators volunteers, organisations and
	// enterprises; social workers residents and wishes); an admin may
	// import any. The report holds no personal data: staff in scope read it.
	ImportCreate: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
	ImportList:   {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
	ImportRead:   {objImport, Policy{RoleAdmin: adminAll, RoleCoordinator: staffScope, RoleSocialWorker: staffScope}},

	// The console's: who a key is, for any key; trying rules and the
	// pictures of the wishes in scope, for staff. The impact dry run
	// reports, wish by wish, what a proposed rule (any expression over
	// resident.*) makes of each open wish: it tells the facts of every
	// wish's resident, so it is only for those who may read them, the
	// social workers of the scope and admins, never coordinators.
	MeRead:       {objNone, everyRole(anywhere)},
	RulesTest:    {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
	RulesPreview: {objNone, Policy{RoleAdmin: anywhere, RoleSocialWorker: anywhere}},
	StatsWeekly:  {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
	StatsRatings: {objNone, Policy{RoleAdmin: anywhere, RoleCoordinator: anywhere, RoleSocialWorker: anywhere}},
}

func everyRole(r []Reach) Policy {
	p := Policy{}
	for _, role := range roles {
		p[role] = r
	}
	return p
}

// PolicyOf returns the policy of an action and the kind of object it
// names ("" for none), and false for an action not in the table.
func PolicyOf(a Action) (object string, p Policy, ok bool) {
	r, ok := policies[a]
	return r.object, r.policy, ok
}

// Actions returns every action of the table, sorted.
func Actions() []Action { return slices.Sorted(maps.Keys(policies)) }

// RoleMay decides the role part of action a's policy: nil when role may do
// a on some object, EFORBIDDEN when it may never do a, EINTERNAL for an
// action the table does not have. It needs nothing of the request, so the
// HTTP handler decides it before reading a request's query or body: a
// caller whose role may never call a route learns nothing of what the
// route takes. Service.allow decides it first too, then the reach.
func RoleMay(role string, a Action) error {
	r, ok := policies[a]
	if !ok {
		return Errorf(EINTERNAL, "action %s has no policy", a)
	}
	if _, ok := r.policy[role]; !ok {
		return Errorf(EFORBIDDEN, "role %s may not do this", role)
	}
	return nil
}

// notFound is the one answer for an object that does not exist and for
// one the caller may not reach, so that ids of others cannot be probed.
func notFound() error { return Errorf(ENOTFOUND, "not found") }

// allow decides whether the caller may do action a on the object with
// the id (ignored for actions that name none), from memory only, before
// anything of the object is read: the caller, EUNAUTHORIZED without one,
// EFORBIDDEN for a role the action is not for, ENOTFOUND for an object
// that does not exist or that the caller reaches in none of its ways. It
// returns the reach that let the caller in, which decides what view of
// the object they get.
func (s *Service) allow(ctx context.Context, a Action, id string) (Principal, Reach, error) {
	p, ok := PrincipalFrom(ctx)
	if !ok {
		return p, "", Errorf(EUNAUTHORIZED, "an API key is required")
	}
	if err := RoleMay(p.Role, a); err != nil {
		return p, "", err
	}
	r := policies[a]
	reaches := r.policy[p.Role]
	if r.object == objNone {
		return p, Anywhere, nil
	}
	if id == "" || len(id) > 100 {
		return p, "", notFound()
	}
	for _, reach := range reaches {
		if s.reaches(p, reach, r.object, id) {
			return p, reach, nil
		}
	}
	return p, "", notFound()
}

// may reports whether p may do a on the object with the id now, as allow
// would decide it (false for a role the action is not for).
func (s *Service) may(p Principal, a Action, id string) bool {
	r := policies[a]
	for _, reach := range r.policy[p.Role] {
		if s.reaches(p, reach, r.object, id) {
			return true
		}
	}
	return false
}

// readsResidents reports whether p may read every resident registered
// under node (for node "", every resident there is), as resident.read's
// row of the table decides it: an admin anywhere, a social worker under
// their own node. It is the one decision behind every figure about
// residents: who may set a target-group expression, and who sees
// reports' small counts whole rather than null under k.
func (s *Service) readsResidents(p Principal, node string) bool {
	for _, reach := range policies[ResidentRead].policy[p.Role] {
		switch reach {
		case Everything:
			return true
		case InScope:
			if s.tree.within(p.SubjectID, node) {
				return true
			}
		}
	}
	return false
}

// reaches reports whether p reaches the object of kind with the id in
// the way reach says; false for an object that does not exist.
func (s *Service) reaches(p Principal, reach Reach, kind, id string) bool {
	if kind == objKey {
		k, ok := s.keyByPrefix(id)
		return ok && (reach == Everything || reach == OwnKey && k.Prefix == p.KeyPrefix)
	}
	node, exists := s.nodeOf(kind, id)
	if !exists {
		return false
	}
	switch reach {
	case Everything:
		return true
	case InScope:
		return s.tree.within(p.SubjectID, node)
	case Itself:
		return (kind == p.Role || kind == objProvider && (p.Role == RoleOrganisation || p.Role == RoleEnterprise)) && id == p.SubjectID
	case Owned:
		r, ok := s.resources.Get(id)
		return ok && r.Owner == p.Party()
	case Member:
		v, ok := s.volunteers.Get(id)
		return ok && v.OrganisationID == p.SubjectID
	case Claimant:
		st := s.ledger.state(id)
		return st.heldBy(p.Party())
	case PastClaimant:
		return s.ledger.hasClaimed(id, p.Party())
	case OpenWish:
		return s.ledger.state(id).status == StatusOpen
	case Listed:
		return true
	case Offeree:
		o, ok := s.offerRecords.Get(id)
		return ok && s.offeredTo(o, p.Party())
	}
	return false
}

// nodeOf returns the node the object is registered under (an
// organisation is its own node) and whether it exists.
func (s *Service) nodeOf(kind, id string) (string, bool) {
	switch kind {
	case objVolunteer:
		return nodeIn(s.volunteers, id)
	case objOrganisation:
		_, ok := s.organisations.Get(id)
		return id, ok
	case objEnterprise:
		return nodeIn(s.enterprises, id)
	case objResource:
		return nodeIn(s.resources, id)
	case objResident:
		return nodeIn(s.residents, id)
	case objWish:
		return nodeIn(s.wishes, id)
	case objRun:
		return nodeIn(s.runs, id)
	case objOffer:
		return nodeIn(s.offerRecords, id)
	case objProgramme:
		return nodeIn(s.programmes, id)
	case objProvider:
		if _, ok := s.organisations.Get(id); ok {
			return id, true
		}
		return nodeIn(s.enterprises, id)
	case objImport:
		return nodeIn(s.imports.table, id)
	}
	return "", false
}

// noder is an entity registered under a node.
type noder interface{ node() string }

func nodeIn[T any, PT interface {
	*T
	noder
}](t interface{ Get(string) (*T, bool) }, id string) (string, bool) {
	v, ok := t.Get(id)
	if !ok {
		return "", false
	}
	return PT(v).node(), true
}
