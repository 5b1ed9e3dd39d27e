package matcher

import "context"

// get reads one entity and returns ENOTFOUND, never EFORBIDDEN, when the
// caller may not see it, so ids of others' data cannot be probed.
func get[T any](ctx context.Context, repo Repo[T], id string, visible func(*T) bool) (*T, error) {
	if id == "" || len(id) > 64 {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	v, err := repo.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !visible(v) {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	return v, nil
}

// ownedBy returns a visibility check for entities with a tenant: admins see
// all, other listed roles see their tenant's.
func ownedBy(p Principal, tenant string) bool {
	return p.Role == RoleAdmin || (tenant != "" && tenant == p.SubjectID)
}

// CreateVolunteer registers a volunteer. Coordinator or admin.
func (s *Service) CreateVolunteer(ctx context.Context, in VolunteerInput) (*Volunteer, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return nil, err
	}
	if in.MaxActiveClaims == 0 {
		in.MaxActiveClaims = s.cfg.DefaultMaxActiveClaims
	}
	v := &Volunteer{ID: NewID("vol"), VolunteerInput: in, TenantID: tenantOf(p), CreatedAt: now, UpdatedAt: now}
	v.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Volunteers().Create(ctx, v); err != nil {
		return nil, err
	}
	s.index.PutVolunteer(v)
	return v, nil
}

func (s *Service) canSeeVolunteer(p Principal, v *Volunteer) bool {
	return ownedBy(p, v.TenantID) || (p.Role == RoleVolunteer && p.SubjectID == v.ID)
}

// GetVolunteer returns a volunteer to their coordinator, an admin or
// themselves.
func (s *Service) GetVolunteer(ctx context.Context, id string) (*Volunteer, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin, RoleVolunteer)
	if err != nil {
		return nil, err
	}
	return get(ctx, s.store.Volunteers(), id, func(v *Volunteer) bool { return s.canSeeVolunteer(p, v) })
}

// ListVolunteers pages through the caller's volunteers.
func (s *Service) ListVolunteers(ctx context.Context, req PageRequest) (*Page[Volunteer], error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, s.store.Volunteers(), req, tenantOf(p), func(v *Volunteer) string { return v.ID }, nil)
}

// UpdateVolunteer replaces what a coordinator may set on a volunteer.
func (s *Service) UpdateVolunteer(ctx context.Context, id string, in VolunteerInput) (*Volunteer, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	v, err := get(ctx, s.store.Volunteers(), id, func(v *Volunteer) bool { return ownedBy(p, v.TenantID) })
	if err != nil {
		return nil, err
	}
	now := s.timestamp()
	if err := in.validate(&s.cfg.Catalog, now); err != nil {
		return nil, err
	}
	if in.MaxActiveClaims == 0 {
		in.MaxActiveClaims = s.cfg.DefaultMaxActiveClaims
	}
	v.VolunteerInput, v.UpdatedAt = in, now
	v.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Volunteers().Replace(ctx, v); err != nil {
		return nil, err
	}
	s.index.PutVolunteer(v)
	return v, nil
}

// CreateOrganisation registers a social organisation, community or team.
// Coordinator or admin.
func (s *Service) CreateOrganisation(ctx context.Context, in OrganisationInput) (*Organisation, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return nil, err
	}
	now := s.timestamp()
	o := &Organisation{ID: NewID("org"), OrganisationInput: in, TenantID: tenantOf(p), CreatedAt: now, UpdatedAt: now}
	o.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Organisations().Create(ctx, o); err != nil {
		return nil, err
	}
	s.index.PutOrganisation(o)
	return o, nil
}

func (s *Service) canSeeOrganisation(p Principal, o *Organisation) bool {
	return ownedBy(p, o.TenantID) || (p.SubjectID == o.ID && p.Role != RoleEnterprise && p.Role != RoleVolunteer)
}

// GetOrganisation returns an organisation to its coordinator, an admin, or
// the organisation's own keys.
func (s *Service) GetOrganisation(ctx context.Context, id string) (*Organisation, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin, RoleOrganisation, RoleSocialWorker)
	if err != nil {
		return nil, err
	}
	return get(ctx, s.store.Organisations(), id, func(o *Organisation) bool { return s.canSeeOrganisation(p, o) })
}

// ListOrganisations pages through the caller's organisations.
func (s *Service) ListOrganisations(ctx context.Context, req PageRequest) (*Page[Organisation], error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, s.store.Organisations(), req, tenantOf(p), func(o *Organisation) string { return o.ID }, nil)
}

// UpdateOrganisation replaces what a coordinator may set on an organisation.
func (s *Service) UpdateOrganisation(ctx context.Context, id string, in OrganisationInput) (*Organisation, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	o, err := get(ctx, s.store.Organisations(), id, func(o *Organisation) bool { return ownedBy(p, o.TenantID) })
	if err != nil {
		return nil, err
	}
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return nil, err
	}
	o.OrganisationInput, o.UpdatedAt = in, s.timestamp()
	o.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Organisations().Replace(ctx, o); err != nil {
		return nil, err
	}
	s.index.PutOrganisation(o)
	return o, nil
}

