package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
)

// TestEditThreadJourney: the author finds "Edit thread" on the thread
// page, gets the form filled with the thread's values, is shown what is
// wrong next to the field, saves and lands back on the thread with its new
// details; others get no link and no form; a locked thread is for
// moderators, whose form speaks their language.
func TestEditThreadJourney(t *testing.T) {
	e := newEnv(t)
	owner := e.member("Owner", "en")
	g := e.group(owner, "Youth network", domain.VisibilityOpen)
	b := e.browser("en")
	b.register("Amina Yusuf", "amina@settlenet.test", "en")
	b.post("/groups/"+g, "/groups/"+g+"/join", nil)
	p := b.post("/groups/"+g+"/threads/new?kind=event", "/groups/"+g+"/threads", url.Values{"kind": {"event"}, "title": {"Quarterly call"},
		"body": {"We meet online."}, "language": {"en"}, "tags": {"calls, youth"}, "starts_at": {"2030-03-05T13:00"},
		"online_url": {"https://meet.example.org/q1"}, "capacity": {"1"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("event: %d\n%s", p.status, p.body)
	}
	id := strings.TrimPrefix(strings.Split(p.header.Get("Location"), "?")[0], "/threads/")
	edit := "/threads/" + id + "/edit"
	mustContain(t, "author's thread page", b.get("/threads/"+id), `href="`+edit+`"`, "Edit thread")

	// Others: no link, no form.
	other := e.browser("en")
	other.register("Bo Chen", "bo@settlenet.test", "en")
	other.post("/groups/"+g, "/groups/"+g+"/join", nil)
	mustNotContain(t, "another member's thread page", other.get("/threads/"+id), `href="`+edit+`"`)
	if p := other.get(edit); p.status != http.StatusForbidden {
		t.Fatalf("another member's edit form: %d", p.status)
	}
	mustNotContain(t, "visitor's thread page", e.browser("en").get("/threads/"+id), `href="`+edit+`"`)

	// The form, filled in, labelled, with its token.
	form := b.get(edit)
	if form.status != http.StatusOK {
		t.Fatalf("edit form: %d", form.status)
	}
	mustContain(t, "edit form", form, `action="`+edit+`"`, `name="csrf"`, `<label for="f-title">`, `value="Quarterly call"`,
		`value="2030-03-05T13:00"`, `value="https://meet.example.org/q1"`, `id="f-event-capacity"`, `value="1"`, `value="calls, youth"`,
		`<label for="f-tags">`, `<label for="f-event-starts_at">`)
	mustNotContain(t, "edit form", form, `name="body"`, `name="kind"`)

	// Wrong: shown next to the field, the rest as typed; nothing saved.
	p = b.post(edit, edit, url.Values{"title": {" "}, "tags": {"calls"}, "starts_at": {"2030-03-12T13:00"}, "ends_at": {"2030-03-12T12:00"},
		"online_url": {"https://meet.example.org/q2"}, "capacity": {"2"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d", p.status)
	}
	mustContain(t, "invalid edit", p, `class="error-summary"`, `href="#f-title"`, `id="f-title-err"`, `href="#f-event-ends_at"`,
		`aria-invalid="true"`, "This field is required.", `value="https://meet.example.org/q2"`, `value="2030-03-12T13:00"`)
	mustContain(t, "unchanged", b.get("/threads/"+id), "Quarterly call")

	// Saved: back on the thread, which shows the new details.
	p = b.post(edit, edit, url.Values{"title": {"Quarterly call (moved)"}, "tags": {"calls"}, "starts_at": {"2030-03-12T13:00"},
		"online_url": {"https://meet.example.org/q2"}, "capacity": {"2"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/threads/"+id+"?done=thread_edited" {
		t.Fatalf("save: %d %q\n%s", p.status, p.header.Get("Location"), p.body)
	}
	mustContain(t, "edited thread", b.get(p.header.Get("Location")), "Your changes are saved.", "Quarterly call (moved)", "March 12, 2030",
		"https://meet.example.org/q2", "Details edited on <time datetime=")
	mustContain(t, "events list", b.get("/events"), "Quarterly call (moved)")

	// Locked: the author loses the link and the form; a moderator keeps
	// them, in French.
	mod := e.browser("fr")
	mod.register("Sophie Tremblay", "sophie@settlenet.test", "fr")
	modID := e.memberID("sophie@settlenet.test")
	ctx := context.Background()
	if res, err := e.svc.InviteMember(ctx, domain.Origin{Actor: owner}, g, modID); err == nil {
		e.wait(res.Append.Position)
	}
	e.join(modID, g)
	res, err := e.svc.AppointModerator(ctx, domain.Origin{Actor: owner}, g, modID)
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	res, err = e.svc.LockThread(ctx, domain.Origin{Actor: owner}, id, "closed")
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	mustNotContain(t, "locked, author", b.get("/threads/"+id), `href="`+edit+`"`)
	if p := b.get(edit); p.status != http.StatusLocked {
		t.Fatalf("locked thread's form to its author: %d", p.status)
	}
	mustContain(t, "locked, moderator", mod.get("/threads/"+id), `href="`+edit+`"`, "Modifier le fil")
	p = mod.post(edit, edit, url.Values{"title": {""}, "tags": {"calls"}, "starts_at": {"2030-03-12T13:00"}, "capacity": {"2"}})
	if p.status != http.StatusUnprocessableEntity {
		t.Fatalf("moderator's invalid edit: %d", p.status)
	}
	mustContain(t, "moderator's form", p, "Ce champ est obligatoire.", `<label for="f-title">Titre</label>`, "Enregistrer les modifications")
	p = mod.post(edit, edit, url.Values{"title": {"Appel trimestriel"}, "tags": {"calls"}, "starts_at": {"2030-03-12T13:00"},
		"online_url": {"https://meet.example.org/q2"}, "capacity": {"2"}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("moderator's edit: %d\n%s", p.status, p.body)
	}
	mustContain(t, "moderator's edit", b.get("/threads/"+id), "Appel trimestriel")
}

// TestEditThreadKeepsUntouchedTimes: the form shows times to the minute; a
// title fixed through it leaves an event's exact time as it was, so no one
// is told of a rescheduling.
func TestEditThreadKeepsUntouchedTimes(t *testing.T) {
	e := newEnv(t)
	b := e.browser("en")
	b.register("Amina Yusuf", "amina@settlenet.test", "en")
	author := e.memberID("amina@settlenet.test")
	g := e.group(author, "Youth network", domain.VisibilityOpen)
	ctx := context.Background()
	start := mustTime(t, "2030-03-05T13:00:42Z")
	res, err := e.svc.StartThread(ctx, domain.Origin{Actor: author}, domain.StartThread{GroupID: g, Title: "Call", Body: "b", Language: "en",
		Kind: domain.KindEvent, Event: &domain.EventDetails{StartsAt: start}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(res.Append.Position)
	edit := "/threads/" + res.ThreadID + "/edit"
	form := b.get(edit)
	starts := regexpValue(form.body, "starts_at")
	p := b.post(edit, edit, url.Values{"title": {"Call (fixed)"}, "starts_at": {starts}})
	if p.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", p.status, p.body)
	}
	th, err := e.runner.ThreadHeader(e.runner.ViewerFor(author), res.ThreadID)
	if err != nil || th.Title != "Call (fixed)" || !th.Event.StartsAt.Equal(start) || th.Sequence != 1 {
		t.Fatalf("after the edit: %+v %v", th, err)
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// regexpValue is the value of the input named name in a page.
func regexpValue(body, name string) string {
	m := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `"[^>]* value="([^"]*)"`).FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return m[1]
}
