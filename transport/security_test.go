package transport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/transport/transporttest"
)

// xssBase are classic vectors; xssContexts wrap each in the places Markdown
// and HTML give a meaning to. Their product is the corpus.
var xssBase = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)>`,
	`<svg><script>alert(1)</script></svg>`,
	`<svg><a xlink:href="javascript:alert(1)"><text y="20">x</text></a></svg>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<body onload=alert(1)>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="JaVaScRiPt:alert(1)">x</a>`,
	`<a href="&#106;avascript:alert(1)">x</a>`,
	`<a href="java&#x09;script:alert(1)">x</a>`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>`,
	`<a href="vbscript:msgbox(1)">x</a>`,
	`<object data="javascript:alert(1)"></object>`,
	`<embed src="javascript:alert(1)">`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<details open ontoggle=alert(1)>`,
	`<input autofocus onfocus=alert(1)>`,
	`<video><source onerror=alert(1)></video>`,
	`<style>@import 'javascript:alert(1)';</style>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<form action="javascript:alert(1)"><button>x</button></form>`,
	`<base href="javascript:alert(1)//">`,
	`<link rel=import href="data:text/html,<script>alert(1)</script>">`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`</textarea><script>alert(1)</script>`,
	`<scr<script>ipt>alert(1)</scr</script>ipt>`,
	`<<script>script>alert(1)<</script>/script>`,
	`<img src="x" onerror="&#97;lert(1)">`,
	`<a href=" javascript:alert(1)">x</a>`,
	`[x](javascript:alert(1))`,
	`[x](JAVASCRIPT:alert(1))`,
	`[x](data:text/html,<script>alert(1)</script>)`,
	`![x](javascript:alert(1))`,
	`![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`[x](javascript&#58;alert(1))`,
	`<javascript:alert(1)>`,
	`[x]: javascript:alert(1)` + "\n\n[x]",
	"```html\n<script>alert(1)</script>\n```",
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
}

var xssContexts = []func(string) string{
	func(v string) string { return v },
	func(v string) string { return "Hello " + v + " world" },
	func(v string) string { return "**" + v + "**" },
	func(v string) string { return "# " + v },
	func(v string) string { return "> " + v },
	func(v string) string { return "- item\n- " + v },
	func(v string) string { return "[" + v + "](https://example.org)" },
	func(v string) string { return "[link](https://example.org \"" + v + "\")" },
	func(v string) string { return "`" + v + "`" },
	func(v string) string { return "<div>\n" + v + "\n</div>" },
	func(v string) string { return "_" + strings.ReplaceAll(v, "<", "<<") + "_" },
	func(v string) string { return "| a |\n|---|\n| " + v + " |" },
	func(v string) string { return "Bonjour **[" + v + "](javascript:alert(1))**" },
}

func xssCorpus() []string {
	var out []string
	for _, b := range xssBase {
		for _, c := range xssContexts {
			out = append(out, c(b))
		}
	}
	return out
}

// truncate keeps at most n runes.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// unsafeElements run script, embed documents, restyle or submit: none may
// come from what members write.
var unsafeElements = map[string]bool{
	"script": true, "iframe": true, "object": true, "embed": true, "svg": true, "math": true, "style": true,
	"link": true, "meta": true, "base": true, "form": true, "input": true, "button": true, "video": true,
	"audio": true, "source": true, "details": true, "noscript": true, "textarea": true, "frame": true,
	"frameset": true, "applet": true, "portal": true, "template": true,
}

// chromeElements are the unsafe elements a whole page's own chrome uses
// (its head, its forms); on a page they are allowed under the rules of
// chromeProblem, and never from members' text (which the page escapes).
var chromeElements = map[string]bool{
	"script": true, "link": true, "meta": true, "form": true, "input": true, "button": true, "details": true, "textarea": true,
}

// urlAttributes hold URLs a browser follows or loads.
var urlAttributes = map[string]bool{
	"href": true, "src": true, "action": true, "formaction": true, "xlink:href": true, "background": true,
	"poster": true, "data": true, "cite": true, "codebase": true, "ping": true,
}

// htmlProblems lists what in HTML could run script: elements that execute
// or embed, event handler attributes, style attributes, and URLs with a
// scheme other than http, https and mailto. A fragment (a body_html) may
// hold none of the unsafe elements; a whole page (page) may hold its own
// chrome: scripts and stylesheets from /static/ with no inline text, meta
// without http-equiv, forms posting to this site.
func htmlProblems(doc string, page bool) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(doc))
	inScript := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				out = append(out, z.Err().Error())
			}
			return out
		case html.TextToken:
			if inScript && strings.TrimSpace(string(z.Text())) != "" {
				out = append(out, fmt.Sprintf("inline script text %.80q", z.Text()))
			}
		case html.EndTagToken:
			inScript = false
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			inScript = tok.Data == "script" && tt == html.StartTagToken
			if unsafeElements[tok.Data] {
				if !page || !chromeElements[tok.Data] {
					out = append(out, fmt.Sprintf("element <%s> survived", tok.Data))
				} else if p := chromeProblem(tok); p != "" {
					out = append(out, p)
				}
			}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" || k == "srcdoc" || k == "http-equiv" || (k == "formaction" && !page) {
					out = append(out, fmt.Sprintf("attribute %s on <%s> survived", k, tok.Data))
				}
				if k == "formaction" && page && (!strings.HasPrefix(a.Val, "/") || strings.HasPrefix(a.Val, "//")) {
					out = append(out, fmt.Sprintf("formaction %q posting off the site", a.Val))
				}
				if urlAttributes[k] {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if i := strings.IndexByte(v, ':'); i >= 0 && !strings.ContainsAny(v[:i], "/?#") {
						if s := v[:i]; s != "http" && s != "https" && s != "mailto" {
							out = append(out, fmt.Sprintf("%s with scheme %q on <%s> survived", k, s, tok.Data))
						}
					}
				}
			}
		}
	}
}

// chromeProblem checks one of a page's own unsafe elements.
func chromeProblem(tok html.Token) string {
	attr := func(name string) (string, bool) {
		for _, a := range tok.Attr {
			if strings.EqualFold(a.Key, name) {
				return a.Val, true
			}
		}
		return "", false
	}
	switch tok.Data {
	case "script":
		if src, _ := attr("src"); !strings.HasPrefix(src, "/static/") {
			return fmt.Sprintf("<script> not from /static/ (src %q)", src)
		}
	case "link":
		if href, _ := attr("href"); !strings.HasPrefix(href, "/static/") {
			return fmt.Sprintf("<link> not to /static/ (href %q)", href)
		}
	case "form":
		if action, ok := attr("action"); ok && (!strings.HasPrefix(action, "/") || strings.HasPrefix(action, "//")) {
			return fmt.Sprintf("<form> posting off the site (action %q)", action)
		}
	}
	return ""
}

