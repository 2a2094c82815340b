package web_test

import (
	"context"
	"io"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/settlenet/settlenet/domain"
)

// The pages written in Go (layout, thread, group) escape what members
// write wherever it lands: text, attributes, URLs. Hostile names, titles,
// tags, places, reasons and bodies leave no element, handler or script
// URL of their own in the page, and show as text.
func TestGoPagesEscapeHostileText(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	const evil = `"><script>alert(1)</script><img src=x onerror=alert(1)>' onmouseover='alert(1)`
	mod := e.browser("en")
	mod.register(`Mo "><img src=x onerror=alert(1)>`, "mo@settlenet.test", "en")
	modID := e.memberID("mo@settlenet.test")
	must := func(res domain.Result, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		e.wait(res.Append.Position)
	}
	g, err := e.svc.CreateGroup(ctx, domain.Origin{Actor: modID}, domain.CreateGroup{Name: "G " + evil[:60], Description: evil,
		Visibility: domain.VisibilityOpen, Language: "bilingual", Topics: []string{`t"><b>`}, Province: "ON"})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(g.Append.Position)
	th, err := e.svc.StartThread(ctx, domain.Origin{Actor: modID}, domain.StartThread{GroupID: g.GroupID, Title: "T " + evil,
		Body: "Body " + evil, Language: "en", Kind: domain.KindEvent, Tags: []string{`x"><b>`},
		Event: &domain.EventDetails{StartsAt: time.Now().Add(48 * time.Hour), Location: evil}})
	if err != nil {
		t.Fatal(err)
	}
	e.wait(th.Append.Position)
	r := e.reply(modID, th.ThreadID, "Reply "+evil)
	must(e.svc.HidePost(ctx, domain.Origin{Actor: modID}, r, "Reason "+evil))
	visitor := e.browser("fr")
	for _, c := range []struct {
		who  string
		b    *browser
		path string
	}{
		{"moderator", mod, "/threads/" + th.ThreadID}, {"visitor", visitor, "/threads/" + th.ThreadID},
		{"moderator", mod, "/groups/" + g.GroupID}, {"visitor", visitor, "/groups/" + g.GroupID},
		{"moderator", mod, "/threads/" + th.ThreadID + "?cursor=" + url.QueryEscape(evil)},
	} {
		p := c.b.get(c.path)
		if !strings.Contains(p.body, "&lt;script&gt;alert(1)&lt;/script&gt;") && p.status == 200 {
			t.Errorf("%s %s: the hostile text is not shown as text", c.who, c.path)
		}
		scripts := 0
		z := html.NewTokenizer(strings.NewReader(p.body))
		for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
			if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
				continue
			}
			tok := z.Token()
			if tok.Data == "script" {
				scripts++
			}
			if tok.Data == "img" || tok.Data == "iframe" || tok.Data == "svg" {
				t.Errorf("%s %s: element <%s> in the page", c.who, c.path, tok.Data)
			}
			for _, a := range tok.Attr {
				k, v := strings.ToLower(a.Key), strings.ToLower(strings.TrimSpace(a.Val))
				if strings.HasPrefix(k, "on") || k == "style" {
					t.Errorf("%s %s: attribute %s=%q on <%s>", c.who, c.path, a.Key, a.Val, tok.Data)
				}
				if (k == "href" || k == "src" || k == "action") && strings.HasPrefix(v, "javascript:") {
					t.Errorf("%s %s: %s=%q", c.who, c.path, a.Key, a.Val)
				}
			}
		}
		if err := z.Err(); err != io.EOF {
			t.Errorf("%s %s: %v", c.who, c.path, err)
		}
		if scripts != 1 {
			t.Errorf("%s %s: %d script elements, want the site's one", c.who, c.path, scripts)
		}
	}
	// Tags lead to a search for them, topics to the groups on them, the
	// hostile ones included.
	mustContain(t, "thread", visitor.get("/threads/"+th.ThreadID), `<a class="tag" href="/search?tag=x%22%3e%3cb%3e&amp;type=thread">x&#34;&gt;&lt;b&gt;</a>`)
	mustContain(t, "groups", visitor.get("/groups"), `<a class="tag" href="/groups?topic=t%22%3e%3cb%3e">t&#34;&gt;&lt;b&gt;</a>`)
	mustContain(t, "group", visitor.get("/groups/"+g.GroupID), `<a href="/groups?topic=t%22%3e%3cb%3e">t&#34;&gt;&lt;b&gt;</a>`)
}
