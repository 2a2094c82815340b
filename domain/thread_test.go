package domain

import (
	"slices"
	"testing"
	"time"
)

const (
	th = "t1"
	p0 = "t1.p0" // opening post, by "auth"
	p1 = "t1.p1" // reply, by "m1"
)

func started() ThreadStarted {
	return ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "auth", Title: "Title", Body: "Body", Language: "en", Kind: KindDiscussion, Tags: []string{}}
}

func reply(id, author string) ReplyPosted {
	return ReplyPosted{ThreadID: th, GroupID: "g1", PostID: id, AuthorID: author, Body: "b", Language: "en", ThreadAuthorID: "auth"}
}

func eventThread(capacity *int) ThreadStarted {
	s := started()
	s.Kind = KindEvent
	end := now0().Add(48 * time.Hour)
	s.Event = &EventDetails{StartsAt: now0().Add(24 * time.Hour), EndsAt: &end, Capacity: capacity}
	return s
}

func rsvp(member, status, prev string) RsvpChanged {
	return RsvpChanged{ThreadID: th, GroupID: "g1", MemberID: member, Status: status, Previous: prev}
}

// access builds the group as seen by an actor.
func access(vis, role string) GroupAccess {
	return GroupAccess{GroupID: "g1", Exists: true, Visibility: vis, Role: role}
}

