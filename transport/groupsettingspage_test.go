package transport_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGroupSettingsPage: the settings link on the group page for those
// who may edit, the form pre-filled with the current values, saved
// without script to the group page; its refusals next to the fields in
// the reader's language; and every page that names the group (its page,
// a thread's, the resource library's cards, the directory, the
// moderation log, a notice) names it by its new name only, a cached
// thread page included.
func TestGroupSettingsPage(t *testing.T) {
	e, _ := newPagesEnv(t, false)
	admin, owner, mod, member, outsider := e.register("admin"), e.register("Owner"), e.register("Modo Française"), e.register("Member"), e.register("Outsider")
	mod.must(200, "PATCH", "/api/v1/me", map[string]any{"language": "fr"})
	g := owner.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Lighthouse keepers", "description": "About harbours.\nAnd piers.",
		"visibility": "request", "language": "en", "topics": []string{"quays", "boats"}, "province": "NS"}).obj(t)["id"].(string)
	for _, c := range []*client{mod, member} {
		owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": c.id})
		c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	}
	owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": mod.id})
	priv := owner.group("Private circle", "private")
	th := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "Tide tables", "body": "b", "language": "en",
		"kind": "resource", "resource": map[string]any{"url": "https://example.org/tides"}}).obj(t)["id"].(string)
	groupPath, settings := "/groups/"+g, "/groups/"+g+"/settings"
	link := `href="` + settings + `"`

	// The link: for the owner, the group's moderators and site admins.
	for _, c := range []struct {
		who  *client
		link bool
	}{{owner, true}, {mod, true}, {admin, true}, {member, false}, {outsider, false}, {e.anon(), false}} {
		r := browserOf(c.who).do("GET", groupPath, nil, nil)
		if r.code != 200 || strings.Contains(string(r.body), link) != c.link {
			t.Errorf("group page for %s: %d, settings link %v, want %v", c.who.id, r.code, !c.link, c.link)
		}
	}

	// The form, pre-filled; its refusals.
	ob := browserOf(owner)
	page := ob.do("GET", settings, nil, nil)
	body := html.UnescapeString(string(page.body))
	for _, s := range []string{`value="Lighthouse keepers"`, ">About harbours.\nAnd piers.</textarea>", `value="quays, boats"`,
		`<option value="NS" selected>`, `<option value="en" selected>`, `action="` + settings + `"`, `name="csrf"`} {
		if !strings.Contains(body, s) {
			t.Errorf("settings form lacks %s", s)
		}
	}
	// The owner and site admins get the visibility choice, with its
	// warning, in their language; a group moderator gets the fact only.
	for _, c := range []struct {
		b      *browser
		choice bool
		want   string
	}{
		{ob, true, "Making the group private hides it and all its threads from non-members"},
		{browserOf(admin), true, `id="f-vis-request" name="visibility" value="request" checked`},
		{browserOf(mod), false, "Seul le ou la propriétaire du groupe ou une personne administratrice du site peut changer"},
	} {
		r := c.b.do("GET", settings, nil, nil)
		b := html.UnescapeString(string(r.body))
		if r.code != 200 || strings.Contains(b, `name="visibility"`) != c.choice || !strings.Contains(b, c.want) {
			t.Errorf("settings page: %d, offers the visibility %v, want %v, with %q", r.code, !c.choice, c.choice, c.want)
		}
	}
	for _, c := range []struct {
		who  *browser
		path string
		code int
	}{
		{browserOf(member), settings, 403},
		{browserOf(outsider), settings, 403},
		{browserOf(outsider), "/groups/" + priv + "/settings", 404},
		{browserOf(mod), "/groups/" + priv + "/settings", 404},
		{browserOf(e.anon()), settings, 303},
	} {
		if r := c.who.do("GET", c.path, nil, nil); r.code != c.code {
			t.Errorf("GET %s: %d, want %d", c.path, r.code, c.code)
		}
	}
	mb := browserOf(member)
	if r := mb.do("POST", settings, url.Values{"csrf": {mb.token(t, groupPath)}, "name": {"Hijacked"}, "language": {"en"}}, nil); r.code != 403 {
		t.Errorf("a plain member's POST: %d", r.code)
	}

	// Warm the thread page (its body is cached) before the rename.
	if r := ob.do("GET", "/threads/"+th, nil, nil); !strings.Contains(string(r.body), "Lighthouse keepers") {
		t.Fatalf("thread page does not name its group: %.300s", r.body)
	}
	// One topic set through the API holds a comma; the form shows the
	// same text as before.
	owner.must(200, "PATCH", "/api/v1/groups/"+g, map[string]any{"topics": []string{"quays, boats"}})
	before := logLength(t, e.store)
	// Refused, in English and in French, next to the field; nothing written.
	form := url.Values{"name": {""}, "description": {"About harbours.\r\nAnd piers."}, "language": {"en"}, "topics": {"quays, boats"}, "province": {"NS"}}
	for _, c := range []struct {
		b    *browser
		want []string
	}{
		{ob, []string{`id="f-name-err">This field is required.`, `aria-invalid="true" aria-describedby="f-name-err"`}},
		{browserOf(mod), []string{`id="f-name-err">Ce champ est obligatoire.`, `lang="fr"`}},
	} {
		f := url.Values{}
		for k, v := range form {
			f[k] = v
		}
		f.Set("csrf", c.b.token(t, settings))
		r := c.b.do("POST", settings, f, nil)
		body := html.UnescapeString(string(r.body))
		for _, s := range c.want {
			if r.code != 422 || !strings.Contains(body, s) {
				t.Errorf("refused form: %d, lacks %q", r.code, s)
			}
		}
		if !strings.Contains(body, ">About harbours.\nAnd piers.</textarea>") {
			t.Error("the refused form lost what was typed (its line breaks as LF)")
		}
	}
	// A visibility forged by a group moderator is refused (403); an
	// unknown one by the owner, next to the choice.
	modb := browserOf(mod)
	f := url.Values{"csrf": {modb.token(t, settings)}, "name": {"Lighthouse keepers"}, "language": {"en"}, "visibility": {"open"}}
	if r := modb.do("POST", settings, f, nil); r.code != 403 {
		t.Errorf("a moderator's forged visibility: %d", r.code)
	}
	f = url.Values{"csrf": {ob.token(t, settings)}, "name": {"Lighthouse keepers"}, "language": {"en"}, "visibility": {"secret"}}
	if r := ob.do("POST", settings, f, nil); r.code != 422 || !strings.Contains(html.UnescapeString(string(r.body)), "This value is not valid.") {
		t.Errorf("unknown visibility: %d", r.code)
	}
	// The form sent back as it came, its textarea's line breaks as a
	// browser sends them (CRLF): saved, and nothing written (the topic
	// with a comma is not split).
	unchanged := url.Values{"csrf": {ob.token(t, settings)}}
	for k, v := range form {
		unchanged[k] = v
	}
	unchanged.Set("name", "Lighthouse keepers")
	if r := ob.do("POST", settings, unchanged, nil); r.code != http.StatusSeeOther {
		t.Errorf("unchanged form: %d %.300s", r.code, r.body)
	}
	if after := logLength(t, e.store); after != before {
		t.Errorf("refused and unchanged forms wrote %d events", after-before)
	}

	// Saved: back to the group page, which shows the new settings.
	f = url.Values{"csrf": {ob.token(t, settings)}, "name": {"Orchestre des violons"}, "description": {"Pour les musiciens."},
		"language": {"fr"}, "topics": {"cordes, archets"}, "province": {""}}
	r := ob.do("POST", settings, f, nil)
	if loc := r.hdr.Get("Location"); r.code != http.StatusSeeOther || loc != groupPath+"?done=saved" {
		t.Fatalf("save: %d to %q: %.300s", r.code, loc, r.body)
	}
	check := func(who *browser, path string, want ...string) {
		t.Helper()
		r := who.do("GET", path, nil, nil)
		body := html.UnescapeString(string(r.body))
		if r.code != 200 {
			t.Errorf("GET %s: %d", path, r.code)
		}
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("GET %s lacks %q", path, s)
			}
		}
		for _, old := range []string{"Lighthouse keepers", "About harbours.", "quays"} {
			if strings.Contains(body, old) {
				t.Errorf("GET %s still shows %q", path, old)
			}
		}
	}
	check(ob, groupPath+"?done=saved", "Orchestre des violons", "Pour les musiciens.", "cordes", "archets", "Your changes are saved.")
	check(ob, "/threads/"+th, "Orchestre des violons", "Tide tables")
	check(browserOf(member), "/threads/"+th, "Orchestre des violons")
	check(ob, "/resources", "Orchestre des violons", "Tide tables")
	check(ob, "/groups?topic=cordes", "Orchestre des violons")
	check(ob, "/moderation/log?group="+g, "Orchestre des violons", "Group settings changed", "Group name, What the group is about")
	check(browserOf(member), "/notifications", "Orchestre des violons")
	check(ob, settings, `value="Orchestre des violons"`, `value="cordes, archets"`, `<option value="fr" selected>`)
	if r := ob.do("GET", "/groups?topic=quays", nil, nil); strings.Contains(string(r.body), `href="`+groupPath+`"`) {
		t.Error("the directory still finds the group by its old topic")
	}
}

