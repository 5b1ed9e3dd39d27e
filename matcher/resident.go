package matcher

import (
	"time"

	"github.com/linli/linli/geo"
)

// Consent records who agreed to Linli holding a resident's data, and why.
// A minor under 14 needs a guardian's consent.
type Consent struct {
	GivenBy      string    `json:"given_by"` // self or guardian
	GuardianName string    `json:"guardian_name,omitempty"`
	Purpose      string    `json:"purpose"`
	GivenAt      time.Time `json:"given_at"`
}

// ResidentInput is what a social worker may set on a resident.
type ResidentInput struct {
	Name         string    `json:"name"`
	Phone        string    `json:"phone"`
	BirthDate    string    `json:"birth_date"`
	Disabilities []string  `json:"disabilities"`
	LivesAlone   bool      `json:"lives_alone,omitempty"`
	Address      string    `json:"address,omitempty"`
	Location     *Location `json:"location"`
	Consent      *Consent  `json:"consent"`
}

// Resident is the person a wish serves. Everything but the id, the tenant and
// the cell is personal data.
type Resident struct {
	ID string `json:"id"`
	ResidentInput
	TenantID  string    `json:"tenant_id,omitempty"`
	Cell      geo.Cell  `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ConsentWithdrawnAt is when the resident withdrew consent: no new
	// wish is taken for them and their personal data is hidden.
	ConsentWithdrawnAt time.Time `json:"consent_withdrawn_at,omitzero"`
	// ErasedAt is when the retention job erased their personal data.
	ErasedAt time.Time `json:"erased_at,omitzero"`
}

// guardianAge is the age under which only a guardian may consent.
const guardianAge = 14

func (in *ResidentInput) validate(c *Catalog, now time.Time) error {
	if err := checkText("name", in.Name, maxName, true); err != nil {
		return err
	}
	if err := checkPhone("phone", in.Phone, false); err != nil {
		return err
	}
	if err := checkDate("birth_date", in.BirthDate, now, true); err != nil {
		return err
	}
	if err := checkTokens("disabilities", in.Disabilities, c.Disabilities); err != nil {
		return err
	}
	if err := checkText("address", in.Address, maxTitle, false); err != nil {
		return err
	}
	if err := checkLocation("location", in.Location); err != nil {
		return err
	}
	return in.Consent.validate(AgeAt(in.BirthDate, now), now)
}

func (c *Consent) validate(age int, now time.Time) error {
	if c == nil {
		return Invalid("consent", "is required: record who consented, for what purpose and when")
	}
	switch c.GivenBy {
	case "self":
		if age < guardianAge {
			return Invalid("consent.given_by", "a resident under %d needs a guardian's consent", guardianAge)
		}
	case "guardian":
		if err := checkText("consent.guardian_name", c.GuardianName, maxName, false); err != nil {
			return err
		}
	case "":
		return Invalid("consent.given_by", "is required")
	default:
		return Invalid("consent.given_by", "must be self or guardian")
	}
	if err := checkText("consent.purpose", c.Purpose, maxTitle, true); err != nil {
		return err
	}
	if c.GivenAt.IsZero() {
		return Invalid("consent.given_at", "is required")
	}
	if c.GivenAt.After(now.Add(5 * time.Minute)) {
		return Invalid("consent.given_at", "must not be in the future")
	}
	return nil
}

// AgeBand returns the band rules use: child (<14), minor (14–17), adult
// (18–59) or elderly (60+).
func AgeBand(age int) string {
	switch {
	case age < guardianAge:
		return "child"
	case age < 18:
		return "minor"
	case age < 60:
		return "adult"
	default:
		return "elderly"
	}
}
