package domain

import (
	"errors"
	"reflect"
	"testing"
)

// updated is the GroupUpdated of created(...) with only what a case changes.
func updated(by string, changed []string, edit func(*GroupUpdated)) GroupUpdated {
	u := GroupUpdated{GroupID: "g1", Name: "Youth workers", Description: "d", Language: "bilingual",
		Topics: []string{"youth"}, Changed: changed, By: by}
	edit(&u)
	return u
}

func TestDecideUpdateGroup(t *testing.T) {
	open, req, priv := created(VisibilityOpen), created(VisibilityRequest), created(VisibilityPrivate)
	rename := UpdateGroup{Name: ptr("Youth workers network")}
	renamed := func(by string) []Event {
		return []Event{updated(by, []string{"name"}, func(u *GroupUpdated) { u.Name = "Youth workers network" })}
	}
	cases := []struct {
		decision
		given []Event
		actor Actor
		cmd   UpdateGroup
	}{
		{decision: decision{name: "owner renames", then: renamed("own")},
			given: []Event{open}, actor: member("own"), cmd: rename},
		{decision: decision{name: "group moderator renames", then: renamed("m1")},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: member("m1"), cmd: rename},
		{decision: decision{name: "site admin renames", then: renamed("a1")},
			given: []Event{priv}, actor: admin("a1"), cmd: rename},
		{decision: decision{name: "the system renames", then: renamed("")},
			given: []Event{open}, actor: SystemActor(), cmd: rename},
		{decision: decision{name: "plain member", err: ErrForbidden},
			given: []Event{open, joined("m1")}, actor: member("m1"), cmd: rename},
		{decision: decision{name: "site moderator", err: ErrForbidden},
			given: []Event{open}, actor: siteMod("s1"), cmd: rename},
		{decision: decision{name: "outsider of a request group", err: ErrForbidden},
			given: []Event{req}, actor: member("x"), cmd: rename},
		{decision: decision{name: "outsider of a private group", err: ErrNotFound},
			given: []Event{priv}, actor: member("x"), cmd: rename},
		{decision: decision{name: "invitee of a private group", err: ErrForbidden},
			given: []Event{priv, MemberInvited{GroupID: "g1", MemberID: "x", By: "own"}}, actor: member("x"), cmd: rename},
		{decision: decision{name: "missing group", err: ErrNotFound},
			actor: admin("a1"), cmd: rename},
		{decision: decision{name: "suspended owner", err: ErrSuspended},
			given: []Event{open}, actor: Actor{ID: "own", Known: true, Suspended: true}, cmd: rename},
		{decision: decision{name: "a forbidden edit is refused before it is checked", err: ErrForbidden},
			given: []Event{open, joined("m1")}, actor: member("m1"), cmd: UpdateGroup{Name: ptr("")}},

		{decision: decision{name: "every field, trimmed and normalised", then: []Event{GroupUpdated{GroupID: "g1",
			Name: "Réseau jeunesse", Description: "Pour les intervenants", Language: "fr", Topics: []string{"jeunesse", "Emploi"},
			Province: "QC", Changed: []string{"name", "description", "language", "topics", "province"}, By: "own"}}},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: ptr("  Réseau jeunesse "), Description: ptr(" Pour les intervenants\n"),
				Language: ptr("fr"), Topics: ptr([]string{" jeunesse", "Emploi", "emploi"}), Province: ptr("QC")}},
		{decision: decision{name: "bilingual stays allowed", then: []Event{updated("own", []string{"language"}, func(u *GroupUpdated) { u.Language = "bilingual" })}},
			given: []Event{open, GroupUpdated{GroupID: "g1", Name: "Youth workers", Description: "d", Language: "en", Topics: []string{"youth"}, By: "own"}},
			actor: member("own"), cmd: UpdateGroup{Language: ptr("bilingual")}},
		{decision: decision{name: "an empty province clears it", then: []Event{updated("own", []string{"province"}, func(u *GroupUpdated) {})}},
			given: []Event{GroupCreated{GroupID: "g1", Name: "Youth workers", Description: "d", Visibility: "open", Language: "bilingual", Topics: []string{"youth"}, Province: "ON", OwnerID: "own"}},
			actor: member("own"), cmd: UpdateGroup{Province: ptr("")}},
		{decision: decision{name: "empty topics clear them", then: []Event{updated("own", []string{"topics"}, func(u *GroupUpdated) { u.Topics = []string{} })}},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Topics: ptr([]string{})}},
		{decision: decision{name: "the same visibility is accepted", then: renamed("own")},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: rename.Name, Visibility: ptr(VisibilityOpen)}},

		{decision: decision{name: "nothing set is a no-op"},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{}},
		{decision: decision{name: "the current values are a no-op"},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: ptr(" Youth workers "), Description: ptr("d"),
				Language: ptr("bilingual"), Topics: ptr([]string{"youth", "Youth"}), Province: ptr(""), Visibility: ptr(VisibilityOpen)}},

		{decision: decision{name: "unknown visibility", err: ErrInvalid, field: "visibility", code: CodeInvalid},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Visibility: ptr("secret")}},
		{decision: decision{name: "empty visibility", err: ErrInvalid, field: "visibility", code: CodeRequired},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Visibility: ptr("")}},
		{decision: decision{name: "empty name", err: ErrInvalid, field: "name", code: CodeRequired},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: ptr("  ")}},
		{decision: decision{name: "long name", err: ErrInvalid, field: "name", code: CodeTooLong},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: ptr(repeat("n", MaxGroupName+1))}},
		{decision: decision{name: "name with a newline", err: ErrInvalid, field: "name", code: CodeInvalid},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: ptr("Youth\nworkers")}},
		{decision: decision{name: "long description", err: ErrInvalid, field: "description", code: CodeTooLong},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Description: ptr(repeat("d", MaxDescription+1))}},
		{decision: decision{name: "empty language", err: ErrInvalid, field: "language", code: CodeRequired},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Language: ptr("")}},
		{decision: decision{name: "bad language", err: ErrInvalid, field: "language", code: CodeInvalid},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Language: ptr("es")}},
		{decision: decision{name: "too many topics", err: ErrInvalid, field: "topics", code: CodeTooMany},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Topics: ptr(make([]string, MaxTags+1))}},
		{decision: decision{name: "long topic", err: ErrInvalid, field: "topics", code: CodeTooLong},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Topics: ptr([]string{repeat("t", MaxTagLength+1)})}},
		{decision: decision{name: "bad province", err: ErrInvalid, field: "province", code: CodeInvalid},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Province: ptr("XX")}},
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

