package domain

import (
	"testing"
	"time"
)

func edited(title string, tags []string, changed ...string) ThreadEdited {
	return ThreadEdited{ThreadID: th, GroupID: "g1", Title: title, Tags: tags, Changed: changed, EditorID: "auth", AuthorID: "auth"}
}

func promoted(member, after string) RsvpChanged {
	return RsvpChanged{ThreadID: th, GroupID: "g1", MemberID: member, Status: RsvpGoing, Previous: RsvpWaitlisted, Promoted: true, PromotedAfter: after}
}

func resourceThread(r *ResourceDetails) ThreadStarted {
	s := started()
	s.Kind, s.Resource = KindResource, r
	return s
}

func jobThread(j *JobDetails) ThreadStarted {
	s := started()
	s.Kind, s.Job = KindJob, j
	return s
}

func TestDecideEditThread(t *testing.T) {
	base := []Event{started(), reply(p1, "m1")}
	as := func(id, role, vis string) ThreadEnv {
		return ThreadEnv{Actor: member(id), Group: access(vis, role)}
	}
	author := as("auth", GroupRoleMember, VisibilityOpen)
	locked := append(append([]Event{}, base...), ThreadLocked{ThreadID: th, GroupID: "g1", By: "mod"})
	title := func(s string) EditThread { return EditThread{Title: &s} }
	tags := func(s ...string) *[]string { return &s }

	ev := eventThread(ptr(2)).Event
	later := ev.StartsAt.Add(7 * 24 * time.Hour)
	laterEnd := later.Add(time.Hour)
	rescheduled := EventDetails{StartsAt: later, EndsAt: &laterEnd, Capacity: ptr(2)}
	withCap := func(c *int) *EventDetails { e := *ev; e.Capacity = c; return &e }
	full := []Event{eventThread(ptr(2)), rsvp("m1", RsvpGoing, ""), rsvp("m2", RsvpGoing, ""),
		rsvp("m3", RsvpWaitlisted, ""), rsvp("m4", RsvpWaitlisted, ""), rsvp("m5", RsvpWaitlisted, "")}
	eventEdit := func(e *EventDetails, changed ...string) ThreadEdited {
		x := edited("Title", []string{}, changed...)
		x.Event = e
		return x
	}
	passed := &JobDetails{Organization: "Org", Deadline: "2026-10-01"}

	cases := []struct {
		decision
		given []Event
		env   ThreadEnv
		cmd   EditThread
	}{
		{decision: decision{name: "author retitles", then: []Event{edited("New title", []string{}, ChangedTitle)}},
			given: base, env: author, cmd: title("  New title ")},
		{decision: decision{name: "author retags, tags normalised", then: []Event{edited("Title", []string{"Youth", "housing"}, ChangedTags)}},
			given: base, env: author, cmd: EditThread{Tags: tags("Youth", " youth", "housing ")}},
		{decision: decision{name: "moderator edits another's thread", then: []Event{func() Event {
			e := edited("Fixed", []string{}, ChangedTitle)
			e.EditorID = "mod"
			return e
		}()}},
			given: base, env: as("mod", GroupRoleModerator, VisibilityOpen), cmd: title("Fixed")},
		{decision: decision{name: "site moderator edits", then: []Event{func() Event {
			e := edited("Fixed", []string{}, ChangedTitle)
			e.EditorID = "smod"
			return e
		}()}},
			given: base, env: ThreadEnv{Actor: siteMod("smod"), Group: access(VisibilityOpen, "")}, cmd: title("Fixed")},
		{decision: decision{name: "another member may not", err: ErrForbidden},
			given: base, env: as("m1", GroupRoleMember, VisibilityOpen), cmd: title("Mine now")},
		{decision: decision{name: "outsider of a private group finds nothing", err: ErrNotFound},
			given: base, env: as("x", "", VisibilityPrivate), cmd: title("x")},
		{decision: decision{name: "outsider of a request group finds nothing", err: ErrNotFound},
			given: base, env: as("x", "", VisibilityRequest), cmd: title("x")},
		{decision: decision{name: "author who left a request group finds nothing", err: ErrNotFound},
			given: base, env: as("auth", "", VisibilityRequest), cmd: title("x")},
		{decision: decision{name: "author who left an open group still edits", then: []Event{edited("New", []string{}, ChangedTitle)}},
			given: base, env: as("auth", "", VisibilityOpen), cmd: title("New")},
		{decision: decision{name: "suspended author may not", err: ErrSuspended},
			given: base, env: ThreadEnv{Actor: suspended("auth"), Group: access(VisibilityOpen, GroupRoleMember)}, cmd: title("x")},
		{decision: decision{name: "unknown thread", err: ErrNotFound},
			env: author, cmd: title("x")},
		{decision: decision{name: "locked thread, author", err: ErrThreadLocked},
			given: locked, env: author, cmd: title("New")},
		{decision: decision{name: "locked thread, moderator", then: []Event{func() Event {
			e := edited("New", []string{}, ChangedTitle)
			e.EditorID = "mod"
			return e
		}()}},
			given: locked, env: as("mod", GroupRoleModerator, VisibilityOpen), cmd: title("New")},
		{decision: decision{name: "empty title", err: ErrInvalid, field: "title", code: CodeRequired},
			given: base, env: author, cmd: title("  ")},
		{decision: decision{name: "title too long", err: ErrInvalid, field: "title", code: CodeTooLong},
			given: base, env: author, cmd: title(repeat("t", MaxTitle+1))},
		{decision: decision{name: "title with a newline", err: ErrInvalid, field: "title", code: CodeInvalid},
			given: base, env: author, cmd: title("a\nb")},
		{decision: decision{name: "too many tags", err: ErrInvalid, field: "tags", code: CodeTooMany},
			given: base, env: author, cmd: EditThread{Tags: tags("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11")}},
		{decision: decision{name: "event details on a discussion", err: ErrInvalid, field: "event", code: CodeNotAllowed},
			given: base, env: author, cmd: EditThread{Event: &rescheduled}},
		{decision: decision{name: "resource details on a discussion", err: ErrInvalid, field: "resource", code: CodeNotAllowed},
			given: base, env: author, cmd: EditThread{Resource: &ResourceDetails{URL: "https://example.org"}}},
		{decision: decision{name: "job details on an event", err: ErrInvalid, field: "job", code: CodeNotAllowed},
			given: full, env: author, cmd: EditThread{Job: &JobDetails{Organization: "O"}}},
		{decision: decision{name: "the kind never changes", err: ErrInvalid, field: "kind", code: CodeNotAllowed},
			given: base, env: author, cmd: EditThread{Kind: ptr(KindEvent)}},
		{decision: decision{name: "the language never changes", err: ErrInvalid, field: "language", code: CodeNotAllowed},
			given: base, env: author, cmd: EditThread{Language: ptr(LanguageFrench)}},
		{decision: decision{name: "the same kind and language are no change"},
			given: base, env: author, cmd: EditThread{Kind: ptr(KindDiscussion), Language: ptr(LanguageEnglish)}},
		{decision: decision{name: "no-op: same values", then: nil},
			given: base, env: author, cmd: EditThread{Title: ptr("Title"), Tags: tags()}},
		{decision: decision{name: "no-op: nothing sent", then: nil},
			given: full, env: author, cmd: EditThread{}},
		{decision: decision{name: "no-op: same event details", then: nil},
			given: full, env: author, cmd: EditThread{Event: withCap(ptr(2))}},

		// events
		{decision: decision{name: "reschedule", then: []Event{eventEdit(&rescheduled, ChangedEventStartsAt, ChangedEventEndsAt)}},
			given: full, env: author, cmd: EditThread{Event: &rescheduled}},
		{decision: decision{name: "event ends before it starts", err: ErrInvalid, field: "event.ends_at", code: CodeBeforeStart},
			given: full, env: author, cmd: EditThread{Event: &EventDetails{StartsAt: later, EndsAt: &ev.StartsAt}}},
		{decision: decision{name: "event without a start", err: ErrInvalid, field: "event.starts_at", code: CodeRequired},
			given: full, env: author, cmd: EditThread{Event: &EventDetails{Location: "Hall"}}},
		{decision: decision{name: "event with a bad link", err: ErrInvalid, field: "event.online_url", code: CodeInvalid},
			given: full, env: author, cmd: EditThread{Event: func() *EventDetails { e := withCap(ptr(2)); e.OnlineURL = "javascript:alert(1)"; return e }()}},
		{decision: decision{name: "negative capacity", err: ErrInvalid, field: "event.capacity", code: CodeOutOfRange},
			given: full, env: author, cmd: EditThread{Event: withCap(ptr(-1))}},
		{decision: decision{name: "raising the capacity promotes the waitlist in order", then: []Event{
			eventEdit(withCap(ptr(4)), ChangedEventCapacity), promoted("m3", "auth"), promoted("m4", "auth")}},
			given: full, env: author, cmd: EditThread{Event: withCap(ptr(4))}},
		{decision: decision{name: "removing the capacity promotes everyone waiting", then: []Event{
			eventEdit(withCap(nil), ChangedEventCapacity), promoted("m3", "auth"), promoted("m4", "auth"), promoted("m5", "auth")}},
			given: full, env: author, cmd: EditThread{Event: withCap(nil)}},
		{decision: decision{name: "lowering the capacity demotes nobody", then: []Event{eventEdit(withCap(ptr(1)), ChangedEventCapacity)}},
			given: full, env: author, cmd: EditThread{Event: withCap(ptr(1))}},
		{decision: decision{name: "a moderator's raise is promoted after the moderator", then: []Event{func() Event {
			e := eventEdit(withCap(ptr(3)), ChangedEventCapacity)
			e.EditorID = "mod"
			return e
		}(), promoted("m3", "mod")}},
			given: full, env: as("mod", GroupRoleModerator, VisibilityOpen), cmd: EditThread{Event: withCap(ptr(3))}},

		// resources and jobs
		{decision: decision{name: "fix a resource link", then: []Event{func() Event {
			e := edited("Title", []string{}, ChangedResource)
			e.Resource = &ResourceDetails{URL: "https://example.org/new", Format: "PDF"}
			return e
		}()}},
			given: []Event{resourceThread(&ResourceDetails{URL: "https://example.org/old", Format: "PDF"})}, env: author,
			cmd: EditThread{Resource: &ResourceDetails{URL: " https://example.org/new ", Format: "PDF"}}},
		{decision: decision{name: "resource link invalid", err: ErrInvalid, field: "resource.url", code: CodeInvalid},
			given: []Event{resourceThread(nil)}, env: author, cmd: EditThread{Resource: &ResourceDetails{URL: "ftp://x"}}},
		{decision: decision{name: "empty resource details are none", then: []Event{edited("Title", []string{}, ChangedResource)}},
			given: []Event{resourceThread(&ResourceDetails{URL: "https://example.org/old"})}, env: author, cmd: EditThread{Resource: &ResourceDetails{}}},
		{decision: decision{name: "empty resource details on none: no-op"},
			given: []Event{resourceThread(&ResourceDetails{})}, env: author, cmd: EditThread{Resource: &ResourceDetails{}}},
		{decision: decision{name: "job deadline moved into the past", err: ErrInvalid, field: "job.deadline", code: CodeInPast},
			given: []Event{jobThread(&JobDetails{Organization: "Org", Deadline: "2026-12-01"})}, env: author,
			cmd: EditThread{Job: &JobDetails{Organization: "Org", Deadline: "2026-10-01"}}},
		{decision: decision{name: "closed job keeps its passed deadline through a fix", then: []Event{func() Event {
			e := edited("Title", []string{}, ChangedJob)
			e.Job = &JobDetails{Organization: "Org Inc.", Deadline: "2026-10-01"}
			return e
		}()}},
			given: []Event{jobThread(passed)}, env: author, cmd: EditThread{Job: &JobDetails{Organization: "Org Inc.", Deadline: "2026-10-01"}}},
		{decision: decision{name: "bad employment type", err: ErrInvalid, field: "job.employment_type", code: CodeInvalid},
			given: []Event{jobThread(nil)}, env: author, cmd: EditThread{Job: &JobDetails{EmploymentType: "forever"}}},
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

func TestEvolveThreadEdited(t *testing.T) {
	end := now0().Add(3 * time.Hour)
	s := FoldThread(eventThread(ptr(1)), rsvp("m1", RsvpGoing, ""), rsvp("m2", RsvpWaitlisted, ""),
		ThreadEdited{ThreadID: th, GroupID: "g1", Title: "New", Tags: []string{"a"},
			Event: &EventDetails{StartsAt: now0().Add(2 * time.Hour), EndsAt: &end, Capacity: ptr(2)}},
		promoted("m2", "auth"))
	if s.Title != "New" || len(s.Tags) != 1 || s.Event == nil || *s.Event.Capacity != 2 || !s.Event.EndsAt.Equal(end) {
		t.Fatalf("state after edit: %+v", s)
	}
	if s.Kind != KindEvent || s.Language != "en" || s.GroupID != "g1" || s.AuthorID != "auth" {
		t.Fatalf("an edit changed what never changes: %+v", s)
	}
	if s.Going != 2 || len(s.Waitlist) != 0 {
		t.Fatalf("going %d, waitlist %v", s.Going, s.Waitlist)
	}
	// A second edit of the same values is a no-op against the folded state.
	got, err := DecideThread(s, EditThread{Title: ptr("New"), Tags: &[]string{"a"}}, ThreadEnv{Actor: member("auth"), Group: access(VisibilityOpen, GroupRoleMember)}, now0())
	if err != nil || len(got) != 0 {
		t.Fatalf("repeat edit: %v, %v", got, err)
	}
}

func TestThreadEditedEventRescheduled(t *testing.T) {
	for changed, want := range map[string]bool{ChangedTitle: false, ChangedEventCapacity: false, ChangedTags: false,
		ChangedEventStartsAt: true, ChangedEventEndsAt: true, ChangedEventLocation: true, ChangedEventOnlineURL: true} {
		if got := (ThreadEdited{Changed: []string{changed}}).EventRescheduled(); got != want {
			t.Errorf("%s: %v, want %v", changed, got, want)
		}
		if got := (ThreadEdited{Changed: []string{changed}}).CalendarChanged(); got != (want || changed == ChangedTitle) {
			t.Errorf("%s: calendar changed %v", changed, got)
		}
	}
}
