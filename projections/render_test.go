package projections

import (
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// xssCorpus: payloads that must never come out executable.
var xssCorpus = []string{
	`<script>alert(1)</script>`,
	`<SCRIPT SRC=//evil.example/x.js></SCRIPT>`,
	`[click](javascript:alert(1))`,
	`[click](JaVaScRiPt:alert(1))`,
	`[click](java&#x09;script:alert(1))`,
	`[click](  javascript:alert(1)  )`,
	`[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
	`![img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
	`![img](data:image/png;base64,iVBORw0KGgo=)`,
	`![x](javascript:alert(1))`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)><circle r=1/></svg>`,
	`<svg><script>alert(1)</script></svg>`,
	`<iframe src="https://evil.example"></iframe>`,
	`<object data="x.swf"></object><embed src=x.swf>`,
	`<style>body{background:url(javascript:alert(1))}</style>`,
	`<a href="javascript:alert(1)">x</a>`,
	`<a href="https://ok.example" onclick="alert(1)">x</a>`,
	`<div style="background:url(javascript:alert(1))">x</div>`,
	`<p onmouseover="alert(1)">hover</p>`,
	"**<img src=x onerror=alert(1)>**",
	"> <script>alert(1)</script>\n> - [a](javascript:alert(1))",
	"- [ ] <svg/onload=alert(1)>\n  - *[nested](javascript:alert(1))*",
	"`<script>` and ```\n<script>alert(1)</script>\n```",
	`<javascript:alert(1)>`,
	`<https://ok.example/?q="><script>alert(1)</script>>`,
	`[a](<javascript:alert(1)>)`,
	`[a][ref]` + "\n\n[ref]: javascript:alert(1)",
	`[a](vbscript:msgbox(1))`,
	`[a](file:///etc/passwd)`,
	`<math><mi xlink:href="javascript:alert(1)">x</mi></math>`,
	`<form action="javascript:alert(1)"><button>x</button></form>`,
	`<input onfocus=alert(1) autofocus>`,
	`<details open ontoggle=alert(1)>`,
	`<base href="javascript:/">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<link rel=stylesheet href=javascript:alert(1)>`,
	"| a | b |\n|---|---|\n| <script>alert(1)</script> | [x](javascript:alert(1)) |",
	`~~<img src=x onerror=alert(1)>~~`,
	"www.example.org/<script>alert(1)</script>",
	`&lt;script&gt;alert(1)&lt;/script&gt;`,
	`<!--<script>alert(1)//-->`,
	`<noscript><p title="</noscript><img src=x onerror=alert(1)>">`,
	`"><svg/onload=alert(1)>`,
	`' onmouseover='alert(1)`,
}

// assertSafe parses the HTML and fails on anything executable.
func assertSafe(t *testing.T, input, out string) {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(out))
	if err != nil {
		t.Fatalf("parse %q: %v", out, err)
	}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script", "svg", "iframe", "object", "embed", "style", "math", "form", "input", "base", "meta", "link", "noscript", "button":
				t.Errorf("input %q gave <%s> in %q", input, n.Data, out)
			}
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				val := strings.ToLower(strings.Join(strings.Fields(a.Val), ""))
				if strings.HasPrefix(key, "on") || key == "style" {
					t.Errorf("input %q gave attribute %s in %q", input, a.Key, out)
				}
				if (key == "href" || key == "src" || key == "action" || key == "xlink:href") &&
					(strings.HasPrefix(val, "javascript:") || strings.HasPrefix(val, "data:") || strings.HasPrefix(val, "vbscript:") || strings.HasPrefix(val, "file:")) {
					t.Errorf("input %q gave %s=%q in %q", input, a.Key, a.Val, out)
				}
				if key == "href" && n.Data == "a" && !strings.Contains(attr(n, "rel"), "nofollow") {
					t.Errorf("input %q gave a link without rel=nofollow: %q", input, out)
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func TestRenderedBodiesAreSafe(t *testing.T) {
	r := newRenderer()
	n := 0
	for _, p := range xssCorpus {
		// Each payload alone, wrapped in prose, and nested in Markdown.
		for _, in := range []string{p, "Intro text " + p + " outro", "> " + p, "- " + p, "**" + p + "**", "[" + p + "](https://ok.example)", "# " + p} {
			assertSafe(t, in, r.render(in))
			n++
		}
	}
	if n < 300 {
		t.Fatalf("only %d inputs", n)
	}
	out := r.render("[ok](https://settlenet.org/x)")
	if !strings.Contains(out, `rel="nofollow noopener"`) || !strings.Contains(out, `href="https://settlenet.org/x"`) {
		t.Errorf("external link: %q", out)
	}
}

// The fast path for plain prose must give what the full path gives.
func TestPlainFastPathMatchesFull(t *testing.T) {
	r := newRenderer()
	alphabet := []string{"a", "B", "é", "Ç", " ", " ", "\n", "\n\n", ".", ",", ";", "'", "\"", "-", "+", "1", "2)", "(", ")", "!", "?", "#", "=", ":", "/", "w", "%", "$", "œ", "l'école", "www", " \n"}
	rng := rand.New(rand.NewPCG(1, 2))
	fast := 0
	for range 20000 {
		var sb strings.Builder
		for range 1 + rng.IntN(30) {
			sb.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		in := sb.String()
		got, ok := renderPlain(in)
		if !ok {
			continue
		}
		fast++
		if want := r.renderFull(in); got != want {
			t.Fatalf("input %q: fast %q, full %q", in, got, want)
		}
	}
	if fast < 500 {
		t.Fatalf("fast path taken only %d times", fast)
	}
}