// checkNoScript fails if an HTML fragment (a body_html) could run script.
func checkNoScript(t testing.TB, where, frag string) {
	t.Helper()
	for _, p := range htmlProblems(frag, false) {
		t.Errorf("%s: %s: %.300s", where, p, frag)
	}
}

// checkPage fails if a whole HTML page could run script other than the
// site's own.
func checkPage(t testing.TB, where string, page []byte) {
	t.Helper()
	for _, p := range htmlProblems(string(page), true) {
		t.Errorf("%s: %s", where, p)
	}
}

// checkJSON: the raw answer has no unescaped markup characters (so a page
// that drops the JSON into a <script> block or sniffs it as HTML is safe),
// and every body_html in it is sanitised.
func checkJSON(t testing.TB, where string, body []byte) {
	t.Helper()
	if len(body) == 0 {
		return // 204
	}
	if bytes.ContainsAny(body, "<>") {
		t.Errorf("%s: raw < or > in a JSON answer: %.200s", where, body)
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		t.Errorf("%s: not JSON: %v", where, err)
		return
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, e := range x {
				walk(k, e)
			}
		case []any:
			for _, e := range x {
				walk(key, e)
			}
		case string:
			if key == "html" || strings.HasSuffix(key, "_html") {
				checkNoScript(t, where, x)
			}
		}
	}
	walk("", v)
}

// icsProperties are the only properties an event's calendar file has.
var icsProperties = map[string]bool{"BEGIN": true, "END": true, "VERSION": true, "PRODID": true, "CALSCALE": true,
	"METHOD": true, "UID": true, "DTSTAMP": true, "DTSTART": true, "DTEND": true, "SUMMARY": true, "LOCATION": true,
	"DESCRIPTION": true, "URL": true, "SEQUENCE": true, "LAST-MODIFIED": true}

// checkICS: an event's calendar file is an attachment of type
// text/calendar (never sniffed or shown as a page), and what members wrote
// adds no line, property or component of its own.
func checkICS(t testing.TB, where string, r resp, baseURL string) {
	t.Helper()
	if ct := r.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("%s: Content-Type %q", where, ct)
	}
	if cd := r.hdr.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("%s: Content-Disposition %q", where, cd)
	}
	body := string(r.body)
	if strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\n") || strings.Contains(strings.ReplaceAll(body, "\r\n", ""), "\r") {
		t.Errorf("%s: a bare line break in the calendar file", where)
	}
	unfolded := strings.ReplaceAll(body, "\r\n ", "")
	events := 0
	for _, line := range strings.Split(strings.TrimSuffix(unfolded, "\r\n"), "\r\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.ContainsAny(name, ";") || !icsProperties[name] {
			t.Errorf("%s: unexpected line %.120q", where, line)
			continue
		}
		switch name {
		case "BEGIN", "END":
			if value != "VCALENDAR" && value != "VEVENT" {
				t.Errorf("%s: component %q", where, value)
			}
			if line == "BEGIN:VEVENT" {
				events++
			}
		case "SEQUENCE":
			if _, err := strconv.Atoi(value); err != nil {
				t.Errorf("%s: SEQUENCE %q", where, value)
			}
		case "LAST-MODIFIED":
			if _, err := time.Parse("20060102T150405Z", value); err != nil {
				t.Errorf("%s: LAST-MODIFIED %q", where, value)
			}
		case "URL":
			if !strings.HasPrefix(value, baseURL+"/threads/") {
				t.Errorf("%s: URL %q", where, value)
			}
		}
	}
	if events != 1 {
		t.Errorf("%s: %d events in the file", where, events)
	}
}

// Field codes: every payload goes through every text field, and the value
// carries a marker zq<code><index>q (at the start of one-line values,
// which truncation would cut at the end; after a blank line at the end of
// multi-line ones, where it changes no Markdown context), so that reads
// can tell which payload of which field they show.
const (
	fRegName      = "rn" // display_name at registration
	fDisplayName  = "dn" // PATCH /me
	fOrganization = "or"
	fBio          = "bi"
	fProvince     = "pv" // a code: every payload must be refused
	fGroupName    = "gn"
	fGroupDesc    = "gd"
	fTopics       = "gt"
	fGroupRename  = "gm" // PATCH /groups/{id}: the name, description and
	fGroupRedesc  = "gs" // topics the group was created with are replaced
	fGroupRetopic = "gp"
	fEventTitle   = "et"
	fEventBody    = "eb"
	fEventTags    = "eg"
	fLocation     = "el"
	fOnlineURL    = "eu"
	fResTitle     = "rt"
	fResBody      = "rb"
	fResTags      = "rg"
	fResURL       = "ru"
	fFormat       = "rf"
	fJobTitle     = "jt"
	fJobBody      = "jb"
	fJobTags      = "jg"
	fJobOrg       = "jo"
	fJobLocation  = "jl"
	fSalary       = "js"
	fApplyURL     = "ja"
	fReply        = "ra"
	fEdit         = "re" // a reply edited into the payload
	fFlag         = "fr" // left open: the queue shows it
	fFlagOpening  = "fo" // resolved
	fResolve      = "fx"
	fHide         = "hr"
	fLock         = "lr"
	fRemove       = "mr"
	fReject       = "jr"
	fSuspend      = "sr"
	fReinstate    = "si"
	// PATCH /threads/{id}: a plain thread of each kind edited into the
	// payload (title, tags, details).
	fEdEvTitle     = "ve"
	fEdEvTags      = "vg"
	fEdLocation    = "vl"
	fEdOnlineURL   = "vu"
	fEdResTitle    = "wt"
	fEdResTags     = "wg"
	fEdResURL      = "wu"
	fEdFormat      = "wf"
	fEdJobTitle    = "yt"
	fEdJobOrg      = "yo"
	fEdJobLocation = "yl"
	fEdSalary      = "ys"
	fEdApplyURL    = "ya"
)

