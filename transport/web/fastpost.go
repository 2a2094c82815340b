package web

import (
	"html/template"

	"github.com/settlenet/settlenet/projections"
)

// Posts and thread cards are the bulk of the thread, group and home pages
// (20 and more, each post with its reaction, report and moderation forms),
// so they are written in Go (see htmlw.go).

// Posts renders a list of replies as <li> items (for templates).
func (v *view) Posts(posts []projections.Post, d *threadPage) template.HTML {
	return v.part(func(w *htmlw) { w.posts(posts, d.perms()) })
}

// Post renders one post (the opening post, for templates).
func (v *view) Post(p *projections.Post, d *threadPage) template.HTML {
	return v.part(func(w *htmlw) { w.post(p, d.perms()) })
}

// reactionKinds and threadKinds are view.Reactions and view.Kinds without
// a new slice for each use.
var (
	reactionKinds = (*view).Reactions(nil)
	threadKinds   = (*view).Kinds(nil)
)

func (w *htmlw) posts(posts []projections.Post, perms postPerms) {
	for i := range posts {
		w.raw("<li>")
		w.post(&posts[i], perms)
		w.raw("</li>\n")
	}
}

// post writes one post: who and when, its language, its sanitised body,
// then what the viewer may do with it.
func (w *htmlw) post(p *projections.Post, d postPerms) {
	w.postID = p.ID
	w.raw(`<article class="post`)
	if p.Hidden {
		w.raw(` post-hidden`)
	}
	w.raw(`" id="post-`)
	w.text(p.ID)
	w.raw(`" tabindex="-1">`)
	switch {
	case p.Deleted:
		w.raw(`<p class="muted">`)
		w.T("web.post.deleted")
		w.raw(`</p></article>`)
		return
	case p.Hidden && p.Author == nil:
		w.raw(`<p class="muted">`)
		w.T("web.post.hidden")
		w.raw(`</p></article>`)
		return
	}
	w.raw(`<header class="post-meta">`)
	if p.Author != nil {
		w.raw(`<a class="author" href="/members/`)
		w.path(p.Author.ID)
		w.raw(`">`)
		w.text(p.Author.DisplayName)
		w.raw(`</a>`)
	}
	w.raw(` <span aria-hidden="true">·</span> <time datetime="`)
	w.iso(p.CreatedAt)
	w.raw(`">`)
	w.dateTime(p.CreatedAt)
	w.raw(`</time> <span aria-hidden="true">·</span> <span class="lang-tag"><span class="visually-hidden">`)
	w.T("web.post.language")
	w.raw(` </span>`)
	w.Tk("web.lang.", p.Language)
	w.raw(`</span>`)
	if p.EditedAt != nil {
		w.raw(` <span class="muted">(`)
		w.T("web.post.edited")
		w.raw(`)</span>`)
	}
	if p.Hidden {
		w.raw(` <strong class="badge badge-warn">`)
		w.T("web.post.hidden_mod")
		w.raw(`</strong>`)
		if p.HiddenReason != "" {
			w.raw(` <span class="muted">`)
			w.text(p.HiddenReason)
			w.raw(`</span>`)
		}
	}
	w.raw(`</header><div class="post-body" lang="`)
	w.text(p.Language)
	w.raw(`">`)
	w.raw(p.BodyHTML) // sanitised by the projections (goldmark, then bluemonday's UGC policy)
	w.raw(`</div><div class="post-actions">`)
	if d.Member {
		w.reactionForms(p)
		w.raw(`<details class="inline-details"><summary>`)
		w.T("web.post.flag")
		w.raw(`</summary>`)
		w.reasonForm(p.ID, "flag", "web.label.flag_reason", "button-secondary", "web.post.flag_submit", true)
		w.raw(`</details>`)
	} else if len(p.Reactions) > 0 {
		w.raw(`<p class="muted">`)
		for _, k := range reactionKinds {
			if n := p.Reactions[k]; n > 0 {
				w.Tk("web.reaction.", k)
				w.raw(" ")
				w.int(n)
				w.raw(" ")
			}
		}
		w.raw(`</p>`)
	}
	// Moderating needs no membership: site staff moderate every group
	// without joining it.
	if d.Moderator {
		w.raw(`<details class="inline-details"><summary>`)
		if p.Hidden {
			w.T("web.post.restore")
			w.raw(`</summary>`)
			w.reasonForm(p.ID, "restore", "web.label.restore_reason", "button-secondary", "web.post.restore", false)
		} else {
			w.T("web.post.hide")
			w.raw(`</summary>`)
			w.reasonForm(p.ID, "hide", "web.label.hide_reason", "button-warn", "web.post.hide_submit", true)
		}
		w.raw(`</details>`)
	}
	w.ownLinks(p, d)
	w.raw(`</div></article>`)
}

