package transport_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// TestVisibilityTransitions: for each change of a group's visibility
// (open, request and private, each to each other), as anonymous, an
// outsider, an invited member, a member, the group's moderator and a site
// admin, before and after: the group's card and its place in the
// directory, its thread list, its thread (API and page), search, the
// cross-group thread list, and the title of its thread as the translation
// of a thread in an open group (API and page). Every read follows the
// change at once. A pending join request is approved when its group
// becomes open and rejected when it becomes private.
func TestVisibilityTransitions(t *testing.T) {
	e, _ := newPagesEnv(t, true)
	admin := e.register("admin")
	owner := e.register("Owner")
	mod := e.register("Group Moderator")
	mem := e.register("Member")
	invited := e.register("Invited")
	outsider := e.register("Outsider")
	requester := e.register("Requester")
	roles := []struct {
		name string
		c    *client
	}{{"anon", e.anon()}, {"outsider", outsider}, {"invited", invited}, {"member", mem}, {"moderator", mod}, {"admin", admin}}
	inside := func(role string) bool { return role == "member" || role == "moderator" || role == "admin" }

	// The open group whose thread links to each transition's thread as
	// its translation.
	pivotGroup := owner.group("Pivot", "open")

	type transition struct{ from, to, group, thread, title, pivot string }
	var ts []transition
	for _, from := range []string{"open", "request", "private"} {
		for _, to := range []string{"open", "request", "private"} {
			if from == to {
				continue
			}
			g := owner.group("Group "+from+" to "+to, from)
			for _, c := range []*client{mod, mem} {
				if from != "open" {
					owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": c.id})
				}
				c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
			}
			owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": mod.id})
			owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": invited.id})
			if from == "request" {
				if st := requester.must(200, "POST", "/api/v1/groups/"+g+"/join", nil).obj(t)["status"]; st != "pending" {
					t.Fatalf("request to join: %v", st)
				}
			}
			title := "Quokka notes " + from + " to " + to
			th := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": title, "body": "Corps", "language": "fr"}).obj(t)["id"].(string)
			pivot := owner.thread(pivotGroup, "Pivot thread "+from+" to "+to)["id"].(string)
			owner.must(204, "POST", "/api/v1/threads/"+pivot+"/translations", map[string]any{"thread_id": th})
			ts = append(ts, transition{from, to, g, th, title, pivot})
		}
	}

	ids := func(c *client, path string) []string {
		var page struct {
			Items []struct {
				ID string `json:"id"`
			} `json:"items"`
		}
		c.must(200, "GET", path, nil).json(t, &page)
		var out []string
		for _, it := range page.Items {
			out = append(out, it.ID)
		}
		return out
	}
	check := func(when string, tr transition, vis string) {
		t.Helper()
		e.syncSearch()
		for _, role := range roles {
			c, in := role.c, inside(role.name)
			card := vis != "private" || role.name != "anon" && role.name != "outsider"
			readable := vis == "open" || in
			var fails []string
			fail := func(what string, got, want any) {
				if got != want {
					fails = append(fails, fmt.Sprintf("%s: %v, want %v", what, got, want))
				}
			}
			fail("card", c.do("GET", "/api/v1/groups/"+tr.group, nil).code == 200, card)
			fail("directory", slices.Contains(ids(c, "/api/v1/groups?limit=100"), tr.group), card)
			wantList := map[bool]int{true: 200, false: 403}[readable]
			if vis == "private" && !in {
				wantList = 404
			}
			fail("thread list", c.do("GET", "/api/v1/groups/"+tr.group+"/threads", nil).code, wantList)
			fail("thread", c.do("GET", "/api/v1/threads/"+tr.thread, nil).code == 200, readable)
			fail("thread page", c.do("GET", "/threads/"+tr.thread, nil).code == 200, readable)
			fail("cross-group list", slices.Contains(ids(c, "/api/v1/threads?limit=100"), tr.thread), readable)
			fail("search", slices.Contains(c.search("quokka", "limit", "100").threads(), tr.thread), readable)
			pv := c.must(200, "GET", "/api/v1/threads/"+tr.pivot, nil)
			fail("translation (API)", strings.Contains(string(pv.body), tr.thread) || strings.Contains(string(pv.body), tr.title), readable)
			page := c.must(200, "GET", "/threads/"+tr.pivot, nil)
			// The page links to the translation (by id, "read in French").
			fail("translation (page)", strings.Contains(string(page.body), `href="/threads/`+tr.thread+`"`), readable)
			for _, f := range fails {
				t.Errorf("%s %s->%s as %s: %s", when, tr.from, tr.to, role.name, f)
			}
		}
	}
	for _, tr := range ts {
		check("before", tr, tr.from)
	}
	for _, tr := range ts {
		r := owner.must(200, "PATCH", "/api/v1/groups/"+tr.group, map[string]any{"visibility": tr.to})
		if got := r.obj(t)["visibility"]; got != tr.to {
			t.Fatalf("%s->%s: answered %v", tr.from, tr.to, got)
		}
		check("after", tr, tr.to)
		if tr.from != "request" {
			continue
		}
		// The pending request: approved into an open group, rejected by
		// a private one.
		r2 := requester.do("GET", "/api/v1/groups/"+tr.group, nil)
		switch tr.to {
		case "open":
			if r2.code != 200 || r2.obj(t)["my_role"] != "member" {
				t.Errorf("request->open: the requester is not a member: %d %s", r2.code, r2.body)
			}
		case "private":
			if r2.code != 404 {
				t.Errorf("request->private: the rejected requester sees the group: %d", r2.code)
			}
		}
	}
}
