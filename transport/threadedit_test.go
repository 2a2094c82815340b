package transport_test

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
)

// TestEditThread: PATCH /api/v1/threads/{id} through the real router and
// store: who may, what it answers, how it fails, in the caller's language.
func TestEditThread(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	alice, bob, carol, dave := e.register("Alice"), e.register("Bob"), e.register("Carol"), e.register("Dave")
	open := alice.group("Youth workers", "open")
	for _, c := range []*client{bob, carol} {
		c.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
	}
	alice.must(204, "POST", "/api/v1/groups/"+open+"/moderators", map[string]any{"member_id": carol.id})
	tid := bob.thread(open, "Intake for newly arived families")["id"].(string)

	// The author fixes a typo and retags; the answer is GET's thread object.
	got := bob.must(200, "PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Intake for newly arrived families", "tags": []string{"intake", "Families"}}).obj(t)
	view := bob.must(200, "GET", "/api/v1/threads/"+tid, nil).obj(t)["thread"].(map[string]any)
	if !jsonEqual(got, view) {
		t.Fatalf("PATCH answered\n%v\nGET shows\n%v", got, view)
	}
	if got["title"] != "Intake for newly arrived families" || got["edited_at"] == nil || len(got["tags"].([]any)) != 2 || got["kind"] != "discussion" {
		t.Fatalf("edited thread: %v", got)
	}
	// Absent fields keep their value.
	got = bob.must(200, "PATCH", "/api/v1/threads/"+tid, map[string]any{"tags": []string{"intake"}}).obj(t)
	if got["title"] != "Intake for newly arrived families" {
		t.Fatalf("absent title changed: %v", got)
	}
	// A moderator edits another's thread; another member may not.
	carol.must(200, "PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Intake: newly arrived families"})
	if code := alice.do("GET", "/api/v1/moderation/log?group="+open, nil); !strings.Contains(string(code.body), "ThreadEdited") {
		t.Fatalf("a moderator's edit is not in the moderation log: %s", code.body)
	}
	checkErr(t, dave.do("PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Mine"}), 403, "forbidden")
	checkErr(t, e.anon().do("PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Mine"}), 401, "")

	// A private group's thread is not found by a non-member.
	private := alice.group("Case managers", "private")
	ptid := alice.thread(private, "Secret plans")["id"].(string)
	checkErr(t, dave.do("PATCH", "/api/v1/threads/"+ptid, map[string]any{"title": "Found you"}), 404, "not_found")
	checkErr(t, dave.do("PATCH", "/api/v1/threads/nope", map[string]any{"title": "x"}), 404, "not_found")

	// Locked: 423 to the author, a moderator still edits.
	carol.must(204, "POST", "/api/v1/threads/"+tid+"/lock", nil)
	checkErr(t, bob.do("PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Reopened?"}), 423, "thread_locked")
	carol.must(200, "PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Intake (closed)"})
	carol.must(204, "POST", "/api/v1/threads/"+tid+"/unlock", nil)

	// Validation: 422 with the fields, in the caller's language.
	b := checkErr(t, bob.do("PATCH", "/api/v1/threads/"+tid, map[string]any{"title": " ", "tags": []string{strings.Repeat("x", 41)},
		"event": map[string]any{"starts_at": time.Now().Add(time.Hour)}}), 422, "validation_failed")
	if b.Error.Fields["title"] != "This field is required." || b.Error.Fields["tags"] == "" || b.Error.Fields["event"] != "This value is not allowed." {
		t.Fatalf("english fields: %+v", b.Error)
	}
	bob.must(200, "PATCH", "/api/v1/me", map[string]any{"language": "fr"})
	b = checkErr(t, bob.do("PATCH", "/api/v1/threads/"+tid, map[string]any{"title": ""}), 422, "validation_failed")
	if b.Error.Fields["title"] != "Ce champ est obligatoire." {
		t.Fatalf("french fields: %+v", b.Error)
	}
	if b := checkErr(t, bob.do("PATCH", "/api/v1/threads/"+tid, map[string]any{"kind": "event", "language": "en"}), 422, "validation_failed"); b.Error.Fields["kind"] == "" {
		t.Fatalf("a new kind: %+v", b.Error)
	}
	checkErr(t, bob.do("PATCH", "/api/v1/threads/"+tid, `{"title": `), 400, "")
	checkErr(t, bob.do("PATCH", "/api/v1/threads/"+tid, `{"title": "`+strings.Repeat("x", api.MaxBody)+`"}`), 413, "")

	// A no-op edit answers the thread and appends nothing.
	before := logLength(t, e.store)
	same := bob.must(200, "PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Intake (closed)", "tags": []string{"intake"}}).obj(t)
	if after := logLength(t, e.store); after != before || same["title"] != "Intake (closed)" {
		t.Fatalf("a no-op edit appended %d events: %v", after-before, same)
	}
}

