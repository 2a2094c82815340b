package search

import (
	"slices"
	"strings"
	"testing"
)

func TestSnippet(t *testing.T) {
	long := strings.Repeat("word ", 100) + "santé <mentale> & bien-être " + strings.Repeat("more ", 100)
	at := strings.Index(long, "santé")
	for _, tc := range []struct {
		name, text string
		spans      []Span
		want       string
	}{
		{"marks and escapes", "Santé <b>mentale</b> & co", []Span{{0, 6}, {10, 17}}, "<mark>Santé</mark> &lt;b&gt;<mark>mentale</mark>&lt;/b&gt; &amp; co"},
		{"no match: the beginning", "a & b", nil, "a &amp; b"},
		{"bad offsets are ignored", "santé", []Span{{4, 5}, {-1, 2}, {3, 99}, {2, 1}}, "santé"},
		{"overlaps keep the first", "abcdef", []Span{{0, 3}, {2, 5}}, "<mark>abc</mark>def"},
		{"a window around the first match", long, []Span{{at, at + len("santé")}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Snippet(tc.text, tc.spans, 60)
			if tc.want != "" && got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			if tc.want == "" {
				if !strings.HasPrefix(got, "…") || !strings.HasSuffix(got, "…") || !strings.Contains(got, "<mark>santé</mark> &lt;mentale&gt; &amp;") {
					t.Errorf("window %q", got)
				}
				if n := len(strings.Join(partTexts(Parts(got)), "")); n > 60+2*len("…") {
					t.Errorf("window of %d bytes, limit 60", n)
				}
			}
		})
	}
}

func partTexts(ps []SnippetPart) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Text)
	}
	return out
}

// Parts gives back the text as it was, in runs, matches marked, whatever
// the text held that looks like markup.
func TestParts(t *testing.T) {
	for _, tc := range []struct {
		snippet string
		want    []SnippetPart
	}{
		{"", nil},
		{"plain &lt;mark&gt; &amp; text", []SnippetPart{{Text: "plain <mark> & text"}}},
		{"<mark>a</mark> b <mark>c&amp;d</mark>", []SnippetPart{{Text: "a", Mark: true}, {Text: " b "}, {Text: "c&d", Mark: true}}},
		{"x <mark>unclosed", []SnippetPart{{Text: "x "}, {Text: "unclosed", Mark: true}}},
		{"la <mark>santé</mark> <mark>mentale</mark> des <mark>jeunes</mark>, <mark>ici</mark>", []SnippetPart{{Text: "la "}, {Text: "santé mentale", Mark: true}, {Text: " des "}, {Text: "jeunes", Mark: true}, {Text: ", "}, {Text: "ici", Mark: true}}},
		{"<mark>a</mark> <mark>b</mark> <mark>c</mark>", []SnippetPart{{Text: "a b c", Mark: true}}},
		{FromMarked("l\uE000’emploi\uE001 <script>"), []SnippetPart{{Text: "l"}, {Text: "’emploi", Mark: true}, {Text: " <script>"}}},
		{Snippet("<i>santé</i>", []Span{{3, 9}}, 240), []SnippetPart{{Text: "<i>"}, {Text: "santé", Mark: true}, {Text: "</i>"}}},
	} {
		if got := Parts(tc.snippet); !slices.Equal(got, tc.want) {
			t.Errorf("Parts(%q) = %+v, want %+v", tc.snippet, got, tc.want)
		}
	}
}
