package web

import (
	"html/template"
	"strings"
	"testing"
)

// The Go-written pages escape as html/template would in the same places:
// element text and quoted attributes, a URL's path, a query value, and a
// whole href from outside (where a script URL must not survive).
func TestWriterEscapesAsTemplates(t *testing.T) {
	tpl := template.Must(template.New("x").Parse(
		`<p title="{{.}}">{{.}}</p>|<a href="/threads/{{.}}">|<a href="/login?next={{.}}">|<a href="{{.}}">`))
	inputs := []string{
		"", "plain", "a+b<c>'\"&\x00", "Léa & co. <b>bold</b>", "/threads/a b?x=1&y=é#frag", "%41%zz", "%41", "a%4", "javascript:alert(1)",
		"JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,<script>", "vbscript:x", "https://ex.org/a b'(x)é?q=1&r=\"",
		"http://ex.org", "mailto:a@b.c", "//evil.example/x", "/relative/path", "ftp://x", "a:b/c", "a/b:c", "\t\n\r", "日本語",
		`"><script>alert(1)</script>`, "' onmouseover='x", "#anchor", "?q=a+b",
	}
	for _, in := range inputs {
		var want strings.Builder
		if err := tpl.Execute(&want, in); err != nil {
			t.Fatal(err)
		}
		w := &htmlw{}
		w.raw(`<p title="`)
		w.text(in)
		w.raw(`">`)
		w.text(in)
		w.raw(`</p>|<a href="/threads/`)
		w.path(in)
		w.raw(`">|<a href="/login?next=`)
		w.query(in)
		w.raw(`">|<a href="`)
		w.link(in)
		w.raw(`">`)
		if got := string(w.bytes()); got != want.String() {
			t.Errorf("%q:\n got %s\nwant %s", in, got, want.String())
		}
	}
}