// TestEditEventThread: a rescheduled event moves in the events list and its
// calendar file, and a raised capacity promotes the waitlist.
func TestEditEventThread(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	alice, bob, carol, dave := e.register("Alice"), e.register("Bob"), e.register("Carol"), e.register("Dave")
	g := alice.group("Youth workers", "open")
	for _, c := range []*client{bob, carol, dave} {
		c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	}
	soon := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Minute)
	event := func(title string, at time.Time) string {
		return alice.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": title, "body": "Agenda", "language": "en",
			"kind": "event", "event": map[string]any{"starts_at": at, "capacity": 1}}).obj(t)["id"].(string)
	}
	first, second := event("First webinar", soon), event("Second webinar", soon.Add(24*time.Hour))
	order := func() []string {
		var list struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		bob.must(200, "GET", "/api/v1/threads?kind=event", nil).json(t, &list)
		var ids []string
		for _, it := range list.Items {
			ids = append(ids, it.ID)
		}
		return ids
	}
	if got := order(); len(got) != 2 || got[0] != first {
		t.Fatalf("events before: %v", got)
	}
	ics := func() string { return string(bob.must(200, "GET", "/api/v1/threads/"+first+"/event.ics", nil).body) }
	if c := ics(); !strings.Contains(c, "SEQUENCE:0\r\n") || !strings.Contains(c, "LAST-MODIFIED:") {
		t.Fatalf("calendar before an edit:\n%s", c)
	}

	for _, c := range []*client{bob, carol, dave} {
		c.must(200, "POST", "/api/v1/threads/"+first+"/rsvp", map[string]any{"status": "going"})
	}
	later := soon.Add(72 * time.Hour)
	got := alice.must(200, "PATCH", "/api/v1/threads/"+first, map[string]any{"event": map[string]any{"starts_at": later, "location": "Hall B", "capacity": 2}}).obj(t)
	ev := got["event"].(map[string]any)
	if ev["starts_at"] != later.Format(time.RFC3339) || ev["location"] != "Hall B" || got["rsvp"].(map[string]any)["going"] != 2.0 {
		t.Fatalf("rescheduled event: %v", got)
	}
	if got := order(); len(got) != 2 || got[0] != second || got[1] != first {
		t.Fatalf("the rescheduled event did not move: %v", got)
	}
	// Carol, first on the waitlist, was promoted; Dave still waits.
	status := func(c *client) string {
		return c.must(200, "GET", "/api/v1/threads/"+first, nil).obj(t)["thread"].(map[string]any)["rsvp"].(map[string]any)["my_status"].(string)
	}
	if s, d := status(carol), status(dave); s != "going" || d != "waitlisted" {
		t.Fatalf("after the raise: carol %s, dave %s", s, d)
	}
	notes := string(carol.must(200, "GET", "/api/v1/notifications", nil).body)
	if !strings.Contains(notes, `"rsvp_promoted"`) || !strings.Contains(notes, `"event_changed"`) {
		t.Fatalf("carol's notifications: %s", notes)
	}
	c := ics()
	if !strings.Contains(c, "SEQUENCE:1\r\n") || !strings.Contains(c, "DTSTART:"+later.Format("20060102T150405Z")) || !strings.Contains(c, "LOCATION:Hall B") {
		t.Fatalf("calendar after the edit:\n%s", c)
	}
	if !regexp.MustCompile(`LAST-MODIFIED:\d{8}T\d{6}Z\r\n`).MatchString(c) {
		t.Fatalf("LAST-MODIFIED:\n%s", c)
	}
	// Removing the capacity lets everyone waiting in; the calendar does not
	// show capacity, so its sequence stays.
	alice.must(200, "PATCH", "/api/v1/threads/"+first, map[string]any{"event": map[string]any{"starts_at": later, "location": "Hall B"}})
	if d := status(dave); d != "going" {
		t.Fatalf("after removing the capacity: dave %s", d)
	}
	if c := ics(); !strings.Contains(c, "SEQUENCE:1\r\n") {
		t.Fatalf("a capacity change moved the sequence:\n%s", c)
	}
	// Details of another kind are refused.
	b := checkErr(t, alice.do("PATCH", "/api/v1/threads/"+first, map[string]any{"resource": map[string]any{"url": "https://example.org"}}), 422, "validation_failed")
	if b.Error.Fields["resource"] == "" {
		t.Fatalf("resource on an event: %+v", b.Error)
	}
}