// Every field error of a bad edit is reported at once, as creation does.
func TestUpdateGroupReportsEveryField(t *testing.T) {
	g := FoldGroup(created(VisibilityOpen))
	_, err := DecideGroup(g, UpdateGroup{Name: ptr(""), Language: ptr("es"), Province: ptr("XX"), Visibility: ptr("secret")}, member("own"), now0())
	want := map[string]string{"name": CodeRequired, "language": CodeInvalid, "province": CodeInvalid, "visibility": CodeInvalid}
	ve, ok := err.(*ValidationError)
	if !ok || !reflect.DeepEqual(ve.Fields, want) {
		t.Fatalf("error %v, want fields %v", err, want)
	}
}

func TestEvolveGroupUpdated(t *testing.T) {
	g := FoldGroup(created(VisibilityRequest), joined("m1"),
		GroupUpdated{GroupID: "g1", Name: "New", Description: "nd", Language: "fr", Topics: []string{"a"}, Province: "NU", Changed: []string{"name"}, By: "own"})
	if g.Name != "New" || g.Description != "nd" || g.Language != "fr" || !reflect.DeepEqual(g.Topics, []string{"a"}) || g.Province != "NU" {
		t.Fatalf("settings not replaced: %+v", g)
	}
	if g.Visibility != VisibilityRequest || g.OwnerID != "own" || g.Role("m1") != GroupRoleMember {
		t.Fatalf("an update touched more than the settings: %+v", g)
	}
}

