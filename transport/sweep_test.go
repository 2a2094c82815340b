package transport_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/transport/api"
)

// TestCheckerIsNotVacuous: the XSS checker does catch what it looks for,
// in a fragment and on a whole page, and lets a page's own chrome through.
func TestCheckerIsNotVacuous(t *testing.T) {
	for _, bad := range []string{`<script>x</script>`, `<a href="javascript:x">y</a>`, `<img src=x onerror=y>`, `<a href=" data:text/html,x">`,
		`<svg/onload=x>`, `<iframe src="https://example.org">`, `<a href="&#106;avascript:x">y</a>`, `<div style="x">`,
		`<form action="/x"><input></form>`, `<details open>`} {
		if len(htmlProblems(bad, false)) == 0 {
			t.Errorf("checker let fragment %q through", bad)
		}
		// checkNoScript reports them.
		ft := &testing.T{}
		done := make(chan struct{})
		go func() { defer close(done); checkNoScript(ft, "probe", bad) }()
		<-done
		if !ft.Failed() {
			t.Errorf("checkNoScript let %q through", bad)
		}
	}
	chrome := `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="csrf-token" content="t"><title>x &lt;script&gt;</title>` +
		`<link rel="stylesheet" href="/static/app.css"><script src="/static/app.js" defer></script></head><body>` +
		`<form method="post" action="/threads/x/replies"><input type="hidden" name="csrf" value="t"><textarea name="body">&lt;/textarea&gt;</textarea>` +
		`<button formaction="/posts/y/hide">h</button></form><details><summary>s</summary></details><a href="https://example.org/x">l</a>`
	if p := htmlProblems(chrome+`</body></html>`, true); len(p) != 0 {
		t.Errorf("a page's own chrome is flagged: %v", p)
	}
	for _, bad := range []string{`<script>alert(1)</script>`, `<script src="https://evil.example/x.js"></script>`,
		`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`, `<form action="https://evil.example/">`,
		`<form action="javascript:alert(1)">`, `<button formaction="javascript:alert(1)">`, `<button formaction="//evil.example/">`,
		`<link rel="import" href="data:text/html,x">`, `<img src=x onerror=alert(1)>`, `<a href="vbscript:x">`,
		`<textarea></textarea><script>alert(1)</script>`, `<input autofocus onfocus=alert(1)>`, `<svg><a xlink:href="javascript:x">`,
		`<object data="javascript:alert(1)">`, `<base href="javascript:x//">`, `<iframe srcdoc="x">`} {
		if len(htmlProblems(chrome+bad+`</body></html>`, true)) == 0 {
			t.Errorf("checker let %q through on a page", bad)
		}
	}
}