// TestEditThreadLimits: edits count against the posting limit (429).
func TestEditThreadLimits(t *testing.T) {
	e := newEnv(t, envOptions{limits: api.Limits{PostPerMember: auth.LimitSpec{Every: time.Hour, Burst: 2}}})
	alice := e.register("Alice")
	g := alice.group("Youth workers", "open")
	tid := alice.thread(g, "Draft")["id"].(string)
	alice.must(200, "PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Draft 2"})
	r := alice.do("PATCH", "/api/v1/threads/"+tid, map[string]any{"title": "Draft 3"})
	if r.code != http.StatusTooManyRequests || r.hdr.Get("Retry-After") == "" {
		t.Fatalf("third write: %d %q", r.code, r.hdr.Get("Retry-After"))
	}
}

func checkErr(t *testing.T, r resp, status int, code string) httperr.Body {
	t.Helper()
	var b httperr.Body
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, r.body)
	}
	r.json(t, &b)
	if code != "" && b.Error.Code != code {
		t.Fatalf("code %q, want %q: %s", b.Error.Code, code, r.body)
	}
	return b
}

func jsonEqual(a, b map[string]any) bool { return reflect.DeepEqual(a, b) }

// TestEditedTranslationTitleNotStale: GET /threads/{id} keeps encoded
// answers by the thread's stamp; a linked translation in the same group
// (answers shared by every viewer) that is retitled must show its new
// title at once.
func TestEditedTranslationTitleNotStale(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	alice, anon := e.register("Alice"), e.anon()
	g := alice.group("Youth workers", "open")
	en := alice.thread(g, "Welcome")["id"].(string)
	fr := alice.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "Bienvenue", "body": "Bonjour", "language": "fr"}).obj(t)["id"].(string)
	alice.must(204, "POST", "/api/v1/threads/"+en+"/translations", map[string]any{"thread_id": fr})
	title := func() any {
		tr := anon.must(200, "GET", "/api/v1/threads/"+en, nil).obj(t)["thread"].(map[string]any)["translations"].([]any)
		return tr[0].(map[string]any)["title"]
	}
	first, second := title(), title() // the second from the kept answers
	if first != "Bienvenue" || second != "Bienvenue" {
		t.Fatal("translation title before the edit")
	}
	alice.must(200, "PATCH", "/api/v1/threads/"+fr, map[string]any{"title": "Bienvenue à toutes et à tous"})
	if got := title(); got != "Bienvenue à toutes et à tous" {
		t.Fatalf("the kept answer shows the translation's old title %q", got)
	}
}
