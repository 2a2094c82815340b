package transport_test

import (
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Group member management through the API: invite by email (or id), list
// the outstanding invitations, appoint a moderator and take the role back,
// and who may do each.
func TestGroupMemberManagement(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	owner := e.register("Olga Owner")
	mod := e.anon()
	mod.id = mod.must(201, "POST", "/api/v1/auth/register", map[string]any{"email": "mo.moderator@example.org", "password": "correct horse battery",
		"display_name": "Mo Moderator", "language": "en"}).obj(t)["id"].(string)
	plain := e.register("Pat Plain")
	g := owner.group("Caseworkers circle", "private")

	// By email, in any case; an unknown email is a field error.
	owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"email": " Mo.Moderator@EXAMPLE.org"})
	var notes struct {
		Items []struct {
			Type, Summary string
			Actor         struct{ ID string }
		}
	}
	mod.must(200, "GET", "/api/v1/notifications", nil).json(t, &notes)
	if len(notes.Items) != 1 || notes.Items[0].Type != "invited" || notes.Items[0].Summary != "Caseworkers circle" || notes.Items[0].Actor.ID != owner.id {
		t.Fatalf("invitee's notifications: %+v", notes)
	}
	r := owner.do("POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"email": "nobody@example.org"})
	var body struct {
		Error struct {
			Code    string
			Message string
			Fields  map[string]string
		}
	}
	r.json(t, &body)
	if r.code != 422 || !strings.Contains(body.Error.Fields["email"], "No member is registered") {
		t.Fatalf("unknown email: %d %s", r.code, r.body)
	}
	if r := owner.do("POST", "/api/v1/groups/"+g+"/invitations", map[string]any{}); r.code != 422 || !strings.Contains(string(r.body), "member_id") {
		t.Fatalf("no invitee: %d %s", r.code, r.body)
	}
	var inv struct {
		Items []struct {
			Member    struct{ ID, DisplayName string } `json:"member"`
			InvitedBy struct{ ID string }              `json:"invited_by"`
		}
	}
	owner.must(200, "GET", "/api/v1/groups/"+g+"/invitations", nil).json(t, &inv)
	if len(inv.Items) != 1 || inv.Items[0].Member.ID != mod.id || inv.Items[0].InvitedBy.ID != owner.id {
		t.Fatalf("invitations: %+v", inv)
	}
	// Not for plain members of the group, and the group does not exist
	// for outsiders.
	if r := plain.do("GET", "/api/v1/groups/"+g+"/invitations", nil); r.code != 404 {
		t.Fatalf("outsider lists invitations: %d", r.code)
	}
	mod.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": plain.id})
	plain.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	if r := plain.do("GET", "/api/v1/groups/"+g+"/invitations", nil); r.code != 403 {
		t.Fatalf("member lists invitations: %d", r.code)
	}

	roles := func() map[string]string {
		var ms struct {
			Items []struct {
				Member struct{ ID string }
				Role   string
			}
		}
		owner.must(200, "GET", "/api/v1/groups/"+g+"/members", nil).json(t, &ms)
		out := map[string]string{}
		for _, it := range ms.Items {
			out[it.Member.ID] = it.Role
		}
		return out
	}
	owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": mod.id})
	if roles()[mod.id] != "moderator" {
		t.Fatalf("appointed: %v", roles())
	}
	// A moderator cannot demote another moderator, nor a member anyone.
	owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": plain.id})
	if r := plain.do("DELETE", "/api/v1/groups/"+g+"/moderators/"+mod.id, nil); r.code != 403 {
		t.Fatalf("moderator dismisses moderator: %d %s", r.code, r.body)
	}
	if r := owner.do("DELETE", "/api/v1/groups/"+g+"/moderators/"+owner.id, nil); r.code != 403 {
		t.Fatalf("dismiss the owner: %d %s", r.code, r.body)
	}
	owner.must(204, "DELETE", "/api/v1/groups/"+g+"/moderators/"+mod.id, nil)
	plain.must(204, "DELETE", "/api/v1/groups/"+g+"/moderators/"+plain.id, nil) // stepping down
	if got := roles(); got[mod.id] != "member" || got[plain.id] != "member" || got[owner.id] != "owner" {
		t.Fatalf("after dismissal: %v", got)
	}
	// Again changes nothing; a non-member is named as such.
	owner.must(204, "DELETE", "/api/v1/groups/"+g+"/moderators/"+mod.id, nil)
	if r := owner.do("DELETE", "/api/v1/groups/"+g+"/moderators/nobody", nil); r.code != 403 && r.code != 404 && r.code != 422 {
		t.Fatalf("dismiss a stranger: %d %s", r.code, r.body)
	}
	var logs struct{ Items []struct{ Action string } }
	owner.must(200, "GET", "/api/v1/moderation/log?group="+g, nil).json(t, &logs)
	dismissed := 0
	for _, l := range logs.Items {
		if l.Action == "GroupModeratorDismissed" {
			dismissed++
		}
	}
	if dismissed != 2 {
		t.Fatalf("log: %d dismissals in %+v", dismissed, logs.Items)
	}
	// The dismissed moderator lost the powers: no join requests to read.
	if r := mod.do("GET", "/api/v1/groups/"+g+"/requests", nil); r.code != 403 {
		t.Fatalf("dismissed moderator reads requests: %d", r.code)
	}
}

