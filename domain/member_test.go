package domain

import (
	"testing"
	"time"
)

func TestDecideMember(t *testing.T) {
	reg := registered("m1")
	until := now0().Add(24 * time.Hour)
	past := now0().Add(-time.Hour)
	cases := []struct {
		decision
		given []Event
		actor Actor
		cmd   MemberCommand
	}{
		{decision: decision{name: "register", then: []Event{MemberRegistered{MemberID: "m9", Email: "ana@example.org", PasswordHash: "argon", DisplayName: "Ana", Organization: "COSTI", Province: "ON", Language: "fr", RegisteredAt: now0()}}},
			cmd: RegisterMember{MemberID: "m9", Email: "  Ana@Example.ORG ", PasswordHash: "argon", DisplayName: " Ana ", Organization: "COSTI", Province: "ON", Language: "fr"}},
		{decision: decision{name: "register with admin role", then: []Event{
			MemberRegistered{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: "A", Language: "en", RegisteredAt: now0()},
			MemberRoleGranted{MemberID: "m9", Role: RoleAdmin}}},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: "A", Language: "en", Roles: []string{"admin", "admin"}}},
		{decision: decision{name: "register bad email", err: ErrInvalid, field: "email", code: CodeInvalid},
			cmd: RegisterMember{MemberID: "m9", Email: "not-an-email", PasswordHash: "h", DisplayName: "A", Language: "en"}},
		{decision: decision{name: "register no email", err: ErrInvalid, field: "email", code: CodeRequired},
			cmd: RegisterMember{MemberID: "m9", PasswordHash: "h", DisplayName: "A", Language: "en"}},
		{decision: decision{name: "register empty name", err: ErrInvalid, field: "display_name", code: CodeRequired},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: "  ", Language: "en"}},
		{decision: decision{name: "register long name", err: ErrInvalid, field: "display_name", code: CodeTooLong},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: repeat("é", 81), Language: "en"}},
		{decision: decision{name: "register 80-char name", then: []Event{MemberRegistered{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: repeat("é", 80), Language: "en", RegisteredAt: now0()}}},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: repeat("é", 80), Language: "en"}},
		{decision: decision{name: "register bad language", err: ErrInvalid, field: "language", code: CodeInvalid},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: "A", Language: "de"}},
		{decision: decision{name: "register bad province", err: ErrInvalid, field: "province"},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: "A", Language: "en", Province: "on"}},
		{decision: decision{name: "register no password hash", err: ErrInvalid, field: "password"},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", DisplayName: "A", Language: "en"}},
		{decision: decision{name: "register bad role", err: ErrInvalid, field: "roles"},
			cmd: RegisterMember{MemberID: "m9", Email: "a@b.ca", PasswordHash: "h", DisplayName: "A", Language: "en", Roles: []string{"root"}}},
		{decision: decision{name: "register twice", err: ErrConflict}, given: []Event{reg},
			cmd: RegisterMember{MemberID: "m1", Email: "a@b.ca", PasswordHash: "h", DisplayName: "A", Language: "en"}},
		{decision: decision{name: "register on abandoned stream", err: ErrConflict}, given: []Event{RegistrationAbandoned{MemberID: "m1"}},
			cmd: RegisterMember{MemberID: "m1", Email: "a@b.ca", PasswordHash: "h", DisplayName: "A", Language: "en"}},

		{decision: decision{name: "update profile", then: []Event{MemberProfileUpdated{MemberID: "m1", DisplayName: "New", Bio: "Hi", Province: "QC", Language: "fr", Changed: []string{"display_name", "bio", "province", "language"}, By: "m1"}}},
			given: []Event{reg}, actor: member("m1"), cmd: UpdateProfile{DisplayName: ptr("New"), Bio: ptr("Hi"), Province: ptr("QC"), Language: ptr("fr")}},
		{decision: decision{name: "update profile unchanged is a no-op"},
			given: []Event{reg}, actor: member("m1"), cmd: UpdateProfile{DisplayName: ptr(reg.DisplayName), Language: ptr("en")}},
		{decision: decision{name: "update profile by admin", then: []Event{MemberProfileUpdated{MemberID: "m1", DisplayName: reg.DisplayName, Organization: "AMSSA", Language: "en", Changed: []string{"organization"}, By: "a1"}}},
			given: []Event{reg}, actor: admin("a1"), cmd: UpdateProfile{Organization: ptr("AMSSA")}},
		{decision: decision{name: "update someone else's profile", err: ErrForbidden},
			given: []Event{reg}, actor: member("m2"), cmd: UpdateProfile{Bio: ptr("x")}},
		{decision: decision{name: "update profile while suspended", err: ErrSuspended},
			given: []Event{reg}, actor: suspended("m1"), cmd: UpdateProfile{Bio: ptr("x")}},
		{decision: decision{name: "update profile bad language", err: ErrInvalid, field: "language"},
			given: []Event{reg}, actor: member("m1"), cmd: UpdateProfile{Language: ptr("bilingual")}},
		{decision: decision{name: "update profile empty name", err: ErrInvalid, field: "display_name", code: CodeRequired},
			given: []Event{reg}, actor: member("m1"), cmd: UpdateProfile{DisplayName: ptr("")}},
		{decision: decision{name: "update profile long bio", err: ErrInvalid, field: "bio", code: CodeTooLong},
			given: []Event{reg}, actor: member("m1"), cmd: UpdateProfile{Bio: ptr(repeat("a", MaxBio+1))}},
		{decision: decision{name: "update unknown member", err: ErrNotFound},
			actor: member("m1"), cmd: UpdateProfile{Bio: ptr("x")}},
		{decision: decision{name: "unknown actor", err: ErrForbidden},
			given: []Event{reg}, actor: Actor{ID: "ghost"}, cmd: UpdateProfile{Bio: ptr("x")}},

		{decision: decision{name: "change password", then: []Event{PasswordChanged{MemberID: "m1", PasswordHash: "new", By: "m1"}}},
			given: []Event{reg}, actor: member("m1"), cmd: ChangePassword{PasswordHash: "new"}},
		{decision: decision{name: "change password by system", then: []Event{PasswordChanged{MemberID: "m1", PasswordHash: "new"}}},
			given: []Event{reg}, actor: SystemActor(), cmd: ChangePassword{PasswordHash: "new"}},
		{decision: decision{name: "change someone's password", err: ErrForbidden},
			given: []Event{reg}, actor: admin("a1"), cmd: ChangePassword{PasswordHash: "new"}},
		{decision: decision{name: "change password empty", err: ErrInvalid, field: "password"},
			given: []Event{reg}, actor: member("m1"), cmd: ChangePassword{}},

		{decision: decision{name: "suspend", then: []Event{MemberSuspended{MemberID: "m1", Reason: "spam", Until: &until, By: "a1"}}},
			given: []Event{reg}, actor: admin("a1"), cmd: SuspendMember{Reason: " spam ", Until: &until}},
		{decision: decision{name: "suspend indefinitely", then: []Event{MemberSuspended{MemberID: "m1", Reason: "spam", By: "a1"}}},
			given: []Event{reg}, actor: admin("a1"), cmd: SuspendMember{Reason: "spam"}},
		{decision: decision{name: "suspend without reason", err: ErrInvalid, field: "reason", code: CodeRequired},
			given: []Event{reg}, actor: admin("a1"), cmd: SuspendMember{}},
		{decision: decision{name: "suspend long reason", err: ErrInvalid, field: "reason", code: CodeTooLong},
			given: []Event{reg}, actor: admin("a1"), cmd: SuspendMember{Reason: repeat("x", MaxReason+1)}},
		{decision: decision{name: "suspend until the past", err: ErrInvalid, field: "until", code: CodeInPast},
			given: []Event{reg}, actor: admin("a1"), cmd: SuspendMember{Reason: "x", Until: &past}},
		{decision: decision{name: "suspend by site moderator", err: ErrForbidden},
			given: []Event{reg}, actor: siteMod("s1"), cmd: SuspendMember{Reason: "x"}},
		{decision: decision{name: "suspend oneself", err: ErrForbidden},
			given: []Event{reg, MemberRoleGranted{MemberID: "m1", Role: RoleAdmin}}, actor: admin("m1"), cmd: SuspendMember{Reason: "x"}},

		{decision: decision{name: "reinstate", then: []Event{MemberReinstated{MemberID: "m1", Reason: "appeal", By: "a1"}}},
			given: []Event{reg, MemberSuspended{MemberID: "m1", Reason: "x"}}, actor: admin("a1"), cmd: ReinstateMember{Reason: "appeal"}},
		{decision: decision{name: "reinstate when not suspended is a no-op"},
			given: []Event{reg}, actor: admin("a1"), cmd: ReinstateMember{}},
		{decision: decision{name: "reinstate after lapse is a no-op"},
			given: []Event{reg, MemberSuspended{MemberID: "m1", Reason: "x", Until: &past}}, actor: admin("a1"), cmd: ReinstateMember{}},
		{decision: decision{name: "reinstate by member", err: ErrForbidden},
			given: []Event{reg, MemberSuspended{MemberID: "m1", Reason: "x"}}, actor: member("m2"), cmd: ReinstateMember{}},

		{decision: decision{name: "grant role", then: []Event{MemberRoleGranted{MemberID: "m1", Role: RoleModerator, By: "a1"}}},
			given: []Event{reg}, actor: admin("a1"), cmd: GrantRole{Role: RoleModerator}},
		{decision: decision{name: "grant role by system", then: []Event{MemberRoleGranted{MemberID: "m1", Role: RoleAdmin}}},
			given: []Event{reg}, actor: SystemActor(), cmd: GrantRole{Role: RoleAdmin}},
		{decision: decision{name: "grant held role is a no-op"},
			given: []Event{reg, MemberRoleGranted{MemberID: "m1", Role: RoleModerator}}, actor: admin("a1"), cmd: GrantRole{Role: RoleModerator}},
		{decision: decision{name: "grant bad role", err: ErrInvalid, field: "role"},
			given: []Event{reg}, actor: admin("a1"), cmd: GrantRole{Role: "owner"}},
		{decision: decision{name: "grant by moderator", err: ErrForbidden},
			given: []Event{reg}, actor: siteMod("s1"), cmd: GrantRole{Role: RoleModerator}},
		{decision: decision{name: "revoke role", then: []Event{MemberRoleRevoked{MemberID: "m1", Role: RoleModerator, By: "a1"}}},
			given: []Event{reg, MemberRoleGranted{MemberID: "m1", Role: RoleModerator}}, actor: admin("a1"), cmd: RevokeRole{Role: RoleModerator}},
		{decision: decision{name: "revoke absent role is a no-op"},
			given: []Event{reg}, actor: admin("a1"), cmd: RevokeRole{Role: RoleModerator}},
		{decision: decision{name: "revoke own admin", err: ErrForbidden},
			given: []Event{reg, MemberRoleGranted{MemberID: "m1", Role: RoleAdmin}}, actor: admin("m1"), cmd: RevokeRole{Role: RoleAdmin}},
		{decision: decision{name: "revoke by member", err: ErrForbidden},
			given: []Event{reg, MemberRoleGranted{MemberID: "m1", Role: RoleModerator}}, actor: member("m2"), cmd: RevokeRole{Role: RoleModerator}},
		{decision: decision{name: "grant with reason", then: []Event{MemberRoleGranted{MemberID: "m1", Role: RoleModerator, By: "a1", Reason: "leads the youth network"}}},
			given: []Event{reg}, actor: admin("a1"), cmd: GrantRole{Role: RoleModerator, Reason: " leads the youth network "}},
		{decision: decision{name: "revoke with reason", then: []Event{MemberRoleRevoked{MemberID: "m1", Role: RoleModerator, By: "a1", Reason: "left the sector"}}},
			given: []Event{reg, MemberRoleGranted{MemberID: "m1", Role: RoleModerator}}, actor: admin("a1"), cmd: RevokeRole{Role: RoleModerator, Reason: "left the sector"}},
		{decision: decision{name: "grant reason too long", err: ErrInvalid, field: "reason", code: CodeTooLong},
			given: []Event{reg}, actor: admin("a1"), cmd: GrantRole{Role: RoleModerator, Reason: repeat("r", MaxReason+1)}},
		{decision: decision{name: "revoke reason too long", err: ErrInvalid, field: "reason", code: CodeTooLong},
			given: []Event{reg, MemberRoleGranted{MemberID: "m1", Role: RoleModerator}}, actor: admin("a1"), cmd: RevokeRole{Role: RoleModerator, Reason: repeat("r", MaxReason+1)}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := FoldMember(c.given...)
			if st.ID == "" {
				st.ID = "m1"
			}
			got, err := DecideMember(st, c.cmd, c.actor, now0())
			c.check(t, got, err)
		})
	}
}

