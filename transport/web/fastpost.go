package web

import (
	"html"
	"html/template"
	"strings"

	"github.com/settlenet/settlenet/projections"
)

// The posts of a thread are the bulk of its page (20 and more, each with
// its reaction, report and moderation forms). html/template reaches every
// method and field by reflection, which made a 20-reply page cost about
// 1.5 ms; writing the posts here, with the same escaping (text and
// attribute values through html.EscapeString, the sanitised body as is),
// keeps the page well under the latency budget. The markup matches
// partials.html's "post", which the opening post still uses.

// Posts renders a list of replies as <li> items.
func (v *view) Posts(posts []projections.Post, d *threadPage) template.HTML {
	var b strings.Builder
	b.Grow(len(posts) * 2600)
	perms := postPerms{Member: d.IsMember, Moderator: d.Moderator}
	for i := range posts {
		b.WriteString("<li>")
		v.writePost(&b, &posts[i], perms)
		b.WriteString("</li>\n")
	}
	return template.HTML(b.String())
}

func (v *view) writePost(b *strings.Builder, p *projections.Post, d postPerms) {
	esc := html.EscapeString
	id := esc(p.ID)
	b.WriteString(`<article class="post`)
	if p.Hidden {
		b.WriteString(` post-hidden`)
	}
	b.WriteString(`" id="post-` + id + `" tabindex="-1">`)
	switch {
	case p.Deleted:
		b.WriteString(`<p class="muted">` + esc(v.T("web.post.deleted")) + `</p></article>`)
		return
	case p.Hidden && p.Author == nil:
		b.WriteString(`<p class="muted">` + esc(v.T("web.post.hidden")) + `</p></article>`)
		return
	}
	b.WriteString(`<header class="post-meta">`)
	if p.Author != nil {
		b.WriteString(`<a class="author" href="/members/` + esc(p.Author.ID) + `">` + esc(p.Author.DisplayName) + `</a>`)
	}
	b.WriteString(` <span aria-hidden="true">·</span> <time datetime="` + v.ISO(p.CreatedAt) + `">` + esc(v.DateTime(p.CreatedAt)) + `</time>`)
	b.WriteString(` <span aria-hidden="true">·</span> <span class="lang-tag"><span class="visually-hidden">` + esc(v.T("web.post.language")) +
		` </span>` + esc(v.LangName(p.Language)) + `</span>`)
	if p.EditedAt != nil {
		b.WriteString(` <span class="muted">(` + esc(v.T("web.post.edited")) + `)</span>`)
	}
	if p.Hidden {
		b.WriteString(` <strong class="badge badge-warn">` + esc(v.T("web.post.hidden_mod")) + `</strong>`)
		if p.HiddenReason != "" {
			b.WriteString(` <span class="muted">` + esc(p.HiddenReason) + `</span>`)
		}
	}
	b.WriteString(`</header><div class="post-body" lang="` + esc(p.Language) + `">` + p.BodyHTML + `</div><div class="post-actions">`)
	csrf := `<input type="hidden" name="csrf" value="` + esc(v.CSRF) + `">`
	if d.Member {
		b.WriteString(`<ul class="reactions" aria-label="` + esc(v.T("web.reaction.label")) + `">`)
		for _, k := range v.Reactions() {
			pressed := "false"
			if v.Has(p.MyReactions, k) {
				pressed = "true"
			}
			b.WriteString(`<li><form method="post" action="/posts/` + id + `/react">` + csrf + `<input type="hidden" name="kind" value="` + k +
				`"><button type="submit" class="reaction" aria-pressed="` + pressed + `">` + esc(v.T("web.reaction."+k)) +
				` <span class="reaction-count">` + v.Int(p.Reactions[k]) + `</span></button></form></li>`)
		}
		b.WriteString(`</ul><details class="inline-details"><summary>` + esc(v.T("web.post.flag")) + `</summary><form method="post" action="/posts/` + id +
			`/flag" class="stack">` + csrf + `<label for="flag-` + id + `">` + esc(v.T("web.label.flag_reason")) + `</label><input id="flag-` + id +
			`" name="reason" required maxlength="1000"><button type="submit" class="button button-secondary">` + esc(v.T("web.post.flag_submit")) +
			`</button></form></details>`)
		if d.Moderator {
			if p.Hidden {
				b.WriteString(`<form method="post" action="/posts/` + id + `/restore" class="inline">` + csrf +
					`<input type="hidden" name="reason" value="restored"><button type="submit" class="button button-secondary">` +
					esc(v.T("web.post.restore")) + `</button></form>`)
			} else {
				b.WriteString(`<details class="inline-details"><summary>` + esc(v.T("web.post.hide")) + `</summary><form method="post" action="/posts/` + id +
					`/hide" class="stack">` + csrf + `<label for="hide-` + id + `">` + esc(v.T("web.label.hide_reason")) + `</label><input id="hide-` + id +
					`" name="reason" required maxlength="1000"><button type="submit" class="button button-warn">` + esc(v.T("web.post.hide_submit")) +
					`</button></form></details>`)
			}
		}
	} else if len(p.Reactions) > 0 {
		b.WriteString(`<p class="muted">`)
		for _, k := range v.Reactions() {
			if n := p.Reactions[k]; n > 0 {
				b.WriteString(esc(v.T("web.reaction."+k)) + " " + v.Int(n) + " ")
			}
		}
		b.WriteString(`</p>`)
	}
	b.WriteString(`</div></article>`)
}