// Site roles: granted and revoked (an extension route), suspension lifted;
// only admins, and never one's own admin role.
func TestSiteRolesGrantRevoke(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	admin := e.register("admin")
	carol := e.register("Carol Nguyen")
	roles := func() []any { return carol.must(200, "GET", "/api/v1/me", nil).obj(t)["roles"].([]any) }

	admin.must(204, "POST", "/api/v1/admin/members/"+carol.id+"/roles", map[string]any{"role": "moderator"})
	admin.must(204, "POST", "/api/v1/admin/members/"+carol.id+"/roles", map[string]any{"role": "admin", "reason": "second admin for holidays"})
	if r := roles(); len(r) != 2 {
		t.Fatalf("granted: %v", r)
	}
	admin.must(204, "DELETE", "/api/v1/admin/members/"+carol.id+"/roles/moderator", map[string]any{"reason": "moved to the board"})
	if r := roles(); len(r) != 1 || r[0] != "admin" {
		t.Fatalf("after revoking moderator: %v", r)
	}
	admin.must(204, "DELETE", "/api/v1/admin/members/"+carol.id+"/roles/moderator", nil) // again: nothing to do
	if r := admin.do("DELETE", "/api/v1/admin/members/"+carol.id+"/roles/owner", nil); r.code != 422 {
		t.Fatalf("unknown role: %d %s", r.code, r.body)
	}
	if r := admin.do("DELETE", "/api/v1/admin/members/"+admin.id+"/roles/admin", nil); r.code != 403 {
		t.Fatalf("revoking one's own admin role: %d %s", r.code, r.body)
	}
	// Carol, an admin now, revokes the first admin's role; the first
	// admin then cannot act as one.
	carol.must(204, "DELETE", "/api/v1/admin/members/"+admin.id+"/roles/admin", nil)
	if r := admin.do("DELETE", "/api/v1/admin/members/"+carol.id+"/roles/admin", nil); r.code != 403 {
		t.Fatalf("a former admin revokes: %d %s", r.code, r.body)
	}
	carol.must(204, "POST", "/api/v1/admin/members/"+admin.id+"/suspend", map[string]any{"reason": "left the organisation"})
	carol.must(204, "POST", "/api/v1/admin/members/"+admin.id+"/reinstate", map[string]any{"reason": "came back"})
	var logs struct {
		Items []struct{ Action, Detail, Reason string }
	}
	carol.must(200, "GET", "/api/v1/moderation/log", nil).json(t, &logs)
	seen := map[string]bool{}
	for _, l := range logs.Items {
		seen[l.Action+" "+l.Detail+l.Reason] = true
	}
	for _, want := range []string{"MemberRoleGranted adminsecond admin for holidays", "MemberRoleRevoked moderatormoved to the board",
		"MemberRoleRevoked admin", "MemberReinstated came back"} {
		if !seen[want] {
			t.Errorf("log lacks %q: %v", want, seen)
		}
	}
}

