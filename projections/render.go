package projections

import (
	"bytes"
	"html"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
)

// renderer turns a post's Markdown into sanitised HTML. It is built once per
// Runner (no globals) and is safe for concurrent use: goldmark's Markdown
// and a built bluemonday Policy both are.
type renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newRenderer() *renderer {
	// goldmark already drops raw HTML (no WithUnsafe) and dangerous link
	// destinations; bluemonday is the guarantee, applied to its output.
	md := goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Table, extension.Linkify))
	p := bluemonday.UGCPolicy()
	// UGCPolicy allows http, https and mailto only (no javascript:, no
	// data: images); links get rel="nofollow", and external ones open in a
	// new tab with rel="noopener" so the target cannot script the opener.
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return &renderer{md: md, policy: p}
}

// render returns the sanitised HTML of a Markdown body. Plain prose (most
// posts) takes a fast path that writes what goldmark and bluemonday would,
// which a test checks against the full path.
func (r *renderer) render(body string) string {
	if out, ok := renderPlain(body); ok {
		return out
	}
	return r.renderFull(body)
}

func (r *renderer) renderFull(body string) string {
	var buf bytes.Buffer
	buf.Grow(len(body) + len(body)/4 + 16)
	if err := r.md.Convert([]byte(body), &buf); err != nil {
		// goldmark only fails on writer errors, which a bytes.Buffer has
		// none of; escaping the text is still a safe answer.
		return "<p>" + html.EscapeString(body) + "</p>\n"
	}
	return r.policy.Sanitize(buf.String())
}

// renderPlain renders bodies made only of paragraphs of prose with no
// character Markdown or HTML gives a meaning to. It reports false for
// anything else, which then goes through goldmark.
func renderPlain(body string) (string, bool) {
	if body == "" || strings.Contains(body, "://") || containsWWW(body) {
		return "", false
	}
	for i := 0; i < len(body); i++ {
		switch c := body[i]; c {
		case '\\', '`', '*', '_', '[', ']', '<', '>', '&', '|', '~', '@', '\t', '\r', '\f', '\v', 0x7f:
			return "", false
		default:
			if c < ' ' && c != '\n' {
				return "", false
			}
		}
	}
	var sb strings.Builder
	sb.Grow(len(body) + len(body)/8 + 16)
	paragraphs := 0
	open := false
	for line := range strings.SplitSeq(body, "\n") {
		if line == "" {
			if open {
				sb.WriteString("</p>\n")
				open = false
			}
			continue
		}
		// A line must start with a letter (no list, heading, quote, code
		// or thematic-break marker) and carry no leading or trailing space
		// (indentation, hard breaks), nor a run of spaces.
		first, _ := utf8.DecodeRuneInString(line)
		if !isLetter(first) || line[len(line)-1] == ' ' || strings.Contains(line, "  ") {
			return "", false
		}
		if open {
			sb.WriteByte('\n')
		} else {
			sb.WriteString("<p>")
			open = true
			paragraphs++
		}
		writeEscaped(&sb, line)
	}
	if open {
		sb.WriteString("</p>\n")
	}
	if paragraphs == 0 {
		return "", false
	}
	if !utf8.ValidString(body) {
		return "", false
	}
	return sb.String(), true
}

func isLetter(r rune) bool {
	if r < utf8.RuneSelf {
		return (r|0x20) >= 'a' && (r|0x20) <= 'z'
	}
	// Latin-1 and Latin Extended letters (French accents); anything more
	// exotic takes the full path rather than a guess.
	return (r >= 0xC0 && r <= 0x24F && r != 0xD7 && r != 0xF7)
}

// containsWWW reports "www." in any case (Linkify makes it a link).
func containsWWW(s string) bool {
	for i := 0; i+4 <= len(s); i++ {
		if s[i]|0x20 == 'w' && s[i+1]|0x20 == 'w' && s[i+2]|0x20 == 'w' && s[i+3] == '.' {
			return true
		}
	}
	return false
}

// writeEscaped escapes as bluemonday writes text: the five characters
// html.EscapeString escapes, the same way.
func writeEscaped(sb *strings.Builder, s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		var esc string
		switch s[i] {
		case '"':
			esc = "&#34;"
		case '\'':
			esc = "&#39;"
		default:
			continue
		}
		sb.WriteString(s[last:i])
		sb.WriteString(esc)
		last = i + 1
	}
	sb.WriteString(s[last:])
}
