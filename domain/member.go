package domain

import (
	"fmt"
	"maps"
	"strings"
	"time"
)

// MemberState is a member folded from member-<id>.
type MemberState struct {
	ID             string
	Registered     bool
	Abandoned      bool // the stream was fenced by RegistrationAbandoned: not a member
	Email          string
	PasswordHash   string
	DisplayName    string
	Organization   string
	Province       string
	Language       string
	Bio            string
	RegisteredAt   time.Time
	Roles          map[string]bool
	Suspended      bool
	SuspendedUntil *time.Time
	SuspendReason  string
}

// HasRole reports a site role.
func (m MemberState) HasRole(role string) bool { return m.Roles[role] }

// SuspendedAt reports whether the member is suspended at the given time (a
// suspension with an Until in the past has lapsed).
func (m MemberState) SuspendedAt(now time.Time) bool {
	return m.Suspended && (m.SuspendedUntil == nil || now.Before(*m.SuspendedUntil))
}

// Clone copies the state so the copy can be handed out while the original
// keeps evolving.
func (m MemberState) Clone() MemberState {
	m.Roles = maps.Clone(m.Roles)
	if m.SuspendedUntil != nil {
		u := *m.SuspendedUntil
		m.SuspendedUntil = &u
	}
	return m
}

// EvolveMember applies one event. It may reuse the state's maps: callers who
// keep an old state must Clone it first.
func EvolveMember(m MemberState, e Event) MemberState {
	switch e := e.(type) {
	case MemberRegistered:
		m.ID = e.MemberID
		m.Registered = true
		m.Email = e.Email
		m.PasswordHash = e.PasswordHash
		m.DisplayName = e.DisplayName
		m.Organization = e.Organization
		m.Province = e.Province
		m.Language = e.Language
		m.RegisteredAt = e.RegisteredAt
	case RegistrationAbandoned:
		if !m.Registered {
			m.ID = e.MemberID
			m.Abandoned = true
		}
	case MemberProfileUpdated:
		m.DisplayName = e.DisplayName
		m.Organization = e.Organization
		m.Bio = e.Bio
		m.Province = e.Province
		m.Language = e.Language
	case PasswordChanged:
		m.PasswordHash = e.PasswordHash
	case MemberSuspended:
		m.Suspended = true
		m.SuspendedUntil = e.Until
		m.SuspendReason = e.Reason
	case MemberReinstated:
		m.Suspended = false
		m.SuspendedUntil = nil
		m.SuspendReason = ""
	case MemberRoleGranted:
		if m.Roles == nil {
			m.Roles = map[string]bool{}
		}
		m.Roles[e.Role] = true
	case MemberRoleRevoked:
		delete(m.Roles, e.Role)
	}
	return m
}

// FoldMember folds a member's events from the start.
func FoldMember(events ...Event) MemberState {
	var m MemberState
	for _, e := range events {
		m = EvolveMember(m, e)
	}
	return m
}

// Actor is who issues a command, as decisions need to know them: their site
// roles and whether they may write at all. The empty ID is the system (the
// offline admin command, seeding), which may do anything.
type Actor struct {
	ID        string
	System    bool
	Known     bool // a registered member (or the system)
	Admin     bool
	Moderator bool // site moderator: moderates every group
	Suspended bool
}

// SystemActor is the actor of commands no member issued.
func SystemActor() Actor { return Actor{System: true, Known: true, Admin: true} }

// ActorFrom makes the actor a member state stands for, at a given time.
func ActorFrom(m MemberState, now time.Time) Actor {
	return Actor{
		ID:        m.ID,
		Known:     m.Registered,
		Admin:     m.Registered && m.HasRole(RoleAdmin),
		Moderator: m.Registered && m.HasRole(RoleModerator),
		Suspended: m.Registered && m.SuspendedAt(now),
	}
}

// staff: site admins and site moderators moderate every group.
func (a Actor) staff() bool { return a.System || a.Admin || a.Moderator }

// canWrite is the precondition of every command a member issues.
func (a Actor) canWrite() error {
	switch {
	case a.System:
		return nil
	case !a.Known:
		return fmt.Errorf("actor %q is not a registered member: %w", a.ID, ErrForbidden)
	case a.Suspended:
		return fmt.Errorf("actor %q: %w", a.ID, ErrSuspended)
	}
	return nil
}

// MemberCommand is a command on a member stream.
type MemberCommand interface{ memberCommand() }