// xssFields are the fields whose acceptance is counted (every one but the
// province, which is a code).
var xssFields = []string{fRegName, fDisplayName, fOrganization, fBio, fGroupName, fGroupDesc, fTopics, fGroupRename, fGroupRedesc, fGroupRetopic,
	fEventTitle, fEventBody, fEventTags, fLocation, fOnlineURL, fResTitle, fResBody, fResTags, fResURL, fFormat,
	fJobTitle, fJobBody, fJobTags, fJobOrg, fJobLocation, fSalary, fApplyURL, fReply, fEdit, fFlag, fFlagOpening,
	fResolve, fHide, fLock, fRemove, fReject, fSuspend, fReinstate,
	fEdEvTitle, fEdEvTags, fEdLocation, fEdOnlineURL, fEdResTitle, fEdResTags, fEdResURL, fEdFormat,
	fEdJobTitle, fEdJobOrg, fEdJobLocation, fEdSalary, fEdApplyURL}

var markerRE = regexp.MustCompile(`zq([a-z]{2})(\d{4})q`)

func mark(code string, i int) string { return fmt.Sprintf("zq%s%04dq", code, i) }

// fold puts a payload on one line.
func fold(p string) string { return strings.ReplaceAll(p, "\n", " ") }

// oneLine is a one-line field's value: the marker, then the folded payload,
// cut to the field's length.
func oneLine(code string, i int, p string, max int) string {
	return truncate(mark(code, i)+" "+fold(p), max)
}

// multiLine is a multi-line field's value: the payload as it is, then the
// marker in a paragraph of its own.
func multiLine(code string, i int, p string) string { return p + "\n\n" + mark(code, i) }

// tagList is a tag or topic list: the marker, then the folded payload in
// tags of at most 40 characters (the first holds its start, the vector).
func tagList(code string, i int, p string) []string {
	out := []string{mark(code, i)}
	r := []rune(fold(p))
	for len(r) > 0 && len(out) < domain.MaxTags {
		n := min(len(r), domain.MaxTagLength)
		if s := string(r[:n]); strings.TrimSpace(s) != "" {
			out = append(out, s)
		}
		r = r[n:]
	}
	return out
}

// urlOf is a URL field's value: an https URL whose path is the payload.
func urlOf(code string, i int, p string) string {
	return "https://example.org/" + mark(code, i) + "/" + strings.ReplaceAll(fold(p), "%", "%25")
}

// hostileURLs go into every URL field as they are: each is refused, or is
// an http(s) URL the pages must still show safely.
var hostileURLs = []string{
	"javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "javascript://example.org/%0aalert(1)",
	"java\tscript:alert(1)", "&#106;avascript:alert(1)", "data:text/html,<script>alert(1)</script>",
	"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "data:image/svg+xml,<svg onload=alert(1)>",
	"vbscript:msgbox(1)", "//evil.example/x", "/relative", "https:/\\evil.example", "file:///etc/passwd",
	`https://example.org/"><script>alert(1)</script>`, `https://example.org/' onmouseover='alert(1)`,
	`https://example.org/?q="onmouseover=alert(1)`, "https://example.org/#javascript:alert(1)",
	`http://example.org/x" style="background:url(javascript:alert(1))`, "https://javascript:alert(1)@example.org/",
}

// bits marks which payloads something holds for.
type bits []bool

func (b bits) count() int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// xssFixture is every payload of the corpus written through every text
// field, through the API.
type xssFixture struct {
	t       *testing.T
	corpus  []string
	admin   *client
	author  *client // owns every payload's group and threads
	flagger *client
	members []*client // one per payload: its names, organisation and bio
	groups  []string  // one per payload

	// Per payload: its threads, their opening post, and the reply carrying
	// it (left visible); the threads edited into it.
	events, resources, jobs, openings, replies []string
	edEvents, edResources, edJobs              []string

	// commons holds every payload member (one members page shows them all);
	// requests is the request group where join requests are refused.
	commons, requests string
	links             []string // threads with a hostile URL the API accepted

	mu       sync.Mutex
	accepted map[string]bits
	refused  map[string][]string // a sample of why, per field
}