// routeBodies are well-formed bodies for every state-changing route, so
// that a sweep gets past decoding and validation to the permission checks.
func routeBodies(memberID, threadID string) map[string]any {
	return map[string]any{
		"/groups/:id":                           map[string]any{"name": "Renamed", "description": "d", "topics": []string{"t"}},
		"/groups/:id/invitations":               map[string]any{"member_id": memberID},
		"/groups/:id/moderators":                map[string]any{"member_id": memberID},
		"/groups/:id/members/:member_id/remove": map[string]any{"reason": "r"},
		"/groups/:id/threads":                   map[string]any{"title": "t", "body": "b", "language": "en"},
		"/threads/:id/replies":                  map[string]any{"body": "b", "language": "en"},
		"/threads/:id/translations":             map[string]any{"thread_id": threadID},
		"/threads/:id/rsvp":                     map[string]any{"status": "going"},
		"/threads/:id":                          map[string]any{"title": "t", "tags": []string{"x"}},
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
// data (only the error envelope). Then every id-free read (lists, the
// moderation queue and log, notifications, search, stats), bare and
// filtered by the private group's id and words: 200, 403 or 404, never a
// word or id of the private group, a private-group filter answered as one
// on a group that does not exist, and the statuses API.md gives.
func TestObjectIDSweep(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits, search: true})
	sc := newSecretCircle(t, e)
	owner, insider, outsider := sc.owner, sc.insider, sc.outsider
	g, tid, opening, ev, reply := sc.group, sc.thread, sc.opening, sc.event, sc.reply
	secrets := sc.secrets

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
	if checked < 100 {
		t.Fatalf("swept only %d requests", checked)
	}
	t.Logf("swept %d requests over %d routes", checked, len(routes))

	// The id-free reads, bare and filtered by the private group's id and
	// words: they may answer (lists of what the outsider may see), but
	// never with the private group's content or ids, and a filter on the
	// private group answers exactly as one on a group that does not exist
	// (no oracle of its existence).
	if r := owner.must(200, "GET", "/api/v1/search?q=secret", nil); !strings.Contains(string(r.body), "Secret thread") {
		t.Fatalf("the owner's search does not find the private thread, so the outsider's proves nothing: %s", r.body)
	}
	privateIDs := []string{g, tid, ev, opening, reply}
	leaks := func(what string, r resp) {
		t.Helper()
		for _, s := range append(append([]string{}, secrets...), privateIDs...) {
			if strings.Contains(strings.ToLower(string(r.body)), strings.ToLower(s)) {
				t.Errorf("%s leaks %q: %.300s", what, s, r.body)
			}
		}
	}
	idFree := 0
	for _, rt := range routes {
		if rt.Method != http.MethodGet || strings.Contains(rt.Path, ":") {
			continue
		}
		for _, q := range []string{"", "?q=secret", "?group={g}", "?group={g}&q=secret", "?thread={t}", "?group={g}&kind=event"} {
			path := "/api/v1" + rt.Path + strings.NewReplacer("{g}", g, "{t}", tid).Replace(q)
			r := outsider.do("GET", path, nil)
			idFree++
			if r.code != 200 && r.code != 403 && r.code != 404 {
				t.Errorf("GET %s: %d, want 200, 403 or 404: %.200s", path, r.code, r.body)
			}
			leaks("GET "+path, r)
			if strings.Contains(q, "{g}") {
				none := "/api/v1" + rt.Path + strings.NewReplacer("{g}", "zzzzzzzzzzzzzzzzzzzz", "{t}", tid).Replace(q)
				if o := outsider.do("GET", none, nil); o.code != r.code || !bytes.Equal(o.body, r.body) {
					t.Errorf("GET %s answers %d %.200s, but for a group that does not exist %d %.200s", path, r.code, r.body, o.code, o.body)
				}
			}
		}
	}
	// What the contract says of the outsider's own views.
	for _, c := range []struct {
		path string
		want int
	}{
		{"/moderation/queue", 403}, // moderates nothing
		{"/moderation/log", 403},
		{"/moderation/log?group=" + g, 404}, // private: 404, never 403
		{"/threads?group=" + g, 200},        // a filter: the caller's readable threads, none
		{"/notifications", 200},
		{"/search?q=secret", 200},
		{"/search?q=secret&group=" + g, 200},
	} {
		r := outsider.do("GET", "/api/v1"+c.path, nil)
		if r.code != c.want {
			t.Errorf("GET %s: %d, want %d: %.200s", c.path, r.code, c.want, r.body)
		}
		if r.code == 200 {
			var v struct {
				Items []any `json:"items"`
			}
			r.json(t, &v)
			if len(v.Items) != 0 {
				t.Errorf("GET %s: the outsider sees %d items: %.300s", c.path, len(v.Items), r.body)
			}
		}
	}
	if idFree < 50 {
		t.Fatalf("swept only %d id-free reads", idFree)
	}
}