// TestFormLineBreaksAsLF: a reply and a bio sent through the pages'
// forms, with their line breaks as browsers send them (CRLF), are stored
// with LF, as the API stores them; the bio's form sent back unchanged
// writes nothing.
func TestFormLineBreaksAsLF(t *testing.T) {
	e, _ := newPagesEnv(t, false)
	owner := e.register("Owner")
	g := owner.group("Harbour", "open")
	th := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "Tides", "body": "b", "language": "en"}).obj(t)["id"].(string)
	b := browserOf(owner)
	if r := b.do("POST", "/threads/"+th+"/replies", url.Values{"csrf": {b.token(t, "/threads/"+th)}, "body": {"First line.\r\nSecond line."},
		"language": {"en"}}, nil); r.code != http.StatusSeeOther {
		t.Fatalf("reply form: %d %.300s", r.code, r.body)
	}
	posts := owner.must(200, "GET", "/api/v1/threads/"+th, nil).obj(t)["posts"].([]any)
	if body := posts[len(posts)-1].(map[string]any)["body"]; body != "First line.\nSecond line." {
		t.Errorf("reply stored as %q, want its line break as LF", body)
	}
	settings := url.Values{"display_name": {"Owner"}, "language": {"en"}, "bio": {"Harbour master.\r\nSince 2019."}}
	save := func() int {
		f := url.Values{"csrf": {b.token(t, "/settings")}}
		for k, v := range settings {
			f[k] = v
		}
		return b.do("POST", "/settings", f, nil).code
	}
	if code := save(); code != http.StatusSeeOther {
		t.Fatalf("settings form: %d", code)
	}
	if bio := owner.must(200, "GET", "/api/v1/me", nil).obj(t)["bio"]; bio != "Harbour master.\nSince 2019." {
		t.Errorf("bio stored as %q, want its line break as LF", bio)
	}
	before := logLength(t, e.store)
	if code := save(); code != http.StatusSeeOther {
		t.Fatalf("settings form again: %d", code)
	}
	if after := logLength(t, e.store); after != before {
		t.Errorf("the settings form sent back unchanged wrote %d events", after-before)
	}
}
