package transport_test

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

// TestEveryEndpoint walks API.md's tables in one scenario, checking each
// answer's status and shape, and reading every write back at once (read
// your writes: no sleeps anywhere).
func TestEveryEndpoint(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	admin := e.register("admin")
	alice := e.register("Alice Tremblay")
	bob := e.register("Bob Singh")
	carol := e.register("Carol Nguyen")

	// Members and sessions.
	me := admin.must(200, "GET", "/api/v1/me", nil).obj(t)
	if roles, _ := me["roles"].([]any); len(roles) != 1 || roles[0] != "admin" {
		t.Fatalf("admin from --admin-emails: roles %v", me["roles"])
	}
	if _, has := me["email"]; has {
		// Me may carry the email for the member themself, but the directory never does.
		t.Log("me carries an email (own profile)")
	}
	p := alice.must(200, "PATCH", "/api/v1/me", map[string]any{"bio": "Settlement worker in Sudbury", "language": "fr", "organization": "Centre"}).obj(t)
	if p["bio"] != "Settlement worker in Sudbury" || p["language"] != "fr" {
		t.Fatalf("patch me: %v", p)
	}
	dir := bob.must(200, "GET", "/api/v1/members?q=alice", nil)
	if strings.Contains(string(dir.body), "@example.org") {
		t.Fatalf("directory leaks emails: %s", dir.body)
	}
	var members struct{ Items []map[string]any }
	dir.json(t, &members)
	if len(members.Items) != 1 || members.Items[0]["id"] != alice.id {
		t.Fatalf("directory ?q=alice: %s", dir.body)
	}
	prof := bob.must(200, "GET", "/api/v1/members/"+alice.id, nil).obj(t)
	for _, k := range []string{"id", "display_name", "organization", "province", "language", "bio", "joined_at"} {
		if _, ok := prof[k]; !ok {
			t.Errorf("member profile lacks %q: %v", k, prof)
		}
	}
	bob.must(404, "GET", "/api/v1/members/nobody", nil)

	// Groups.
	open := alice.group("Youth settlement network", "open")
	req := alice.group("Case management", "request")
	priv := alice.group("Small centres", "private")
	g := bob.must(200, "GET", "/api/v1/groups/"+open, nil).obj(t)
	for _, k := range []string{"id", "name", "description", "visibility", "language", "topics", "member_count", "thread_count", "created_at", "my_role"} {
		if _, ok := g[k]; !ok {
			t.Errorf("group lacks %q: %v", k, g)
		}
	}
	var groups struct{ Items []map[string]any }
	bob.must(200, "GET", "/api/v1/groups", nil).json(t, &groups)
	if len(groups.Items) != 2 {
		t.Fatalf("bob sees %d groups, want 2 (private hidden): %v", len(groups.Items), groups.Items)
	}
	if st := bob.must(200, "POST", "/api/v1/groups/"+open+"/join", nil).obj(t)["status"]; st != "member" {
		t.Fatalf("join open: %v", st)
	}
	if c := bob.must(200, "GET", "/api/v1/groups/"+open, nil).obj(t); c["member_count"] != 2.0 || c["my_role"] != "member" {
		t.Fatalf("after join: %v", c)
	}
	if st := bob.must(200, "POST", "/api/v1/groups/"+req+"/join", nil).obj(t)["status"]; st != "pending" {
		t.Fatalf("join request group: %v", st)
	}
	bob.must(404, "POST", "/api/v1/groups/"+priv+"/join", nil)
	var reqs struct{ Items []map[string]any }
	alice.must(200, "GET", "/api/v1/groups/"+req+"/requests", nil).json(t, &reqs)
	if len(reqs.Items) != 1 {
		t.Fatalf("requests: %v", reqs.Items)
	}
	q := admin.must(200, "GET", "/api/v1/moderation/queue", nil)
	if !strings.Contains(string(q.body), "join_request") {
		t.Fatalf("queue lacks the join request: %s", q.body)
	}
	alice.must(204, "POST", "/api/v1/groups/"+req+"/requests/"+bob.id+"/approve", nil)
	carol.must(200, "POST", "/api/v1/groups/"+req+"/join", nil)
	alice.must(204, "POST", "/api/v1/groups/"+req+"/requests/"+carol.id+"/reject", nil)
	alice.must(204, "POST", "/api/v1/groups/"+priv+"/invitations", map[string]any{"member_id": carol.id})
	if st := carol.must(200, "POST", "/api/v1/groups/"+priv+"/join", nil).obj(t)["status"]; st != "member" {
		t.Fatalf("invited join: %v", st)
	}
	alice.must(204, "POST", "/api/v1/groups/"+open+"/moderators", map[string]any{"member_id": bob.id})
	var gm struct {
		Items []struct {
			Member map[string]any
			Role   string
		}
	}
	carol.must(200, "GET", "/api/v1/groups/"+open+"/members", nil).json(t, &gm)
	roles := map[string]string{}
	for _, it := range gm.Items {
		roles[it.Member["id"].(string)] = it.Role
	}
	if roles[alice.id] != "owner" || roles[bob.id] != "moderator" {
		t.Fatalf("group members: %v", roles)
	}
	carol.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
	bob.must(204, "POST", "/api/v1/groups/"+open+"/members/"+carol.id+"/remove", map[string]any{"reason": "spam"})
	carol.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
	carol.must(204, "POST", "/api/v1/groups/"+open+"/leave", nil)
	myGroups := alice.must(200, "GET", "/api/v1/me", nil).obj(t)["groups"].([]any)
	if len(myGroups) != 3 {
		t.Fatalf("alice's groups: %v", myGroups)
	}

	// Threads and posts.
	th := alice.thread(open, "Welcome / Bienvenue")
	tid := th["id"].(string)
	for _, k := range []string{"id", "group_id", "title", "kind", "language", "tags", "author", "created_at", "last_activity_at", "reply_count", "pinned", "locked", "translations"} {
		if _, ok := th[k]; !ok {
			t.Errorf("thread lacks %q: %v", k, th)
		}
	}
	fr := alice.must(201, "POST", "/api/v1/groups/"+open+"/threads", map[string]any{
		"title": "Bienvenue", "body": "Premier message", "language": "fr", "kind": "news", "tags": []string{"accueil"},
	}).obj(t)
	alice.must(204, "POST", "/api/v1/threads/"+tid+"/translations", map[string]any{"thread_id": fr["id"]})
	reply := bob.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "Thanks **all**", "language": "en"}).obj(t)
	pid := reply["id"].(string)
	for _, k := range []string{"id", "thread_id", "author", "body", "body_html", "language", "created_at"} {
		if _, ok := reply[k]; !ok {
			t.Errorf("post lacks %q: %v", k, reply)
		}
	}
	if !strings.Contains(reply["body_html"].(string), "<strong>all</strong>") {
		t.Fatalf("body_html: %v", reply["body_html"])
	}
	var view struct {
		Thread     map[string]any
		Posts      []map[string]any
		NextCursor string `json:"next_cursor"`
	}
	carol.must(200, "GET", "/api/v1/threads/"+tid, nil).json(t, &view)
	if view.Thread["reply_count"] != 1.0 || len(view.Posts) != 2 || view.Posts[1]["id"] != pid {
		t.Fatalf("thread view: %+v", view)
	}
	if tr, _ := view.Thread["translations"].([]any); len(tr) != 1 {
		t.Fatalf("translations: %v", view.Thread["translations"])
	}
	// A wrong link is undone (by the author, from the other thread too),
	// then made again.
	carol.must(403, "DELETE", "/api/v1/threads/"+tid+"/translations/"+fr["id"].(string), nil)
	alice.must(204, "DELETE", "/api/v1/threads/"+fr["id"].(string)+"/translations/"+tid, nil)
	carol.must(200, "GET", "/api/v1/threads/"+tid, nil).json(t, &view)
	if tr, _ := view.Thread["translations"].([]any); len(tr) != 0 {
		t.Fatalf("translations after the unlink: %v", view.Thread["translations"])
	}
	alice.must(204, "POST", "/api/v1/threads/"+tid+"/translations", map[string]any{"thread_id": fr["id"]})
	edited := bob.must(200, "PATCH", "/api/v1/posts/"+pid, map[string]any{"body": "Thanks everyone"}).obj(t)
	if edited["body"] != "Thanks everyone" || edited["edited_at"] == nil {
		t.Fatalf("edit: %v", edited)
	}
	alice.must(204, "POST", "/api/v1/posts/"+pid+"/reactions", map[string]any{"kind": "thanks"})
	alice.must(204, "POST", "/api/v1/posts/"+pid+"/reactions", map[string]any{"kind": "thanks"}) // idempotent
	var pv struct{ Posts []map[string]any }
	alice.must(200, "GET", "/api/v1/threads/"+tid, nil).json(t, &pv)
	if r, _ := pv.Posts[1]["reactions"].(map[string]any); r["thanks"] != 1.0 {
		t.Fatalf("reactions: %v", pv.Posts[1])
	}
	alice.must(204, "DELETE", "/api/v1/posts/"+pid+"/reactions/thanks", nil)
	carol.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)
	carol.must(204, "POST", "/api/v1/posts/"+pid+"/flags", map[string]any{"reason": "off topic"})
	if q := bob.must(200, "GET", "/api/v1/moderation/queue", nil); !strings.Contains(string(q.body), `"flag"`) {
		t.Fatalf("queue lacks the flag: %s", q.body)
	}
	bob.must(204, "POST", "/api/v1/posts/"+pid+"/flags/resolve", map[string]any{"flagger_id": carol.id, "resolution": "dismissed"})
	bob.must(204, "POST", "/api/v1/posts/"+pid+"/hide", map[string]any{"reason": "testing"})
	pv.Posts = nil
	carol.must(200, "GET", "/api/v1/threads/"+tid, nil).json(t, &pv)
	if pv.Posts[1]["hidden"] != true || pv.Posts[1]["body"] != nil {
		t.Fatalf("hidden post shown to a member: %v", pv.Posts[1])
	}
	// A hidden post keeps its place and the fields every post has, and
	// shows nothing of its content.
	if got := slices.Sorted(maps.Keys(pv.Posts[1])); !slices.Equal(got, []string{"created_at", "edited_at", "hidden", "id", "reactions", "thread_id"}) {
		t.Fatalf("hidden post's fields: %v", pv.Posts[1])
	}
	if r, ok := pv.Posts[1]["reactions"].(map[string]any); !ok || len(r) != 0 || pv.Posts[1]["created_at"] == "0001-01-01T00:00:00Z" {
		t.Fatalf("hidden post: %v", pv.Posts[1])
	}
	// Every visible post has reactions (an object, empty at least) and
	// edited_at (null until an edit).
	for _, p := range pv.Posts {
		if p["hidden"] == true {
			continue
		}
		if _, ok := p["reactions"].(map[string]any); !ok {
			t.Fatalf("post without a reactions object: %v", p)
		}
		if e, ok := p["edited_at"]; !ok || (e != nil && p["id"] != pid) {
			t.Fatalf("post's edited_at: %v", p)
		}
	}
	bob.must(204, "POST", "/api/v1/posts/"+pid+"/restore", nil)
	for _, a := range []string{"lock", "unlock", "pin", "unpin", "pin"} {
		bob.must(204, "POST", "/api/v1/threads/"+tid+"/"+a, nil)
	}
	bob.must(204, "POST", "/api/v1/threads/"+tid+"/lock", map[string]any{"reason": "cooling off"})
	if r := carol.do("POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "x", "language": "en"}); r.code != 423 || r.errCode(t) != "thread_locked" {
		t.Fatalf("reply to locked: %d %s", r.code, r.body)
	}
	var gl struct{ Items []map[string]any }
	carol.must(200, "GET", "/api/v1/groups/"+open+"/threads", nil).json(t, &gl)
	if len(gl.Items) != 2 || gl.Items[0]["id"] != tid {
		t.Fatalf("group threads, pinned first: %v", gl.Items)
	}
	gl.Items = nil
	carol.must(200, "GET", "/api/v1/groups/"+open+"/threads?language=fr&kind=news&tag=accueil", nil).json(t, &gl)
	if len(gl.Items) != 1 {
		t.Fatalf("filtered group threads: %v", gl.Items)
	}
	own := carol.must(201, "POST", "/api/v1/groups/"+open+"/threads", map[string]any{"title": "Mine", "body": "to delete", "language": "en"}).obj(t)
	carol.must(204, "DELETE", "/api/v1/posts/"+own["opening_post_id"].(string), nil)

	// Events, RSVPs, attendees, iCalendar.
	starts := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
	ev := alice.must(201, "POST", "/api/v1/groups/"+open+"/threads", map[string]any{
		"title": "Quarterly call", "body": "Join us", "language": "en", "kind": "event",
		"event": map[string]any{"starts_at": starts, "location": "Online; Zoom, Canada", "capacity": 1},
	}).obj(t)
	eid := ev["id"].(string)
	if st := bob.must(200, "POST", "/api/v1/threads/"+eid+"/rsvp", map[string]any{"status": "going"}).obj(t)["status"]; st != "going" {
		t.Fatalf("rsvp: %v", st)
	}
	if st := carol.must(200, "POST", "/api/v1/threads/"+eid+"/rsvp", map[string]any{"status": "going"}).obj(t)["status"]; st != "waitlisted" {
		t.Fatalf("rsvp past capacity: %v", st)
	}
	var att struct{ Items []map[string]any }
	alice.must(200, "GET", "/api/v1/threads/"+eid+"/attendees", nil).json(t, &att)
	if len(att.Items) != 2 {
		t.Fatalf("attendees: %v", att.Items)
	}
	// A list like any other: pages, going members first, then the waitlist.
	var p1, p2 struct {
		Items []struct {
			Member struct{ ID string }
			Status string
		}
		NextCursor string `json:"next_cursor"`
	}
	alice.must(200, "GET", "/api/v1/threads/"+eid+"/attendees?limit=1", nil).json(t, &p1)
	alice.must(200, "GET", "/api/v1/threads/"+eid+"/attendees?limit=1&cursor="+p1.NextCursor, nil).json(t, &p2)
	if len(p1.Items) != 1 || p1.Items[0].Member.ID != bob.id || p1.Items[0].Status != "going" || p1.NextCursor == "" ||
		len(p2.Items) != 1 || p2.Items[0].Member.ID != carol.id || p2.Items[0].Status != "waitlisted" || p2.NextCursor != "" {
		t.Fatalf("attendees by pages: %+v then %+v", p1, p2)
	}
	carol.must(403, "GET", "/api/v1/threads/"+eid+"/attendees", nil)
	bob.must(200, "POST", "/api/v1/threads/"+eid+"/rsvp", map[string]any{"status": "not_going"})
	if rs := carol.must(200, "GET", "/api/v1/threads/"+eid, nil).obj(t)["thread"].(map[string]any)["rsvp"].(map[string]any); rs["my_status"] != "going" {
		t.Fatalf("promotion: %v", rs)
	}
	ics := carol.must(200, "GET", "/api/v1/threads/"+eid+"/event.ics", nil)
	if ct := ics.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") ||
		!strings.Contains(string(ics.body), "DTSTART:"+starts.Format("20060102T150405Z")) ||
		!strings.Contains(string(ics.body), `LOCATION:Online\; Zoom\, Canada`) {
		t.Fatalf("ics %s:\n%s", ct, ics.body)
	}
	carol.must(404, "GET", "/api/v1/threads/"+tid+"/event.ics", nil)
	var evs struct{ Items []map[string]any }
	carol.must(200, "GET", "/api/v1/threads?kind=event&from="+time.Now().UTC().Format("2006-01-02"), nil).json(t, &evs)
	if len(evs.Items) != 1 || evs.Items[0]["id"] != eid {
		t.Fatalf("upcoming events: %v", evs.Items)
	}
	carol.must(200, "GET", "/api/v1/threads?group="+open+"&language=en", nil)

	// Notifications: bob's reply notified alice; carol's promotion notified carol.
	var nl struct{ Items []map[string]any }
	alice.must(200, "GET", "/api/v1/notifications", nil).json(t, &nl)
	if len(nl.Items) == 0 {
		t.Fatal("alice has no notifications")
	}
	if n := alice.must(200, "GET", "/api/v1/notifications/unread_count", nil).obj(t)["count"]; n == 0.0 {
		t.Fatal("unread count 0")
	}
	alice.must(204, "POST", "/api/v1/notifications/read", map[string]any{"ids": []string{nl.Items[0]["id"].(string)}})
	alice.must(204, "POST", "/api/v1/notifications/read", nil)
	if n := alice.must(200, "GET", "/api/v1/notifications/unread_count", nil).obj(t)["count"]; n != 0.0 {
		t.Fatalf("unread after read all: %v", n)
	}

	// Moderation log and administration.
	var logs struct{ Items []map[string]any }
	admin.must(200, "GET", "/api/v1/moderation/log?group="+open, nil).json(t, &logs)
	actions := map[string]bool{}
	for _, it := range logs.Items {
		actions[it["action"].(string)] = true
	}
	for _, a := range []string{"PostHidden", "ThreadLocked", "MemberRemovedFromGroup"} {
		if !actions[a] {
			t.Errorf("moderation log lacks %s: %v", a, actions)
		}
	}
	admin.must(204, "POST", "/api/v1/admin/members/"+carol.id+"/roles", map[string]any{"role": "moderator"})
	if r := carol.must(200, "GET", "/api/v1/me", nil).obj(t)["roles"].([]any); len(r) != 1 || r[0] != "moderator" {
		t.Fatalf("granted role: %v", r)
	}
	st := admin.must(200, "GET", "/api/v1/admin/stats?interval=week", nil).obj(t)
	if _, ok := st["series"].([]any); !ok {
		t.Fatalf("stats: %v", st)
	}
	tot := st["totals"].(map[string]any)
	if tot["new_members"] != 4.0 || tot["new_groups"] != 3.0 {
		t.Fatalf("stats totals: %v", tot)
	}
	csv := admin.must(200, "GET", "/api/v1/admin/stats.csv", nil)
	lines := strings.Split(strings.TrimSpace(string(csv.body)), "\n")
	if !strings.HasPrefix(lines[0], "period,new_members,active_members") || !strings.HasPrefix(lines[len(lines)-1], "total,4,") {
		t.Fatalf("csv:\n%s", csv.body)
	}
	admin.must(204, "POST", "/api/v1/admin/members/"+bob.id+"/suspend", map[string]any{"reason": "test", "until": time.Now().Add(time.Hour)})
	bob.must(401, "GET", "/api/v1/me", nil)
	admin.must(204, "POST", "/api/v1/admin/members/"+bob.id+"/reinstate", nil)

	// Logout.
	alice.must(204, "POST", "/api/v1/auth/logout", nil)
	alice.must(401, "GET", "/api/v1/me", nil)
	r := alice.must(200, "POST", "/api/v1/auth/login", map[string]any{"email": strings.ToUpper(emailOf(t, e, alice.id)), "password": "correct horse battery"})
	if r.obj(t)["id"] != alice.id {
		t.Fatalf("login: %s", r.body)
	}
	alice.must(200, "GET", "/api/v1/me", nil)
	_ = fmt.Sprint
	_ = json.Marshal
	_ = http.StatusOK
}

// emailOf reads a member's email from the store (the API never shows it).
func emailOf(t *testing.T, e *env, id string) string {
	t.Helper()
	m, err := e.svc.LoadMember(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	return m.Email
}