// CreateEnterprise registers an enterprise. Coordinator or admin.
func (s *Service) CreateEnterprise(ctx context.Context, in EnterpriseInput) (*Enterprise, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return nil, err
	}
	now := s.timestamp()
	e := &Enterprise{ID: NewID("ent"), EnterpriseInput: in, TenantID: tenantOf(p), CreatedAt: now, UpdatedAt: now}
	e.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Enterprises().Create(ctx, e); err != nil {
		return nil, err
	}
	s.index.PutEnterprise(e)
	return e, nil
}

// GetEnterprise returns an enterprise to its coordinator, an admin or its
// own keys.
func (s *Service) GetEnterprise(ctx context.Context, id string) (*Enterprise, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin, RoleEnterprise)
	if err != nil {
		return nil, err
	}
	return get(ctx, s.store.Enterprises(), id, func(e *Enterprise) bool {
		return ownedBy(p, e.TenantID) || (p.Role == RoleEnterprise && p.SubjectID == e.ID)
	})
}

// ListEnterprises pages through the caller's enterprises.
func (s *Service) ListEnterprises(ctx context.Context, req PageRequest) (*Page[Enterprise], error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	return list(ctx, s, s.store.Enterprises(), req, tenantOf(p), func(e *Enterprise) string { return e.ID }, nil)
}

// UpdateEnterprise replaces what a coordinator may set on an enterprise.
func (s *Service) UpdateEnterprise(ctx context.Context, id string, in EnterpriseInput) (*Enterprise, error) {
	p, err := authorize(ctx, RoleCoordinator, RoleAdmin)
	if err != nil {
		return nil, err
	}
	e, err := get(ctx, s.store.Enterprises(), id, func(e *Enterprise) bool { return ownedBy(p, e.TenantID) })
	if err != nil {
		return nil, err
	}
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return nil, err
	}
	e.EnterpriseInput, e.UpdatedAt = in, s.timestamp()
	e.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Enterprises().Replace(ctx, e); err != nil {
		return nil, err
	}
	s.index.PutEnterprise(e)
	return e, nil
}

// CreateResource records something the calling enterprise or organisation
// offers; the caller owns it.
func (s *Service) CreateResource(ctx context.Context, in ResourceInput) (*Resource, error) {
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation)
	if err != nil {
		return nil, err
	}
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return nil, err
	}
	now := s.timestamp()
	r := &Resource{ID: NewID("res"), ResourceInput: in, Owner: Party{Kind: p.Role, ID: p.SubjectID}, CreatedAt: now, UpdatedAt: now}
	r.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Resources().Create(ctx, r); err != nil {
		return nil, err
	}
	s.index.PutResource(r)
	return r, nil
}

func canSeeResource(p Principal, r *Resource) bool {
	return IsStaff(p.Role) || (r.Owner.ID == p.SubjectID && r.Owner.Kind == p.Role)
}

// GetResource returns a resource to its owner or to staff.
func (s *Service) GetResource(ctx context.Context, id string) (*Resource, error) {
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation, RoleCoordinator, RoleSocialWorker, RoleAdmin)
	if err != nil {
		return nil, err
	}
	r, err := get(ctx, s.store.Resources(), id, func(r *Resource) bool { return canSeeResource(p, r) })
	if err != nil {
		return nil, err
	}
	if !s.resourceInScope(ctx, p, r) {
		return nil, Errorf(ENOTFOUND, "not found")
	}
	return r, nil
}

// ListResources pages through the caller's own resources, or, for staff,
// those of the enterprises and organisations of their tenant.
func (s *Service) ListResources(ctx context.Context, req PageRequest) (*Page[Resource], error) {
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation, RoleCoordinator, RoleSocialWorker, RoleAdmin)
	if err != nil {
		return nil, err
	}
	tenant := ""
	if !IsStaff(p.Role) {
		tenant = p.SubjectID
	}
	return list(ctx, s, s.store.Resources(), req, tenant, func(r *Resource) string { return r.ID }, func(r *Resource) bool {
		return canSeeResource(p, r) && s.resourceInScope(ctx, p, r)
	})
}

// UpdateResource replaces what the owner may set on a resource.
func (s *Service) UpdateResource(ctx context.Context, id string, in ResourceInput) (*Resource, error) {
	p, err := authorize(ctx, RoleEnterprise, RoleOrganisation)
	if err != nil {
		return nil, err
	}
	r, err := get(ctx, s.store.Resources(), id, func(r *Resource) bool { return canSeeResource(p, r) })
	if err != nil {
		return nil, err
	}
	if err := in.validate(&s.cfg.Catalog); err != nil {
		return nil, err
	}
	r.ResourceInput, r.UpdatedAt = in, s.timestamp()
	r.Cell = s.grid.Cell(in.Location.Point())
	if err := s.store.Resources().Replace(ctx, r); err != nil {
		return nil, err
	}
	s.index.PutResource(r)
	return r, nil
}
