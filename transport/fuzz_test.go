package transport_test

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/transport/api"
)

// fuzzEnv is shared by the fuzz target's iterations: building the engine
// per input would make fuzzing crawl.
var fuzzEnv struct {
	once   sync.Once
	e      *env
	routes []fuzzRoute
}

// fuzzRoute is a command route with its path parameters filled in, and who
// sends it: the admin for /admin, an anonymous caller for /auth (so that a
// logout or a login does not end the others' sessions), else the owner of
// the group every fixture is in.
type fuzzRoute struct {
	method, path string
	as           *client
}

// FuzzCommandBodies sends arbitrary bytes as the body of every command of
// the API (every route but the GETs, from api.Routes) through the real
// router, each sent by someone allowed to reach its validation: no answer
// may be a 5xx.
func FuzzCommandBodies(f *testing.F) {
	seeds := []string{
		`{}`, `null`, `[]`, `"x"`, `{"body":"b","language":"en"}`, `{"title":"t","body":"b","language":"fr","kind":"event","event":{"starts_at":"2030-01-01T10:00:00Z","capacity":-1}}`,
		`{"event":{"starts_at":"yesterday"}}`, `{"tags":[1,2]}`, `{"tags":null,"topics":{}}`, `{"ids":["a",""]}`, `{"ids":[]}`,
		`{"until":"2000-01-01T00:00:00Z","reason":"x"}`, `{"until":"9999-12-31T23:59:59Z","reason":"x"}`, `{"until":"soon","reason":"x"}`,
		`{"status":"maybe"}`, `{"kind":"love"}`, `{"role":"root"}`, `{"role":"admin"}`, `{"resolution":"obliterate"}`,
		`{"member_id":"../../etc"}`, `{"thread_id":"x.y"}`, `{"email":"a@b.c","password":"` + strings.Repeat("p", 300) + `"}`,
		"{\"body\":\"\xff\xfe\",\"language\":\"en\"}", `{"body":"\u0000","language":"en"}`, `{"visibility":"open","name":"` + strings.Repeat("n", 500) + `"}`,
		`{"display_name":null,"bio":7}`, `{"resource":{"url":"javascript:alert(1)"},"kind":"resource","title":"t","body":"b","language":"en"}`,
		`{"a":` + strings.Repeat("[", 5000) + `}`, `{"reply_to":"nope","body":"x","language":"en"}`, `{"capacity":1e400}`,
	}
	// Every seed body to every route (there are fewer than 40), so that
	// make test, which runs the seeds only, covers them all.
	for _, s := range seeds {
		for route := range 40 {
			f.Add(uint8(route), []byte(s))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		fuzzEnv.once.Do(func() {
			// The env outlives this iteration's t: its cleanups must
			// not run when the first iteration ends.
			e := newEnv(&testing.T{}, envOptions{limits: noLimits})
			e.t = t
			fuzzEnv.e = e
			admin, owner, victim := e.register("admin"), e.register("Owner"), e.register("Victim")
			g := owner.group("Fuzz", "open")
			victim.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
			th := owner.thread(g, "Fuzz thread")
			other := owner.thread(g, "Other thread")["id"].(string)
			thread, post := th["id"].(string), th["opening_post_id"].(string)
			event := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
				"title": "E", "body": "b", "language": "en", "kind": "event", "event": map[string]any{"starts_at": time.Now().Add(time.Hour)},
			}).obj(t)["id"].(string)
			fill := strings.NewReplacer(":member_id", victim.id, ":other", other, ":kind", "like", ":role", "moderator")
			for _, rt := range api.Routes() {
				if rt.Method == "GET" {
					continue
				}
				path, as := rt.Path, owner
				switch {
				case strings.HasPrefix(path, "/auth/"):
					as = e.anon()
				case strings.HasPrefix(path, "/admin/members/:id"):
					path, as = strings.Replace(path, ":id", victim.id, 1), admin
				case strings.HasPrefix(path, "/groups/:id"):
					path = strings.Replace(path, ":id", g, 1)
				case path == "/threads/:id/rsvp":
					path = strings.Replace(path, ":id", event, 1)
				case strings.HasPrefix(path, "/threads/:id"):
					path = strings.Replace(path, ":id", thread, 1)
				case strings.HasPrefix(path, "/posts/:id"):
					path = strings.Replace(path, ":id", post, 1)
				}
				path = fill.Replace(path)
				if strings.Contains(path, ":") {
					t.Fatalf("no fixture for %s %s", rt.Method, rt.Path)
				}
				fuzzEnv.routes = append(fuzzEnv.routes, fuzzRoute{method: rt.Method, path: "/api/v1" + path, as: as})
			}
		})
		e := fuzzEnv.e
		e.t = t
		rt := fuzzEnv.routes[int(route)%len(fuzzEnv.routes)]
		r := rt.as.do(rt.method, rt.path, body)
		if r.code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", rt.method, rt.path, body, r.code, r.body)
		}
	})
}