// Cards renders thread cards (lists on the group and home pages), the same
// markup as partials.html's "card", for the same reason as Posts.
func (v *view) Cards(threads []projections.Thread, groups map[string]string) template.HTML {
	var b strings.Builder
	b.Grow(len(threads) * 900)
	esc := html.EscapeString
	for i := range threads {
		t := &threads[i]
		b.WriteString(`<article class="card thread-card"><h3 class="card-title"><a href="/threads/` + esc(t.ID) + `" lang="` + esc(t.Language) + `">` +
			esc(t.Title) + `</a></h3><p class="meta"><span class="badge badge-` + esc(t.Kind) + `">` + esc(v.T("web.kind."+t.Kind)) + `</span> `)
		if t.Pinned {
			b.WriteString(`<span class="badge">` + esc(v.T("web.thread.pinned")) + `</span> `)
		}
		if t.Locked {
			b.WriteString(`<span class="badge">` + esc(v.T("web.thread.locked")) + `</span> `)
		}
		b.WriteString(`<span class="lang-tag">` + esc(v.LangName(t.Language)) + `</span>`)
		if g := groups[t.GroupID]; g != "" {
			b.WriteString(` · <a href="/groups/` + esc(t.GroupID) + `">` + esc(g) + `</a>`)
		}
		b.WriteString(`</p>`)
		if t.Event != nil {
			b.WriteString(`<p class="meta"><strong>` + esc(v.T("web.event.when")) + `</strong> <time datetime="` + v.ISO(t.Event.StartsAt) + `">` +
				esc(v.DateTime(t.Event.StartsAt)) + `</time>`)
			if t.Event.Location != "" {
				b.WriteString(` · ` + esc(t.Event.Location))
			}
			if t.Event.OnlineURL != "" {
				b.WriteString(` · ` + esc(v.T("web.event.online")))
			}
			b.WriteString(`</p>`)
		}
		if t.Resource != nil && t.Resource.Format != "" {
			b.WriteString(`<p class="meta">` + esc(v.T("web.resource.format")) + `: ` + esc(t.Resource.Format) + `</p>`)
		}
		if j := t.Job; j != nil {
			b.WriteString(`<p class="meta">` + esc(j.Organization))
			if j.Location != "" {
				b.WriteString(` · ` + esc(j.Location))
			}
			if j.EmploymentType != "" {
				b.WriteString(` · ` + esc(v.T("web.job.type_"+j.EmploymentType)))
			}
			if j.Deadline != "" {
				b.WriteString(` · ` + esc(v.T("web.label.job_deadline")) + ` <time datetime="` + esc(j.Deadline) + `">` + esc(v.Day(j.Deadline)) + `</time>`)
			}
			b.WriteString(`</p>`)
		}
		b.WriteString(`<p class="meta">` + esc(t.Author.DisplayName) + ` · ` + esc(v.TN("web.thread.replies_n", t.ReplyCount)) + ` · ` +
			esc(v.T("web.thread.last_activity")) + ` <time datetime="` + v.ISO(t.LastActivityAt) + `">` + esc(v.Date(t.LastActivityAt)) + `</time></p></article>` + "\n")
	}
	return template.HTML(b.String())
}