// reactionForms is a member's reaction buttons: one form whose buttons
// each send their kind (pressed: the viewer's reaction, which the button
// takes back). One form rather than one per button keeps a post's markup,
// and its copies of the form token, small.
func (w *htmlw) reactionForms(p *projections.Post) {
	w.raw(`<form method="post" action="/posts/`)
	w.path(p.ID)
	w.raw(`/react" class="reactions-form">`)
	w.csrf()
	w.raw(`<ul class="reactions" aria-label="`)
	w.T("web.reaction.label")
	w.raw(`">`)
	for _, k := range reactionKinds {
		w.raw(`<li><button type="submit" name="kind" value="`)
		w.raw(k)
		w.raw(`" class="reaction" aria-pressed="`)
		w.pressed(p.MyReactions, k)
		w.raw(`">`)
		w.Tk("web.reaction.", k)
		w.raw(` <span class="reaction-count">`)
		w.int(p.Reactions[k])
		w.raw(`</span></button></li>`)
	}
	w.raw(`</ul></form>`)
}

// reasonForm is a post action that asks for a reason (action "flag",
// "hide" or "restore", with its label, button class and submit text);
// required: the action needs one (a restore does not).
func (w *htmlw) reasonForm(id, action, label, button, submit string, required bool) {
	w.raw(`<form method="post" action="/posts/`)
	w.path(id)
	w.byte('/')
	w.raw(action)
	w.raw(`" class="stack">`)
	w.csrf()
	w.raw(`<label for="`)
	w.raw(action)
	w.byte('-')
	w.text(id)
	w.raw(`">`)
	w.T(label)
	w.raw(`</label><input id="`)
	w.raw(action)
	w.byte('-')
	w.text(id)
	w.raw(`" name="reason"`)
	if required {
		w.raw(` required`)
	}
	w.raw(` maxlength="1000"><button type="submit" class="button `)
	w.raw(button)
	w.raw(`">`)
	w.T(submit)
	w.raw(`</button></form>`)
}

// Cards renders thread cards (lists on the group and home pages) for
// templates; groups names each card's group ("" or nil: no group link).
func (v *view) Cards(threads []projections.Thread, groups map[string]groupRef) template.HTML {
	return v.part(func(w *htmlw) { w.cards(threads, groups) })
}

func (w *htmlw) cards(threads []projections.Thread, groups map[string]groupRef) {
	v := w.v
	for i := range threads {
		t := &threads[i]
		w.raw(`<article class="card thread-card"><h3 class="card-title"><a href="/threads/`)
		w.path(t.ID)
		w.raw(`" lang="`)
		w.text(t.Language)
		w.raw(`">`)
		w.text(t.Title)
		w.raw(`</a></h3><p class="meta"><span class="badge badge-`)
		w.text(t.Kind)
		w.raw(`">`)
		w.Tk("web.kind.", t.Kind)
		w.raw(`</span> `)
		if t.Pinned {
			w.raw(`<span class="badge">`)
			w.T("web.thread.pinned")
			w.raw(`</span> `)
		}
		if t.Locked {
			w.raw(`<span class="badge">`)
			w.T("web.thread.locked")
			w.raw(`</span> `)
		}
		w.raw(`<span class="lang-tag">`)
		w.Tk("web.lang.", t.Language)
		w.raw(`</span>`)
		if g := groups[t.GroupID]; g.Name != "" {
			w.raw(` · `)
			w.groupLink(t.GroupID, g)
		}
		w.raw(`</p>`)
		if e := t.Event; e != nil {
			w.raw(`<p class="meta"><strong>`)
			w.T("web.event.when")
			w.raw(`</strong> <time datetime="`)
			w.iso(e.StartsAt)
			w.raw(`">`)
			w.dateTime(e.StartsAt)
			w.raw(`</time>`)
			if e.Location != "" {
				w.raw(` · `)
				w.text(e.Location)
			}
			if e.OnlineURL != "" {
				w.raw(` · `)
				w.T("web.event.online")
			}
			w.raw(`</p>`)
		}
		if t.Resource != nil && t.Resource.Format != "" {
			w.raw(`<p class="meta">`)
			w.T("web.resource.format")
			w.colon()
			w.text(t.Resource.Format)
			w.raw(`</p>`)
		}
		if j := t.Job; j != nil {
			w.raw(`<p class="meta">`)
			w.text(j.Organization)
			if j.Location != "" {
				w.raw(` · `)
				w.text(j.Location)
			}
			if j.EmploymentType != "" {
				w.raw(` · `)
				w.Tk("web.job.type_", j.EmploymentType)
			}
			if j.Deadline != "" {
				w.raw(` · `)
				w.T("web.label.job_deadline")
				w.raw(` <time datetime="`)
				w.text(j.Deadline)
				w.raw(`">`)
				w.text(v.Day(j.Deadline))
				w.raw(`</time>`)
			}
			w.raw(`</p>`)
		}
		w.raw(`<p class="meta">`)
		w.text(t.Author.DisplayName)
		w.raw(` · `)
		w.TN("web.thread.replies_n", t.ReplyCount)
		w.raw(` · `)
		w.T("web.thread.last_activity")
		w.raw(` <time datetime="`)
		w.iso(t.LastActivityAt)
		w.raw(`">`)
		w.text(v.Date(t.LastActivityAt))
		w.raw("</time></p></article>\n")
	}
}