// TestDecideVisibilityChange: who may change a group's visibility, and
// what each transition does to pending join requests and invitations.
func TestDecideVisibilityChange(t *testing.T) {
	open, req, priv := created(VisibilityOpen), created(VisibilityRequest), created(VisibilityPrivate)
	asked := func(id string) JoinRequested { return JoinRequested{GroupID: "g1", MemberID: id} }
	invited := MemberInvited{GroupID: "g1", MemberID: "inv", By: "own"}
	changed := func(from, to, by, reason string) GroupVisibilityChanged {
		return GroupVisibilityChanged{GroupID: "g1", From: from, To: to, By: by, Reason: reason}
	}
	to := func(v string) UpdateGroup { return UpdateGroup{Visibility: ptr(v)} }
	cases := []struct {
		decision
		given []Event
		actor Actor
		cmd   UpdateGroup
	}{
		// who
		{decision: decision{name: "owner: open to private", then: []Event{changed("open", "private", "own", "")}},
			given: []Event{open}, actor: member("own"), cmd: to(VisibilityPrivate)},
		{decision: decision{name: "site admin: private to open", then: []Event{changed("private", "open", "a1", "")}},
			given: []Event{priv}, actor: admin("a1"), cmd: to(VisibilityOpen)},
		{decision: decision{name: "the system: open to request", then: []Event{changed("open", "request", "", "")}},
			given: []Event{open}, actor: SystemActor(), cmd: to(VisibilityRequest)},
		{decision: decision{name: "group moderator: refused whole", err: ErrForbidden},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: member("m1"), cmd: UpdateGroup{Name: ptr("New name"), Visibility: ptr(VisibilityPrivate)}},
		{decision: decision{name: "group moderator repeating the visibility renames", then: []Event{updated("m1", []string{"name"}, func(u *GroupUpdated) { u.Name = "New name" })}},
			given: []Event{open, joined("m1"), appointed("m1")}, actor: member("m1"), cmd: UpdateGroup{Name: ptr("New name"), Visibility: ptr(VisibilityOpen)}},
		{decision: decision{name: "site moderator", err: ErrForbidden},
			given: []Event{open}, actor: siteMod("s1"), cmd: to(VisibilityPrivate)},
		{decision: decision{name: "plain member", err: ErrForbidden},
			given: []Event{open, joined("m1")}, actor: member("m1"), cmd: to(VisibilityPrivate)},
		{decision: decision{name: "outsider of a private group", err: ErrNotFound},
			given: []Event{priv}, actor: member("x"), cmd: to(VisibilityOpen)},
		{decision: decision{name: "suspended owner", err: ErrSuspended},
			given: []Event{open}, actor: suspended("own"), cmd: to(VisibilityPrivate)},
		{decision: decision{name: "long reason", err: ErrInvalid, field: "visibility_reason", code: CodeTooLong},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Visibility: ptr(VisibilityPrivate), VisibilityReason: repeat("r", MaxReason+1)}},
		{decision: decision{name: "a bad field refuses the change too", err: ErrInvalid, field: "name", code: CodeRequired},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: ptr(""), Visibility: ptr(VisibilityPrivate)}},

		// what each transition does
		{decision: decision{name: "with a rename: both, the settings first", then: []Event{
			updated("own", []string{"name"}, func(u *GroupUpdated) { u.Name = "New name" }), changed("open", "request", "own", "members only now")}},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Name: ptr("New name"), Visibility: ptr(VisibilityRequest), VisibilityReason: " members only now "}},
		{decision: decision{name: "request to open approves every pending request", then: []Event{
			changed("request", "open", "own", ""),
			JoinRequestApproved{GroupID: "g1", MemberID: "p1", By: "own"}, MemberJoinedGroup{GroupID: "g1", MemberID: "p1", Via: JoinViaApproval},
			JoinRequestApproved{GroupID: "g1", MemberID: "p2", By: "own"}, MemberJoinedGroup{GroupID: "g1", MemberID: "p2", Via: JoinViaApproval}}},
			given: []Event{req, asked("p2"), asked("p1"), invited}, actor: member("own"), cmd: to(VisibilityOpen)},
		{decision: decision{name: "request to private rejects every pending request", then: []Event{
			changed("request", "private", "a1", ""),
			JoinRequestRejected{GroupID: "g1", MemberID: "p1", By: "a1", Reason: ReasonGroupMadePrivate},
			JoinRequestRejected{GroupID: "g1", MemberID: "p2", By: "a1", Reason: ReasonGroupMadePrivate}}},
			given: []Event{req, asked("p1"), asked("p2"), invited}, actor: admin("a1"), cmd: to(VisibilityPrivate)},
		{decision: decision{name: "request to private with a reason gives it to the rejections", then: []Event{
			changed("request", "private", "own", "working group"),
			JoinRequestRejected{GroupID: "g1", MemberID: "p1", By: "own", Reason: "working group"}}},
			given: []Event{req, asked("p1")}, actor: member("own"), cmd: UpdateGroup{Visibility: ptr(VisibilityPrivate), VisibilityReason: "working group"}},
		{decision: decision{name: "request to open with none pending", then: []Event{changed("request", "open", "own", "")}},
			given: []Event{req, asked("p1"), JoinRequestRejected{GroupID: "g1", MemberID: "p1", By: "own"}}, actor: member("own"), cmd: to(VisibilityOpen)},
		{decision: decision{name: "open to request", then: []Event{changed("open", "request", "own", "")}},
			given: []Event{open, invited}, actor: member("own"), cmd: to(VisibilityRequest)},
		{decision: decision{name: "private to request", then: []Event{changed("private", "request", "own", "")}},
			given: []Event{priv, invited}, actor: member("own"), cmd: to(VisibilityRequest)},
		{decision: decision{name: "private to open", then: []Event{changed("private", "open", "own", "")}},
			given: []Event{priv, invited}, actor: member("own"), cmd: to(VisibilityOpen)},
		{decision: decision{name: "the same visibility is a no-op"},
			given: []Event{priv}, actor: member("own"), cmd: to(VisibilityPrivate)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			g := FoldGroup(c.given...)
			got, err := DecideGroup(g, c.cmd, c.actor, now0())
			c.check(t, got, err)
		})
	}
}

// TestEvolveVisibilityChanged: the change sets the visibility and keeps
// invitations (an invitee of a group made private still joins).
func TestEvolveVisibilityChanged(t *testing.T) {
	g := FoldGroup(created(VisibilityOpen), joined("m1"), MemberInvited{GroupID: "g1", MemberID: "inv", By: "own"},
		GroupVisibilityChanged{GroupID: "g1", From: VisibilityOpen, To: VisibilityPrivate, By: "own"})
	if g.Visibility != VisibilityPrivate || g.Role("m1") != GroupRoleMember || !g.Invited["inv"] {
		t.Fatalf("after the change: %+v", g)
	}
	evs, err := DecideGroup(g, JoinGroup{}, member("inv"), now0())
	if err != nil || len(evs) != 1 || evs[0].(MemberJoinedGroup).Via != JoinViaInvitation {
		t.Fatalf("invitee joins a group made private: %v %v", evs, err)
	}
	if _, err := DecideGroup(g, JoinGroup{}, member("x"), now0()); !errors.Is(err, ErrNotFound) {
		t.Fatalf("outsider joins a group made private: %v", err)
	}
}
