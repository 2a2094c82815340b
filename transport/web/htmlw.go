package web

import (
	"strconv"
	"strings"
	"sync"
	"time"
)

// The busiest pages (layout, thread, group) are written in Go rather than
// through html/template, which reaches every field, method and map by
// reflection: a 20-reply thread page spent most of its time there. The
// writer below escapes exactly as html/template does in the contexts these
// pages use (element text, quoted attribute values, URL attributes), so
// the markup is the same; htmlw_test.go holds it to that.

// htmlw is a page being written into one reused buffer: buf[:n] is
// written. (Only n changes as text goes in: storing a grown slice into the
// writer at every write cost a GC write barrier each time.)
type htmlw struct {
	buf []byte
	n   int
	v   *view
	// field is the page's hidden token field, escaped once for the
	// dozens of forms a thread page holds.
	field []byte
	// holes, when not nil, records where the viewer's parts go instead of
	// writing them (threadcache.go); post is the post being written.
	holes  []hole
	postID string
}

var htmlwPool = sync.Pool{New: func() any { return &htmlw{buf: make([]byte, 64<<10)} }}

func getHTMLW(v *view) *htmlw {
	w := htmlwPool.Get().(*htmlw)
	w.n, w.v, w.field, w.holes, w.postID = 0, v, w.field[:0], nil, ""
	return w
}

func putHTMLW(w *htmlw) {
	w.v = nil
	if len(w.buf) <= 1<<20 { // a rare huge page is not kept
		htmlwPool.Put(w)
	}
}

// bytes is what has been written.
func (w *htmlw) bytes() []byte { return w.buf[:w.n] }

// room makes room for k more bytes.
func (w *htmlw) room(k int) {
	if w.n+k > len(w.buf) {
		b := make([]byte, max(2*len(w.buf), w.n+k, 4096))
		copy(b, w.buf[:w.n])
		w.buf = b
	}
}

// raw writes markup as it is: literals, and HTML the projections already
// sanitised (post bodies).
func (w *htmlw) raw(s string) {
	if w.n+len(s) > len(w.buf) {
		w.room(len(s))
	}
	w.n += copy(w.buf[w.n:], s)
}

func (w *htmlw) byte(c byte) {
	if w.n == len(w.buf) {
		w.room(1)
	}
	w.buf[w.n] = c
	w.n++
}

// Write lets templates execute into the page's buffer.
func (w *htmlw) Write(p []byte) (int, error) {
	w.room(len(p))
	w.n += copy(w.buf[w.n:], p)
	return len(p), nil
}

// appended writes what an append-style formatter adds (numbers, dates)
// straight into the buffer.
func (w *htmlw) appended(f func([]byte) []byte) {
	w.room(96)
	b := f(w.buf[w.n:w.n])
	if len(b) > 0 && &b[0] != &w.buf[w.n] { // it outgrew the room and moved
		w.room(len(b))
		copy(w.buf[w.n:], b)
	}
	w.n += len(b)
}

// text writes text escaped for element content or a quoted attribute.
func (w *htmlw) text(s string) {
	last := 0
	for i := 0; i < len(s); i++ {
		if r := htmlEscapes[s[i]]; r != "" {
			w.raw(s[last:i])
			w.raw(r)
			last = i + 1
		}
	}
	w.raw(s[last:])
}

// T writes a UI message in the page's language, escaped.
func (w *htmlw) T(key string) {
	if m, ok := w.v.l.esc[key]; ok {
		w.raw(m)
		return
	}
	w.text(key) // a missing message shows its id, as locale.t does
}

// Tk writes a message of a family: prefix+name ("web.kind." + kind).
func (w *htmlw) Tk(prefix, name string) {
	var a [64]byte
	k := append(append(a[:0], prefix...), name...)
	if m, ok := w.v.l.esc[string(k)]; ok { // a lookup by string(bytes) does not allocate
		w.raw(m)
		return
	}
	w.text(string(k))
}

// TN writes a message with a number in it ({N}).
func (w *htmlw) TN(key string, n int) { w.text(w.v.TN(key, n)) }

// int writes a count formatted for the page's language.
func (w *htmlw) int(n int) {
	if n >= 0 && n < 1000 { // no group separator
		w.appended(func(b []byte) []byte { return strconv.AppendInt(b, int64(n), 10) })
		return
	}
	w.text(w.v.l.num(int64(n)))
}

// iso writes a machine-readable time for <time datetime>.
func (w *htmlw) iso(t time.Time) {
	w.appended(func(b []byte) []byte { return t.UTC().AppendFormat(b, time.RFC3339) })
}

// dateTime writes a date and time of day in the page's language (letters,
// digits and punctuation that need no escaping).
func (w *htmlw) dateTime(t time.Time) {
	w.appended(func(b []byte) []byte { return w.v.l.appendDateTime(b, t) })
}

// path writes a value inside a URL attribute's path (an id in
// href="/threads/{id}"), normalised as html/template normalises it.
func (w *htmlw) path(s string) { w.url(s, true) }

// query writes a value as one query parameter's value (percent-encoded
// completely, as html/template escapes a value after "?").
func (w *htmlw) query(s string) { w.url(s, false) }

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
	if w.holes != nil {
		w.holes = append(w.holes, hole{at: w.n})
		return
	}
	if len(w.field) == 0 {
		start := w.n
		w.raw(`<input type="hidden" name="csrf" value="`)
		w.text(w.v.CSRF)
		w.raw(`">`)
		w.field = append(w.field, w.buf[start:w.n]...)
		return
	}
	w.room(len(w.field))
	w.n += copy(w.buf[w.n:], w.field)
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

// escaped is s as text writes it.
func escaped(s string) string {
	w := &htmlw{}
	w.text(s)
	return string(w.bytes())
}

// url percent-encodes as html/template's URL normaliser (norm: a URL's
// reserved characters kept) or escaper (a query value), leaving only
// characters that need no HTML escaping in a quoted attribute ("&" and "+"
// excepted, written as html/template writes them).
func (w *htmlw) url(s string, norm bool) {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			w.byte(c)
		case norm && c == '&':
			w.raw("&amp;")
		case norm && c == '+':
			w.raw("&#43;")
		case norm && strings.IndexByte("!#$*,/:;=?@[]", c) >= 0:
			w.byte(c)
		case norm && c == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]):
			w.byte(c) // a valid escape is kept (the same bounds as html/template's)
		default:
			w.byte('%')
			w.byte(hex[c>>4])
			w.byte(hex[c&15])
		}
	}
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }
