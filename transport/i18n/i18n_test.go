package i18n

import (
	"slices"
	"strings"
	"testing"
)

// Every message must exist in both languages: a gap would show an English
// string (or an id) to a French-speaking member.
func TestEveryKeyInBothLanguages(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	en, fr := c.Keys("en"), c.Keys("fr")
	if len(en) == 0 {
		t.Fatal("no English messages")
	}
	for _, k := range en {
		if !slices.Contains(fr, k) {
			t.Errorf("%q is in English but not in French", k)
		}
	}
	for _, k := range fr {
		if !slices.Contains(en, k) {
			t.Errorf("%q is in French but not in English", k)
		}
	}
	for _, k := range en {
		if strings.HasPrefix(k, "web.province.") {
			continue // proper nouns: Ontario is Ontario in both languages
		}
		if c.T("en", k, map[string]any{"Seconds": 3}) == c.T("fr", k, map[string]any{"Seconds": 3}) {
			t.Errorf("%q is the same in both languages (untranslated?)", k)
		}
	}
}

func TestResolve(t *testing.T) {
	c, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ pref, accept, want string }{
		{"", "", "en"},
		{"fr", "en", "fr"},
		{"", "fr-CA,fr;q=0.9,en;q=0.8", "fr"},
		{"", "de-DE", "en"},
		{"", "en-CA", "en"},
		{"", "garbage;;;q=x", "en"},
		{"", strings.Repeat("fr,", 200), "en"},
	} {
		if got := c.Resolve(tc.pref, tc.accept); got != tc.want {
			t.Errorf("Resolve(%q, %q) = %q, want %q", tc.pref, tc.accept, got, tc.want)
		}
	}
	if got := c.T("fr", "error.rate_limited", map[string]any{"Seconds": 7}); !strings.Contains(got, "7") {
		t.Errorf("template not applied: %q", got)
	}
}
