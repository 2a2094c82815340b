package web

import (
	"strconv"
	"strings"
	"sync"
)

// The busiest pages (layout, thread, group) are written in Go rather than
// through html/template, which reaches every field, method and map by
// reflection: a 20-reply thread page spent most of its time there. The
// writer below escapes exactly as html/template does in the contexts these
// pages use (element text, quoted attribute values, URL attributes), so
// the markup is the same; tests in htmlw_test.go hold it to that.

// htmlw is a page being written into one reused buffer.
type htmlw struct {
	b []byte
	v *view
}

var htmlwPool = sync.Pool{New: func() any { return &htmlw{b: make([]byte, 0, 64<<10)} }}

func getHTMLW(v *view) *htmlw {
	w := htmlwPool.Get().(*htmlw)
	w.b, w.v = w.b[:0], v
	return w
}

func putHTMLW(w *htmlw) {
	w.v = nil
	if cap(w.b) <= 1<<20 { // a rare huge page is not kept
		htmlwPool.Put(w)
	}
}

// raw writes markup as it is: literals, and HTML the projections already
// sanitised (post bodies).
func (w *htmlw) raw(s string) { w.b = append(w.b, s...) }

// text writes text escaped for element content or a quoted attribute.
func (w *htmlw) text(s string) { w.b = appendEscaped(w.b, s) }

// T writes a UI message in the page's language, escaped.
func (w *htmlw) T(key string) { w.text(w.v.l.t(key)) }

// TN writes a message with a number in it ({N}).
func (w *htmlw) TN(key string, n int) { w.text(w.v.TN(key, n)) }

// int writes a count formatted for the page's language.
func (w *htmlw) int(n int) {
	if n >= 0 && n < 1000 { // no group separator: skip the string
		w.b = strconv.AppendInt(w.b, int64(n), 10)
		return
	}
	w.text(w.v.l.num(int64(n)))
}

// path writes a value inside a URL attribute's path (an id in
// href="/threads/{id}"), normalised as html/template normalises it.
func (w *htmlw) path(s string) { w.b = appendURL(w.b, s, true) }

// query writes a value as one query parameter's value (percent-encoded
// completely, as html/template escapes a value after "?").
func (w *htmlw) query(s string) { w.b = appendURL(w.b, s, false) }

// link writes a URL from outside (a resource, an event's online link) as a
// whole href: only http, https and mailto pass, anything else becomes
// html/template's inert "#ZgotmplZ".
func (w *htmlw) link(u string) {
	if i := strings.IndexByte(u, ':'); i >= 0 && !strings.ContainsRune(u[:i], '/') {
		switch strings.ToLower(u[:i]) {
		case "http", "https", "mailto":
		default:
			w.raw("#ZgotmplZ")
			return
		}
	}
	w.path(u)
}

// csrf writes the hidden token field every form carries.
func (w *htmlw) csrf() {
	w.raw(`<input type="hidden" name="csrf" value="`)
	w.text(w.v.CSRF)
	w.raw(`">`)
}

// current writes aria-current="page" on the link to where the viewer is.
func (w *htmlw) current(yes bool) {
	if yes {
		w.raw(` aria-current="page"`)
	}
}

// pager writes the link to a list's next page; base ends with "?" or "&".
func (w *htmlw) pager(next, base string) {
	if next == "" {
		return
	}
	w.raw(`<nav class="pager" aria-label="`)
	w.T("web.pager.label")
	w.raw(`"><a class="button button-secondary" href="`)
	w.path(base)
	w.raw(`cursor=`)
	w.query(next)
	w.raw(`">`)
	w.T("web.pager.more")
	w.raw(`</a></nav>`)
}

// htmlEscapes is html/template's table for text and quoted attributes.
var htmlEscapes = [256]string{
	0:    "\uFFFD",
	'"':  "&#34;",
	'&':  "&amp;",
	'\'': "&#39;",
	'+':  "&#43;",
	'<':  "&lt;",
	'>':  "&gt;",
}

func appendEscaped(b []byte, s string) []byte {
	last := 0
	for i := 0; i < len(s); i++ {
		if r := htmlEscapes[s[i]]; r != "" {
			b = append(b, s[last:i]...)
			b = append(b, r...)
			last = i + 1
		}
	}
	return append(b, s[last:]...)
}

// appendURL percent-encodes as html/template's URL normaliser (norm: a
// URL's reserved characters kept) or escaper (a query value), then leaves
// only characters that need no HTML escaping in a quoted attribute ("&"
// excepted, written as &amp;).
func appendURL(b []byte, s string, norm bool) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b = append(b, c)
			continue
		case norm && c == '&':
			b = append(b, "&amp;"...)
			continue
		case norm && c == '+':
			b = append(b, "&#43;"...)
			continue
		case norm && strings.IndexByte("!#$*,/:;=?@[]", c) >= 0:
			b = append(b, c)
			continue
		case norm && c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			b = append(b, c) // a valid escape is kept (the same bounds as html/template's)
			continue
		}
		b = append(b, '%', hex[c>>4], hex[c&15])
	}
	return b
}

// Write lets templates execute into the page's buffer.
func (w *htmlw) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
