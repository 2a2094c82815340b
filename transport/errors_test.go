package transport_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
	"github.com/settlenet/settlenet/transport/httperr"
)

// TestErrorClasses: every status of API.md's conventions, with the error
// body's shape and messages in the caller's language.
func TestErrorClasses(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	alice := e.register("Alice")
	bob := e.register("Bob")
	anon := e.anon()
	g := alice.group("Employment", "open")
	th := alice.thread(g, "Jobs")
	tid := th["id"].(string)

	check := func(r resp, status int, code string) httperr.Body {
		t.Helper()
		if r.code != status {
			t.Fatalf("status %d, want %d: %s", r.code, status, r.body)
		}
		var b httperr.Body
		r.json(t, &b)
		if b.Error.Code != code || b.Error.Message == "" {
			t.Fatalf("error body %s, want code %q", r.body, code)
		}
		return b
	}
	// 400: malformed JSON, wrong types, trailing data, empty body.
	jsonMsg := check(alice.do("POST", "/api/v1/groups", `{"name": `), 400, "bad_request").Error.Message
	b := check(alice.do("POST", "/api/v1/groups", `{"name": 5}`), 400, "bad_request")
	if _, ok := b.Error.Fields["name"]; !ok {
		t.Fatalf("type error does not name the field: %+v", b)
	}
	check(alice.do("POST", "/api/v1/groups", `{} {}`), 400, "bad_request")
	check(alice.do("POST", "/api/v1/groups", ``), 400, "bad_request")
	// A bad query parameter is a 400 too, with a message about parameters
	// (not about JSON, which such a request has none of), naming it.
	for _, path := range []string{"/api/v1/groups?limit=abc", "/api/v1/threads?from=yesterday", "/api/v1/threads?open=yes",
		"/api/v1/groups?cursor=" + strings.Repeat("x", 40), "/api/v1/threads?tag=" + strings.Repeat("x", 201), "/api/v1/threads?kind=poem"} {
		b := check(alice.do("GET", path, nil), 400, "bad_request")
		if b.Error.Message == jsonMsg || strings.Contains(b.Error.Message, "JSON") || len(b.Error.Fields) != 1 {
			t.Fatalf("%s: %+v", path, b)
		}
	}
	anon.lang = "fr"
	if b := check(anon.do("GET", "/api/v1/groups?limit=0", nil), 400, "bad_request"); !strings.Contains(b.Error.Message, "paramètre") || b.Error.Fields["limit"] == "" {
		t.Fatalf("French: %+v", b)
	}
	anon.lang = ""
	// Unknown fields are ignored (documented choice).
	alice.must(201, "POST", "/api/v1/groups", map[string]any{"name": "X", "description": "d", "visibility": "open", "language": "en", "colour": "blue"})
	// 401.
	check(anon.do("GET", "/api/v1/me", nil), 401, "unauthenticated")
	check(anon.do("POST", "/api/v1/groups", map[string]any{}), 401, "unauthenticated")
	check(anon.do("POST", "/api/v1/auth/login", map[string]any{"email": "nobody@example.org", "password": "whatever12345"}), 401, "invalid_credentials")
	check(anon.do("POST", "/api/v1/auth/login", map[string]any{"email": emailOf(t, e, alice.id), "password": "wrong password"}), 401, "invalid_credentials")
	// 403.
	check(bob.do("POST", "/api/v1/threads/"+tid+"/lock", nil), 403, "forbidden")
	check(bob.do("GET", "/api/v1/admin/stats", nil), 403, "forbidden")
	check(bob.do("POST", "/api/v1/admin/members/"+alice.id+"/suspend", map[string]any{"reason": "x"}), 403, "forbidden")
	check(bob.do("POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "hi", "language": "en"}), 403, "not_member")
	// 404.
	check(bob.do("GET", "/api/v1/threads/nope", nil), 404, "not_found")
	check(bob.do("GET", "/api/v1/no/such/route", nil), 404, "not_found")
	check(bob.do("POST", "/api/v1/posts/bad/reactions", map[string]any{"kind": "like"}), 404, "not_found")
	// 409.
	check(anon.do("POST", "/api/v1/auth/register", map[string]any{"email": strings.ToUpper(emailOf(t, e, bob.id)), "password": "long enough pw", "display_name": "B2", "language": "en"}), 409, "email_taken")
	bob.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	check(bob.do("POST", "/api/v1/groups/"+g+"/join", nil), 409, "already_member")
	// 413.
	big := `{"body": "` + strings.Repeat("a", api.MaxBody) + `", "language": "en"}`
	check(bob.do("POST", "/api/v1/threads/"+tid+"/replies", big), 413, "too_large")
	// 422, English and French field messages.
	b = check(anon.do("POST", "/api/v1/auth/register", map[string]any{"email": "not-an-email", "password": "short", "display_name": "", "language": "de"}), 422, "validation_failed")
	for _, f := range []string{"email", "password", "display_name", "language"} {
		if b.Error.Fields[f] == "" {
			t.Errorf("422 lacks field %q: %+v", f, b)
		}
	}
	anon.lang = "fr-CA,fr;q=0.9"
	b = check(anon.do("POST", "/api/v1/auth/register", map[string]any{"email": "x@y.ca", "password": "short", "display_name": "X", "language": "fr"}), 422, "validation_failed")
	if b.Error.Message != "Certains champs demandent votre attention." || b.Error.Fields["password"] != "C’est trop court." {
		t.Fatalf("French 422: %+v", b)
	}
	long := strings.Repeat("é", 201)
	b = check(bob.do("POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": long, "body": "b", "language": "en"}), 422, "validation_failed")
	if b.Error.Fields["title"] == "" {
		t.Fatalf("long title: %+v", b)
	}
	// A logged-in member's language wins over Accept-Language.
	bob.must(200, "PATCH", "/api/v1/me", map[string]any{"language": "fr"})
	bob.lang = "en"
	b = check(bob.do("GET", "/api/v1/threads/nope", nil), 404, "not_found")
	if !strings.Contains(b.Error.Message, "Nous n’avons pas trouvé") {
		t.Fatalf("member's language not used: %+v", b)
	}
	// 423.
	alice.must(204, "POST", "/api/v1/threads/"+tid+"/lock", nil)
	check(bob.do("POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "hi", "language": "en"}), 423, "thread_locked")
	// Cross-site browser request: 403; same-origin and non-browser pass.
	bob.headers = map[string]string{"Sec-Fetch-Site": "cross-site"}
	b = check(bob.do("POST", "/api/v1/groups/"+g+"/leave", nil), 403, "cross_origin")
	bob.headers = map[string]string{"Origin": "https://evil.example"}
	check(bob.do("POST", "/api/v1/groups/"+g+"/leave", nil), 403, "cross_origin")
	// These refusals, and a body too large, come before any handler, in
	// the member's language too (Bob's is French, his browser's English).
	if !strings.Contains(b.Error.Message, "autre site") {
		t.Fatalf("cross-site refusal not in the member's language: %+v", b)
	}
	bob.headers = nil
	if b := check(bob.do("POST", "/api/v1/threads/"+tid+"/replies", big), 413, "too_large"); !strings.Contains(b.Error.Message, "volumineuse") {
		t.Fatalf("413 not in the member's language: %+v", b)
	}
	bob.headers = map[string]string{"Sec-Fetch-Site": "cross-site"}
	bob.must(200, "GET", "/api/v1/groups/"+g, nil) // reads are not state-changing
	bob.headers = map[string]string{"Sec-Fetch-Site": "same-origin"}
	bob.must(204, "POST", "/api/v1/groups/"+g+"/leave", nil)
	bob.headers = map[string]string{"Origin": "http://settlenet.test"}
	bob.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
}

// TestRateLimits: 429 with Retry-After on registration, posting and login.
func TestRateLimits(t *testing.T) {
	e := newEnv(t, envOptions{limits: api.Limits{
		PostPerMember: auth.LimitSpec{Every: time.Hour, Burst: 3},
		RegisterPerIP: auth.LimitSpec{Every: time.Hour, Burst: 2},
	}})
	alice := e.register("Alice")
	g := alice.group("G", "open")
	tid := alice.thread(g, "T")["id"].(string)
	for range 2 {
		alice.must(201, "POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "x", "language": "en"})
	}
	r := alice.do("POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": "x", "language": "en"})
	if r.code != 429 || r.errCode(t) != "rate_limited" {
		t.Fatalf("posting limit: %d %s", r.code, r.body)
	}
	if s, err := strconv.Atoi(r.hdr.Get("Retry-After")); err != nil || s < 1 {
		t.Fatalf("Retry-After %q", r.hdr.Get("Retry-After"))
	}
	c := e.anon()
	for i := range 3 {
		r := c.do("POST", "/api/v1/auth/register", map[string]any{"email": fmt.Sprintf("r%d@x.ca", i), "password": "long enough pw", "display_name": "R", "language": "en"})
		if want := map[bool]int{true: 201, false: 429}[i < 2]; r.code != want {
			t.Fatalf("registration %d: %d %s", i, r.code, r.body)
		}
	}
}

// TestWriteLimit: every state change of a member takes from one
// allowance (here 5): groups, reactions, flags alike; reads never do, and
// another member's allowance is their own.
func TestWriteLimit(t *testing.T) {
	e := newEnv(t, envOptions{limits: api.Limits{WritePerMember: auth.LimitSpec{Every: time.Hour, Burst: 5}}})
	alice, bob := e.register("Alice"), e.register("Bob")
	g := alice.group("G", "open") // 1
	th := alice.thread(g, "T")    // 2
	thread, p := th["id"].(string), th["opening_post_id"].(string)
	alice.must(204, "POST", "/api/v1/posts/"+p+"/reactions", map[string]any{"kind": "like"})   // 3
	alice.must(204, "DELETE", "/api/v1/posts/"+p+"/reactions/like", nil)                       // 4
	alice.must(204, "POST", "/api/v1/posts/"+p+"/reactions", map[string]any{"kind": "thanks"}) // 5
	for range 3 {
		alice.must(200, "GET", "/api/v1/threads/"+thread, nil)
	}
	r := alice.do("POST", "/api/v1/posts/"+p+"/flags", map[string]any{"reason": "testing the limit"})
	if r.code != 429 || r.errCode(t) != "rate_limited" || r.hdr.Get("Retry-After") == "" {
		t.Fatalf("the sixth write: %d %s (Retry-After %q)", r.code, r.body, r.hdr.Get("Retry-After"))
	}
	bob.must(204, "POST", "/api/v1/posts/"+p+"/flags", map[string]any{"reason": "another member"})
}

// TestLoginLimitUnderDistributedAttack: 50 addresses guessing one account's
// password get no more tries than the per-account burst, and the owner's
// own login from elsewhere is limited too (the price of the protection),
// while other accounts are unaffected.
func TestLoginLimitUnderDistributedAttack(t *testing.T) {
	e := newEnv(t, envOptions{limits: api.DefaultLimits})
	victim := e.register("Victim")
	other := e.register("Other")
	email := emailOf(t, e, victim.id)
	burst := api.DefaultLimits.LoginPerAccount.Burst
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	for i := range 50 {
		attacker := e.anon()
		wg.Go(func() {
			for j := range 4 {
				r := attacker.do("POST", "/api/v1/auth/login", map[string]any{"email": email, "password": fmt.Sprintf("guess-%d-%d-xx", i, j)})
				mu.Lock()
				codes[r.code]++
				mu.Unlock()
				if r.code == 429 && r.hdr.Get("Retry-After") == "" {
					t.Error("429 without Retry-After")
				}
			}
		})
	}
	wg.Wait()
	if codes[401] > burst || codes[200] != 0 || codes[401]+codes[429] != 200 {
		t.Fatalf("answers to 200 guesses from 50 addresses: %v (at most %d may reach the password check)", codes, burst)
	}
	// The right password is refused too while the account is cooling down.
	if r := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "correct horse battery"}); r.code != 429 {
		t.Fatalf("login during cool-down: %d", r.code)
	}
	e.anon().must(200, "POST", "/api/v1/auth/login", map[string]any{"email": emailOf(t, e, other.id), "password": "correct horse battery"})
	// Per address: one address spraying many accounts is stopped too.
	sprayer := e.anon()
	limited := false
	for i := range 20 {
		if r := sprayer.do("POST", "/api/v1/auth/login", map[string]any{"email": fmt.Sprintf("n%d@x.ca", i), "password": "whatever1234"}); r.code == 429 {
			limited = true
		}
	}
	if !limited {
		t.Fatal("one address tried 20 accounts without a 429")
	}
}

// TestSessions: logout kills the cookie for good (a replayed copy gets
// 401), login rotates the session, suspension ends sessions and blocks
// login and writes.
func TestSessions(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	admin := e.register("admin")
	alice := e.register("Alice")
	email := emailOf(t, e, alice.id)
	stolen := alice.cookie
	alice.must(204, "POST", "/api/v1/auth/logout", nil)
	if alice.cookie != "" {
		t.Fatal("logout did not clear the cookie")
	}
	replay := e.anon()
	replay.cookie = stolen
	if r := replay.do("GET", "/api/v1/me", nil); r.code != 401 {
		t.Fatalf("replayed cookie after logout: %d %s", r.code, r.body)
	}
	replay.must(401, "POST", "/api/v1/groups", map[string]any{"name": "x"})
	// Login with a live session rotates it: the old token dies.
	alice.must(200, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "correct horse battery"})
	first := alice.cookie
	alice.must(200, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "correct horse battery"})
	if alice.cookie == first {
		t.Fatal("login reused the session token")
	}
	old := e.anon()
	old.cookie = first
	old.must(401, "GET", "/api/v1/me", nil)
	alice.must(200, "GET", "/api/v1/me", nil)
	// A garbage cookie is just no session.
	junk := e.anon()
	junk.cookie = "garbage"
	junk.must(401, "GET", "/api/v1/me", nil)
	junk.must(200, "GET", "/api/v1/groups", nil)
	// Suspension.
	g := alice.group("G", "open")
	admin.must(204, "POST", "/api/v1/admin/members/"+alice.id+"/suspend", map[string]any{"reason": "abuse"})
	alice.must(401, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "t", "body": "b", "language": "en"})
	r := e.anon().do("POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "correct horse battery"})
	if r.code != 403 || r.errCode(t) != "suspended" {
		t.Fatalf("suspended login: %d %s", r.code, r.body)
	}
	admin.must(204, "POST", "/api/v1/admin/members/"+alice.id+"/reinstate", nil)
	alice.must(200, "POST", "/api/v1/auth/login", map[string]any{"email": email, "password": "correct horse battery"})
	alice.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "t", "body": "b", "language": "en"})
}
