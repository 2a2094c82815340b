package search

import (
	"html"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Span is a match in a text: byte offsets [Start, End).
type Span struct{ Start, End int }

// SnippetLength is the longest snippet, in bytes of source text, before
// escaping.
const SnippetLength = 240

// Snippet cuts a window of text around the first match and returns it as
// HTML: escaped, matches wrapped in <mark>, "…" where text was cut. With no
// match it is the text's beginning. Offsets that are out of range or not
// on rune boundaries are ignored rather than trusted, so a backend's bad
// offset cannot cut a character in half.
func Snippet(text string, spans []Span, limit int) string {
	valid := spans[:0:0]
	for _, s := range spans {
		if s.Start >= 0 && s.End <= len(text) && s.Start < s.End &&
			utf8.RuneStart(text[s.Start]) && (s.End == len(text) || utf8.RuneStart(text[s.End])) {
			valid = append(valid, s)
		}
	}
	sort.Slice(valid, func(i, j int) bool { return valid[i].Start < valid[j].Start })
	from, to := 0, len(text)
	if len(text) > limit {
		if len(valid) > 0 {
			from = max(0, valid[0].Start-limit/4)
		}
		to = min(len(text), from+limit)
		from, to = wordStart(text, from), wordEnd(text, to)
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString("…")
	}
	at := from
	for _, s := range valid {
		if s.Start < at || s.End > to {
			continue
		}
		b.WriteString(html.EscapeString(text[at:s.Start]))
		b.WriteString("<mark>")
		b.WriteString(html.EscapeString(text[s.Start:s.End]))
		b.WriteString("</mark>")
		at = s.End
	}
	b.WriteString(html.EscapeString(text[at:to]))
	if to < len(text) {
		b.WriteString("…")
	}
	return b.String()
}

// wordStart moves i forward to the start of a word (and a rune).
func wordStart(text string, i int) int {
	if i == 0 {
		return 0
	}
	for i < len(text) && !utf8.RuneStart(text[i]) {
		i++
	}
	for j := i; j < len(text) && j < i+30; {
		r, n := utf8.DecodeRuneInString(text[j:])
		if unicode.IsSpace(r) {
			return j + n
		}
		j += n
	}
	return i
}

// wordEnd moves i back to the end of a word (and a rune).
func wordEnd(text string, i int) int {
	if i >= len(text) {
		return len(text)
	}
	for i > 0 && !utf8.RuneStart(text[i]) {
		i--
	}
	for j := i; j > 0 && j > i-30; {
		r, n := utf8.DecodeLastRuneInString(text[:j])
		if unicode.IsSpace(r) {
			return j - n
		}
		j -= n
	}
	return i
}

// Highlight markers for backends that mark matches in text themselves
// (Meilisearch's _formatted): characters from Unicode's private use area,
// which Clean removes from indexed text, so they can only be markers.
const (
	MarkStart = "\uE000"
	MarkEnd   = "\uE001"
)

// FromMarked turns text with MarkStart/MarkEnd markers into a snippet:
// escaped, the marked parts wrapped in <mark>.
func FromMarked(marked string) string {
	var b strings.Builder
	for marked != "" {
		i := strings.Index(marked, MarkStart)
		if i < 0 {
			b.WriteString(html.EscapeString(strings.ReplaceAll(marked, MarkEnd, "")))
			break
		}
		b.WriteString(html.EscapeString(strings.ReplaceAll(marked[:i], MarkEnd, "")))
		marked = marked[i+len(MarkStart):]
		j := strings.Index(marked, MarkEnd)
		if j < 0 {
			j = len(marked)
		}
		if j > 0 {
			b.WriteString("<mark>")
			b.WriteString(html.EscapeString(marked[:j]))
			b.WriteString("</mark>")
		}
		marked = marked[min(len(marked), j+len(MarkEnd)):]
	}
	return b.String()
}

// SnippetPart is a run of a snippet's text, unescaped: a match (Mark) or
// the text between matches.
type SnippetPart struct {
	Text string
	Mark bool
}

// Parts splits a snippet made by Snippet or FromMarked into its runs, for
// a page that escapes what it prints and marks the matches up itself.
// Matches apart only by spaces are one run ("santé mentale" reads as one
// match, not two).
func Parts(snippet string) []SnippetPart {
	var out []SnippetPart
	add := func(text string, mark bool) {
		if text == "" {
			return
		}
		text = html.UnescapeString(text)
		if n := len(out); mark && n >= 2 && !out[n-1].Mark && out[n-2].Mark && strings.TrimSpace(out[n-1].Text) == "" {
			out[n-2].Text += out[n-1].Text + text
			out = out[:n-1]
			return
		}
		out = append(out, SnippetPart{Text: text, Mark: mark})
	}
	for snippet != "" {
		plain, rest, found := strings.Cut(snippet, "<mark>")
		add(plain, false)
		if !found {
			break
		}
		var marked string
		marked, snippet, _ = strings.Cut(rest, "</mark>")
		add(marked, true)
	}
	return out
}

// Clean removes the highlight markers (and other private-use characters)
// from text before it is indexed.
func Clean(s string) string {
	if !strings.ContainsFunc(s, isPrivate) {
		return s
	}
	return strings.Map(func(r rune) rune {
		if isPrivate(r) {
			return -1
		}
		return r
	}, s)
}

func isPrivate(r rune) bool { return unicode.Is(unicode.Co, r) }
