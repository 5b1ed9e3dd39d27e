package matcher

import (
	"context"
	"time"

	"github.com/linli/linli/geo"
)

// RetentionReport counts what one run of the retention job erased.
type RetentionReport struct {
	Wishes     int `json:"wishes"`     // wishes whose free text and point were erased
	Residents  int `json:"residents"`  // residents whose personal data was erased
	Aggregates int `json:"aggregates"` // aggregates recorded for reports
}

// closedStatus reports whether no claim can be made on a wish any more.
func closedStatus(status string) bool {
	return status == StatusConfirmed || status == StatusCancelled || status == StatusExpired
}

// RunRetention runs PurgeExpired now and then every interval until ctx is
// done. Every replica may run it: a purge is idempotent, and each wish's
// aggregate is an insert with the wish's id as its key.
func (s *Service) RunRetention(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		rep, err := s.PurgeExpired(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			s.logger.Error("retention job", "err", err)
		case rep != RetentionReport{}:
			s.logger.Info("retention job erased personal data", "wishes", rep.Wishes, "residents", rep.Residents, "aggregates", rep.Aggregates)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// wishClosing is what the events say of a wish's end.
type wishClosing struct {
	at     time.Time // of the last event
	rating int       // of the confirmation, if any
}

// PurgeExpired erases the personal data of wishes closed (confirmed,
// cancelled or expired) longer than Config.Retention ago: the wish's free
// text and exact point, and the resident's personal data once none of
// their wishes is open or within retention (at once, when they withdrew
// consent). An anonymous Aggregate of each purged wish is recorded first,
// so reports still count it. Documents are replaced by anonymised ones.
func (s *Service) PurgeExpired(ctx context.Context) (RetentionReport, error) {
	var rep RetentionReport
	ps, err := s.privacyStore()
	if err != nil {
		return rep, err
	}
	now := s.now().UTC()
	cutoff := now.Add(-s.cfg.Retention)

	closings := make(map[string]*wishClosing)
	err = s.store.Events().Since(ctx, time.Time{}, func(e *Event) error {
		c := closings[e.WishID]
		if c == nil {
			c = &wishClosing{}
			closings[e.WishID] = c
		}
		if e.At.After(c.at) {
			c.at = e.At
		}
		if e.Type == EventConfirmed && e.Rating > 0 {
			c.rating = e.Rating
		}
		return nil
	})
	if err != nil {
		return rep, err
	}

	// Per resident: does any wish still need their data, and was any purged?
	type residentUse struct{ needed, purged bool }
	uses := make(map[string]*residentUse)
	var purge []*Wish
	err = s.store.Wishes().Each(ctx, func(w *Wish) error {
		u := uses[w.ResidentID]
		if u == nil {
			u = &residentUse{}
			uses[w.ResidentID] = u
		}
		status := s.wishes.state(w.ID).status
		c := closings[w.ID]
		expired := closedStatus(status) && c != nil && c.at.Before(cutoff)
		switch {
		case !expired:
			u.needed = true
		case w.ErasedAt.IsZero():
			w.Status = status
			purge = append(purge, w)
			u.purged = true
		default:
			u.purged = true
		}
		return nil
	})
	if err != nil {
		return rep, err
	}

	for _, w := range purge {
		agg := &Aggregate{
			WishID: w.ID, TenantID: w.TenantID, Category: w.Category,
			Cell: geo.Parent(w.Cell, s.cells.res), Month: w.CreatedAt.Format("2006-01"), Outcome: w.Status,
		}
		if c := closings[w.ID]; c != nil && w.Status == StatusConfirmed {
			agg.Rating = c.rating
		}
		switch err := ps.PutAggregate(ctx, agg); {
		case err == nil:
			rep.Aggregates++
		case ErrorCode(err) != ECONFLICT: // a conflict: another run recorded it
			return rep, err
		}
		w.Title, w.Description, w.Needs.Items, w.Location = "", "", nil, nil
		w.ErasedAt, w.UpdatedAt = now, now
		if err := s.store.Wishes().Replace(ctx, w); err != nil {
			return rep, err
		}
		rep.Wishes++
	}

	var erase []*Resident
	err = s.store.Residents().Each(ctx, func(r *Resident) error {
		u := uses[r.ID]
		withdrawn := !r.ConsentWithdrawnAt.IsZero()
		switch {
		case !r.ErasedAt.IsZero():
		case u == nil && withdrawn, u != nil && !u.needed && (u.purged || withdrawn):
			erase = append(erase, r)
		}
		return nil
	})
	if err != nil {
		return rep, err
	}
	for _, r := range erase {
		eraseResident(r, s.cells.res, now)
		if err := s.store.Residents().Replace(ctx, r); err != nil {
			return rep, err
		}
		rep.Residents++
	}
	return rep, nil
}

// eraseResident keeps of r only what names nobody: the id, tenant, coarse
// cell, when and why consent was given (not by whom), and the dates.
func eraseResident(r *Resident, coarse int, now time.Time) {
	var c *Consent
	if r.Consent != nil {
		c = &Consent{GivenBy: r.Consent.GivenBy, Purpose: r.Consent.Purpose, GivenAt: r.Consent.GivenAt}
	}
	r.ResidentInput = ResidentInput{Disabilities: []string{}, Consent: c}
	r.Cell = geo.Parent(r.Cell, coarse)
	r.ErasedAt, r.UpdatedAt = now, now
}
