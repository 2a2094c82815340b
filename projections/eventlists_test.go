package projections

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// Upcoming and past events split at an instant by when each event ends
// (its ends_at, else its starts_at): one under way is upcoming, past ones
// come most recent first, both page with cursors, a private group's events
// reach only its members, and "my groups" narrows to the viewer's groups.
func TestEventListsUpcomingAndPast(t *testing.T) {
	w := newWorld(t)
	w.run()
	w.register("owner", "Olga Owner", "en")
	w.register("member", "Mo Member", "fr")
	w.register("outsider", "Otto Outside", "en")
	w.group("owner", "open", domain.VisibilityOpen)
	w.group("owner", "other", domain.VisibilityOpen)
	w.group("owner", "secret", domain.VisibilityPrivate)
	w.join("member", "open")
	ctx := context.Background()
	w.note(w.svc.InviteMember(ctx, as("owner"), "secret", "member"))
	w.join("member", "secret")

	// The clock is 2026-03-02 09:00 and moves a minute per command; "now"
	// below is fixed at noon so every bound is exact.
	now := time.Date(2026, 3, 2, 12, 0, 0, 0, time.UTC)
	event := func(group, id string, start time.Time, end *time.Time) {
		t.Helper()
		r, err := w.svc.StartThread(ctx, as("owner"), domain.StartThread{ThreadID: id, GroupID: group, Title: "Event " + id,
			Body: "b", Language: "en", Kind: domain.KindEvent, Tags: []string{"webinar"}, Event: &domain.EventDetails{StartsAt: start, EndsAt: end}})
		w.note(r.Result, err)
	}
	at := func(d time.Duration) time.Time { return now.Add(d) }
	ptr := func(t time.Time) *time.Time { return &t }
	event("open", "ongoing", at(-time.Hour), ptr(at(time.Hour)))             // started, not ended: upcoming
	event("open", "endsnow", at(-time.Hour), ptr(now))                       // ends exactly now: past
	event("open", "startsnow", now, nil)                                     // no end, starts now: past
	event("other", "nextweek", at(7*24*time.Hour), nil)                      // upcoming
	event("open", "tomorrow", at(24*time.Hour), ptr(at(25*time.Hour)))       // upcoming
	event("other", "lastmonth", at(-30*24*time.Hour), nil)                   // past
	event("open", "yesterday", at(-24*time.Hour), ptr(at(-23*time.Hour)))    // past
	event("open", "noendsoon", at(time.Minute), nil)                         // upcoming
	event("secret", "secretpast", at(-2*24*time.Hour), nil)                  // past, members only
	event("secret", "secretnext", at(2*24*time.Hour), ptr(at(49*time.Hour))) // upcoming, members only
	w.sync()

	list := func(v Viewer, q ThreadQuery) []string {
		t.Helper()
		q.Kind = domain.KindEvent
		q.Limit = 2
		var out []string
		for pages := 0; ; pages++ {
			p, err := w.r.Threads(v, q)
			if err != nil {
				t.Fatal(err)
			}
			if pages > 20 {
				t.Fatal("the cursor does not advance")
			}
			for _, th := range p.Items {
				out = append(out, th.ID)
			}
			if p.NextCursor == "" {
				return out
			}
			q.Cursor = p.NextCursor
		}
	}
	member, outsider := Viewer{MemberID: "member"}, Viewer{MemberID: "outsider"}
	cases := []struct {
		name string
		v    Viewer
		q    ThreadQuery
		want []string
	}{
		{"upcoming, member", member, ThreadQuery{UnendedAt: now}, []string{"ongoing", "noendsoon", "tomorrow", "secretnext", "nextweek"}},
		{"past, member", member, ThreadQuery{EndedBy: now}, []string{"startsnow", "endsnow", "yesterday", "secretpast", "lastmonth"}},
		{"upcoming, outsider", outsider, ThreadQuery{UnendedAt: now}, []string{"ongoing", "noendsoon", "tomorrow", "nextweek"}},
		{"past, visitor", Viewer{}, ThreadQuery{EndedBy: now}, []string{"startsnow", "endsnow", "yesterday", "lastmonth"}},
		{"past, my groups", member, ThreadQuery{EndedBy: now, MyGroups: true}, []string{"startsnow", "endsnow", "yesterday", "secretpast"}},
		{"upcoming, my groups, outsider", outsider, ThreadQuery{UnendedAt: now, MyGroups: true}, nil},
		{"past, my groups, visitor", Viewer{}, ThreadQuery{EndedBy: now, MyGroups: true}, nil},
		{"past, one group, tag", member, ThreadQuery{EndedBy: now, GroupID: "other", Tag: "Webinar"}, []string{"lastmonth"}},
		{"past, private group asked by outsider", outsider, ThreadQuery{EndedBy: now, GroupID: "secret"}, nil},
		{"past, other tag", member, ThreadQuery{EndedBy: now, Tag: "web"}, nil},
	}
	for _, c := range cases {
		if got := list(c.v, c.q); !slices.Equal(got, c.want) {
			t.Errorf("%s: got %v, want %v", c.name, got, c.want)
		}
	}
	// The existing order and bounds stand when neither split is asked for.
	if got := list(member, ThreadQuery{From: now}); !slices.Equal(got, []string{"startsnow", "noendsoon", "tomorrow", "secretnext", "nextweek"}) {
		t.Errorf("from now: %v", got)
	}
	if _, err := w.r.Threads(member, ThreadQuery{Kind: domain.KindEvent, UnendedAt: now, EndedBy: now}); err == nil {
		t.Error("upcoming and past at once: no error")
	}
}