func TestDecideThread(t *testing.T) {
	base := []Event{started(), reply(p1, "m1")}
	asMember := func(id string) ThreadEnv {
		return ThreadEnv{Actor: member(id), Group: access(VisibilityOpen, GroupRoleMember)}
	}
	asGroupMod := func(id string) ThreadEnv {
		return ThreadEnv{Actor: member(id), Group: access(VisibilityOpen, GroupRoleModerator)}
	}
	asOutsider := func(vis string) ThreadEnv { return ThreadEnv{Actor: member("x"), Group: access(vis, "")} }
	// An invitee sees a private group's card, not its threads.
	asInvitee := func() ThreadEnv {
		env := asOutsider(VisibilityPrivate)
		env.Group.Invited = true
		return env
	}
	start := func(mod func(*StartThread)) StartThread {
		c := StartThread{ThreadID: th, PostID: p0, GroupID: "g1", Title: " Title ", Body: "Body", Language: "en"}
		if mod != nil {
			mod(&c)
		}
		return c
	}
	startsAt := now0().Add(time.Hour)
	endsAt := startsAt.Add(time.Hour)
	locked := append(append([]Event{}, base...), ThreadLocked{ThreadID: th, GroupID: "g1", By: "own"})
	hidden := append(append([]Event{}, base...), PostHidden{ThreadID: th, GroupID: "g1", PostID: p1, By: "own", Reason: "r"})
	deleted := append(append([]Event{}, base...), PostDeleted{ThreadID: th, GroupID: "g1", PostID: p1, By: "m1"})
	liked := append(append([]Event{}, base...), ReactionAdded{ThreadID: th, GroupID: "g1", PostID: p1, MemberID: "m2", Kind: ReactionLike, PostAuthorID: "m1"})
	flagged := append(append([]Event{}, base...), PostFlagged{ThreadID: th, GroupID: "g1", PostID: p1, MemberID: "m2", Reason: "rude", PostAuthorID: "m1"})

	cases := []struct {
		decision
		given []Event
		env   ThreadEnv
		cmd   ThreadCommand
	}{
		// start
		{decision: decision{name: "start", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "en", Kind: KindDiscussion, Tags: []string{"youth"}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Tags = []string{"youth", "Youth "} })},
		{decision: decision{name: "start event", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "fr", Kind: KindEvent, Tags: []string{},
			Event: &EventDetails{StartsAt: startsAt, EndsAt: &endsAt, Location: "Zoom", OnlineURL: "https://example.org/w", Capacity: ptr(0)}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Language, c.Kind = "fr", KindEvent
				c.Event = &EventDetails{StartsAt: startsAt.In(time.FixedZone("EST", -5*3600)), EndsAt: &endsAt, Location: "Zoom", OnlineURL: "https://example.org/w", Capacity: ptr(0)}
			})},
		{decision: decision{name: "start resource", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "en", Kind: KindResource, Tags: []string{},
			Resource: &ResourceDetails{URL: "https://example.org/guide.pdf", Format: "PDF"}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Kind = KindResource
				c.Resource = &ResourceDetails{URL: "https://example.org/guide.pdf", Format: "PDF"}
			})},
		{decision: decision{name: "start job", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "en", Kind: KindJob, Tags: []string{},
			Job: &JobDetails{Organization: "Newcomer Centre", Location: "Regina, SK", EmploymentType: EmploymentFullTime, Salary: "$52,000-$58,000", Deadline: "2026-11-30", ApplyURL: "https://example.org/apply"}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Kind = KindJob
				c.Job = &JobDetails{Organization: " Newcomer Centre ", Location: "Regina, SK", EmploymentType: EmploymentFullTime, Salary: "$52,000-$58,000", Deadline: "2026-11-30", ApplyURL: " https://example.org/apply"}
			})},
		{decision: decision{name: "start news", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "fr", Kind: KindNews, Tags: []string{"funding"}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Language, c.Kind, c.Tags = "fr", KindNews, []string{"funding"} })},
		{decision: decision{name: "start discussion named", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "en", Kind: KindDiscussion, Tags: []string{}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindDiscussion })},
		{decision: decision{name: "start news with event", err: ErrInvalid, field: "event", code: CodeNotAllowed},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindNews; c.Event = &EventDetails{StartsAt: startsAt} })},
		{decision: decision{name: "start news with resource", err: ErrInvalid, field: "resource", code: CodeNotAllowed},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindNews; c.Resource = &ResourceDetails{URL: "https://example.org/r"} })},
		{decision: decision{name: "start news with job", err: ErrInvalid, field: "job", code: CodeNotAllowed},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindNews; c.Job = &JobDetails{Organization: "x"} })},
		{decision: decision{name: "start job without details", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "en", Kind: KindJob, Tags: []string{}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{Location: "  "} })},
		// now0 is 2026-11-02 15:04 UTC: 2026-11-02 is still open, and the
		// day before is over even on the west coast.
		{decision: decision{name: "start job deadline today", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: "Title", Body: "Body", Language: "en", Kind: KindJob, Tags: []string{},
			Job: &JobDetails{Deadline: "2026-11-02"}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{Deadline: "2026-11-02"} })},
		{decision: decision{name: "start job deadline past", err: ErrInvalid, field: "job.deadline", code: CodeInPast},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{Deadline: "2026-11-01"} })},
		{decision: decision{name: "start job deadline not a date", err: ErrInvalid, field: "job.deadline", code: CodeInvalid},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{Deadline: "30/11/2026"} })},
		{decision: decision{name: "start job apply url scheme", err: ErrInvalid, field: "job.apply_url", code: CodeInvalid},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{ApplyURL: "javascript:alert(1)"} })},
		{decision: decision{name: "start job apply url mailto", err: ErrInvalid, field: "job.apply_url", code: CodeInvalid},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{ApplyURL: "mailto:hr@example.org"} })},
		{decision: decision{name: "start job apply url too long", err: ErrInvalid, field: "job.apply_url", code: CodeTooLong},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Kind = KindJob
				c.Job = &JobDetails{ApplyURL: "https://example.org/" + repeat("a", MaxURL)}
			})},
		{decision: decision{name: "start job bad employment type", err: ErrInvalid, field: "job.employment_type", code: CodeInvalid},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{EmploymentType: "gig"} })},
		{decision: decision{name: "start job long organization", err: ErrInvalid, field: "job.organization", code: CodeTooLong},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Kind = KindJob
				c.Job = &JobDetails{Organization: repeat("o", MaxOrganization+1)}
			})},
		{decision: decision{name: "start job long salary", err: ErrInvalid, field: "job.salary", code: CodeTooLong},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{Salary: repeat("9", MaxSalary+1)} })},
		{decision: decision{name: "start job location with newline", err: ErrInvalid, field: "job.location", code: CodeInvalid},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindJob; c.Job = &JobDetails{Location: "Regina\nSK"} })},
		{decision: decision{name: "start discussion with job", err: ErrInvalid, field: "job", code: CodeNotAllowed},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Job = &JobDetails{Organization: "x"} })},
		{decision: decision{name: "start event without details", err: ErrInvalid, field: "event", code: CodeRequired},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindEvent })},
		{decision: decision{name: "start event without start", err: ErrInvalid, field: "event.starts_at", code: CodeRequired},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindEvent; c.Event = &EventDetails{} })},
		{decision: decision{name: "start event ending before start", err: ErrInvalid, field: "event.ends_at", code: CodeBeforeStart},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = KindEvent; c.Event = &EventDetails{StartsAt: endsAt, EndsAt: &startsAt} })},
		{decision: decision{name: "start event negative capacity", err: ErrInvalid, field: "event.capacity", code: CodeOutOfRange},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Kind = KindEvent
				c.Event = &EventDetails{StartsAt: startsAt, Capacity: ptr(-1)}
			})},
		{decision: decision{name: "start event bad url", err: ErrInvalid, field: "event.online_url", code: CodeInvalid},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Kind = KindEvent
				c.Event = &EventDetails{StartsAt: startsAt, OnlineURL: "javascript:alert(1)"}
			})},
		{decision: decision{name: "start discussion with event", err: ErrInvalid, field: "event", code: CodeNotAllowed},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Event = &EventDetails{StartsAt: startsAt} })},
		{decision: decision{name: "start event with resource", err: ErrInvalid, field: "resource", code: CodeNotAllowed},
			env: asMember("m1"), cmd: start(func(c *StartThread) {
				c.Kind = KindEvent
				c.Event = &EventDetails{StartsAt: startsAt}
				c.Resource = &ResourceDetails{}
			})},
		{decision: decision{name: "start bad kind", err: ErrInvalid, field: "kind"},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Kind = "poll" })},
		{decision: decision{name: "start long title", err: ErrInvalid, field: "title", code: CodeTooLong},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Title = repeat("t", MaxTitle+1) })},
		{decision: decision{name: "start 200-char title", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "m1", Title: repeat("à", 200), Body: "Body", Language: "en", Kind: KindDiscussion, Tags: []string{}}}},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Title = repeat("à", 200) })},
		{decision: decision{name: "start body too large", err: ErrInvalid, field: "body", code: CodeTooLong},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Body = repeat("é", MaxBodyBytes/2+1) })},
		{decision: decision{name: "start empty body", err: ErrInvalid, field: "body", code: CodeRequired},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Body = " \n" })},
		{decision: decision{name: "start bad language", err: ErrInvalid, field: "language"},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Language = "bilingual" })},
		{decision: decision{name: "start too many tags", err: ErrInvalid, field: "tags", code: CodeTooMany},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Tags = []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"} })},
		{decision: decision{name: "start long tag", err: ErrInvalid, field: "tags", code: CodeTooLong},
			env: asMember("m1"), cmd: start(func(c *StartThread) { c.Tags = []string{repeat("t", MaxTagLength+1)} })},
		{decision: decision{name: "start as non-member", err: ErrNotMember},
			env: asOutsider(VisibilityOpen), cmd: start(nil)},
		{decision: decision{name: "start in private as outsider", err: ErrNotFound},
			env: asOutsider(VisibilityPrivate), cmd: start(nil)},
		{decision: decision{name: "start in missing group", err: ErrNotFound},
			env: ThreadEnv{Actor: member("m1")}, cmd: start(nil)},
		{decision: decision{name: "start while suspended", err: ErrSuspended},
			env: ThreadEnv{Actor: suspended("m1"), Group: access(VisibilityOpen, GroupRoleMember)}, cmd: start(nil)},
		{decision: decision{name: "start existing", err: ErrConflict},
			given: base, env: asMember("m1"), cmd: start(nil)},
		{decision: decision{name: "start by admin outside group", then: []Event{ThreadStarted{ThreadID: th, GroupID: "g1", PostID: p0, AuthorID: "a1", Title: "Title", Body: "Body", Language: "en", Kind: KindDiscussion, Tags: []string{}}}},
			env: ThreadEnv{Actor: admin("a1"), Group: access(VisibilityPrivate, "")}, cmd: start(nil)},

		// replies
		{decision: decision{name: "reply", then: []Event{ReplyPosted{ThreadID: th, GroupID: "g1", PostID: "t1.p2", AuthorID: "m2", Body: "Merci", Language: "fr", ReplyTo: p1, ThreadAuthorID: "auth", ReplyToAuthorID: "m1"}}},
			given: base, env: asMember("m2"), cmd: PostReply{PostID: "t1.p2", Body: "Merci", Language: "fr", ReplyTo: p1}},
		{decision: decision{name: "reply to a post of another thread", err: ErrInvalid, field: "reply_to"},
			given: base, env: asMember("m2"), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en", ReplyTo: "t9.p1"}},
		{decision: decision{name: "reply without language", err: ErrInvalid, field: "language", code: CodeRequired},
			given: base, env: asMember("m2"), cmd: PostReply{PostID: "t1.p2", Body: "b"}},
		{decision: decision{name: "reply empty body", err: ErrInvalid, field: "body"},
			given: base, env: asMember("m2"), cmd: PostReply{PostID: "t1.p2", Language: "en"}},
		{decision: decision{name: "reply as non-member of open group", err: ErrNotMember},
			given: base, env: asOutsider(VisibilityOpen), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},
		{decision: decision{name: "reply as non-member of request group", err: ErrNotFound},
			given: base, env: asOutsider(VisibilityRequest), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},
		{decision: decision{name: "reply as non-member of private group", err: ErrNotFound},
			given: base, env: asOutsider(VisibilityPrivate), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},
		{decision: decision{name: "reply as invitee of private group", err: ErrNotFound},
			given: base, env: asInvitee(), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},
		{decision: decision{name: "react as invitee of private group", err: ErrNotFound},
			given: base, env: asInvitee(), cmd: AddReaction{PostID: p1, Kind: ReactionLike}},
		{decision: decision{name: "flag as invitee of private group", err: ErrNotFound},
			given: base, env: asInvitee(), cmd: FlagPost{PostID: p1, Reason: "rude"}},
		{decision: decision{name: "reply in locked thread", err: ErrThreadLocked},
			given: locked, env: asMember("m2"), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},
		{decision: decision{name: "moderator replies in locked thread", then: []Event{ReplyPosted{ThreadID: th, GroupID: "g1", PostID: "t1.p2", AuthorID: "m2", Body: "b", Language: "en", ThreadAuthorID: "auth"}}},
			given: locked, env: asGroupMod("m2"), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},
		{decision: decision{name: "reply while suspended", err: ErrSuspended},
			given: base, env: ThreadEnv{Actor: suspended("m2"), Group: access(VisibilityOpen, GroupRoleMember)}, cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},
		{decision: decision{name: "reply with a used post id", err: ErrConflict},
			given: base, env: asMember("m2"), cmd: PostReply{PostID: p1, Body: "b", Language: "en"}},
		{decision: decision{name: "reply to missing thread", err: ErrNotFound},
			env: asMember("m2"), cmd: PostReply{PostID: "t1.p2", Body: "b", Language: "en"}},

		// edit, delete
		{decision: decision{name: "edit own post", then: []Event{PostEdited{ThreadID: th, GroupID: "g1", PostID: p1, Body: "new", EditorID: "m1"}}},
			given: base, env: asMember("m1"), cmd: EditPost{PostID: p1, Body: "new"}},
		{decision: decision{name: "edit to the same text is a no-op"},
			given: base, env: asMember("m1"), cmd: EditPost{PostID: p1, Body: "b"}},
		{decision: decision{name: "edit back to an earlier text", then: []Event{PostEdited{ThreadID: th, GroupID: "g1", PostID: p1, Body: "b", EditorID: "m1"}}},
			given: append(slices.Clone(base), PostEdited{ThreadID: th, GroupID: "g1", PostID: p1, Body: "new", EditorID: "m1"}), env: asMember("m1"), cmd: EditPost{PostID: p1, Body: "b"}},
		{decision: decision{name: "edit the opening post to its text is a no-op"},
			given: base, env: asMember("auth"), cmd: EditPost{PostID: started().PostID, Body: started().Body}},
		{decision: decision{name: "moderator edits", then: []Event{PostEdited{ThreadID: th, GroupID: "g1", PostID: p1, Body: "new", EditorID: "m2"}}},
			given: base, env: asGroupMod("m2"), cmd: EditPost{PostID: p1, Body: "new"}},
		{decision: decision{name: "edit someone else's post", err: ErrForbidden},
			given: base, env: asMember("m2"), cmd: EditPost{PostID: p1, Body: "new"}},
		{decision: decision{name: "edit in locked thread", err: ErrThreadLocked},
			given: locked, env: asMember("m1"), cmd: EditPost{PostID: p1, Body: "new"}},
		{decision: decision{name: "edit deleted post", err: ErrNotFound},
			given: deleted, env: asMember("m1"), cmd: EditPost{PostID: p1, Body: "new"}},
		{decision: decision{name: "edit too large", err: ErrInvalid, field: "body", code: CodeTooLong},
			given: base, env: asMember("m1"), cmd: EditPost{PostID: p1, Body: repeat("x", MaxBodyBytes+1)}},
		{decision: decision{name: "edit missing post", err: ErrNotFound},
			given: base, env: asMember("m1"), cmd: EditPost{PostID: "t1.nope", Body: "x"}},
		{decision: decision{name: "delete own post", then: []Event{PostDeleted{ThreadID: th, GroupID: "g1", PostID: p1, By: "m1"}}},
			given: base, env: asMember("m1"), cmd: DeletePost{PostID: p1}},
		{decision: decision{name: "delete twice is a no-op"},
			given: deleted, env: asMember("m1"), cmd: DeletePost{PostID: p1}},
		{decision: decision{name: "moderator deletes", err: ErrForbidden},
			given: base, env: asGroupMod("m2"), cmd: DeletePost{PostID: p1}},
		{decision: decision{name: "delete missing", err: ErrNotFound},
			given: base, env: asMember("m1"), cmd: DeletePost{PostID: "t1.x"}},

		// reactions
		{decision: decision{name: "react", then: []Event{ReactionAdded{ThreadID: th, GroupID: "g1", PostID: p1, MemberID: "m2", Kind: ReactionThanks, PostAuthorID: "m1"}}},
			given: base, env: asMember("m2"), cmd: AddReaction{PostID: p1, Kind: ReactionThanks}},
		{decision: decision{name: "react twice is a no-op"},
			given: liked, env: asMember("m2"), cmd: AddReaction{PostID: p1, Kind: ReactionLike}},
		{decision: decision{name: "another kind is another reaction", then: []Event{ReactionAdded{ThreadID: th, GroupID: "g1", PostID: p1, MemberID: "m2", Kind: ReactionInsightful, PostAuthorID: "m1"}}},
			given: liked, env: asMember("m2"), cmd: AddReaction{PostID: p1, Kind: ReactionInsightful}},
		{decision: decision{name: "react bad kind", err: ErrInvalid, field: "kind"},
			given: base, env: asMember("m2"), cmd: AddReaction{PostID: p1, Kind: "love"}},
		{decision: decision{name: "react as non-member", err: ErrNotMember},
			given: base, env: asOutsider(VisibilityOpen), cmd: AddReaction{PostID: p1, Kind: ReactionLike}},
		{decision: decision{name: "react to hidden post", err: ErrNotFound},
			given: hidden, env: asMember("m2"), cmd: AddReaction{PostID: p1, Kind: ReactionLike}},
		{decision: decision{name: "react in locked thread", err: ErrThreadLocked},
			given: locked, env: asMember("m2"), cmd: AddReaction{PostID: p1, Kind: ReactionLike}},
		{decision: decision{name: "unreact", then: []Event{ReactionRemoved{ThreadID: th, GroupID: "g1", PostID: p1, MemberID: "m2", Kind: ReactionLike}}},
			given: liked, env: asMember("m2"), cmd: RemoveReaction{PostID: p1, Kind: ReactionLike}},
		{decision: decision{name: "unreact absent is a no-op"},
			given: liked, env: asMember("m3"), cmd: RemoveReaction{PostID: p1, Kind: ReactionLike}},
		{decision: decision{name: "unreact missing post", err: ErrNotFound},
			given: base, env: asMember("m2"), cmd: RemoveReaction{PostID: "t1.x", Kind: ReactionLike}},

		// flags
		{decision: decision{name: "flag", then: []Event{PostFlagged{ThreadID: th, GroupID: "g1", PostID: p1, MemberID: "m2", Reason: "rude", PostAuthorID: "m1"}}},
			given: base, env: asMember("m2"), cmd: FlagPost{PostID: p1, Reason: " rude "}},
		{decision: decision{name: "flag by a reader of an open group", then: []Event{PostFlagged{ThreadID: th, GroupID: "g1", PostID: p1, MemberID: "x", Reason: "rude", PostAuthorID: "m1"}}},
			given: base, env: asOutsider(VisibilityOpen), cmd: FlagPost{PostID: p1, Reason: "rude"}},
		{decision: decision{name: "flag in request group as outsider", err: ErrNotFound},
			given: base, env: asOutsider(VisibilityRequest), cmd: FlagPost{PostID: p1, Reason: "rude"}},
		{decision: decision{name: "flag twice is a no-op"},
			given: flagged, env: asMember("m2"), cmd: FlagPost{PostID: p1, Reason: "again"}},
		{decision: decision{name: "flag again after resolution is a no-op"},
			given: append(append([]Event{}, flagged...), FlagResolved{ThreadID: th, PostID: p1, FlaggerID: "m2", Resolution: FlagDismissed}),
			env:   asMember("m2"), cmd: FlagPost{PostID: p1, Reason: "again"}},
		{decision: decision{name: "flag without reason", err: ErrInvalid, field: "reason", code: CodeRequired},
			given: base, env: asMember("m2"), cmd: FlagPost{PostID: p1}},
		{decision: decision{name: "resolve flag", then: []Event{FlagResolved{ThreadID: th, GroupID: "g1", PostID: p1, FlaggerID: "m2", Resolution: FlagActioned, Reason: "hidden", By: "m3", PostAuthorID: "m1"}}},
			given: flagged, env: asGroupMod("m3"), cmd: ResolveFlag{PostID: p1, FlaggerID: "m2", Resolution: FlagActioned, Reason: "hidden"}},
		{decision: decision{name: "resolve flag by member", err: ErrForbidden},
			given: flagged, env: asMember("m3"), cmd: ResolveFlag{PostID: p1, FlaggerID: "m2", Resolution: FlagDismissed}},
		{decision: decision{name: "resolve missing flag", err: ErrNotFound},
			given: base, env: asGroupMod("m3"), cmd: ResolveFlag{PostID: p1, FlaggerID: "m2", Resolution: FlagDismissed}},
		{decision: decision{name: "resolve bad resolution", err: ErrInvalid, field: "resolution"},
			given: flagged, env: asGroupMod("m3"), cmd: ResolveFlag{PostID: p1, FlaggerID: "m2", Resolution: "ignored"}},

		// hide, restore
		{decision: decision{name: "hide", then: []Event{PostHidden{ThreadID: th, GroupID: "g1", PostID: p1, By: "m3", Reason: "spam"}}},
			given: base, env: asGroupMod("m3"), cmd: HidePost{PostID: p1, Reason: "spam"}},
		{decision: decision{name: "site moderator hides", then: []Event{PostHidden{ThreadID: th, GroupID: "g1", PostID: p1, By: "s1", Reason: "spam"}}},
			given: base, env: ThreadEnv{Actor: siteMod("s1"), Group: access(VisibilityPrivate, "")}, cmd: HidePost{PostID: p1, Reason: "spam"}},
		{decision: decision{name: "hide without reason", err: ErrInvalid, field: "reason", code: CodeRequired},
			given: base, env: asGroupMod("m3"), cmd: HidePost{PostID: p1}},
		{decision: decision{name: "hide by member", err: ErrForbidden},
			given: base, env: asMember("m3"), cmd: HidePost{PostID: p1, Reason: "spam"}},
		{decision: decision{name: "hide twice is a no-op"},
			given: hidden, env: asGroupMod("m3"), cmd: HidePost{PostID: p1, Reason: "spam"}},
		{decision: decision{name: "restore", then: []Event{PostRestored{ThreadID: th, GroupID: "g1", PostID: p1, By: "m3"}}},
			given: hidden, env: asGroupMod("m3"), cmd: RestorePost{PostID: p1}},
		{decision: decision{name: "restore visible is a no-op"},
			given: base, env: asGroupMod("m3"), cmd: RestorePost{PostID: p1}},
		{decision: decision{name: "restore by member", err: ErrForbidden},
			given: hidden, env: asMember("m1"), cmd: RestorePost{PostID: p1}},

		// lock, pin
		{decision: decision{name: "lock", then: []Event{ThreadLocked{ThreadID: th, GroupID: "g1", By: "m3", Reason: "heated"}}},
			given: base, env: asGroupMod("m3"), cmd: LockThread{Reason: "heated"}},
		{decision: decision{name: "lock locked is a no-op"},
			given: locked, env: asGroupMod("m3"), cmd: LockThread{}},
		{decision: decision{name: "lock by author", err: ErrForbidden},
			given: base, env: asMember("auth"), cmd: LockThread{}},
		{decision: decision{name: "unlock", then: []Event{ThreadUnlocked{ThreadID: th, GroupID: "g1", By: "a1"}}},
			given: locked, env: ThreadEnv{Actor: admin("a1"), Group: access(VisibilityOpen, "")}, cmd: UnlockThread{}},
		{decision: decision{name: "unlock unlocked is a no-op"},
			given: base, env: asGroupMod("m3"), cmd: UnlockThread{}},
		{decision: decision{name: "unlock by member", err: ErrForbidden},
			given: locked, env: asMember("m1"), cmd: UnlockThread{}},
		{decision: decision{name: "pin", then: []Event{ThreadPinned{ThreadID: th, GroupID: "g1", By: "m3"}}},
			given: base, env: asGroupMod("m3"), cmd: PinThread{}},
		{decision: decision{name: "pin by member", err: ErrForbidden},
			given: base, env: asMember("m1"), cmd: PinThread{}},
		{decision: decision{name: "pin pinned is a no-op"},
			given: append(append([]Event{}, base...), ThreadPinned{ThreadID: th}), env: asGroupMod("m3"), cmd: PinThread{}},
		{decision: decision{name: "unpin", then: []Event{ThreadUnpinned{ThreadID: th, GroupID: "g1", By: "m3"}}},
			given: append(append([]Event{}, base...), ThreadPinned{ThreadID: th}), env: asGroupMod("m3"), cmd: UnpinThread{}},
		{decision: decision{name: "unpin unpinned is a no-op"},
			given: base, env: asGroupMod("m3"), cmd: UnpinThread{}},
		{decision: decision{name: "unpin by member", err: ErrForbidden},
			given: append(append([]Event{}, base...), ThreadPinned{ThreadID: th}), env: asMember("m1"), cmd: UnpinThread{}},

		// translations
		{decision: decision{name: "link translation", then: []Event{ThreadTranslationLinked{ThreadID: th, GroupID: "g1", Language: "en", TranslationID: "t2", TranslationGroupID: "g2", TranslationLanguage: "fr", By: "auth"}}},
			given: base, env: asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", GroupID: "g2", Exists: true, Visible: true, Language: "fr"}}},
		{decision: decision{name: "link translation by moderator", then: []Event{ThreadTranslationLinked{ThreadID: th, GroupID: "g1", Language: "en", TranslationID: "t2", TranslationGroupID: "g1", TranslationLanguage: "fr", By: "m3"}}},
			given: base, env: asGroupMod("m3"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", GroupID: "g1", Exists: true, Visible: true, Language: "fr"}}},
		{decision: decision{name: "link translation by other member", err: ErrForbidden},
			given: base, env: asMember("m1"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", Exists: true, Visible: true, Language: "fr"}}},
		{decision: decision{name: "link same language", err: ErrInvalid, field: "thread_id", code: CodeSameLanguage},
			given: base, env: asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", Exists: true, Visible: true, Language: "en"}}},
		{decision: decision{name: "link itself", err: ErrInvalid, field: "thread_id", code: CodeSameThread},
			given: base, env: asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: th, Exists: true, Visible: true, Language: "en"}}},
		{decision: decision{name: "link missing thread", err: ErrNotFound},
			given: base, env: asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2"}}},
		{decision: decision{name: "link invisible thread", err: ErrNotFound},
			given: base, env: asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", Exists: true, Language: "fr"}}},
		{decision: decision{name: "link again is a no-op"},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}),
			env:   asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", Exists: true, Visible: true, Language: "fr"}}},
		{decision: decision{name: "link a second translation in one language", err: ErrConflict},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}),
			env:   asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t3", Exists: true, Visible: true, Language: "fr"}}},
		{decision: decision{name: "link a translation that has one in this language", err: ErrConflict},
			given: base, env: asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", Exists: true, Visible: true, Language: "fr", Translations: map[string]string{"t9": "en"}}}},
		{decision: decision{name: "link a translation linked to this thread already", then: []Event{ThreadTranslationLinked{ThreadID: th, GroupID: "g1", Language: "en", TranslationID: "t2", TranslationLanguage: "fr", By: "auth"}}},
			given: base, env: asMember("auth"), cmd: LinkTranslation{Other: ThreadRef{ID: "t2", Exists: true, Visible: true, Language: "fr", Translations: map[string]string{th: "en"}}}},
		{decision: decision{name: "link back", then: []Event{ThreadTranslationLinked{ThreadID: th, GroupID: "g1", Language: "en", TranslationID: "t2", TranslationGroupID: "g2", TranslationLanguage: "fr", By: "m1"}}},
			given: base, env: asMember("m1"), cmd: linkBack{From: ThreadRef{ID: "t2", GroupID: "g2", Exists: true, Language: "fr"}}},
		{decision: decision{name: "link back again is a no-op"},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}),
			env:   asMember("m1"), cmd: linkBack{From: ThreadRef{ID: "t2", Exists: true, Language: "fr"}}},
		{decision: decision{name: "unlink", then: []Event{ThreadTranslationUnlinked{ThreadID: th, GroupID: "g1", TranslationID: "t2", By: "auth"}}},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}), env: asMember("auth"), cmd: UnlinkTranslation{Other: "t2"}},
		{decision: decision{name: "unlink by moderator", then: []Event{ThreadTranslationUnlinked{ThreadID: th, GroupID: "g1", TranslationID: "t2", By: "m3"}}},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}), env: asGroupMod("m3"), cmd: UnlinkTranslation{Other: "t2"}},
		{decision: decision{name: "unlink by other member", err: ErrForbidden},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}), env: asMember("m1"), cmd: UnlinkTranslation{Other: "t2"}},
		{decision: decision{name: "unlink what is not linked is a no-op"},
			given: base, env: asMember("auth"), cmd: UnlinkTranslation{Other: "t2"}},
		{decision: decision{name: "unlink back", then: []Event{ThreadTranslationUnlinked{ThreadID: th, GroupID: "g1", TranslationID: "t2", By: "m1"}}},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}), env: asMember("m1"), cmd: unlinkBack{From: "t2"}},
		{decision: decision{name: "unlink back what is not linked is a no-op"},
			given: base, env: asMember("m1"), cmd: unlinkBack{From: "t2"}},
		{decision: decision{name: "link after unlink", then: []Event{ThreadTranslationLinked{ThreadID: th, GroupID: "g1", Language: "en", TranslationID: "t3", TranslationLanguage: "fr", By: "auth"}}},
			given: append(append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t2", TranslationLanguage: "fr"}), ThreadTranslationUnlinked{ThreadID: th, TranslationID: "t2"}), env: asMember("auth"),
			cmd: LinkTranslation{Other: ThreadRef{ID: "t3", Exists: true, Visible: true, Language: "fr"}}},
		{decision: decision{name: "link back onto a thread with that language taken", err: ErrConflict},
			given: append(append([]Event{}, base...), ThreadTranslationLinked{ThreadID: th, TranslationID: "t3", TranslationLanguage: "fr"}),
			env:   asMember("m1"), cmd: linkBack{From: ThreadRef{ID: "t2", Exists: true, Language: "fr"}}},

		// rsvp
		{decision: decision{name: "rsvp going", then: []Event{rsvp("m1", RsvpGoing, "")}},
			given: []Event{eventThread(ptr(2))}, env: asMember("m1"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp unlimited", then: []Event{rsvp("m3", RsvpGoing, "")}},
			given: []Event{eventThread(nil), rsvp("m1", RsvpGoing, ""), rsvp("m2", RsvpGoing, "")}, env: asMember("m3"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp past capacity is waitlisted", then: []Event{rsvp("m3", RsvpWaitlisted, "")}},
			given: []Event{eventThread(ptr(2)), rsvp("m1", RsvpGoing, ""), rsvp("m2", RsvpGoing, "")}, env: asMember("m3"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp capacity 0 waitlists", then: []Event{rsvp("m1", RsvpWaitlisted, "")}},
			given: []Event{eventThread(ptr(0))}, env: asMember("m1"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp going twice is a no-op"},
			given: []Event{eventThread(ptr(2)), rsvp("m1", RsvpGoing, "")}, env: asMember("m1"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp going when waitlisted is a no-op"},
			given: []Event{eventThread(ptr(0)), rsvp("m1", RsvpWaitlisted, "")}, env: asMember("m1"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "cancel promotes the first waitlisted", then: []Event{
			rsvp("m1", RsvpNotGoing, RsvpGoing),
			RsvpChanged{ThreadID: th, GroupID: "g1", MemberID: "m3", Status: RsvpGoing, Previous: RsvpWaitlisted, Promoted: true, PromotedAfter: "m1"}}},
			given: []Event{eventThread(ptr(2)), rsvp("m1", RsvpGoing, ""), rsvp("m2", RsvpGoing, ""), rsvp("m3", RsvpWaitlisted, ""), rsvp("m4", RsvpWaitlisted, "")},
			env:   asMember("m1"), cmd: SetRsvp{Status: RsvpNotGoing}},
		{decision: decision{name: "waitlisted cancels without promotion", then: []Event{rsvp("m3", RsvpNotGoing, RsvpWaitlisted)}},
			given: []Event{eventThread(ptr(2)), rsvp("m1", RsvpGoing, ""), rsvp("m2", RsvpGoing, ""), rsvp("m3", RsvpWaitlisted, ""), rsvp("m4", RsvpWaitlisted, "")},
			env:   asMember("m3"), cmd: SetRsvp{Status: RsvpNotGoing}},
		{decision: decision{name: "declining is recorded", then: []Event{rsvp("m1", RsvpNotGoing, "")}},
			given: []Event{eventThread(ptr(2))}, env: asMember("m1"), cmd: SetRsvp{Status: RsvpNotGoing}},
		{decision: decision{name: "declining twice is a no-op"},
			given: []Event{eventThread(ptr(2)), rsvp("m1", RsvpNotGoing, "")}, env: asMember("m1"), cmd: SetRsvp{Status: RsvpNotGoing}},
		{decision: decision{name: "rsvp to a discussion", err: ErrInvalid, field: "status", code: CodeNotEvent},
			given: base, env: asMember("m1"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp bad status", err: ErrInvalid, field: "status", code: CodeInvalid},
			given: []Event{eventThread(nil)}, env: asMember("m1"), cmd: SetRsvp{Status: "maybe"}},
		{decision: decision{name: "rsvp to a past event", err: ErrInvalid, field: "status", code: CodeEventOver},
			given: []Event{func() Event {
				e := eventThread(nil)
				e.Event.StartsAt = now0().Add(-2 * time.Hour)
				e.Event.EndsAt = nil
				return e
			}()},
			env: asMember("m1"), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp in request group as outsider", err: ErrNotFound},
			given: []Event{eventThread(nil)}, env: asOutsider(VisibilityRequest), cmd: SetRsvp{Status: RsvpGoing}},
		{decision: decision{name: "rsvp in open group as reader", then: []Event{rsvp("x", RsvpGoing, "")}},
			given: []Event{eventThread(nil)}, env: asOutsider(VisibilityOpen), cmd: SetRsvp{Status: RsvpGoing}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st := FoldThread(c.given...)
			if st.ID == "" {
				st.ID = th
			}
			got, err := DecideThread(st, c.cmd, c.env, now0())
			c.check(t, got, err)
		})
	}
}

func TestEvolveThreadRsvpAndPosts(t *testing.T) {
	s := FoldThread(eventThread(ptr(1)), rsvp("m1", RsvpGoing, ""), rsvp("m2", RsvpWaitlisted, ""), rsvp("m3", RsvpWaitlisted, ""),
		rsvp("m1", RsvpNotGoing, RsvpGoing), RsvpChanged{ThreadID: th, MemberID: "m2", Status: RsvpGoing, Previous: RsvpWaitlisted, Promoted: true},
		reply(p1, "m1"), PostHidden{ThreadID: th, PostID: p1}, ReactionAdded{ThreadID: th, PostID: p1, MemberID: "m2", Kind: ReactionLike})
	if s.Going != 1 || len(s.Waitlist) != 1 || s.Waitlist[0] != "m3" || s.Rsvp["m2"] != RsvpGoing {
		t.Fatalf("rsvp state going=%d waitlist=%v rsvp=%v", s.Going, s.Waitlist, s.Rsvp)
	}
	c := s.Clone()
	s = EvolveThread(s, PostRestored{ThreadID: th, PostID: p1})
	s = EvolveThread(s, ReactionRemoved{ThreadID: th, PostID: p1, MemberID: "m2", Kind: ReactionLike})
	if !c.Posts[p1].Hidden || !c.Posts[p1].Reactions[ReactionLike]["m2"] {
		t.Fatal("Clone shares posts with the original")
	}
	if s.Posts[p1].Hidden || s.Posts[p1].Reactions[ReactionLike]["m2"] {
		t.Fatal("restore/unreact not applied")
	}
	// Events about unknown posts must not panic.
	EvolveThread(ThreadState{}, PostDeleted{PostID: "nope"})
	EvolveThread(ThreadState{}, ReactionRemoved{PostID: "nope", Kind: "like"})
	EvolveThread(ThreadState{}, FlagResolved{PostID: "nope"})
}

func TestRollUpEngagement(t *testing.T) {
	start := time.Date(2026, 11, 2, 15, 0, 0, 0, time.FixedZone("x", 3600))
	got, err := RollUpEngagement(EngagementRolledUp{PeriodStart: start, PeriodSeconds: 60, PageViews: 12, Sessions: 3})
	if err != nil || len(got) != 1 || !got[0].(EngagementRolledUp).PeriodStart.Equal(start) || got[0].(EngagementRolledUp).PeriodStart.Location() != time.UTC {
		t.Fatalf("got %v, %v", got, err)
	}
	decision{name: "negative", err: ErrInvalid, field: "page_views"}.check(t, nil, func() error {
		_, err := RollUpEngagement(EngagementRolledUp{PeriodStart: start, PeriodSeconds: 60, PageViews: -1})
		return err
	}())
	if StatsStream(start) != "stats-2026-11-02" {
		t.Fatal(StatsStream(start))
	}
}
