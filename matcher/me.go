package matcher

import (
	"context"
	"slices"
)

// Me is who an API key stands for: its role and subject, named, and for
// staff the node their scope hangs from, so that a client (the console)
// can say who signed in. Actions are what the policy table lets the role
// do at all; whether a given object is reached is still decided by each
// request.
type Me struct {
	Role        string   `json:"role"`
	SubjectID   string   `json:"subject_id,omitempty"`
	SubjectName string   `json:"subject_name,omitempty"`
	KeyPrefix   string   `json:"key_prefix"`
	Node        *MeNode  `json:"node,omitempty"`
	Actions     []Action `json:"actions"`
}

// MeNode is the node of the district tree a staff key names.
type MeNode struct {
	ID   string `json:"id"`
	Name string `json:"name"`
	Kind string `json:"kind"`
}

// Me returns who the caller's key stands for, to any key.
func (s *Service) Me(ctx context.Context) (*Me, error) {
	p, _, err := s.allow(ctx, MeRead, "")
	if err != nil {
		return nil, err
	}
	me := &Me{Role: p.Role, SubjectID: p.SubjectID, KeyPrefix: p.KeyPrefix, Actions: ActionsOf(p.Role)}
	switch p.Role {
	case RoleCoordinator, RoleSocialWorker, RoleOrganisation:
		if o, ok := s.organisations.Get(p.SubjectID); ok {
			me.SubjectName = o.Name
			if IsStaff(p.Role) {
				me.Node = &MeNode{ID: o.ID, Name: o.Name, Kind: o.Kind}
			}
		}
	case RoleEnterprise:
		if e, ok := s.enterprises.Get(p.SubjectID); ok {
			me.SubjectName = e.Name
		}
	case RoleVolunteer:
		if v, ok := s.volunteers.Get(p.SubjectID); ok {
			me.SubjectName = v.Name
		}
	}
	return me, nil
}

// ActionsOf returns, sorted, every action of the policy table that role
// may do on some object.
func ActionsOf(role string) []Action {
	var out []Action
	for a, r := range policies {
		if _, ok := r.policy[role]; ok {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}
