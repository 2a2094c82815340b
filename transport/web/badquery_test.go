package web_test

import (
	"net/http"
	"testing"
)

// TestSearchPageBadFilter: a search page address with a filter value the
// search does not know (a hand-edited link) is a 400 page, never a 500.
func TestSearchPageBadFilter(t *testing.T) {
	e := newEnv(t)
	b := e.browser("fr")
	for _, path := range []string{"/search?q=x&type=bogus", "/search?type=post,bogus"} {
		if p := b.get(path); p.status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", path, p.status)
		}
	}
}
