package domain

import (
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

		{decision: decision{name: "visibility change", err: ErrInvalid, field: "visibility", code: CodeUnchangeable},
			given: []Event{open}, actor: member("own"), cmd: UpdateGroup{Visibility: ptr(VisibilityPrivate)}},
		{decision: decision{name: "visibility change with a valid rename", err: ErrInvalid, field: "visibility", code: CodeUnchangeable},
			given: []Event{req}, actor: admin("a1"), cmd: UpdateGroup{Name: rename.Name, Visibility: ptr(VisibilityOpen)}},
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
	_, err := DecideGroup(g, UpdateGroup{Name: ptr(""), Language: ptr("es"), Province: ptr("XX"), Visibility: ptr(VisibilityRequest)}, member("own"), now0())
	want := map[string]string{"name": CodeRequired, "language": CodeInvalid, "province": CodeInvalid, "visibility": CodeUnchangeable}
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
