package transport_test

import (
	"fmt"
	"strings"
	"testing"
)

// TestVisibilityTable: roles x endpoints x group visibility, as API.md
// says: open groups are read by all; request groups show their card to all
// and their content to members (the group lists of a visible group answer
// 403 to others; a thread itself answers 404); private groups do not exist
// for anyone but members, invited members (who see the card, to join) and
// site staff: their content is 404, never 403, to everyone else.
func TestVisibilityTable(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	admin := e.register("admin")
	owner := e.register("Owner")
	mod := e.register("Group Moderator")
	mem := e.register("Member")
	invited := e.register("Invited")
	outsider := e.register("Outsider")
	anon := e.anon()

	type fixture struct{ group, thread, post string }
	fx := map[string]fixture{}
	for _, vis := range []string{"open", "request", "private"} {
		g := owner.group("Group "+vis, vis)
		for _, c := range []*client{mod, mem} {
			if vis == "open" {
				c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
				continue
			}
			owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": c.id})
			c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
		}
		owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": mod.id})
		if vis != "open" {
			owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": invited.id})
		}
		th := owner.thread(g, "Thread in "+vis)
		fx[vis] = fixture{group: g, thread: th["id"].(string), post: th["opening_post_id"].(string)}
	}
	roles := []struct {
		name string
		c    *client
	}{{"anon", anon}, {"outsider", outsider}, {"invited", invited}, {"member", mem}, {"moderator", mod}, {"admin", admin}}

	// want[endpoint][visibility] lists the status per role, in roles' order.
	type row struct {
		method, path string
		body         any
		want         map[string][6]int
	}
	rows := []row{
		{"GET", "/api/v1/groups/{g}", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {200, 200, 200, 200, 200, 200}, "private": {404, 404, 200, 200, 200, 200}}},
		{"GET", "/api/v1/groups/{g}/threads", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {403, 403, 403, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		{"GET", "/api/v1/threads/{t}", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {404, 404, 404, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		{"GET", "/api/v1/groups/{g}/members", nil, map[string][6]int{
			"open": {200, 200, 200, 200, 200, 200}, "request": {403, 403, 403, 200, 200, 200}, "private": {404, 404, 404, 200, 200, 200}}},
		{"GET", "/api/v1/groups/{g}/requests", nil, map[string][6]int{
			"open": {401, 403, 403, 403, 200, 200}, "request": {401, 403, 403, 403, 200, 200}, "private": {401, 404, 404, 403, 200, 200}}},
		{"POST", "/api/v1/threads/{t}/replies", map[string]any{"body": "hello", "language": "en"}, map[string][6]int{
			"open": {401, 403, 403, 201, 201, 201}, "request": {401, 403, 403, 201, 201, 201}, "private": {401, 404, 404, 201, 201, 201}}},
		{"POST", "/api/v1/posts/{p}/reactions", map[string]any{"kind": "like"}, map[string][6]int{
			"open": {401, 403, 403, 204, 204, 204}, "request": {401, 403, 403, 204, 204, 204}, "private": {401, 404, 404, 204, 204, 204}}},
		{"POST", "/api/v1/threads/{t}/pin", nil, map[string][6]int{
			"open": {401, 403, 403, 403, 204, 204}, "request": {401, 403, 403, 403, 204, 204}, "private": {401, 404, 404, 403, 204, 204}}},
		{"GET", "/api/v1/threads/{t}/event.ics", nil, map[string][6]int{
			"open": {404, 404, 404, 404, 404, 404}, "request": {404, 404, 404, 404, 404, 404}, "private": {404, 404, 404, 404, 404, 404}}},
	}
	var failures []string
	for _, rw := range rows {
		for _, vis := range []string{"open", "request", "private"} {
			f := fx[vis]
			path := strings.NewReplacer("{g}", f.group, "{t}", f.thread, "{p}", f.post).Replace(rw.path)
			for i, role := range roles {
				r := role.c.do(rw.method, path, rw.body)
				if want := rw.want[vis][i]; r.code != want {
					failures = append(failures, fmt.Sprintf("%s %s [%s] as %s: %d, want %d: %.120s", rw.method, rw.path, vis, role.name, r.code, want, r.body))
				}
				if r.code == 404 && strings.Contains(string(r.body), "Thread in") {
					failures = append(failures, fmt.Sprintf("%s %s [%s] as %s: 404 carries data", rw.method, rw.path, vis, role.name))
				}
			}
		}
	}
	// Lists: the private group and its threads appear only to those who may see them.
	for i, role := range roles {
		groups := string(role.c.must(200, "GET", "/api/v1/groups", nil).body)
		threads := string(role.c.must(200, "GET", "/api/v1/threads", nil).body)
		seesPrivate := i >= 2
		readsPrivate := i >= 3
		if strings.Contains(groups, fx["private"].group) != seesPrivate {
			failures = append(failures, fmt.Sprintf("GET /groups as %s: private group listed=%v", role.name, !seesPrivate))
		}
		if strings.Contains(threads, fx["private"].thread) != readsPrivate {
			failures = append(failures, fmt.Sprintf("GET /threads as %s: private thread listed=%v", role.name, !readsPrivate))
		}
		if strings.Contains(threads, fx["request"].thread) != readsPrivate {
			failures = append(failures, fmt.Sprintf("GET /threads as %s: request-group thread listed=%v", role.name, !readsPrivate))
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
}
