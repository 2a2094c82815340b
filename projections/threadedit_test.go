package projections

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// TestEventChangedNotifications: a new time or place reaches those going
// and waitlisted who may still read the group, not the editor, not those
// who declined or left; a change of capacity alone reaches nobody.
func TestEventChangedNotifications(t *testing.T) {
	w := newWorld(t)
	w.run()
	ctx := context.Background()
	for _, id := range []string{"owner", "going", "waiting", "declined", "leaver", "gmod"} {
		w.register(id, "Name "+id, "en")
	}
	w.group("owner", "g", domain.VisibilityPrivate)
	for _, id := range []string{"going", "waiting", "declined", "leaver", "gmod"} {
		w.note(w.svc.InviteMember(ctx, as("owner"), "g", id))
		w.join(id, "g")
	}
	w.note(w.svc.AppointModerator(ctx, as("owner"), "g", "gmod"))
	one := 1
	start := time.Date(2026, 6, 1, 15, 0, 0, 0, time.UTC)
	w.thread("owner", "g", "ev", "Webinar", "Join us.", "en", domain.KindEvent, &domain.EventDetails{StartsAt: start, Capacity: &one})
	for _, m := range []string{"going", "leaver", "waiting", "declined"} {
		r, err := w.svc.SetRsvp(ctx, as(m), "ev", domain.RsvpGoing)
		w.note(r.Result, err)
	}
	r, err := w.svc.SetRsvp(ctx, as("declined"), "ev", domain.RsvpNotGoing)
	w.note(r.Result, err)
	w.note(w.svc.LeaveGroup(ctx, as("leaver"), "g"))

	ten := 10
	w.note(w.svc.EditThread(ctx, as("owner"), "ev", domain.EditThread{Event: &domain.EventDetails{StartsAt: start, Capacity: &ten}}))
	w.note(w.svc.EditThread(ctx, as("gmod"), "ev", domain.EditThread{Title: ptrTo("Webinar (moved)"),
		Event: &domain.EventDetails{StartsAt: start.Add(time.Hour), Capacity: &ten}}))
	w.sync()

	changed := func(member string) []Notification {
		page, _ := w.r.Notifications(member, PageRequest{Limit: 100})
		var out []Notification
		for _, n := range page.Items {
			if n.Type == NotifyEventChanged {
				out = append(out, n)
			}
		}
		return out
	}
	for _, m := range []string{"going", "waiting"} {
		got := changed(m)
		if len(got) != 1 || got[0].ThreadID != "ev" || got[0].Summary != "Webinar (moved)" || got[0].Actor.ID != "gmod" || got[0].GroupID != "g" {
			t.Errorf("%s: event_changed notifications %+v", m, got)
		}
	}
	for _, m := range []string{"owner", "declined", "leaver", "gmod"} {
		if got := changed(m); len(got) != 0 {
			t.Errorf("%s got event_changed: %+v", m, got)
		}
	}
	// The capacity raise promoted those waiting, as a cancellation does.
	page, _ := w.r.Notifications("waiting", PageRequest{Limit: 100})
	if !slices.ContainsFunc(page.Items, func(n Notification) bool { return n.Type == NotifyRsvpPromoted && n.Actor.ID == "owner" }) {
		t.Errorf("waiting was not told of the promotion: %+v", page.Items)
	}
}

// TestThreadEditModerationLogAndStamps: a moderator's edit of another's
// thread is logged, the author's own is not; an edit changes the stamp of
// the thread's answers and of its translations', which show its title.
func TestThreadEditModerationLogAndStamps(t *testing.T) {
	w := newWorld(t)
	w.run()
	ctx := context.Background()
	w.register("owner", "Olga", "en")
	w.register("gmod", "Gil", "en")
	w.group("owner", "g", domain.VisibilityOpen)
	w.note(w.svc.InviteMember(ctx, as("owner"), "g", "gmod"))
	w.join("gmod", "g")
	w.note(w.svc.AppointModerator(ctx, as("owner"), "g", "gmod"))
	w.thread("owner", "g", "en1", "Welcome", "Hello.", "en", "", nil)
	w.thread("owner", "g", "fr1", "Bienvenue", "Bonjour.", "fr", "", nil)
	w.note(w.svc.LinkTranslation(ctx, as("owner"), "en1", "fr1"))
	w.sync()
	v := Viewer{}
	before, _, err := w.r.ThreadShare(v, "en1", PageRequest{})
	if err != nil {
		t.Fatal(err)
	}
	w.note(w.svc.EditThread(ctx, as("owner"), "fr1", domain.EditThread{Tags: &[]string{"accueil"}}))
	w.note(w.svc.EditThread(ctx, as("gmod"), "fr1", domain.EditThread{Title: ptrTo("Bienvenue à toutes et à tous")}))
	w.sync()
	after, _, _ := w.r.ThreadShare(v, "en1", PageRequest{})
	if after == before {
		t.Error("a linked translation's new title leaves the thread's stamp as it was: its cached answers would show the old title")
	}
	if th, _ := w.r.ThreadHeader(v, "en1"); len(th.Translations) != 1 || th.Translations[0].Title != "Bienvenue à toutes et à tous" {
		t.Errorf("translations: %+v", th.Translations)
	}
	log, _ := w.r.ModerationLog(w.r.ViewerFor("owner"), LogQuery{GroupID: "g", PageRequest: PageRequest{Limit: 100}})
	var edits []LogEntry
	for _, l := range log.Items {
		if l.Action == domain.TypeThreadEdited {
			edits = append(edits, l)
		}
	}
	if len(edits) != 1 || edits[0].Actor.ID != "gmod" || edits[0].MemberID != "owner" || edits[0].ThreadID != "fr1" || edits[0].Detail != "title" {
		t.Errorf("moderation log edits: %+v", edits)
	}
}

func ptrTo[T any](v T) *T { return &v }
