package transport_test

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestGroupSettingsVisibilityChange: the owner makes a group private on
// its settings page: the warning in the reader's language, the form token
// required (a forged post without it writes nothing), then saved; the
// group and its thread are gone for an outsider, the moderation log page
// says who changed it and from what to what, in both languages.
func TestGroupSettingsVisibilityChange(t *testing.T) {
	e, _ := newPagesEnv(t, false)
	admin, owner, outsider := e.register("admin"), e.register("Owner"), e.register("Outsider")
	admin.must(200, "PATCH", "/api/v1/me", map[string]any{"language": "fr"})
	g := owner.group("Lighthouse keepers", "open")
	th := owner.thread(g, "Tide tables")["id"].(string)
	settings := "/groups/" + g + "/settings"
	ob, ab, xb := browserOf(owner), browserOf(admin), browserOf(outsider)

	for _, c := range []struct {
		b    *browser
		want []string
	}{
		{ob, []string{"Changing this changes who can read everything ever posted in the group.",
			"Making the group private hides it and all its threads from non-members", `value="open" checked`}},
		{ab, []string{"Ce changement modifie qui peut lire tout ce qui a été publié dans le groupe.",
			"Rendre le groupe privé le cache, avec toutes ses discussions, aux non-membres"}},
	} {
		r := c.b.do("GET", settings, nil, nil)
		body := html.UnescapeString(string(r.body))
		for _, s := range c.want {
			if r.code != 200 || !strings.Contains(body, s) {
				t.Errorf("settings page: %d, lacks %q", r.code, s)
			}
		}
	}

	form := url.Values{"name": {"Lighthouse keepers"}, "description": {"About Lighthouse keepers"}, "language": {"en"},
		"topics": {"youth"}, "province": {""}, "visibility": {"private"}}
	before := logLength(t, e.store)
	if r := ob.do("POST", settings, form, nil); r.code != http.StatusForbidden {
		t.Errorf("without the form token: %d, want 403", r.code)
	}
	if after := logLength(t, e.store); after != before {
		t.Fatalf("a post without the token wrote %d events", after-before)
	}
	form.Set("csrf", ob.token(t, settings))
	if r := ob.do("POST", settings, form, nil); r.code != http.StatusSeeOther {
		t.Fatalf("save: %d %.300s", r.code, r.body)
	}
	if got := owner.must(200, "GET", "/api/v1/groups/"+g, nil).obj(t)["visibility"]; got != "private" {
		t.Fatalf("visibility after the save: %v", got)
	}
	for _, path := range []string{"/groups/" + g, "/threads/" + th} {
		if r := xb.do("GET", path, nil, nil); r.code != http.StatusNotFound {
			t.Errorf("outsider GET %s after the group became private: %d", path, r.code)
		}
	}
	if r := ob.do("GET", settings, nil, nil); !strings.Contains(string(r.body), `value="private" checked`) {
		t.Error("the settings page does not show the new visibility")
	}
	for _, c := range []struct {
		b    *browser
		want []string
	}{
		{ob, []string{"Group visibility changed", "from Open to Private", "Owner"}},
		{ab, []string{"Visibilité du groupe modifiée", "de « Ouvert » à « Privé »"}},
	} {
		r := c.b.do("GET", "/moderation/log?group="+g, nil, nil)
		body := html.UnescapeString(string(r.body))
		for _, s := range c.want {
			if r.code != 200 || !strings.Contains(body, s) {
				t.Errorf("moderation log page: %d, lacks %q", r.code, s)
			}
		}
	}
}