// TestPageObjectIDSweep: the page routes, from the page server's own
// registration, swept as TestObjectIDSweep sweeps the API: a signed-in
// member with no business in a private group, with a valid form token,
// GETs and POSTs every route with the ids of that group, its threads,
// posts and members. Every answer is 403 or 404 (a POST may instead be
// sent to the login page), none shows the group's name, its thread titles
// or its posts' text, and nothing is written.
func TestPageObjectIDSweep(t *testing.T) {
	e, eng := newPagesEnv(t, false)
	sc := newSecretCircle(t, e)
	owner, insider, outsider := sc.owner, sc.insider, sc.outsider
	g, tid, opening, ev, reply := sc.group, sc.thread, sc.opening, sc.event, sc.reply
	owner.must(204, "POST", "/api/v1/threads/"+tid+"/translations", map[string]any{"thread_id": ev})
	insider.must(200, "POST", "/api/v1/threads/"+ev+"/rsvp", map[string]any{"status": "going"})
	owner.must(204, "POST", "/api/v1/posts/"+opening+"/hide", map[string]any{"reason": "secret hiding"})
	// A past event too, for the past view of the events list.
	owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "Secret past webinar", "body": "b",
		"language": "en", "kind": "event", "tags": []string{"secret"}, "event": map[string]any{"starts_at": time.Now().Add(-48 * time.Hour)}})
	secrets := append(sc.secrets, "secret hiding", "Secret past webinar")

	b := browserOf(outsider)
	tok := b.token(t, "/")
	ids := map[string][]string{
		":id":       {g, tid, ev, opening, reply, owner.id, insider.id, "nope", strings.Repeat("z", 101)},
		":member":   {insider.id, owner.id},
		":action":   {"appoint", "dismiss", "lock", "unlock", "pin", "unpin", "role", "revoke", "suspend", "reinstate"},
		":decision": {"approve", "reject"},
		":other":    {tid, ev},
	}
	// Well-formed forms, so that the sweep gets past validation to the
	// permission checks.
	form := func(route string) url.Values {
		f := url.Values{"csrf": {tok}, "title": {"t"}, "body": {"b"}, "language": {"en"}, "kind": {"discussion"},
			"reason": {"r"}, "status": {"going"}, "thread_id": {ev}, "member_id": {insider.id}, "invitee": {"Insider"},
			"flagger": {insider.id}, "role": {"moderator"}}
		if route == "/posts/:id/react" {
			f.Set("kind", "like")
		}
		return f
	}
	before := logLength(t, e.store)
	routes := pageRoutes(eng)
	checked := map[string]int{}
	check := func(method, path string, r resp) {
		t.Helper()
		checked[method]++
		switch {
		case r.code == 403 || r.code == 404:
		case method == http.MethodPost && r.code == http.StatusSeeOther && strings.HasPrefix(r.hdr.Get("Location"), "/login"):
		default:
			t.Errorf("%s %s: %d (Location %q), want 403 or 404: %.200s", method, path, r.code, r.hdr.Get("Location"), r.body)
		}
		for _, s := range secrets {
			if strings.Contains(string(r.body), s) || strings.Contains(r.hdr.Get("Location"), s) {
				t.Errorf("%s %s leaks %q", method, path, s)
			}
		}
	}
	for _, rt := range routes {
		if !strings.Contains(rt.Path, ":") {
			continue
		}
		for _, p := range expand(rt.Path, ids) {
			// A member's public profile is fair game.
			if rt.Method == http.MethodGet && rt.Path == "/members/:id" && (strings.HasSuffix(p, owner.id) || strings.HasSuffix(p, insider.id)) {
				continue
			}
			switch rt.Method {
			case http.MethodGet:
				check(rt.Method, p, b.do(rt.Method, p, nil, nil))
			case http.MethodPost:
				check(rt.Method, p, b.do(rt.Method, p, form(rt.Path), nil))
				if rt.Path == "/threads/:id/replies" || rt.Path == "/posts/:id/edit" {
					// The previews re-render the thread page and the
					// post's edit form.
					f := form(rt.Path)
					f.Set("action", "preview")
					check(rt.Method, p+" (preview)", b.do(rt.Method, p, f, nil))
				}
			default:
				t.Errorf("a page route %s %s the sweep does not know", rt.Method, rt.Path)
			}
		}
	}
	// The id-free pages, filtered by the private group's id and words.
	for _, rt := range routes {
		if rt.Method != http.MethodGet || strings.Contains(rt.Path, ":") {
			continue
		}
		for _, q := range []string{"", "?q=secret", "?group=" + g, "?q=secret&group=" + g, "?thread=" + tid,
			"?when=past&tag=secret", "?when=past&mine=1&group=" + g, "?mine=1&tag=secret&language=en"} {
			r := b.do("GET", rt.Path+q, nil, nil)
			checked["GET id-free"]++
			if r.code != 200 && r.code != 403 && r.code != 404 {
				t.Errorf("GET %s: %d", rt.Path+q, r.code)
			}
			bad := secrets
			if !strings.Contains(q, "=nope") && !strings.Contains(q, g) && !strings.Contains(q, tid) {
				// Pages echo their URL (the language switch's return
				// path): ids count as leaks only when not asked for.
				bad = append(append([]string{}, secrets...), g, tid, ev, opening, reply)
			}
			for _, s := range bad {
				if strings.Contains(string(r.body), s) {
					t.Errorf("GET %s leaks %q", rt.Path+q, s)
				}
			}
		}
	}
	if r := b.do("GET", "/moderation/log?group="+g, nil, nil); r.code != 404 {
		t.Errorf("GET /moderation/log?group=<private>: %d, want 404", r.code)
	}
	if after := logLength(t, e.store); after != before {
		t.Errorf("the sweep wrote %d events", after-before)
	}
	if checked["GET"] < 40 || checked["POST"] < 200 || checked["GET id-free"] < 50 {
		t.Fatalf("swept too little: %v", checked)
	}
	t.Logf("swept %v over %d page routes", checked, len(routes))
	// The outsider's session and token did work: the sweep was not
	// refused wholesale at the door.
	if r := b.do("POST", "/notifications/read", url.Values{"csrf": {tok}}, nil); r.code != http.StatusSeeOther {
		t.Errorf("a valid POST with the sweep's token: %d %.200s", r.code, r.body)
	}
}