// RegisterMember creates a member. Email uniqueness is the service's job
// (reservation streams); this checks the fields. Roles are site roles given
// at registration (SETTLENET_ADMIN_EMAILS).
type RegisterMember struct {
	MemberID     string
	Email        string
	PasswordHash string
	DisplayName  string
	Organization string
	Province     string
	Language     string
	Roles        []string
}

// UpdateProfile changes the fields that are not nil.
type UpdateProfile struct {
	DisplayName  *string
	Organization *string
	Bio          *string
	Province     *string
	Language     *string
}

// ChangePassword replaces the password hash (self or system).
type ChangePassword struct{ PasswordHash string }

// SuspendMember suspends until Until (nil: until reinstated). Admins only.
type SuspendMember struct {
	Reason string
	Until  *time.Time
}

// ReinstateMember lifts a suspension. Admins only.
type ReinstateMember struct{ Reason string }

// GrantRole gives a site role, with an optional reason for the log.
// Admins (or the system) only.
type GrantRole struct{ Role, Reason string }

// RevokeRole takes a site role away. Admins (or the system) only; an admin
// cannot revoke their own admin role, so the site never locks itself out by
// accident. The reason is optional.
type RevokeRole struct{ Role, Reason string }

func (RegisterMember) memberCommand()  {}
func (UpdateProfile) memberCommand()   {}
func (ChangePassword) memberCommand()  {}
func (SuspendMember) memberCommand()   {}
func (ReinstateMember) memberCommand() {}
func (GrantRole) memberCommand()       {}
func (RevokeRole) memberCommand()      {}

func validRole(r string) bool { return r == RoleAdmin || r == RoleModerator }

// roleChangeErr checks a role grant's or revocation's fields.
func roleChangeErr(role, reason string) error {
	f := fieldErrors{}
	if !validRole(role) {
		f.add("role", CodeInvalid)
	}
	checkReason(f, reason, false)
	return f.err()
}

// DecideMember decides a member command against the member's state.
func DecideMember(m MemberState, cmd MemberCommand, actor Actor, now time.Time) ([]Event, error) {
	if c, ok := cmd.(RegisterMember); ok {
		return decideRegister(m, c, now)
	}
	if !m.Registered {
		return nil, fmt.Errorf("member %q: %w", m.ID, ErrNotFound)
	}
	if err := actor.canWrite(); err != nil {
		return nil, err
	}
	self := actor.ID == m.ID && !actor.System
	switch c := cmd.(type) {
	case UpdateProfile:
		if !self && !actor.System && !actor.Admin {
			return nil, fmt.Errorf("update profile of %q: %w", m.ID, ErrForbidden)
		}
		return decideUpdateProfile(m, c, actor)
	case ChangePassword:
		if !self && !actor.System {
			return nil, fmt.Errorf("change password of %q: %w", m.ID, ErrForbidden)
		}
		if c.PasswordHash == "" || len(c.PasswordHash) > MaxPasswordHash {
			return nil, invalid("password", CodeInvalid)
		}
		return []Event{PasswordChanged{MemberID: m.ID, PasswordHash: c.PasswordHash, By: actor.ID}}, nil
	case SuspendMember:
		if !actor.System && !actor.Admin {
			return nil, fmt.Errorf("suspend %q: %w", m.ID, ErrForbidden)
		}
		if self {
			return nil, fmt.Errorf("suspend oneself: %w", ErrForbidden)
		}
		f := fieldErrors{}
		checkReason(f, c.Reason, true)
		if c.Until != nil && !c.Until.After(now) {
			f.add("until", CodeInPast)
		}
		if err := f.err(); err != nil {
			return nil, err
		}
		var until *time.Time
		if c.Until != nil {
			u := c.Until.UTC()
			until = &u
		}
		return []Event{MemberSuspended{MemberID: m.ID, Reason: strings.TrimSpace(c.Reason), Until: until, By: actor.ID}}, nil
	case ReinstateMember:
		if !actor.System && !actor.Admin {
			return nil, fmt.Errorf("reinstate %q: %w", m.ID, ErrForbidden)
		}
		f := fieldErrors{}
		checkReason(f, c.Reason, false)
		if err := f.err(); err != nil {
			return nil, err
		}
		if !m.SuspendedAt(now) {
			return nil, nil
		}
		return []Event{MemberReinstated{MemberID: m.ID, Reason: strings.TrimSpace(c.Reason), By: actor.ID}}, nil
	case GrantRole:
		if !actor.System && !actor.Admin {
			return nil, fmt.Errorf("grant role to %q: %w", m.ID, ErrForbidden)
		}
		if err := roleChangeErr(c.Role, c.Reason); err != nil {
			return nil, err
		}
		if m.HasRole(c.Role) {
			return nil, nil
		}
		return []Event{MemberRoleGranted{MemberID: m.ID, Role: c.Role, By: actor.ID, Reason: strings.TrimSpace(c.Reason)}}, nil
	case RevokeRole:
		if !actor.System && !actor.Admin {
			return nil, fmt.Errorf("revoke role of %q: %w", m.ID, ErrForbidden)
		}
		if err := roleChangeErr(c.Role, c.Reason); err != nil {
			return nil, err
		}
		if self && c.Role == RoleAdmin {
			return nil, fmt.Errorf("revoke one's own admin role: %w", ErrForbidden)
		}
		if !m.HasRole(c.Role) {
			return nil, nil
		}
		return []Event{MemberRoleRevoked{MemberID: m.ID, Role: c.Role, By: actor.ID, Reason: strings.TrimSpace(c.Reason)}}, nil
	}
	return nil, fmt.Errorf("member command %T: %w", cmd, ErrInvalid)
}