// Job details: posted with a job thread, answered with it and in lists,
// validated in the domain (field errors), refused on other kinds.
func TestJobDetails(t *testing.T) {
	var ahead atomic.Int64 // how far ahead of the domain the API's clock runs
	e := newEnv(t, envOptions{limits: noLimits, now: func() time.Time { return time.Now().Add(time.Duration(ahead.Load())) }})
	alice := e.register("Alice Tremblay")
	g := alice.group("Employment network", "open")
	deadline := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02")
	job := map[string]any{"organization": "Newcomer Centre", "location": "Regina, SK", "employment_type": "full_time",
		"salary": "$52,000–$58,000 a year", "deadline": deadline, "apply_url": "https://example.org/jobs/42"}
	th := alice.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
		"title": "Settlement counsellor", "body": "Full time, bilingual.", "language": "en", "kind": "job", "job": job,
	}).obj(t)
	check := func(where string, got any) {
		t.Helper()
		m, _ := got.(map[string]any)
		for k, v := range job {
			if m[k] != v {
				t.Errorf("%s: job.%s = %v, want %v", where, k, m[k], v)
			}
		}
	}
	check("created", th["job"])
	id := th["id"].(string)
	check("GET thread", alice.must(200, "GET", "/api/v1/threads/"+id, nil).obj(t)["thread"].(map[string]any)["job"])
	var board struct{ Items []map[string]any }
	e.anon().must(200, "GET", "/api/v1/threads?kind=job", nil).json(t, &board)
	if len(board.Items) != 1 {
		t.Fatalf("job board: %+v", board)
	}
	check("job board", board.Items[0]["job"])
	// open=true leaves out postings past their deadline: seen 40 days on,
	// this one is closed, one without a deadline is not.
	alice.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
		"title": "Volunteer drivers", "body": "Ongoing.", "language": "en", "kind": "job", "job": map[string]any{"employment_type": "volunteer"},
	})
	count := func(path string) int {
		var p struct{ Items []map[string]any }
		e.anon().must(200, "GET", path, nil).json(t, &p)
		return len(p.Items)
	}
	if n := count("/api/v1/threads?kind=job&open=true"); n != 2 {
		t.Errorf("open postings today: %d", n)
	}
	ahead.Store(int64(40 * 24 * time.Hour))
	for path, want := range map[string]int{"/api/v1/threads?kind=job": 2, "/api/v1/threads?kind=job&open=false": 2,
		"/api/v1/threads?kind=job&open=true": 1, "/api/v1/groups/" + g + "/threads?kind=job&open=true": 1} {
		if n := count(path); n != want {
			t.Errorf("40 days on, %s: %d postings, want %d", path, n, want)
		}
	}
	if r := e.anon().do("GET", "/api/v1/threads?kind=job&open=yes", nil); r.code != 400 {
		t.Errorf("open=yes: %d", r.code)
	}
	// A discussion does not carry "job".
	d := alice.thread(g, "Plain discussion")
	if _, has := d["job"]; has {
		t.Errorf("discussion carries job: %v", d)
	}

	for name, c := range map[string]struct {
		kind  string
		job   map[string]any
		field string
	}{
		"javascript url":  {"job", map[string]any{"apply_url": "javascript:alert(1)"}, "job.apply_url"},
		"deadline format": {"job", map[string]any{"deadline": "next friday"}, "job.deadline"},
		"deadline past":   {"job", map[string]any{"deadline": "2020-01-31"}, "job.deadline"},
		"employment":      {"job", map[string]any{"employment_type": "gig"}, "job.employment_type"},
		"salary too long": {"job", map[string]any{"salary": strings.Repeat("9", 101)}, "job.salary"},
		"not a job":       {"news", map[string]any{"organization": "x"}, "job"},
	} {
		r := alice.do("POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "T", "body": "B", "language": "en", "kind": c.kind, "job": c.job})
		var body struct {
			Error struct{ Fields map[string]string }
		}
		r.json(t, &body)
		if r.code != 422 || body.Error.Fields[c.field] == "" {
			t.Errorf("%s: %d %s", name, r.code, r.body)
		}
	}
}
