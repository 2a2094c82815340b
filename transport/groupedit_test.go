package transport_test

import (
	"bytes"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/auth"
)

// groupsIn lists the ids of a directory answer.
func groupsIn(t *testing.T, c *client, query string) []string {
	t.Helper()
	var page struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	c.must(200, "GET", "/api/v1/groups"+query, nil).json(t, &page)
	var out []string
	for _, g := range page.Items {
		out = append(out, g.ID)
	}
	return out
}

// fieldsOf is an error answer's field messages.
func fieldsOf(t *testing.T, r resp) map[string]string {
	t.Helper()
	var b struct {
		Error struct {
			Code   string            `json:"code"`
			Fields map[string]string `json:"fields"`
		} `json:"error"`
	}
	r.json(t, &b)
	return b.Error.Fields
}

// TestPatchGroup: PATCH /api/v1/groups/{id} through the real router on the
// embedded store. The owner, a group moderator and a site admin edit; a
// plain member is refused (403) and a private group's outsider finds
// nothing (404); the answer is the group as GET shows it, at once (read
// your writes), and the directory's filters follow the new values; bad
// fields are 422 in the caller's language, a visibility change too; an
// edit that changes nothing writes nothing.
func TestPatchGroup(t *testing.T) {
	e := newEnv(t, envOptions{limits: noLimits})
	admin, owner, mod, member, outsider := e.register("admin"), e.register("Owner"), e.register("Modo Française"), e.register("Member"), e.register("Outsider")
	mod.must(200, "PATCH", "/api/v1/me", map[string]any{"language": "fr"})
	g := owner.group("Youth workers", "open")
	for _, c := range []*client{mod, member} {
		c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	}
	owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": mod.id})
	priv := owner.group("Private circle", "private")
	path := "/api/v1/groups/" + g

	// The owner edits every field; the answer is GET's, byte for byte.
	r := owner.must(200, "PATCH", path, map[string]any{"name": " Réseau jeunesse ", "description": "Pour les intervenants jeunesse.",
		"topics": []string{"jeunesse", " Emploi", "emploi"}, "language": "fr", "province": "qc", "visibility": "open"})
	if get := owner.must(200, "GET", path, nil); !bytes.Equal(r.body, get.body) {
		t.Fatalf("PATCH answered\n%s\nGET answers\n%s", r.body, get.body)
	}
	got := r.obj(t)
	if got["name"] != "Réseau jeunesse" || got["description"] != "Pour les intervenants jeunesse." || got["language"] != "fr" ||
		got["province"] != "QC" || got["visibility"] != "open" || got["my_role"] != "owner" || got["member_count"] != float64(3) {
		t.Fatalf("edited group: %s", r.body)
	}
	if topics, _ := json.Marshal(got["topics"]); string(topics) != `["jeunesse","Emploi"]` {
		t.Errorf("topics: %s", topics)
	}
	// The directory follows the new values, and not the old ones.
	for _, c := range []struct {
		query string
		in    bool
	}{
		{"?q=jeunesse", true}, {"?q=youth+workers", false}, {"?topic=emploi", true}, {"?topic=youth", false},
		{"?language=fr", true}, {"?language=en", false}, {"?province=QC", true}, {"?province=qc", true}, {"?province=ON", false},
	} {
		if in := slices.Contains(groupsIn(t, member, c.query), g); in != c.in {
			t.Errorf("GET /groups%s lists the group: %v, want %v", c.query, in, c.in)
		}
	}

	// A group moderator (in French) and a site admin edit too; an empty
	// province clears it; absent fields keep their values.
	r = mod.must(200, "PATCH", path, map[string]any{"province": "", "language": "bilingual"})
	if got := r.obj(t); got["province"] != nil || got["language"] != "bilingual" || got["name"] != "Réseau jeunesse" || got["my_role"] != "moderator" {
		t.Errorf("moderator's edit: %s", r.body)
	}
	if !slices.Contains(groupsIn(t, member, "?language=bilingual"), g) || slices.Contains(groupsIn(t, member, "?province=QC"), g) {
		t.Error("the directory does not follow the moderator's edit")
	}
	admin.must(200, "PATCH", "/api/v1/groups/"+priv, map[string]any{"description": "Edited by an admin"})

	// Refusals: no session 401, a plain member 403, a private group's
	// outsider 404 (as GET), a group that does not exist 404.
	for _, c := range []struct {
		who  *client
		path string
		code int
		err  string
	}{
		{e.anon(), path, 401, "unauthenticated"},
		{member, path, 403, "forbidden"},
		{outsider, "/api/v1/groups/" + priv, 404, "not_found"},
		{mod, "/api/v1/groups/" + priv, 404, "not_found"},
		{owner, "/api/v1/groups/zzzzzzzzzzzzzzzzzzzz", 404, "not_found"},
	} {
		r := c.who.do("PATCH", c.path, map[string]any{"name": "Hijacked"})
		if r.code != c.code || r.errCode(t) != c.err {
			t.Errorf("PATCH %s: %d %s, want %d %s", c.path, r.code, r.body, c.code, c.err)
		}
	}
	if g := owner.must(200, "GET", "/api/v1/groups/"+priv, nil).obj(t); g["name"] != "Private circle" {
		t.Errorf("a refused edit changed the group: %v", g)
	}

	// 422 in the caller's language, every field at once.
	bad := map[string]any{"name": "", "language": "es", "province": "XX", "topics": []string{strings.Repeat("t", 41)}}
	en := owner.do("PATCH", path, bad)
	fr := mod.do("PATCH", path, bad)
	if en.code != 422 || fr.code != 422 || en.errCode(t) != "validation_failed" {
		t.Fatalf("bad fields: %d %s / %d %s", en.code, en.body, fr.code, fr.body)
	}
	wantEN := map[string]string{"name": "This field is required.", "language": "This value is not valid.", "province": "This value is not valid.",
		"topics": "This is too long."}
	wantFR := map[string]string{"name": "Ce champ est obligatoire.", "language": "Cette valeur n’est pas valide.", "province": "Cette valeur n’est pas valide.",
		"topics": "C’est trop long."}
	for lang, c := range map[string]struct {
		r    resp
		want map[string]string
	}{"en": {en, wantEN}, "fr": {fr, wantFR}} {
		if f := fieldsOf(t, c.r); !mapsEqual(f, c.want) {
			t.Errorf("%s fields %v, want %v", lang, f, c.want)
		}
	}
	// An unknown visibility is refused; the current one is accepted.
	if r := owner.do("PATCH", path, map[string]any{"visibility": "secret"}); r.code != 422 || len(fieldsOf(t, r)) != 1 || fieldsOf(t, r)["visibility"] == "" {
		t.Errorf("unknown visibility: %d %s", r.code, r.body)
	}
	owner.must(200, "PATCH", path, map[string]any{"visibility": "open", "name": "Réseau jeunesse"})

	// Nothing changed, nothing written: the same values, an empty body,
	// an empty object.
	before := logLength(t, e.store)
	same := map[string]any{"name": "Réseau jeunesse", "description": "Pour les intervenants jeunesse.", "topics": []string{"jeunesse", "Emploi"},
		"language": "bilingual", "province": "", "visibility": "open"}
	for _, body := range []any{same, nil, "{}", `{"name": null}`} {
		if r := owner.do("PATCH", path, body); r.code != 200 || r.obj(t)["name"] != "Réseau jeunesse" {
			t.Errorf("no-op PATCH %v: %d %s", body, r.code, r.body)
		}
	}
	if after := logLength(t, e.store); after != before {
		t.Errorf("no-op edits wrote %d events", after-before)
	}

	// Malformed and too large.
	for _, body := range []any{`{"name":`, `{"topics":"youth"}`, `{"name":7}`, `[]`} {
		if r := owner.do("PATCH", path, body); r.code != 400 {
			t.Errorf("PATCH %v: %d %s, want 400", body, r.code, r.body)
		}
	}
	huge := `{"description":"` + strings.Repeat("d", api.MaxBody) + `"}`
	if r := owner.do("PATCH", path, huge); r.code != 413 || r.errCode(t) != "too_large" {
		t.Errorf("huge body: %d %.200s", r.code, r.body)
	}

	// The moderation log says who changed what, for the group's moderators.
	var log struct {
		Items []struct {
			Action string `json:"action"`
			Detail string `json:"detail"`
			Actor  struct {
				ID string `json:"id"`
			} `json:"actor"`
			At time.Time `json:"at"`
		} `json:"items"`
	}
	owner.must(200, "GET", "/api/v1/moderation/log?group="+g, nil).json(t, &log)
	var edits []string
	for _, l := range log.Items {
		if l.Action == "GroupUpdated" {
			edits = append(edits, l.Actor.ID+":"+l.Detail)
		}
	}
	// Newest first: the moderator's, then the owner's (the no-ops left none).
	want := []string{mod.id + ":language,province", owner.id + ":name,description,language,topics,province"}
	if !slices.Equal(edits, want) {
		t.Errorf("moderation log edits %v, want %v", edits, want)
	}

	// The visibility: a group moderator's edit that changes it is refused
	// whole (403, nothing written), a site moderator's too; the owner and
	// a site admin change it, and the log says who, from what, to what.
	sitemod := e.register("Site moderator")
	admin.must(204, "POST", "/api/v1/admin/members/"+sitemod.id+"/roles", map[string]any{"role": "moderator"})
	before = logLength(t, e.store)
	for _, who := range []*client{mod, sitemod, member} {
		if r := who.do("PATCH", path, map[string]any{"name": "Renamed", "visibility": "private"}); r.code != 403 || r.errCode(t) != "forbidden" {
			t.Errorf("PATCH visibility as %s: %d %s, want 403", who.id, r.code, r.body)
		}
	}
	if after := logLength(t, e.store); after != before {
		t.Errorf("refused visibility changes wrote %d events", after-before)
	}
	if got := owner.must(200, "PATCH", path, map[string]any{"visibility": "private", "visibility_reason": "a working group now"}).obj(t); got["visibility"] != "private" || got["name"] != "Réseau jeunesse" {
		t.Errorf("owner makes it private: %v", got)
	}
	if r := outsider.do("GET", path, nil); r.code != 404 {
		t.Errorf("outsider reads the group made private: %d", r.code)
	}
	if got := admin.must(200, "PATCH", path, map[string]any{"visibility": "request"}).obj(t); got["visibility"] != "request" {
		t.Errorf("admin makes it request: %v", got)
	}
	var vlog struct {
		Items []struct {
			Action, Detail, Reason string
			Actor                  struct{ ID string }
		} `json:"items"`
	}
	owner.must(200, "GET", "/api/v1/moderation/log?group="+g, nil).json(t, &vlog)
	var changes []string
	for _, l := range vlog.Items {
		if l.Action == "GroupVisibilityChanged" {
			changes = append(changes, l.Actor.ID+":"+l.Detail+":"+l.Reason)
		}
	}
	if want := []string{admin.id + ":private>request:", owner.id + ":open>private:a working group now"}; !slices.Equal(changes, want) {
		t.Errorf("visibility changes in the log %v, want %v", changes, want)
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// TestPatchGroupWriteLimit: an edit takes from the member's write
// allowance like every other write.
func TestPatchGroupWriteLimit(t *testing.T) {
	e := newEnv(t, envOptions{limits: api.Limits{WritePerMember: auth.LimitSpec{Every: time.Hour, Burst: 2}}})
	owner := e.register("Owner")
	g := owner.group("G", "open") // 1
	owner.must(200, "PATCH", "/api/v1/groups/"+g, map[string]any{"name": "G2"})
	r := owner.do("PATCH", "/api/v1/groups/"+g, map[string]any{"name": "G3"})
	if r.code != 429 || r.errCode(t) != "rate_limited" || r.hdr.Get("Retry-After") == "" {
		t.Fatalf("third write: %d %s", r.code, r.body)
	}
}