func decideRegister(m MemberState, c RegisterMember, now time.Time) ([]Event, error) {
	if m.Registered || m.Abandoned {
		return nil, fmt.Errorf("register %q: stream already used: %w", c.MemberID, ErrConflict)
	}
	f := fieldErrors{}
	if !validID(c.MemberID) {
		f.add("id", CodeInvalid)
	}
	email := NormalizeEmail(c.Email)
	if email == "" {
		f.add("email", CodeRequired)
	} else if !validEmail(email) {
		f.add("email", CodeInvalid)
	}
	if c.PasswordHash == "" || len(c.PasswordHash) > MaxPasswordHash {
		f.add("password", CodeInvalid)
	}
	name := strings.TrimSpace(c.DisplayName)
	checkLine(f, "display_name", name, true, MaxDisplayName)
	checkLine(f, "organization", strings.TrimSpace(c.Organization), false, MaxOrganization)
	if c.Province != "" && !ValidProvince(c.Province) {
		f.add("province", CodeInvalid)
	}
	if c.Language == "" {
		f.add("language", CodeRequired)
	} else if !ValidContentLanguage(c.Language) {
		f.add("language", CodeInvalid)
	}
	for _, r := range c.Roles {
		if !validRole(r) {
			f.add("roles", CodeInvalid)
		}
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	events := []Event{MemberRegistered{
		MemberID:     c.MemberID,
		Email:        email,
		PasswordHash: c.PasswordHash,
		DisplayName:  name,
		Organization: strings.TrimSpace(c.Organization),
		Province:     c.Province,
		Language:     c.Language,
		RegisteredAt: now.UTC(),
	}}
	seen := map[string]bool{}
	for _, r := range c.Roles {
		if !seen[r] {
			seen[r] = true
			events = append(events, MemberRoleGranted{MemberID: c.MemberID, Role: r})
		}
	}
	return events, nil
}

func decideUpdateProfile(m MemberState, c UpdateProfile, actor Actor) ([]Event, error) {
	f := fieldErrors{}
	next := m
	var changed []string
	if c.DisplayName != nil {
		v := strings.TrimSpace(*c.DisplayName)
		checkLine(f, "display_name", v, true, MaxDisplayName)
		if v != m.DisplayName {
			next.DisplayName = v
			changed = append(changed, "display_name")
		}
	}
	if c.Organization != nil {
		v := strings.TrimSpace(*c.Organization)
		checkLine(f, "organization", v, false, MaxOrganization)
		if v != m.Organization {
			next.Organization = v
			changed = append(changed, "organization")
		}
	}
	if c.Bio != nil {
		v := strings.TrimSpace(*c.Bio)
		checkText(f, "bio", v, false, MaxBio)
		if v != m.Bio {
			next.Bio = v
			changed = append(changed, "bio")
		}
	}
	if c.Province != nil {
		v := *c.Province
		if v != "" && !ValidProvince(v) {
			f.add("province", CodeInvalid)
		}
		if v != m.Province {
			next.Province = v
			changed = append(changed, "province")
		}
	}
	if c.Language != nil {
		v := *c.Language
		if !ValidContentLanguage(v) {
			f.add("language", CodeInvalid)
		}
		if v != m.Language {
			next.Language = v
			changed = append(changed, "language")
		}
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if len(changed) == 0 {
		return nil, nil
	}
	return []Event{MemberProfileUpdated{
		MemberID:     m.ID,
		DisplayName:  next.DisplayName,
		Organization: next.Organization,
		Bio:          next.Bio,
		Province:     next.Province,
		Language:     next.Language,
		Changed:      changed,
		By:           actor.ID,
	}}, nil
}
