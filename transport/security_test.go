package transport_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
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

// checkNoScript fails if an HTML fragment (a body_html) could run script:
// elements that execute or embed, event handler attributes, style
// attributes, or URLs with a scheme other than http, https and mailto.
func checkNoScript(t *testing.T, where, frag string) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(frag))
	for {
		switch z.Next() {
		case html.ErrorToken:
			if z.Err() != io.EOF {
				t.Errorf("%s: %v", where, z.Err())
			}
			return
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			switch tok.Data {
			case "script", "iframe", "object", "embed", "svg", "math", "style", "link", "meta", "base", "form", "input", "button", "video", "audio", "source", "details", "noscript", "textarea", "frame", "frameset":
				t.Errorf("%s: element <%s> survived: %s", where, tok.Data, frag)
			}
			for _, a := range tok.Attr {
				k := strings.ToLower(a.Key)
				if strings.HasPrefix(k, "on") || k == "style" || k == "formaction" || k == "srcdoc" {
					t.Errorf("%s: attribute %s survived: %s", where, k, frag)
				}
				if k == "href" || k == "src" || k == "action" || k == "xlink:href" || k == "background" {
					v := strings.ToLower(strings.TrimSpace(a.Val))
					if i := strings.IndexByte(v, ':'); i >= 0 && !strings.ContainsAny(v[:i], "/?#") {
						if s := v[:i]; s != "http" && s != "https" && s != "mailto" {
							t.Errorf("%s: %s with scheme %q survived: %s", where, k, s, frag)
						}
					}
				}
			}
		}
	}
}

// checkJSON: the raw answer has no unescaped markup characters (so a page
// that drops the JSON into a <script> block or sniffs it as HTML is safe),
// and every body_html in it is sanitised.
func checkJSON(t *testing.T, where string, body []byte) {
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
			if key == "body_html" {
				checkNoScript(t, where, x)
			}
		}
	}
	walk("", v)
}

// TestXSSCorpus posts every payload of the corpus through every text field
// and checks every JSON answer that shows it.
func TestXSSCorpus(t *testing.T) {
	corpus := xssCorpus()
	if len(corpus) < 500 {
		t.Fatalf("corpus has %d payloads, want at least 500", len(corpus))
	}
	e := newEnv(t, envOptions{limits: noLimits})
	admin := e.register("admin")
	author := e.register("Author")
	g := author.group("XSS lab", "open")
	admin.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
	tid := author.thread(g, "Target")["id"].(string)
	ev := author.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
		"title": "Event", "body": "b", "language": "en", "kind": "event",
		"event": map[string]any{"starts_at": time.Now().Add(48 * time.Hour)},
	}).obj(t)
	accepted := 0
	for i, p := range corpus {
		where := fmt.Sprintf("payload %d %q", i, truncate(p, 60))
		// Post bodies: a reply, then an edit of it.
		r := author.do("POST", "/api/v1/threads/"+tid+"/replies", map[string]any{"body": p, "language": "en"})
		checkJSON(t, where+" reply", r.body)
		if r.code == 201 {
			accepted++
			pid := r.obj(t)["id"].(string)
			checkJSON(t, where+" edit", author.do("PATCH", "/api/v1/posts/"+pid, map[string]any{"body": "edited " + p}).body)
			if i%5 == 0 {
				checkJSON(t, where+" flag", admin.do("POST", "/api/v1/posts/"+pid+"/flags", map[string]any{"reason": p}).body)
				checkJSON(t, where+" hide", admin.do("POST", "/api/v1/posts/"+pid+"/hide", map[string]any{"reason": p}).body)
			}
		}
		// One-line fields: thread titles, tags; group names, topics; names, organizations.
		line := truncate(strings.ReplaceAll(p, "\n", " "), 40)
		r = author.do("POST", "/api/v1/groups/"+g+"/threads", map[string]any{
			"title": truncate(p, 200), "body": p, "language": "fr", "tags": []string{line}, "kind": []string{"discussion", "resource", "job", "news"}[i%4],
		})
		checkJSON(t, where+" thread", r.body)
		if r.code == 201 {
			accepted++
			th := r.obj(t)
			if th["title"] != truncate(p, 200) {
				t.Errorf("%s: title not returned as text: %q", where, th["title"])
			}
		}
		if i%4 == 0 {
			r = author.do("POST", "/api/v1/groups", map[string]any{
				"name": truncate(p, 120), "description": p, "visibility": "open", "language": "bilingual", "topics": []string{line},
			})
			checkJSON(t, where+" group", r.body)
			if r.code == 201 && r.obj(t)["name"] != truncate(p, 120) {
				t.Errorf("%s: group name not returned as text", where)
			}
		}
		r = author.do("PATCH", "/api/v1/me", map[string]any{
			"display_name": truncate(strings.ReplaceAll(p, "\n", " "), 80), "organization": truncate(strings.ReplaceAll(p, "\n", " "), 200), "bio": p,
		})
		checkJSON(t, where+" profile", r.body)
	}
	if accepted < len(corpus) {
		t.Errorf("only %d payload posts accepted: the corpus should mostly be valid input", accepted)
	}
	// Every read that shows what was posted.
	reads := []string{
		"/api/v1/threads/" + tid + "?limit=200", "/api/v1/groups?limit=100", "/api/v1/groups/" + g + "/threads?limit=100",
		"/api/v1/threads?limit=100", "/api/v1/members?limit=100", "/api/v1/members/" + author.id, "/api/v1/me",
		"/api/v1/moderation/queue?limit=100", "/api/v1/moderation/log?limit=100", "/api/v1/notifications?limit=100",
		"/api/v1/groups/" + g + "/members", "/api/v1/threads/" + ev["id"].(string),
	}
	for _, c := range []*client{author, admin} {
		for _, path := range reads {
			r := c.must(200, "GET", path, nil)
			checkJSON(t, "GET "+path, r.body)
		}
	}
	// Paging through the whole thread covers every reply.
	cursor := ""
	for pages := 0; ; pages++ {
		var v struct {
			NextCursor string `json:"next_cursor"`
		}
		r := admin.must(200, "GET", "/api/v1/threads/"+tid+"?limit=200&cursor="+cursor, nil)
		checkJSON(t, "thread page", r.body)
		r.json(t, &v)
		if v.NextCursor == "" || pages > 20 {
			break
		}
		cursor = v.NextCursor
	}
}
