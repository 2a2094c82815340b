package projections

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
)

// membersModel: profiles, site roles, credentials and suspension.
type membersModel struct {
	model
	byID map[string]*memberRec
	// names is the position of the last change of a display name: authors
	// are named by their current name in thread answers (see ThreadShare).
	names eventstore.Position
}

type memberRec struct {
	Member
	folded         string // display name and organization, folded, for ?q=
	sortName       string // folded display name, for the directory's order
	passwordHash   string
	roles          []string // sorted
	suspended      bool
	suspendedUntil *time.Time
}

func newMembersModel() *membersModel { return &membersModel{byID: map[string]*memberRec{}} }

func (*membersModel) name() string { return "members" }

func (*membersModel) types() []string {
	return []string{domain.TypeMemberRegistered, domain.TypeMemberProfileUpdated, domain.TypePasswordChanged,
		domain.TypeMemberSuspended, domain.TypeMemberReinstated, domain.TypeMemberRoleGranted, domain.TypeMemberRoleRevoked}
}

func (m *membersModel) apply(e *envelope) error {
	if x, ok := e.ev.(domain.MemberRegistered); ok {
		rec := &memberRec{Member: Member{ID: x.MemberID, DisplayName: x.DisplayName, Organization: x.Organization,
			Province: x.Province, Language: x.Language, JoinedAt: x.RegisteredAt.UTC()}, passwordHash: x.PasswordHash}
		if rec.JoinedAt.IsZero() {
			rec.JoinedAt = e.at
		}
		rec.index()
		m.byID[x.MemberID] = rec
		return nil
	}
	id := memberIDOf(e.ev)
	rec := m.byID[id]
	if rec == nil {
		return fmt.Errorf("member %q: not registered", id)
	}
	switch x := e.ev.(type) {
	case domain.MemberProfileUpdated:
		if x.DisplayName != rec.DisplayName {
			m.names = e.pos
		}
		rec.DisplayName, rec.Organization, rec.Bio, rec.Province, rec.Language =
			x.DisplayName, x.Organization, x.Bio, x.Province, x.Language
		rec.index()
	case domain.PasswordChanged:
		rec.passwordHash = x.PasswordHash
	case domain.MemberSuspended:
		rec.suspended, rec.suspendedUntil = true, x.Until
	case domain.MemberReinstated:
		rec.suspended, rec.suspendedUntil = false, nil
	case domain.MemberRoleGranted:
		if !slices.Contains(rec.roles, x.Role) {
			rec.roles = append(rec.roles, x.Role)
			slices.Sort(rec.roles)
		}
	case domain.MemberRoleRevoked:
		rec.roles = slices.DeleteFunc(rec.roles, func(r string) bool { return r == x.Role })
	}
	return nil
}

func memberIDOf(ev domain.Event) string {
	switch x := ev.(type) {
	case domain.MemberProfileUpdated:
		return x.MemberID
	case domain.PasswordChanged:
		return x.MemberID
	case domain.MemberSuspended:
		return x.MemberID
	case domain.MemberReinstated:
		return x.MemberID
	case domain.MemberRoleGranted:
		return x.MemberID
	case domain.MemberRoleRevoked:
		return x.MemberID
	}
	return ""
}

func (r *memberRec) index() {
	r.sortName = fold(r.DisplayName)
	r.folded = r.sortName + "\x00" + fold(r.Organization)
}

// ref names a member as others see them; unknown ids (the system, "")
// keep their id with an empty name.
func (m *membersModel) ref(id string) MemberRef {
	if rec := m.byID[id]; rec != nil {
		return MemberRef{ID: id, DisplayName: rec.DisplayName}
	}
	return MemberRef{ID: id}
}

// refs resolves several ids under one read lock.
func (m *membersModel) refs(ids map[string]MemberRef) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	for id := range ids {
		ids[id] = m.ref(id)
	}
}

func (m *membersModel) member(id string) (Member, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if rec := m.byID[id]; rec != nil {
		return rec.Member, true
	}
	return Member{}, false
}

// ViewerFor makes the viewer of a member id with their current site roles
// ("" or an unknown id is anonymous).
func (r *Runner) ViewerFor(memberID string) Viewer {
	m := r.models().members
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec := m.byID[memberID]
	if rec == nil {
		return Viewer{}
	}
	return Viewer{MemberID: memberID, Roles: slices.Clone(rec.roles)}
}

// Members is the member directory (no emails), ordered by display name.
func (r *Runner) Members(v Viewer, q MemberQuery) (Page[Member], error) {
	m := r.models().members
	qf, org := fold(strings.TrimSpace(q.Q)), fold(strings.TrimSpace(q.Organization))
	prov := strings.ToUpper(strings.TrimSpace(q.Province))
	m.mu.RLock()
	items := make([]keyed[Member], 0, len(m.byID))
	for _, rec := range m.byID {
		if qf != "" && !strings.Contains(rec.folded, qf) {
			continue
		}
		if prov != "" && rec.Province != prov {
			continue
		}
		if org != "" && fold(rec.Organization) != org {
			continue
		}
		items = append(items, keyed[Member]{key: sortKey{S: rec.sortName, ID: rec.ID}, item: rec.Member})
	}
	m.mu.RUnlock()
	return paginate(items, q.PageRequest, defaultLimit, maxLimit, func(x Member) Member { return x })
}

// Member is one public profile.
func (r *Runner) Member(v Viewer, id string) (Member, error) {
	if mem, ok := r.models().members.member(id); ok {
		return mem, nil
	}
	return Member{}, fmt.Errorf("member %q: %w", id, ErrNotFound)
}

// Me is a member's own profile with their site roles and groups.
func (r *Runner) Me(memberID string) (Me, error) {
	ms := r.models()
	m := ms.members
	m.mu.RLock()
	rec := m.byID[memberID]
	if rec == nil {
		m.mu.RUnlock()
		return Me{}, fmt.Errorf("member %q: %w", memberID, ErrNotFound)
	}
	me := Me{Member: rec.Member, Roles: append([]string{}, rec.roles...), Suspended: rec.suspended}
	m.mu.RUnlock()
	me.Groups = ms.groups.membershipsOf(memberID)
	return me, nil
}

// CredentialsForAuth is FOR LOGIN ONLY: the member's password hash and
// suspension. Transport finds the member id with
// domain.Service.MemberIDByEmail and must never put these in an answer.
func (r *Runner) CredentialsForAuth(memberID string) (Credentials, error) {
	m := r.models().members
	m.mu.RLock()
	defer m.mu.RUnlock()
	rec := m.byID[memberID]
	if rec == nil {
		return Credentials{}, fmt.Errorf("member %q: %w", memberID, ErrNotFound)
	}
	c := Credentials{MemberID: memberID, PasswordHash: rec.passwordHash, Suspended: rec.suspended}
	if rec.suspendedUntil != nil {
		u := *rec.suspendedUntil
		c.SuspendedUntil = &u
	}
	return c, nil
}

// refOf is ref under its own read lock.
func (m *membersModel) refOf(id string) MemberRef {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.ref(id)
}
