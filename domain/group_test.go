package domain

import "testing"

func created(vis string) GroupCreated {
	return GroupCreated{GroupID: "g1", Name: "Youth workers", Description: "d", Visibility: vis, Language: "bilingual", Topics: []string{"youth"}, OwnerID: "own"}
}

func joined(id string) MemberJoinedGroup {
	return MemberJoinedGroup{GroupID: "g1", MemberID: id, Via: JoinViaOpen}
}

func appointed(id string) GroupModeratorAppointed {
	return GroupModeratorAppointed{GroupID: "g1", MemberID: id, By: "own"}
}

func TestDecideGroup(t *testing.T) {
	open, req, priv := created(VisibilityOpen), created(VisibilityRequest), created(VisibilityPrivate)
	cases := []struct {
		decision
		given []Event
		actor Actor
		cmd   GroupCommand
	}{
		{decision: decision{name: "create", then: []Event{GroupCreated{GroupID: "g1", Name: "Mental health", Description: "About", Visibility: "request", Language: "fr", Topics: []string{"health", "Youth"}, Province: "QC", OwnerID: "m1"}}},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: " Mental health ", Description: "About", Visibility: "request", Language: "fr", Topics: []string{"health", " Youth", "youth"}, Province: "QC"}},
		{decision: decision{name: "create existing", err: ErrConflict},
			given: []Event{open}, actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: "x", Visibility: "open", Language: "en"}},
		{decision: decision{name: "create without name", err: ErrInvalid, field: "name", code: CodeRequired},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Visibility: "open", Language: "en"}},
		{decision: decision{name: "create long name", err: ErrInvalid, field: "name", code: CodeTooLong},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: repeat("n", MaxGroupName+1), Visibility: "open", Language: "en"}},
		{decision: decision{name: "create long description", err: ErrInvalid, field: "description", code: CodeTooLong},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: "x", Description: repeat("d", MaxDescription+1), Visibility: "open", Language: "en"}},
		{decision: decision{name: "create bad visibility", err: ErrInvalid, field: "visibility", code: CodeInvalid},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: "x", Visibility: "secret", Language: "en"}},
		{decision: decision{name: "create bad language", err: ErrInvalid, field: "language", code: CodeInvalid},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: "x", Visibility: "open", Language: "es"}},
		{decision: decision{name: "create too many topics", err: ErrInvalid, field: "topics", code: CodeTooMany},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: "x", Visibility: "open", Language: "en", Topics: make([]string, 11)}},
		{decision: decision{name: "create bad province", err: ErrInvalid, field: "province"},
			actor: member("m1"), cmd: CreateGroup{GroupID: "g1", Name: "x", Visibility: "open", Language: "en", Province: "XX"}},
		{decision: decision{name: "create while suspended", err: ErrSuspended},
			actor: suspended("m1"), cmd: CreateGroup{GroupID: "g1", Name: "x", Visibility: "open", Language: "en"}},
		{decision: decision{name: "create as system", err: ErrForbidden},
			actor: SystemActor(), cmd: CreateGroup{GroupID: "g1", Name: "x", Visibility: "open", Language: "en"}},

		{decision: decision{name: "join open", then: []Event{MemberJoinedGroup{GroupID: "g1", MemberID: "m1", Via: JoinViaOpen}}},
			given: []Event{open}, actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "join request", then: []Event{JoinRequested{GroupID: "g1", MemberID: "m1"}}},
			given: []Event{req}, actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "join request again is a no-op"},
			given: []Event{req, JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "join private without invitation", err: ErrNotFound},
			given: []Event{priv}, actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "join private with invitation", then: []Event{MemberJoinedGroup{GroupID: "g1", MemberID: "m1", Via: JoinViaInvitation}}},
			given: []Event{priv, MemberInvited{GroupID: "g1", MemberID: "m1", By: "own"}}, actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "join request with invitation skips approval", then: []Event{MemberJoinedGroup{GroupID: "g1", MemberID: "m1", Via: JoinViaInvitation}}},
			given: []Event{req, MemberInvited{GroupID: "g1", MemberID: "m1", By: "own"}}, actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "admin joins private", then: []Event{MemberJoinedGroup{GroupID: "g1", MemberID: "a1", Via: JoinViaStaff}}},
			given: []Event{priv}, actor: admin("a1"), cmd: JoinGroup{}},
		{decision: decision{name: "join twice", err: ErrAlreadyMember},
			given: []Event{open, joined("m1")}, actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "owner joins", err: ErrAlreadyMember},
			given: []Event{open}, actor: member("own"), cmd: JoinGroup{}},
		{decision: decision{name: "join missing group", err: ErrNotFound},
			actor: member("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "join while suspended", err: ErrSuspended},
			given: []Event{open}, actor: suspended("m1"), cmd: JoinGroup{}},
		{decision: decision{name: "rejoin after removal (open)", then: []Event{MemberJoinedGroup{GroupID: "g1", MemberID: "m1", Via: JoinViaOpen}}},
			given: []Event{open, joined("m1"), MemberRemovedFromGroup{GroupID: "g1", MemberID: "m1", By: "own", Reason: "x"}}, actor: member("m1"), cmd: JoinGroup{}},

		{decision: decision{name: "leave", then: []Event{MemberLeftGroup{GroupID: "g1", MemberID: "m1"}}},
			given: []Event{open, joined("m1")}, actor: member("m1"), cmd: LeaveGroup{}},
		{decision: decision{name: "leave when not a member", err: ErrNotMember},
			given: []Event{open}, actor: member("m1"), cmd: LeaveGroup{}},
		{decision: decision{name: "leave private when not a member", err: ErrNotFound},
			given: []Event{priv}, actor: member("m1"), cmd: LeaveGroup{}},
		{decision: decision{name: "owner leaves without moderator", err: ErrLastOwner},
			given: []Event{open, joined("m1")}, actor: member("own"), cmd: LeaveGroup{}},
		{decision: decision{name: "owner leaves: first moderator inherits", then: []Event{
			GroupOwnershipTransferred{GroupID: "g1", From: "own", To: "m2"},
			MemberLeftGroup{GroupID: "g1", MemberID: "own"}}},
			given: []Event{open, joined("m1"), joined("m2"), joined("m3"), appointed("m1"), appointed("m2"), appointed("m3"),
				MemberLeftGroup{GroupID: "g1", MemberID: "m1"}},
			actor: member("own"), cmd: LeaveGroup{}},

		{decision: decision{name: "approve", then: []Event{
			JoinRequestApproved{GroupID: "g1", MemberID: "m1", By: "own"},
			MemberJoinedGroup{GroupID: "g1", MemberID: "m1", Via: JoinViaApproval}}},
			given: []Event{req, JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: member("own"), cmd: ApproveJoin{MemberID: "m1"}},
		{decision: decision{name: "approve by group moderator", then: []Event{
			JoinRequestApproved{GroupID: "g1", MemberID: "m1", By: "m2"},
			MemberJoinedGroup{GroupID: "g1", MemberID: "m1", Via: JoinViaApproval}}},
			given: []Event{req, joined("m2"), appointed("m2"), JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: member("m2"), cmd: ApproveJoin{MemberID: "m1"}},
		{decision: decision{name: "approve by site admin", then: []Event{
			JoinRequestApproved{GroupID: "g1", MemberID: "m1", By: "a1"},
			MemberJoinedGroup{GroupID: "g1", MemberID: "m1", Via: JoinViaApproval}}},
			given: []Event{req, JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: admin("a1"), cmd: ApproveJoin{MemberID: "m1"}},
		{decision: decision{name: "approve by plain member", err: ErrForbidden},
			given: []Event{req, joined("m2"), JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: member("m2"), cmd: ApproveJoin{MemberID: "m1"}},
		{decision: decision{name: "approve without request", err: ErrNotFound},
			given: []Event{req}, actor: member("own"), cmd: ApproveJoin{MemberID: "m1"}},
		{decision: decision{name: "approve a rejected request", err: ErrNotFound},
			given: []Event{req, JoinRequested{GroupID: "g1", MemberID: "m1"}, JoinRequestRejected{GroupID: "g1", MemberID: "m1", By: "own"}}, actor: member("own"), cmd: ApproveJoin{MemberID: "m1"}},
		{decision: decision{name: "reject", then: []Event{JoinRequestRejected{GroupID: "g1", MemberID: "m1", By: "own", Reason: "not in sector"}}},
			given: []Event{req, JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: member("own"), cmd: RejectJoin{MemberID: "m1", Reason: "not in sector"}},
		{decision: decision{name: "reject by plain member", err: ErrForbidden},
			given: []Event{req, joined("m2"), JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: member("m2"), cmd: RejectJoin{MemberID: "m1"}},
		{decision: decision{name: "reject without request", err: ErrNotFound},
			given: []Event{req}, actor: member("own"), cmd: RejectJoin{MemberID: "m1"}},
		{decision: decision{name: "reject long reason", err: ErrInvalid, field: "reason"},
			given: []Event{req, JoinRequested{GroupID: "g1", MemberID: "m1"}}, actor: member("own"), cmd: RejectJoin{MemberID: "m1", Reason: repeat("r", MaxReason+1)}},

		{decision: decision{name: "invite", then: []Event{MemberInvited{GroupID: "g1", MemberID: "m1", By: "own"}}},
			given: []Event{priv}, actor: member("own"), cmd: InviteMember{MemberID: "m1"}},
		{decision: decision{name: "invite twice is a no-op"},
			given: []Event{priv, MemberInvited{GroupID: "g1", MemberID: "m1", By: "own"}}, actor: member("own"), cmd: InviteMember{MemberID: "m1"}},
		{decision: decision{name: "invite a member", err: ErrAlreadyMember},
			given: []Event{priv, joined("m1")}, actor: member("own"), cmd: InviteMember{MemberID: "m1"}},
		{decision: decision{name: "invite by plain member", err: ErrForbidden},
			given: []Event{priv, joined("m2")}, actor: member("m2"), cmd: InviteMember{MemberID: "m1"}},
		{decision: decision{name: "invite to private by outsider", err: ErrNotFound},
			given: []Event{priv}, actor: member("m2"), cmd: InviteMember{MemberID: "m1"}},
		{decision: decision{name: "invite bad id", err: ErrInvalid, field: "member_id"},
			given: []Event{priv}, actor: member("own"), cmd: InviteMember{MemberID: ""}},

		{decision: decision{name: "remove", then: []Event{MemberRemovedFromGroup{GroupID: "g1", MemberID: "m1", By: "m2", Reason: "spam"}}},
			given: []Event{open, joined("m1"), joined("m2"), appointed("m2")}, actor: member("m2"), cmd: RemoveMember{MemberID: "m1", Reason: "spam"}},
		{decision: decision{name: "remove without reason", err: ErrInvalid, field: "reason", code: CodeRequired},
			given: []Event{open, joined("m1")}, actor: member("own"), cmd: RemoveMember{MemberID: "m1"}},
		{decision: decision{name: "remove the owner", err: ErrForbidden},
			given: []Event{open}, actor: admin("a1"), cmd: RemoveMember{MemberID: "own", Reason: "x"}},
		{decision: decision{name: "moderator removes moderator", err: ErrForbidden},
			given: []Event{open, joined("m1"), joined("m2"), appointed("m1"), appointed("m2")}, actor: member("m2"), cmd: RemoveMember{MemberID: "m1", Reason: "x"}},
		{decision: decision{name: "owner removes moderator", then: []Event{MemberRemovedFromGroup{GroupID: "g1", MemberID: "m1", By: "own", Reason: "x"}}},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: member("own"), cmd: RemoveMember{MemberID: "m1", Reason: "x"}},
		{decision: decision{name: "remove non-member", err: ErrNotMember},
			given: []Event{open}, actor: member("own"), cmd: RemoveMember{MemberID: "m1", Reason: "x"}},
		{decision: decision{name: "remove by plain member", err: ErrForbidden},
			given: []Event{open, joined("m1"), joined("m2")}, actor: member("m2"), cmd: RemoveMember{MemberID: "m1", Reason: "x"}},

		{decision: decision{name: "appoint by owner", then: []Event{GroupModeratorAppointed{GroupID: "g1", MemberID: "m1", By: "own"}}},
			given: []Event{open, joined("m1")}, actor: member("own"), cmd: AppointModerator{MemberID: "m1"}},
		{decision: decision{name: "appoint by admin", then: []Event{GroupModeratorAppointed{GroupID: "g1", MemberID: "m1", By: "a1"}}},
			given: []Event{open, joined("m1")}, actor: admin("a1"), cmd: AppointModerator{MemberID: "m1"}},
		{decision: decision{name: "appoint by moderator", err: ErrForbidden},
			given: []Event{open, joined("m1"), joined("m2"), appointed("m2")}, actor: member("m2"), cmd: AppointModerator{MemberID: "m1"}},
		{decision: decision{name: "appoint by site moderator", err: ErrForbidden},
			given: []Event{open, joined("m1")}, actor: siteMod("s1"), cmd: AppointModerator{MemberID: "m1"}},
		{decision: decision{name: "appoint non-member", err: ErrNotMember},
			given: []Event{open}, actor: member("own"), cmd: AppointModerator{MemberID: "m1"}},
		{decision: decision{name: "appoint moderator again is a no-op"},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: member("own"), cmd: AppointModerator{MemberID: "m1"}},

		{decision: decision{name: "dismiss by owner", then: []Event{GroupModeratorDismissed{GroupID: "g1", MemberID: "m1", By: "own"}}},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: member("own"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "dismiss by admin", then: []Event{GroupModeratorDismissed{GroupID: "g1", MemberID: "m1", By: "a1"}}},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: admin("a1"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "moderator steps down", then: []Event{GroupModeratorDismissed{GroupID: "g1", MemberID: "m1", By: "m1"}}},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: member("m1"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "moderator dismisses moderator", err: ErrForbidden},
			given: []Event{open, joined("m1"), joined("m2"), appointed("m1"), appointed("m2")}, actor: member("m2"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "dismiss by site moderator", err: ErrForbidden},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: siteMod("s1"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "dismiss by plain member", err: ErrForbidden},
			given: []Event{open, joined("m1"), joined("m2"), appointed("m1")}, actor: member("m2"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "dismiss the owner", err: ErrForbidden},
			given: []Event{open}, actor: admin("a1"), cmd: DismissModerator{MemberID: "own"}},
		{decision: decision{name: "dismiss non-member", err: ErrNotMember},
			given: []Event{open}, actor: member("own"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "dismiss plain member is a no-op"},
			given: []Event{open, joined("m1")}, actor: member("own"), cmd: DismissModerator{MemberID: "m1"}},
		{decision: decision{name: "dismiss in private as outsider", err: ErrNotFound},
			given: []Event{priv, joined("m1"), appointed("m1")}, actor: member("x"), cmd: DismissModerator{MemberID: "m1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := FoldGroup(c.given...)
			if g.ID == "" {
				g.ID = "g1"
			}
			got, err := DecideGroup(g, c.cmd, c.actor, now0())
			c.check(t, got, err)
		})
	}
}

func TestEvolveGroup(t *testing.T) {
	g := FoldGroup(created(VisibilityRequest), joined("m1"), joined("m2"), appointed("m1"),
		JoinRequested{GroupID: "g1", MemberID: "m3"},
		GroupOwnershipTransferred{GroupID: "g1", From: "own", To: "m1"},
		MemberLeftGroup{GroupID: "g1", MemberID: "own"})
	if g.OwnerID != "m1" || g.Role("m1") != GroupRoleOwner || g.Role("own") != "" || g.Role("m2") != GroupRoleMember {
		t.Fatalf("state %+v", g)
	}
	if !g.Pending["m3"] || len(g.ModeratorOrder) != 0 {
		t.Fatalf("pending/moderators %+v", g)
	}
	// A dismissed moderator is a member again and no longer inherits.
	d := FoldGroup(created(VisibilityOpen), joined("m1"), joined("m2"), appointed("m1"), appointed("m2"),
		GroupModeratorDismissed{GroupID: "g1", MemberID: "m1", By: "own"})
	if d.Role("m1") != GroupRoleMember || len(d.ModeratorOrder) != 1 || d.ModeratorOrder[0] != "m2" {
		t.Fatalf("after dismissal %+v", d)
	}
	c := g.Clone()
	EvolveGroup(g, joined("m9"))
	if c.Role("m9") != "" {
		t.Fatal("Clone shares maps with the original")
	}
}