// secretCircle is a private group an outsider must learn nothing of: its
// owner and a member (the insider), a thread with a reply the insider has
// flagged, an event with an agenda and a place; secrets are the words that
// must appear in no answer to the outsider.
type secretCircle struct {
	owner, insider, outsider             *client
	group, thread, opening, event, reply string
	secrets                              []string
}

func newSecretCircle(t *testing.T, e *env) secretCircle {
	t.Helper()
	sc := secretCircle{owner: e.register("Owner"), insider: e.register("Insider"), outsider: e.register("Outsider")}
	owner, insider := sc.owner, sc.insider
	sc.group = owner.group("Secret circle", "private")
	owner.must(204, "POST", "/api/v1/groups/"+sc.group+"/invitations", map[string]any{"member_id": insider.id})
	insider.must(200, "POST", "/api/v1/groups/"+sc.group+"/join", nil)
	th := owner.thread(sc.group, "Secret thread")
	sc.thread, sc.opening = th["id"].(string), th["opening_post_id"].(string)
	sc.event = owner.must(201, "POST", "/api/v1/groups/"+sc.group+"/threads", map[string]any{
		"title": "Secret event", "body": "Secret agenda", "language": "fr", "kind": "event",
		"event": map[string]any{"starts_at": time.Now().Add(48 * time.Hour), "location": "Secret room"},
	}).obj(t)["id"].(string)
	sc.reply = insider.must(201, "POST", "/api/v1/threads/"+sc.thread+"/replies", map[string]any{"body": "secret reply", "language": "en"}).obj(t)["id"].(string)
	insider.must(204, "POST", "/api/v1/posts/"+sc.reply+"/flags", map[string]any{"reason": "secret flag"})
	sc.secrets = []string{"Secret circle", "About Secret circle", "Secret thread", "Opening post of Secret thread", "Secret event",
		"Secret agenda", "Secret room", "secret reply", "secret flag"}
	return sc
}
