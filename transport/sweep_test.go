package transport_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/transport/api"
)

// TestCheckerIsNotVacuous: the XSS checker does catch what it looks for.
func TestCheckerIsNotVacuous(t *testing.T) {
	for _, bad := range []string{`<script>x</script>`, `<a href="javascript:x">y</a>`, `<img src=x onerror=y>`, `<a href=" data:text/html,x">`, `<svg/onload=x>`} {
		ft := &testing.T{}
		done := make(chan struct{})
		go func() { defer close(done); checkNoScript(ft, "probe", bad) }()
		<-done
		if !ft.Failed() {
			t.Errorf("checker let %q through", bad)
		}
	}
}

// routeBodies are well-formed bodies for every state-changing route, so
// that a sweep gets past decoding and validation to the permission checks.
func routeBodies(memberID, threadID string) map[string]any {
	return map[string]any{
		"/groups/:id/invitations":               map[string]any{"member_id": memberID},
		"/groups/:id/moderators":                map[string]any{"member_id": memberID},
		"/groups/:id/members/:member_id/remove": map[string]any{"reason": "r"},
		"/groups/:id/threads":                   map[string]any{"title": "t", "body": "b", "language": "en"},
		"/threads/:id/replies":                  map[string]any{"body": "b", "language": "en"},
		"/threads/:id/translations":             map[string]any{"thread_id": threadID},
		"/threads/:id/rsvp":                     map[string]any{"status": "going"},
		"/posts/:id":                            map[string]any{"body": "b"},
		"/posts/:id/reactions":                  map[string]any{"kind": "like"},
		"/posts/:id/flags":                      map[string]any{"reason": "r"},
		"/posts/:id/flags/resolve":              map[string]any{"flagger_id": memberID, "resolution": "dismissed"},
		"/posts/:id/hide":                       map[string]any{"reason": "r"},
		"/admin/members/:id/suspend":            map[string]any{"reason": "r"},
		"/admin/members/:id/roles":              map[string]any{"role": "admin"},
	}
}

// TestObjectIDSweep: an authenticated member with no business in a private
// group tries every route of the API with the ids of that group, its
// threads, posts and members: every answer is 403 or 404 and carries no
// data (only the error envelope).
func TestObjectIDSweep(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	owner := e.register("Owner")
	insider := e.register("Insider")
	outsider := e.register("Outsider")
	g := owner.group("Secret circle", "private")
	owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": insider.id})
	insider.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	th := owner.thread(g, "Secret thread")
	tid, opening := th["id"].(string), th["opening_post_id"].(string)
	ev := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
		"title": "Secret event", "body": "b", "language": "en", "kind": "event",
		"event": map[string]any{"starts_at": time.Now().Add(48 * time.Hour)},
	}).obj(t)["id"].(string)
	reply := insider.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "secret reply", "language": "en"}).obj(t)["id"].(string)
	insider.must(204, "POST", "/api/v1/posts/"+reply+"/flags", map[string]any{"reason": "secret flag"})
	secrets := []string{"Secret circle", "Secret thread", "Secret event", "secret reply", "secret flag"}

	ids := map[string][]string{
		":id":        {g, tid, ev, opening, reply, owner.id, insider.id, "nope", strings.Repeat("z", 101)},
		":member_id": {insider.id, owner.id},
		":kind":      {"like"},
		":role":      {"moderator"},
		":other":     {tid, ev},
	}
	bodies := routeBodies(insider.id, ev)
	routes := api.Routes()
	checked := 0
	for _, rt := range routes {
		if !strings.Contains(rt.Path, ":") {
			continue
		}
		paths := []string{rt.Path}
		for _, param := range []string{":id", ":member_id", ":kind", ":role", ":other"} {
			var next []string
			for _, p := range paths {
				if !strings.Contains(p, param) {
					next = append(next, p)
					continue
				}
				for _, v := range ids[param] {
					next = append(next, strings.Replace(p, param, v, 1))
				}
			}
			paths = next
		}
		for _, p := range paths {
			// Member ids are fair game for the public profile: skip those
			// two read routes where the id is a member's.
			if rt.Method == http.MethodGet && rt.Path == "/members/:id" {
				continue
			}
			r := outsider.do(rt.Method, "/api/v1"+p, bodies[rt.Path])
			checked++
			if r.code != 403 && r.code != 404 {
				t.Errorf("%s %s: %d, want 403 or 404: %.200s", rt.Method, p, r.code, r.body)
				continue
			}
			var env map[string]any
			r.json(t, &env)
			if len(env) != 1 || env["error"] == nil {
				t.Errorf("%s %s: answer is not just an error: %s", rt.Method, p, r.body)
			}
			for _, s := range secrets {
				if strings.Contains(string(r.body), s) {
					t.Errorf("%s %s leaks %q: %s", rt.Method, p, s, r.body)
				}
			}
		}
	}
	// The id-free reads with a private group filter.
	for _, p := range []string{"/threads?group=" + g, "/moderation/log?group=" + g} {
		r := outsider.do("GET", "/api/v1"+p, nil)
		for _, s := range secrets {
			if strings.Contains(string(r.body), s) {
				t.Errorf("GET %s leaks %q: %s", p, s, r.body)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("swept only %d requests", checked)
	}
	t.Logf("swept %d requests over %d routes", checked, len(routes))
	_ = fmt.Sprint
}
