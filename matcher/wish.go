package matcher

import (
	"time"

	"github.com/linli/linli/geo"
)

// Wish statuses. A wish's status is derived from its events, never stored.
const (
	StatusOpen      = "open"
	StatusClaimed   = "claimed"
	StatusFulfilled = "fulfilled"
	StatusConfirmed = "confirmed"
	StatusCancelled = "cancelled"
	StatusExpired   = "expired"
)

// Needs lists what a supplier must bring to a wish.
type Needs struct {
	Skills []string `json:"skills"`
	Items  []string `json:"items,omitempty"`
}

// WishInput is what a social worker may set on a wish.
type WishInput struct {
	ResidentID  string    `json:"resident_id"`
	Category    string    `json:"category"`
	Title       string    `json:"title"`
	Description string    `json:"description,omitempty"`
	Needs       Needs     `json:"needs"`
	DueAt       time.Time `json:"due_at"`
	OnSite      bool      `json:"on_site,omitempty"`
}

// Wish is a small, concrete request for one resident. Location is the
// resident's exact point: only staff see it.
type Wish struct {
	ID string `json:"id"`
	WishInput
	Status    string    `json:"status"`
	Location  *Location `json:"location,omitempty"`
	TenantID  string    `json:"tenant_id,omitempty"`
	CreatedBy Party     `json:"created_by"`
	Cell      geo.Cell  `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// ErasedAt is when the retention job erased the wish's free text and
	// exact point; its category, cell and history remain.
	ErasedAt time.Time `json:"erased_at,omitzero"`
}

func (in *WishInput) validate(c *Catalog, now time.Time) error {
	if err := checkText("resident_id", in.ResidentID, 64, true); err != nil {
		return err
	}
	if err := checkCategory("category", in.Category, c); err != nil {
		return err
	}
	if err := checkText("title", in.Title, maxTitle, true); err != nil {
		return err
	}
	if err := checkText("description", in.Description, maxText, false); err != nil {
		return err
	}
	if err := checkTokens("needs.skills", in.Needs.Skills, nil); err != nil {
		return err
	}
	for i, item := range in.Needs.Items {
		if err := checkText(fieldIndex("needs.items", i), item, maxTitle, true); err != nil {
			return err
		}
	}
	if len(in.Needs.Items) > maxList {
		return Invalid("needs.items", "must have at most %d entries", maxList)
	}
	if in.DueAt.IsZero() {
		return Invalid("due_at", "is required")
	}
	if !in.DueAt.After(now) {
		return Invalid("due_at", "must be in the future")
	}
	return nil
}
