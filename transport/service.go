package transport

import (
	"context"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/rules"
)

// Service is what the HTTP API serves: matcher.Service's methods, so
// that the handler can be tested over any implementation of them.
type Service interface {
	ConsoleService

	Authenticate(ctx context.Context, key string) (matcher.Principal, error)
	Ready(ctx context.Context) error
	Opened() bool
	Rules() *rules.Engine
	Replay(ctx context.Context) (*matcher.IdempotencyRecord, bool, error)
	RulesInForce(ctx context.Context) (*matcher.RulesView, error)

	CreateAPIKey(ctx context.Context, in matcher.APIKeyInput) (*matcher.NewAPIKey, error)
	ListAPIKeys(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.APIKey], error)
	RevokeAPIKey(ctx context.Context, prefix string) (*matcher.APIKey, error)
	GetAPIKey(ctx context.Context, prefix string) (*matcher.APIKey, error)

	CreateVolunteer(ctx context.Context, in matcher.VolunteerInput) (*matcher.Volunteer, error)
	ListVolunteers(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.Volunteer], error)
	GetVolunteer(ctx context.Context, id string) (*matcher.Volunteer, error)
	UpdateVolunteer(ctx context.Context, id string, in matcher.VolunteerInput) (*matcher.Volunteer, error)
	VolunteerHours(ctx context.Context, id string) (*matcher.HoursTotal, error)

	CreateOrganisation(ctx context.Context, in matcher.OrganisationInput) (*matcher.Organisation, error)
	ListOrganisations(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.Organisation], error)
	GetOrganisation(ctx context.Context, id string) (*matcher.Organisation, error)
	UpdateOrganisation(ctx context.Context, id string, in matcher.OrganisationInput) (*matcher.Organisation, error)
	OrganisationRatings(ctx context.Context, id string) (*matcher.Ratings, error)

	CreateEnterprise(ctx context.Context, in matcher.EnterpriseInput) (*matcher.Enterprise, error)
	ListEnterprises(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.Enterprise], error)
	GetEnterprise(ctx context.Context, id string) (*matcher.Enterprise, error)
	UpdateEnterprise(ctx context.Context, id string, in matcher.EnterpriseInput) (*matcher.Enterprise, error)
	EnterpriseRatings(ctx context.Context, id string) (*matcher.Ratings, error)

	CreateResource(ctx context.Context, in matcher.ResourceInput) (*matcher.Resource, error)
	ListResources(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.Resource], error)
	GetResource(ctx context.Context, id string) (*matcher.Resource, error)
	UpdateResource(ctx context.Context, id string, in matcher.ResourceInput) (*matcher.Resource, error)

	CreateResident(ctx context.Context, in matcher.ResidentInput) (*matcher.Resident, error)
	ListResidents(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.Resident], error)
	GetResident(ctx context.Context, id string) (*matcher.Resident, error)
	UpdateResident(ctx context.Context, id string, in matcher.ResidentInput) (*matcher.Resident, error)
	WithdrawConsent(ctx context.Context, id string) (*matcher.Resident, error)

	CreateWish(ctx context.Context, in matcher.WishInput) (*matcher.WishView, error)
	ListWishes(ctx context.Context, f matcher.WishFilter, req matcher.PageRequest) (*matcher.Page[matcher.WishView], error)
	GetWish(ctx context.Context, id string) (*matcher.WishView, error)
	UpdateWish(ctx context.Context, id string, in matcher.WishInput) (*matcher.WishView, error)
	WishCandidates(ctx context.Context, id string, limit int) (*matcher.CandidateList, error)
	WishEvents(ctx context.Context, id string) (*matcher.History, error)
	WishAddress(ctx context.Context, id string) (*matcher.Address, error)
	Event(ctx context.Context, id string) (*matcher.Event, error)

	ClaimWish(ctx context.Context, id string) (*matcher.Claim, error)
	ClaimOf(eventID string) (*matcher.Claim, error)
	Withdraw(ctx context.Context, wishID, claimID string) (*matcher.Claim, error)
	Reassign(ctx context.Context, id string, in matcher.ReassignInput) (*matcher.Claim, error)
	Fulfil(ctx context.Context, id string, in matcher.FulfilmentInput) (*matcher.Claim, error)
	Confirm(ctx context.Context, id string, in matcher.ConfirmationInput) (*matcher.Claim, error)
	Cancel(ctx context.Context, id string, in matcher.CancelInput) (*matcher.Event, error)

	reportService

	StartMatchRun(ctx context.Context, in matcher.MatchRunInput) (*matcher.MatchRun, error)
	MatchRuns(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.MatchRunSummary], error)
	MatchRun(ctx context.Context, id string) (*matcher.MatchRun, error)
	ApproveMatchRun(ctx context.Context, id string) (*matcher.MatchRun, error)
	Offers(ctx context.Context, q matcher.OfferQuery) (*matcher.Page[matcher.Offer], error)
	GetOffer(ctx context.Context, id string) (*matcher.Offer, error)
	AcceptOffer(ctx context.Context, id string) (*matcher.Claim, error)
	DeclineOffer(ctx context.Context, id string, in matcher.DeclineInput) (*matcher.Offer, error)

	Importer
}

// reportService is the district's picture: programmes, evaluation,
// coverage, demand and the public figures.
type reportService interface {
	CreateProgramme(ctx context.Context, in matcher.ProgrammeInput) (*matcher.Programme, error)
	ListProgrammes(ctx context.Context, q matcher.ProgrammeQuery) (*matcher.Page[matcher.Programme], error)
	GetProgramme(ctx context.Context, id string) (*matcher.Programme, error)
	UpdateProgramme(ctx context.Context, id string, in matcher.ProgrammeInput) (*matcher.Programme, error)
	ProgrammeEvaluation(ctx context.Context, id string) (*matcher.Evaluation, error)
	ProviderEvaluation(ctx context.Context, id string) (*matcher.Evaluation, error)
	Coverage(ctx context.Context, q matcher.ReportQuery) (*matcher.Coverage, error)
	Demand(ctx context.Context, q matcher.ReportQuery) (*matcher.Demand, error)
	PublicProgrammes(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.PublicProgramme], error)
	PublicProgramme(ctx context.Context, id string) (*matcher.PublicProgramme, error)
	PublicProviders(ctx context.Context) (*matcher.Page[matcher.PublicProviderFigures], error)
}

var _ Service = (*matcher.Service)(nil)