func TestEvolveMember(t *testing.T) {
	until := now0().Add(time.Hour)
	m := FoldMember(registered("m1"),
		MemberProfileUpdated{MemberID: "m1", DisplayName: "B", Bio: "bio", Language: "fr"},
		MemberRoleGranted{MemberID: "m1", Role: RoleAdmin},
		MemberSuspended{MemberID: "m1", Reason: "x", Until: &until})
	if !m.Registered || m.DisplayName != "B" || m.Language != "fr" || !m.HasRole(RoleAdmin) {
		t.Fatalf("state %+v", m)
	}
	if !m.SuspendedAt(now0()) || m.SuspendedAt(until) {
		t.Fatalf("suspension until %v not honoured", until)
	}
	if a := ActorFrom(m, now0()); !a.Admin || !a.Suspended || a.canWrite() == nil {
		t.Fatalf("actor %+v", a)
	}
	m = EvolveMember(m, MemberReinstated{MemberID: "m1"})
	if m.SuspendedAt(now0()) {
		t.Fatal("still suspended after reinstatement")
	}
	if ab := FoldMember(RegistrationAbandoned{MemberID: "m2"}); ab.Registered || !ab.Abandoned || ActorFrom(ab, now0()).Known {
		t.Fatalf("abandoned stream is a member: %+v", ab)
	}
}

func repeat(s string, n int) string {
	b := make([]byte, 0, len(s)*n)
	for range n {
		b = append(b, s...)
	}
	return string(b)
}