// call sends a request, checks its JSON answer and, on success, counts
// the fields it carried as accepted for payload i.
func (f *xssFixture) call(c *client, i int, method, path string, body any, fields ...string) resp {
	r := c.do(method, path, body)
	checkJSON(f.t, fmt.Sprintf("payload %d: %s %s", i, method, path), r.body)
	if r.code >= 500 {
		f.t.Errorf("payload %d: %s %s: %d: %.300s", i, method, path, r.code, r.body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fl := range fields {
		if r.code < 300 {
			f.accepted[fl][i] = true
		} else if len(f.refused[fl]) < 3 {
			f.refused[fl] = append(f.refused[fl], fmt.Sprintf("payload %d %q: %d %.200s", i, truncate(f.corpus[i], 50), r.code, r.body))
		}
	}
	return r
}

// str digs a string out of a JSON object answer ("" if absent).
func str(r resp, key string) string {
	var m map[string]any
	if json.Unmarshal(r.body, &m) != nil {
		return ""
	}
	s, _ := m[key].(string)
	return s
}

// clone is a copy of a client for one goroutine (do updates its cookie).
func clone(c *client) *client { cc := *c; return &cc }

// parallel runs fn(i) for i in [0, n) on a few goroutines.
func parallel(n, workers int, fn func(w, i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for w := range workers {
		wg.Go(func() {
			for i := range next {
				fn(w, i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}

const xssWorkers = 6

func newXSSFixture(t *testing.T, e *env, corpus []string) *xssFixture {
	n := len(corpus)
	f := &xssFixture{t: t, corpus: corpus, accepted: map[string]bits{}, refused: map[string][]string{},
		members: make([]*client, n), groups: make([]string, n), events: make([]string, n), resources: make([]string, n),
		jobs: make([]string, n), openings: make([]string, n), replies: make([]string, n),
		edEvents: make([]string, n), edResources: make([]string, n), edJobs: make([]string, n)}
	for _, fl := range append(xssFields, fProvince) {
		f.accepted[fl] = make(bits, n)
	}
	f.admin = e.register("admin")
	f.author = e.register("Author")
	f.flagger = e.register("Flo Flagger")
	remy := e.register("Remy Removed")
	requester := e.register("Rae Requester")
	suspended := e.register("Sam Suspended")
	f.commons = f.author.group("Commons", "open")
	f.requests = f.author.group("Ask first", "request")

	// Members: a name at registration, then a name, organisation and bio
	// (and a province, refused) through PATCH /me.
	parallel(n, xssWorkers, func(_, i int) {
		p := corpus[i]
		c := e.anon()
		reg := map[string]any{"email": fmt.Sprintf("xss%d@example.org", i), "password": "correct horse battery",
			"display_name": oneLine(fRegName, i, p, domain.MaxDisplayName), "language": "en", "province": "ON"}
		r := f.call(c, i, "POST", "/api/v1/auth/register", reg, fRegName)
		if r.code != 201 {
			reg["display_name"] = fmt.Sprintf("Member %d", i)
			r = f.call(c, i, "POST", "/api/v1/auth/register", reg)
		}
		c.id = str(r, "id")
		f.members[i] = c
		f.call(c, i, "PATCH", "/api/v1/me", map[string]any{
			"display_name": oneLine(fDisplayName, i, p, domain.MaxDisplayName),
			"organization": oneLine(fOrganization, i, p, domain.MaxOrganization),
			"bio":          multiLine(fBio, i, p),
		}, fDisplayName, fOrganization, fBio)
		if r := f.call(c, i, "PATCH", "/api/v1/me", map[string]any{"province": oneLine(fProvince, i, p, 40)}, fProvince); r.code != 422 {
			t.Errorf("payload %d as a province: %d, want 422", i, r.code)
		}
	})

	// Shared streams, one goroutine each: join requests refused, a member
	// suspended and reinstated, every payload member joining the commons.
	var wg sync.WaitGroup
	wg.Go(func() {
		author := clone(f.author)
		for i, p := range corpus {
			f.call(requester, i, "POST", "/api/v1/groups/"+f.requests+"/join", nil)
			f.call(author, i, "POST", "/api/v1/groups/"+f.requests+"/requests/"+requester.id+"/reject",
				map[string]any{"reason": multiLine(fReject, i, p)}, fReject)
		}
	})
	wg.Go(func() {
		admin := clone(f.admin)
		for i, p := range corpus {
			f.call(admin, i, "POST", "/api/v1/admin/members/"+suspended.id+"/suspend", map[string]any{"reason": multiLine(fSuspend, i, p)}, fSuspend)
			f.call(admin, i, "POST", "/api/v1/admin/members/"+suspended.id+"/reinstate", map[string]any{"reason": multiLine(fReinstate, i, p)}, fReinstate)
		}
	})
	wg.Go(func() {
		for i, m := range f.members {
			if r := f.call(m, i, "POST", "/api/v1/groups/"+f.commons+"/join", nil); r.code != 200 {
				t.Errorf("payload %d: joining the commons: %d %s", i, r.code, r.body)
			}
		}
	})

	// Everything else, per payload.
	authors := make([]*client, xssWorkers)
	admins := make([]*client, xssWorkers)
	flaggers := make([]*client, xssWorkers)
	remys := make([]*client, xssWorkers)
	for w := range xssWorkers {
		authors[w], admins[w], flaggers[w], remys[w] = clone(f.author), clone(f.admin), clone(f.flagger), clone(remy)
	}
	starts := time.Now().Add(72 * time.Hour).UTC()
	deadline := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	parallel(n, xssWorkers, func(w, i int) {
		p := corpus[i]
		author, admin, flagger, remy, m := authors[w], admins[w], flaggers[w], remys[w], f.members[i]
		r := f.call(author, i, "POST", "/api/v1/groups", map[string]any{
			"name": oneLine(fGroupName, i, p, domain.MaxGroupName), "description": multiLine(fGroupDesc, i, p),
			"visibility": "open", "language": "bilingual", "topics": tagList(fTopics, i, p),
		}, fGroupName, fGroupDesc, fTopics)
		if r.code != 201 {
			r = f.call(author, i, "POST", "/api/v1/groups", map[string]any{"name": fmt.Sprintf("Fallback %d", i), "description": "d",
				"visibility": "open", "language": "bilingual"})
		}
		g := str(r, "id")
		f.groups[i] = g
		f.call(author, i, "PATCH", "/api/v1/groups/"+g, map[string]any{
			"name": oneLine(fGroupRename, i, p, domain.MaxGroupName), "description": multiLine(fGroupRedesc, i, p),
			"topics": tagList(fGroupRetopic, i, p),
		}, fGroupRename, fGroupRedesc, fGroupRetopic)
		f.call(m, i, "POST", "/api/v1/groups/"+g+"/join", nil)

		thread := func(kind string, body map[string]any, fields ...string) resp {
			r := f.call(author, i, "POST", "/api/v1/groups/"+g+"/threads", body, fields...)
			if r.code != 201 {
				// A plain thread of the kind, so the payload still goes
				// through the fields that need one.
				fallback := map[string]any{"title": fmt.Sprintf("Fallback %s %d", kind, i), "body": "b", "language": body["language"], "kind": kind}
				if kind == "event" {
					fallback["event"] = map[string]any{"starts_at": starts}
				}
				r = f.call(author, i, "POST", "/api/v1/groups/"+g+"/threads", fallback)
			}
			return r
		}
		ev := thread("event", map[string]any{
			"title": oneLine(fEventTitle, i, p, domain.MaxTitle), "body": multiLine(fEventBody, i, p), "language": "en",
			"kind": "event", "tags": tagList(fEventTags, i, p),
			"event": map[string]any{"starts_at": starts.Add(time.Duration(i) * time.Minute),
				"location": oneLine(fLocation, i, p, domain.MaxLocation), "online_url": urlOf(fOnlineURL, i, p)},
		}, fEventTitle, fEventBody, fEventTags, fLocation, fOnlineURL)
		f.events[i], f.openings[i] = str(ev, "id"), str(ev, "opening_post_id")
		res := thread("resource", map[string]any{
			"title": oneLine(fResTitle, i, p, domain.MaxTitle), "body": multiLine(fResBody, i, p), "language": "fr",
			"kind": "resource", "tags": tagList(fResTags, i, p),
			"resource": map[string]any{"url": urlOf(fResURL, i, p), "format": oneLine(fFormat, i, p, domain.MaxFormat)},
		}, fResTitle, fResBody, fResTags, fResURL, fFormat)
		f.resources[i] = str(res, "id")
		job := thread("job", map[string]any{
			"title": oneLine(fJobTitle, i, p, domain.MaxTitle), "body": multiLine(fJobBody, i, p), "language": "en",
			"kind": "job", "tags": tagList(fJobTags, i, p),
			"job": map[string]any{"organization": oneLine(fJobOrg, i, p, domain.MaxOrganization),
				"location": oneLine(fJobLocation, i, p, domain.MaxLocation), "salary": oneLine(fSalary, i, p, domain.MaxSalary),
				"employment_type": "full_time", "deadline": deadline, "apply_url": urlOf(fApplyURL, i, p)},
		}, fJobTitle, fJobBody, fJobTags, fJobOrg, fJobLocation, fSalary, fApplyURL)
		f.jobs[i] = str(job, "id")

		// Plain threads, then edited into the payload.
		edStart := starts.Add(time.Duration(i)*time.Minute + 30*time.Second)
		plain := func(kind string, extra map[string]any) string {
			body := map[string]any{"title": fmt.Sprintf("To edit %s %d", kind, i), "body": "b", "language": "en", "kind": kind}
			for k, v := range extra {
				body[k] = v
			}
			return str(f.call(author, i, "POST", "/api/v1/groups/"+g+"/threads", body), "id")
		}
		f.edEvents[i] = plain("event", map[string]any{"event": map[string]any{"starts_at": edStart}})
		f.call(author, i, "PATCH", "/api/v1/threads/"+f.edEvents[i], map[string]any{
			"title": oneLine(fEdEvTitle, i, p, domain.MaxTitle), "tags": tagList(fEdEvTags, i, p),
			"event": map[string]any{"starts_at": edStart, "location": oneLine(fEdLocation, i, p, domain.MaxLocation),
				"online_url": urlOf(fEdOnlineURL, i, p)},
		}, fEdEvTitle, fEdEvTags, fEdLocation, fEdOnlineURL)
		f.edResources[i] = plain("resource", nil)
		f.call(author, i, "PATCH", "/api/v1/threads/"+f.edResources[i], map[string]any{
			"title": oneLine(fEdResTitle, i, p, domain.MaxTitle), "tags": tagList(fEdResTags, i, p),
			"resource": map[string]any{"url": urlOf(fEdResURL, i, p), "format": oneLine(fEdFormat, i, p, domain.MaxFormat)},
		}, fEdResTitle, fEdResTags, fEdResURL, fEdFormat)
		f.edJobs[i] = plain("job", nil)
		f.call(author, i, "PATCH", "/api/v1/threads/"+f.edJobs[i], map[string]any{
			"title": oneLine(fEdJobTitle, i, p, domain.MaxTitle),
			"job": map[string]any{"organization": oneLine(fEdJobOrg, i, p, domain.MaxOrganization),
				"location": oneLine(fEdJobLocation, i, p, domain.MaxLocation), "salary": oneLine(fEdSalary, i, p, domain.MaxSalary),
				"employment_type": "part_time", "deadline": deadline, "apply_url": urlOf(fEdApplyURL, i, p)},
		}, fEdJobTitle, fEdJobOrg, fEdJobLocation, fEdSalary, fEdApplyURL)

		evp := "/api/v1/threads/" + f.events[i]
		f.replies[i] = str(f.call(m, i, "POST", evp+"/replies", map[string]any{"body": multiLine(fReply, i, p), "language": "en"}, fReply), "id")
		draft := str(f.call(m, i, "POST", evp+"/replies", map[string]any{"body": fmt.Sprintf("Draft %d", i), "language": "fr"}), "id")
		f.call(m, i, "PATCH", "/api/v1/posts/"+draft, map[string]any{"body": multiLine(fEdit, i, p)}, fEdit)
		f.call(m, i, "POST", evp+"/rsvp", map[string]any{"status": "going"})
		f.call(flagger, i, "POST", "/api/v1/posts/"+f.replies[i]+"/flags", map[string]any{"reason": multiLine(fFlag, i, p)}, fFlag)
		if r := f.call(flagger, i, "POST", "/api/v1/posts/"+f.openings[i]+"/flags", map[string]any{"reason": multiLine(fFlagOpening, i, p)}, fFlagOpening); r.code < 300 {
			f.call(admin, i, "POST", "/api/v1/posts/"+f.openings[i]+"/flags/resolve", map[string]any{
				"flagger_id": f.flagger.id, "resolution": "dismissed", "reason": multiLine(fResolve, i, p)}, fResolve)
		}
		f.call(admin, i, "POST", "/api/v1/posts/"+draft+"/hide", map[string]any{"reason": multiLine(fHide, i, p)}, fHide)
		if r := f.call(author, i, "POST", evp+"/translations", map[string]any{"thread_id": f.resources[i]}); r.code != 204 {
			t.Errorf("payload %d: linking the translation: %d %s", i, r.code, r.body)
		}
		f.call(admin, i, "POST", evp+"/lock", map[string]any{"reason": multiLine(fLock, i, p)}, fLock)
		f.call(remy, i, "POST", "/api/v1/groups/"+g+"/join", nil)
		f.call(author, i, "POST", "/api/v1/groups/"+g+"/members/"+remy.id+"/remove", map[string]any{"reason": multiLine(fRemove, i, p)}, fRemove)
	})
	wg.Wait()

	// Hostile URLs as they are, in every URL field.
	links := f.author.group("Hostile links", "open")
	for j, u := range hostileURLs {
		for _, body := range []map[string]any{
			{"kind": "event", "event": map[string]any{"starts_at": starts, "online_url": u}},
			{"kind": "resource", "resource": map[string]any{"url": u}},
			{"kind": "job", "job": map[string]any{"apply_url": u}},
		} {
			body["title"], body["body"], body["language"] = fmt.Sprintf("Link %d", j), "b", "en"
			r := f.author.do("POST", "/api/v1/groups/"+links+"/threads", body)
			checkJSON(t, "hostile URL "+u, r.body)
			parsed, err := url.Parse(strings.TrimSpace(u))
			web := err == nil && (parsed.Scheme == "http" || parsed.Scheme == "https") && parsed.Host != ""
			switch {
			case r.code == 201 && !web:
				t.Errorf("%s URL %q accepted: %s", body["kind"], u, r.body)
			case r.code == 201:
				f.links = append(f.links, str(r, "id"))
			case r.code != 422:
				t.Errorf("%s URL %q: %d, want 201 or 422: %s", body["kind"], u, r.code, r.body)
			}
		}
	}
	return f
}

// seen records which payloads of which field a kind of answer showed.
type seen struct {
	mu sync.Mutex
	n  int
	by map[string]map[string]bits // kind -> field -> payloads
}

func (s *seen) scan(kind string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := s.by[kind]
	if k == nil {
		k = map[string]bits{}
		s.by[kind] = k
	}
	for _, m := range markerRE.FindAllSubmatch(body, -1) {
		i, _ := strconv.Atoi(string(m[2]))
		if i >= s.n {
			continue
		}
		fl := string(m[1])
		if k[fl] == nil {
			k[fl] = make(bits, s.n)
		}
		k[fl][i] = true
	}
}

// expect fails unless kind showed every accepted payload of each field.
func (s *seen) expect(t *testing.T, f *xssFixture, kind string, fields ...string) {
	t.Helper()
	for _, fl := range fields {
		var missing []int
		for i, ok := range f.accepted[fl] {
			if ok && (s.by[kind][fl] == nil || !s.by[kind][fl][i]) {
				missing = append(missing, i)
			}
		}
		if len(missing) > 0 {
			t.Errorf("%s answers never showed %d accepted payloads of field %s (e.g. %d: %q)", kind, len(missing), fl,
				missing[0], truncate(f.corpus[missing[0]], 80))
		}
	}
}

// pagerRE finds an HTML list's link to its next page.
var pagerRE = regexp.MustCompile(`<nav class="pager"[^>]*><a [^>]*href="([^"]+)"`)

// TestXSSCorpus writes every payload of the corpus through every text
// field (folded onto one line for one-line fields), requires the API to
// accept nearly all of them per field, then reads everything back, JSON
// and HTML: every list paged through to its end, every thread, group,
// member and calendar file, the notifications, the moderation queue and
// log. No answer may hold executable content, and each kind of answer
// must have shown every accepted payload of each field it shows.
func TestXSSCorpus(t *testing.T) {
	corpus := xssCorpus()
	if len(corpus) < 500 {
		t.Fatalf("corpus has %d payloads, want at least 500", len(corpus))
	}
	const baseURL = "http://settlenet.test"
	eng := transporttest.New(t, transporttest.Options{Pages: true, BaseURL: baseURL, AdminEmails: []string{adminEmail}})
	e := &env{t: t, store: eng.Store, svc: eng.Service, runner: eng.Runner, tally: eng.Tally, handler: eng.Handler}
	start := time.Now()
	f := newXSSFixture(t, e, corpus)
	t.Logf("wrote the corpus in %v", time.Since(start))

	// Per-field acceptance: a validator that refuses the corpus (as titles
	// refused newlines) would leave the reads below with nothing to check.
	for _, fl := range xssFields {
		if got, want := f.accepted[fl].count(), len(corpus)*9/10; got < want {
			t.Errorf("field %s: only %d of %d payloads accepted, want at least %d; e.g. %v", fl, got, len(corpus), want, f.refused[fl])
		}
	}
	if got := f.accepted[fProvince].count(); got != 0 {
		t.Errorf("province: %d payloads accepted as a province code", got)
	}

	s := &seen{n: len(corpus), by: map[string]map[string]bits{}}
	anon := e.anon()
	get := func(c *client, path string) resp {
		r := c.do("GET", path, nil)
		if r.code != 200 {
			t.Errorf("GET %s: %d: %.300s", path, r.code, r.body)
		}
		return r
	}
	readJSON := func(c *client, path string) {
		r := get(c, path)
		checkJSON(t, "GET "+path, r.body)
		s.scan("json", r.body)
	}
	// pageJSON reads a JSON list to its end.
	pageJSON := func(c *client, path string) {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		cursor := ""
		for n := 0; n < 200; n++ {
			p := path + sep + "limit=100"
			if cursor != "" {
				p += "&cursor=" + url.QueryEscape(cursor)
			}
			r := get(c, p)
			checkJSON(t, "GET "+p, r.body)
			s.scan("json", r.body)
			var v struct {
				NextCursor string `json:"next_cursor"`
			}
			_ = json.Unmarshal(r.body, &v)
			if cursor = v.NextCursor; cursor == "" {
				return
			}
		}
		t.Errorf("GET %s: more than 200 pages", path)
	}
	readPage := func(c *client, kind, path string) resp {
		r := get(c, path)
		if ct := r.hdr.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
			t.Errorf("GET %s: Content-Type %q", path, ct)
		}
		checkPage(t, "GET "+path, r.body)
		s.scan(kind, r.body)
		return r
	}
	// pageHTML reads an HTML list to its end through its pager links.
	pageHTML := func(c *client, kind, path string) {
		for n := 0; path != "" && n < 200; n++ {
			r := readPage(c, kind, path)
			path = ""
			if m := pagerRE.FindSubmatch(r.body); m != nil {
				path = html.UnescapeString(string(m[1]))
			}
		}
		if path != "" {
			t.Errorf("%s: more than 200 pages", kind)
		}
	}

	start = time.Now()
	t.Run("json", func(t *testing.T) {
		for _, l := range []struct {
			c    *client
			path string
		}{
			{f.admin, "/api/v1/groups"}, {anon, "/api/v1/groups"}, {f.admin, "/api/v1/threads"},
			{f.admin, "/api/v1/threads?kind=event"}, {f.admin, "/api/v1/threads?kind=resource"}, {f.admin, "/api/v1/threads?kind=job"},
			{f.admin, "/api/v1/members"}, {f.admin, "/api/v1/moderation/queue"}, {f.author, "/api/v1/moderation/queue"},
			{f.admin, "/api/v1/moderation/log"}, {f.author, "/api/v1/notifications"}, {f.admin, "/api/v1/groups/" + f.commons + "/members"},
			{f.author, "/api/v1/groups/" + f.requests + "/requests"},
		} {
			pageJSON(l.c, l.path)
		}
		parallel(len(corpus), 2, func(_, i int) {
			admin := clone(f.admin)
			for _, th := range []string{f.events[i], f.resources[i], f.jobs[i], f.edEvents[i], f.edResources[i], f.edJobs[i]} {
				readJSON(admin, "/api/v1/threads/"+th+"?limit=200")
			}
			edICS := get(admin, "/api/v1/threads/"+f.edEvents[i]+"/event.ics")
			checkICS(t, "edited event.ics of payload "+strconv.Itoa(i), edICS, baseURL)
			s.scan("ics", edICS.body)
			readJSON(anon, "/api/v1/threads/"+f.events[i])
			readJSON(clone(f.author), "/api/v1/threads/"+f.events[i]+"/attendees")
			ics := get(admin, "/api/v1/threads/"+f.events[i]+"/event.ics")
			checkICS(t, "event.ics of payload "+strconv.Itoa(i), ics, baseURL)
			s.scan("ics", ics.body)
			readJSON(admin, "/api/v1/members/"+f.members[i].id)
			readJSON(f.members[i], "/api/v1/me")
			readJSON(admin, "/api/v1/groups/"+f.groups[i])
			readJSON(admin, "/api/v1/groups/"+f.groups[i]+"/threads")
			readJSON(admin, "/api/v1/groups/"+f.groups[i]+"/members")
		})
		for _, th := range f.links {
			readJSON(f.admin, "/api/v1/threads/"+th)
		}
		// Every accepted payload of every field is read back somewhere
		// (the registration name was replaced by PATCH /me's, the group's
		// first name, description and topics by PATCH /groups/{id}'s; the
		// flag on the opening post was resolved, so it shows in no list).
		var fields []string
		for _, fl := range xssFields {
			switch fl {
			case fRegName, fFlagOpening, fGroupName, fGroupDesc, fTopics:
			default:
				fields = append(fields, fl)
			}
		}
		s.expect(t, f, "json", fields...)
		s.expect(t, f, "ics", fEventTitle, fLocation, fOnlineURL, fEdEvTitle, fEdLocation, fEdOnlineURL)
	})
	t.Logf("read the JSON in %v", time.Since(start))

	start = time.Now()
	t.Run("pages", func(t *testing.T) {
		for _, l := range []struct {
			c          *client
			kind, path string
		}{
			{f.admin, "groups", "/groups"}, {f.admin, "group-members", "/groups/" + f.commons + "/members"},
			{f.admin, "members", "/members"}, {f.admin, "admin-members", "/admin/members"},
			{f.author, "notifications", "/notifications"}, {f.admin, "queue", "/moderation"}, {f.author, "queue-owner", "/moderation"},
			{f.admin, "modlog", "/moderation/log"}, {f.admin, "events", "/events"}, {f.admin, "resources", "/resources"},
			{f.admin, "jobs", "/jobs"}, {anon, "events-visitor", "/events"}, {f.admin, "events-past", "/events?when=past"},
			{f.admin, "events-mine", "/events?mine=1&language=en"},
			{f.admin, "home", "/"}, {f.author, "home", "/"}, {anon, "home", "/"}, {f.members[0], "home", "/"},
		} {
			pageHTML(l.c, l.kind, l.path)
		}
		parallel(len(corpus), 2, func(_, i int) {
			admin := clone(f.admin)
			for _, th := range []string{f.events[i], f.resources[i], f.jobs[i], f.edEvents[i], f.edResources[i], f.edJobs[i]} {
				readPage(admin, "thread", "/threads/"+th)
			}
			if i%10 == 0 {
				readPage(f.author, "edit-page", "/threads/"+f.edEvents[i]+"/edit")
				readPage(f.author, "edit-page", "/threads/"+f.edResources[i]+"/edit")
				readPage(f.author, "edit-page", "/threads/"+f.edJobs[i]+"/edit")
				readPage(anon, "thread-visitor", "/threads/"+f.events[i])
				readPage(f.members[i], "thread-member", "/threads/"+f.events[i])
				readPage(f.members[i], "new-thread", "/groups/"+f.groups[i]+"/threads/new")
			}
			// A reply's edit page (a moderator's: the thread is locked),
			// the stored Markdown in its textarea; its author's
			// confirmation page, quoting its start.
			if f.replies[i] != "" {
				readPage(admin, "post-edit-page", "/posts/"+f.replies[i]+"/edit")
				if i%10 == 0 {
					readPage(f.members[i], "post-delete-page", "/posts/"+f.replies[i]+"/delete")
				}
			}
			readPage(admin, "group", "/groups/"+f.groups[i])
			readPage(clone(f.author), "group-settings", "/groups/"+f.groups[i]+"/settings")
			readPage(admin, "profile", "/members/"+f.members[i].id)
			readPage(f.members[i], "settings", "/settings")
		})
		for _, th := range f.links {
			readPage(f.admin, "thread", "/threads/"+th)
		}
		// The list filters show the tag asked for back in their form and
		// links: every payload as the events' tag, some on the others.
		parallel(len(corpus), 2, func(_, i int) {
			tag := url.QueryEscape(corpus[i])
			readPage(f.author, "filters", "/events?when=past&mine=1&tag="+tag)
			if i%10 == 0 {
				readPage(f.author, "filters", "/resources?language=fr&tag="+tag)
				readPage(anon, "filters", "/jobs?closed=1&tag="+tag)
			}
		})
		s.expect(t, f, "post-edit-page", fReply)
		s.expect(t, f, "thread", fEventTitle, fEventBody, fEventTags, fLocation, fOnlineURL, fResTitle, fResBody, fResTags,
			fResURL, fFormat, fJobTitle, fJobBody, fJobTags, fJobOrg, fJobLocation, fSalary, fApplyURL, fDisplayName, fReply, fEdit,
			fEdEvTitle, fEdEvTags, fEdLocation, fEdOnlineURL, fEdResTitle, fEdResTags, fEdResURL, fEdFormat,
			fEdJobTitle, fEdJobOrg, fEdJobLocation, fEdSalary, fEdApplyURL)
		s.expect(t, f, "group", fGroupRename, fGroupRedesc, fGroupRetopic, fEventTitle, fResTitle, fJobTitle)
		s.expect(t, f, "group-settings", fGroupRename, fGroupRedesc, fGroupRetopic)
		s.expect(t, f, "groups", fGroupRename)
		s.expect(t, f, "group-members", fDisplayName, fOrganization)
		s.expect(t, f, "members", fDisplayName, fOrganization)
		s.expect(t, f, "admin-members", fDisplayName, fOrganization)
		s.expect(t, f, "profile", fDisplayName, fOrganization, fBio)
		s.expect(t, f, "settings", fDisplayName, fOrganization, fBio)
		s.expect(t, f, "notifications", fDisplayName, fEventTitle)
		s.expect(t, f, "queue", fFlag)
		s.expect(t, f, "modlog", fHide, fLock, fRemove, fReject, fSuspend, fReinstate, fResolve)
		s.expect(t, f, "events", fEventTitle, fLocation, fEdEvTitle, fEdLocation)
		s.expect(t, f, "resources", fResTitle, fFormat, fEdResTitle, fEdFormat)
		s.expect(t, f, "jobs", fJobTitle, fJobOrg, fJobLocation, fEdJobTitle, fEdJobOrg, fEdJobLocation)
	})
	t.Logf("read the pages in %v", time.Since(start))

	// The forms that show back what was typed: the Markdown previews (the
	// pages render those themselves), and a new thread of each kind, a
	// group's settings and the member's settings, refused for one bad
	// field and shown again with the payloads in their inputs. None of it
	// writes.
	start = time.Now()
	t.Run("forms", func(t *testing.T) {
		before := logLength(t, e.store)
		// Two workers, each with its browsers (a browser keeps cookies).
		var bs, mbs [2]*browser
		var toks, mtoks [2]string
		for w := range 2 {
			bs[w], mbs[w] = browserOf(f.author), browserOf(f.members[w])
			toks[w], mtoks[w] = bs[w].token(t, "/"), mbs[w].token(t, "/settings")
		}
		post := func(b *browser, kind, path string, form url.Values, want int) {
			r := b.do("POST", path, form, nil)
			if r.code != want {
				t.Errorf("POST %s: %d, want %d: %.300s", path, r.code, want, r.body)
			}
			if kind == "preview-json" {
				checkJSON(t, "POST "+path, r.body)
			} else {
				checkPage(t, "POST "+path, r.body)
			}
			s.scan(kind, r.body)
		}
		parallel(len(corpus), 2, func(w, i int) {
			p, b, mb, tok, mtok := corpus[i], bs[w], mbs[w], toks[w], mtoks[w]
			post(b, "preview-json", "/preview", url.Values{"csrf": {tok}, "body": {multiLine(fReply, i, p)}}, 200)
			post(b, "preview-page", "/threads/"+f.resources[i]+"/replies", url.Values{"csrf": {tok}, "action": {"preview"},
				"body": {multiLine(fReply, i, p)}, "language": {"en"}}, 200)
			common := url.Values{"csrf": {tok}, "body": {""}, "language": {"en"}} // no body: refused
			ev := url.Values{"kind": {"event"}, "title": {oneLine(fEventTitle, i, p, domain.MaxTitle)},
				"tags": {strings.Join(tagList(fEventTags, i, p), ", ")}, "starts_at": {"2030-01-01T10:00"},
				"location": {oneLine(fLocation, i, p, domain.MaxLocation)}, "online_url": {urlOf(fOnlineURL, i, p)}}
			res := url.Values{"kind": {"resource"}, "title": {oneLine(fResTitle, i, p, domain.MaxTitle)},
				"resource_url": {urlOf(fResURL, i, p)}, "resource_format": {oneLine(fFormat, i, p, domain.MaxFormat)}}
			job := url.Values{"kind": {"job"}, "title": {oneLine(fJobTitle, i, p, domain.MaxTitle)},
				"job_organization": {oneLine(fJobOrg, i, p, domain.MaxOrganization)}, "job_location": {oneLine(fJobLocation, i, p, domain.MaxLocation)},
				"job_salary": {oneLine(fSalary, i, p, domain.MaxSalary)}, "job_apply_url": {urlOf(fApplyURL, i, p)}}
			for _, form := range []url.Values{ev, res, job} {
				for k, v := range common {
					form[k] = v
				}
				post(b, "thread-form", "/groups/"+f.groups[i]+"/threads", form, 422)
			}
			post(b, "group-settings-form", "/groups/"+f.groups[i]+"/settings", url.Values{"csrf": {tok}, "language": {"en"}, "province": {"XX"},
				"name": {oneLine(fGroupRename, i, p, domain.MaxGroupName)}, "description": {multiLine(fGroupRedesc, i, p)},
				"topics": {strings.Join(tagList(fGroupRetopic, i, p), ", ")}}, 422)
			// The edit forms, refused for one field the form cannot read,
			// shown again with the payloads in their inputs.
			post(b, "edit-form", "/threads/"+f.edEvents[i]+"/edit", url.Values{"csrf": {tok}, "title": {oneLine(fEdEvTitle, i, p, domain.MaxTitle)},
				"tags": {strings.Join(tagList(fEdEvTags, i, p), ", ")}, "starts_at": {"2030-01-01T10:00"}, "ends_at": {"not a time"},
				"location": {oneLine(fEdLocation, i, p, domain.MaxLocation)}, "online_url": {urlOf(fEdOnlineURL, i, p)}}, 422)
			post(b, "edit-form", "/threads/"+f.edResources[i]+"/edit", url.Values{"csrf": {tok}, "title": {oneLine(fEdResTitle, i, p, domain.MaxTitle)},
				"tags": {strings.Join(tagList(fEdResTags, i, p), ", ")}, "resource_url": {"ftp://" + mark(fEdResURL, i)},
				"resource_format": {oneLine(fEdFormat, i, p, domain.MaxFormat)}}, 422)
			post(b, "edit-form", "/threads/"+f.edJobs[i]+"/edit", url.Values{"csrf": {tok}, "title": {oneLine(fEdJobTitle, i, p, domain.MaxTitle)},
				"job_organization": {oneLine(fEdJobOrg, i, p, domain.MaxOrganization)}, "job_location": {oneLine(fEdJobLocation, i, p, domain.MaxLocation)},
				"job_salary": {oneLine(fEdSalary, i, p, domain.MaxSalary)}, "job_deadline": {"not a date"}, "job_apply_url": {urlOf(fEdApplyURL, i, p)}}, 422)
			// A reply's edit form (its group's owner moderates it): the
			// payload previewed, and refused as too long, shown again.
			if edit := "/posts/" + f.replies[i] + "/edit"; f.replies[i] != "" {
				post(b, "post-edit-preview", edit, url.Values{"csrf": {tok}, "action": {"preview"}, "body": {multiLine(fReply, i, p)}}, 200)
				post(b, "post-edit-form", edit, url.Values{"csrf": {tok},
					"body": {multiLine(fReply, i, p) + "\n\n" + strings.Repeat("x", domain.MaxBodyBytes)}}, 422)
			}
			post(mb, "settings-form", "/settings", url.Values{"csrf": {mtok}, "language": {"en"}, "province": {"XX"},
				"display_name": {oneLine(fDisplayName, i, p, domain.MaxDisplayName)},
				"organization": {oneLine(fOrganization, i, p, domain.MaxOrganization)}, "bio": {multiLine(fBio, i, p)}}, 422)
		})
		if after := logLength(t, e.store); after != before {
			t.Errorf("previews and refused forms wrote %d events", after-before)
		}
		all := map[string]bits{}
		for _, fl := range xssFields {
			all[fl] = make(bits, len(corpus))
			for i := range all[fl] {
				all[fl][i] = true
			}
		}
		every := &xssFixture{corpus: corpus, accepted: all}
		s.expect(t, every, "preview-json", fReply)
		s.expect(t, every, "preview-page", fReply)
		s.expect(t, f, "post-edit-preview", fReply)
		s.expect(t, f, "post-edit-form", fReply)
		s.expect(t, every, "thread-form", fEventTitle, fEventTags, fLocation, fOnlineURL, fResTitle, fResURL, fFormat,
			fJobTitle, fJobOrg, fJobLocation, fSalary, fApplyURL)
		s.expect(t, every, "settings-form", fDisplayName, fOrganization, fBio)
		s.expect(t, every, "group-settings-form", fGroupRename, fGroupRedesc, fGroupRetopic)
		s.expect(t, every, "edit-form", fEdEvTitle, fEdEvTags, fEdLocation, fEdOnlineURL, fEdResTitle, fEdResTags, fEdResURL, fEdFormat,
			fEdJobTitle, fEdJobOrg, fEdJobLocation, fEdSalary, fEdApplyURL)
	})
	t.Logf("sent the forms in %v", time.Since(start))
}
