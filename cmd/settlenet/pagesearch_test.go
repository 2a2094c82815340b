package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestSearchPageReadsYourWrites: a thread started through the pages is on
// its author's search page at once, as serve wires the pages to search.
func TestSearchPageReadsYourWrites(t *testing.T) {
	root := t.TempDir()
	_, srv := serveApp(t, testStore(t, root), root)

	jar, _ := cookiejar.New(nil)
	client := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) string {
		t.Helper()
		res, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	tokenRE := regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	post := func(from, action string, form url.Values) *http.Response {
		t.Helper()
		m := tokenRE.FindStringSubmatch(get(from))
		if m == nil {
			t.Fatalf("no form token on %s", from)
		}
		form.Set("csrf", m[1])
		res, err := client.PostForm(srv.URL+action, form)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("POST %s: %d", action, res.StatusCode)
		}
		return res
	}
	post("/register", "/register", url.Values{"display_name": {"Amira Haddad"}, "email": {"amira@example.ca"},
		"password": {"a long enough password"}, "language": {"en"}})
	res := post("/groups/new", "/groups", url.Values{"name": {"Employment counsellors"}, "description": {"Jobs."},
		"visibility": {"open"}, "language": {"en"}})
	group := strings.TrimPrefix(strings.SplitN(res.Header.Get("Location"), "?", 2)[0], "/groups/")
	post("/groups/"+group+"/threads/new", "/groups/"+group+"/threads", url.Values{"kind": {"discussion"},
		"title": {"Quokkalike intake forms"}, "body": {"Ours are short."}, "language": {"en"}})
	if page := get("/search?q=quokkalike"); !strings.Contains(page, "<mark>Quokkalike</mark> intake forms") {
		t.Fatalf("the author's search page right after posting does not show the thread:\n%s", page)
	}
}

// TestSearchPageBadFilter: a search page address with a filter value the
// search does not know (a hand-edited link) is a 400 page, never a 500.
func TestSearchPageBadFilter(t *testing.T) {
	root := t.TempDir()
	_, srv := serveApp(t, testStore(t, root), root)
	get := func(path string) int {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if code := get("/search?q=x"); code != http.StatusOK {
		t.Fatalf("a search: %d", code)
	}
	for _, path := range []string{"/search?q=x&type=bogus", "/search?q=x&type=post,bogus"} {
		if code := get(path); code != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, code)
		}
	}
}
