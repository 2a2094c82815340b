package transport_test

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// fuzzEnv is shared by the fuzz target's iterations: building the engine
// per input would make fuzzing crawl.
var fuzzEnv struct {
	once          sync.Once
	e             *env
	owner, mod    *client
	group, thread string
	post, event   string
}

// FuzzCommandBodies sends arbitrary bytes as the body of every command of
// the API through the real router: no answer may be a 5xx.
func FuzzCommandBodies(f *testing.F) {
	seeds := []string{
		`{}`, `null`, `[]`, `"x"`, `{"body":"b","language":"en"}`, `{"title":"t","body":"b","language":"fr","kind":"event","event":{"starts_at":"2030-01-01T10:00:00Z","capacity":-1}}`,
		`{"event":{"starts_at":"yesterday"}}`, `{"tags":[1,2]}`, `{"tags":null,"topics":{}}`, `{"ids":["a",""]}`, `{"ids":[]}`,
		`{"until":"2000-01-01T00:00:00Z","reason":"x"}`, `{"status":"maybe"}`, `{"kind":"love"}`, `{"role":"root"}`,
		`{"member_id":"../../etc"}`, `{"thread_id":"x.y"}`, `{"email":"a@b.c","password":"` + strings.Repeat("p", 300) + `"}`,
		"{\"body\":\"\xff\xfe\",\"language\":\"en\"}", `{"body":"\u0000","language":"en"}`, `{"visibility":"open","name":"` + strings.Repeat("n", 500) + `"}`,
		`{"display_name":null,"bio":7}`, `{"resource":{"url":"javascript:alert(1)"},"kind":"resource","title":"t","body":"b","language":"en"}`,
		`{"a":` + strings.Repeat("[", 5000) + `}`, `{"reply_to":"nope","body":"x","language":"en"}`, `{"capacity":1e400}`,
	}
	for i, s := range seeds {
		f.Add(uint8(i), []byte(s))
	}
	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		fuzzEnv.once.Do(func() {
			// The env outlives this iteration's t: its cleanups must
			// not run when the first iteration ends.
			e := newEnv(&testing.T{}, envOptions{limits: noLimits})
			e.t = t
			fuzzEnv.e = e
			fuzzEnv.owner = e.register("Owner")
			fuzzEnv.mod = fuzzEnv.owner
			fuzzEnv.group = fuzzEnv.owner.group("Fuzz", "open")
			th := fuzzEnv.owner.thread(fuzzEnv.group, "Fuzz thread")
			fuzzEnv.thread, fuzzEnv.post = th["id"].(string), th["opening_post_id"].(string)
			fuzzEnv.event = fuzzEnv.owner.must(201, "POST", "/api/v1/groups/"+fuzzEnv.group+"/threads", map[string]any{
				"title": "E", "body": "b", "language": "en", "kind": "event", "event": map[string]any{"starts_at": time.Now().Add(time.Hour)},
			}).obj(t)["id"].(string)
		})
		e := fuzzEnv.e
		e.t = t
		c := fuzzEnv.owner
		g, th, p, ev := fuzzEnv.group, fuzzEnv.thread, fuzzEnv.post, fuzzEnv.event
		routes := []struct{ method, path string }{
			{"POST", "/api/v1/auth/register"}, {"POST", "/api/v1/auth/login"}, {"PATCH", "/api/v1/me"},
			{"POST", "/api/v1/groups"}, {"POST", "/api/v1/groups/" + g + "/threads"}, {"POST", "/api/v1/groups/" + g + "/invitations"},
			{"POST", "/api/v1/groups/" + g + "/moderators"}, {"POST", "/api/v1/groups/" + g + "/members/" + c.id + "/remove"},
			{"POST", "/api/v1/groups/" + g + "/requests/" + c.id + "/reject"},
			{"POST", "/api/v1/threads/" + th + "/replies"}, {"POST", "/api/v1/threads/" + th + "/translations"},
			{"POST", "/api/v1/threads/" + ev + "/rsvp"}, {"POST", "/api/v1/threads/" + th + "/lock"}, {"POST", "/api/v1/threads/" + th + "/unlock"},
			{"PATCH", "/api/v1/posts/" + p}, {"POST", "/api/v1/posts/" + p + "/reactions"}, {"POST", "/api/v1/posts/" + p + "/flags"},
			{"POST", "/api/v1/posts/" + p + "/flags/resolve"}, {"POST", "/api/v1/posts/" + p + "/hide"}, {"POST", "/api/v1/posts/" + p + "/restore"},
			{"POST", "/api/v1/admin/members/" + c.id + "/suspend"}, {"POST", "/api/v1/admin/members/" + c.id + "/roles"},
			{"POST", "/api/v1/notifications/read"},
		}
		rt := routes[int(route)%len(routes)]
		if rt.path == "/api/v1/auth/register" || rt.path == "/api/v1/auth/login" {
			c = e.anon() // keep the owner's session
		}
		r := c.do(rt.method, rt.path, body)
		if r.code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", rt.method, rt.path, body, r.code, r.body)
		}
		if r.code == 204 && rt.path == "/api/v1/admin/members/"+c.id+"/suspend" {
			t.Fatalf("a member suspended themself")
		}
	})
}
