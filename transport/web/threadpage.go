package web

import (
	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/projections"
)

// The thread page, written in Go (see htmlw.go): the thread's head and its
// kind's details (event, resource, job), the opening post, the replies,
// then the reply form and the controls for those who may use them. Each
// part is a method of its own, so a new box is a new method called from
// threadBody or threadTail. threadBody is kept for the next viewers of the
// same class (threadcache.go): what it writes may depend only on the
// thread's read model and on what threadKey holds; anything of the viewer's
// own (their RSVP, a form's state, a control only some members get) goes
// in threadTail, or in threadKey and the test beside it.

func (s *Server) renderThread(c *gin.Context, status int, v *view, d *threadPage) {
	cursor := c.Query("cursor")
	s.renderGo(c, status, v, func(w *htmlw) {
		w.threadCrumbs(d)
		w.threadActions(d)
		s.threadBody(w, d, cursor)
		w.threadTail(d)
	})
}

// threadCrumbs is the trail back to the group.
func (w *htmlw) threadCrumbs(d *threadPage) {
	t, g := &d.Thread, &d.Group
	w.raw("\n<nav class=\"crumbs\" aria-label=\"")
	w.T("web.crumbs")
	w.raw(`"><ol><li><a href="/groups">`)
	w.T("web.nav.groups")
	w.raw(`</a></li><li><a href="/groups/`)
	w.path(g.ID)
	w.raw(`"`)
	w.lang(g.Language)
	w.raw(`>`)
	w.text(g.Name)
	w.raw(`</a></li><li aria-current="page"`)
	w.lang(t.Language)
	w.raw(`>`)
	w.text(t.Title)
	w.raw("</li></ol></nav>\n")
}

// threadBody is the thread with its details and opening post, then the
// page of replies: the part threadcache.go keeps.
func (w *htmlw) threadBody(d *threadPage) {
	t := &d.Thread
	w.raw("<article class=\"thread\" aria-labelledby=\"thread-title\">\n")
	w.threadHead(t)
	if t.Event != nil {
		w.eventBox(d)
	}
	if r := t.Resource; r != nil && (r.URL != "" || r.Format != "") {
		w.resourceBox(t)
	}
	if t.Job != nil {
		w.jobBox(t)
	}
	if d.Opening != nil {
		w.post(d.Opening, d.perms())
	}
	w.raw("\n</article>\n")
	w.replies(d)
}

// threadTail is what the viewer may do: reply, link a translation,
// moderate.
func (w *htmlw) threadTail(d *threadPage) {
	t := &d.Thread
	w.replyBox(d)
	if d.Translate != nil {
		w.translateBox(d)
	}
	if d.Moderator {
		w.threadModTools(t)
	}
}

// threadHead: kind, pinned and locked badges, tags, the title, and the
// links to the thread's translations.
func (w *htmlw) threadHead(t *projections.Thread) {
	w.raw("<header class=\"thread-head\">\n<p class=\"meta\"><span class=\"badge badge-")
	w.text(t.Kind)
	w.raw(`">`)
	w.Tk("web.kind.", t.Kind)
	w.raw("</span>\n")
	if t.Pinned {
		w.raw(`<span class="badge">`)
		w.T("web.thread.pinned")
		w.raw("</span>\n")
	}
	if t.Locked {
		w.raw(`<span class="badge badge-warn">`)
		w.T("web.thread.locked")
		w.raw("</span>\n")
	}
	for _, tag := range t.Tags {
		// A tag leads to the other threads carrying it (the search page's
		// type filter widens it to their replies and to groups on that topic).
		w.raw(`<a class="tag" href="/search?tag=`)
		w.query(tag)
		w.raw(`&amp;type=thread">`)
		w.text(tag)
		w.raw(`</a> `)
	}
	if t.EditedAt != nil {
		w.raw(`<span class="muted">`)
		w.T("web.thread.edited")
		w.raw(` <time datetime="`)
		w.iso(*t.EditedAt)
		w.raw(`">`)
		w.dateTime(*t.EditedAt)
		w.raw("</time></span>\n")
	}
	w.raw("</p>\n<h1 id=\"thread-title\" lang=\"")
	w.text(t.Language)
	w.raw(`">`)
	w.text(t.Title)
	w.raw("</h1>\n")
	for _, tr := range t.Translations {
		w.raw(`<p class="translation"><a href="/threads/`)
		w.path(tr.ID)
		w.raw(`" lang="`)
		w.text(tr.Language)
		w.raw(`" hreflang="`)
		w.text(tr.Language)
		w.raw(`">`)
		w.text(w.v.ReadIn(tr.Language))
		w.raw(`</a></p>`)
	}
	w.raw("\n</header>\n")
}

// eventBox: when and where, attendance and the viewer's RSVP, the
// calendar file, and the attendee list for its organisers.
func (w *htmlw) eventBox(d *threadPage) {
	t, e := &d.Thread, d.Thread.Event
	w.raw("<section class=\"panel event-box\" id=\"rsvp\" aria-labelledby=\"event-title\">\n<h2 id=\"event-title\">")
	w.T("web.event.details")
	w.raw("</h2>\n<dl class=\"facts\">\n<dt>")
	w.T("web.event.starts")
	w.raw(`</dt><dd><time datetime="`)
	w.iso(e.StartsAt)
	w.raw(`">`)
	w.dateTime(e.StartsAt)
	w.raw("</time></dd>\n")
	if e.EndsAt != nil {
		w.dt("web.event.ends")
		w.raw(`<time datetime="`)
		w.iso(*e.EndsAt)
		w.raw(`">`)
		w.dateTime(*e.EndsAt)
		w.raw("</time></dd>\n")
	}
	if e.Location != "" {
		w.fact("web.label.location", e.Location)
	}
	if e.OnlineURL != "" {
		w.dt("web.label.online_url")
		w.raw(`<a href="`)
		w.link(e.OnlineURL)
		w.raw(`" rel="nofollow noopener">`)
		w.text(e.OnlineURL)
		w.raw("</a></dd>\n")
	}
	if e.Capacity != nil {
		w.dt("web.label.capacity")
		w.int(*e.Capacity)
		w.raw("</dd>\n")
	}
	w.raw("</dl>\n")
	if r := t.Rsvp; r != nil {
		w.raw(`<p>`)
		w.TN("web.rsvp.going_n", r.Going)
		if r.Waitlisted != 0 {
			w.raw(` · `)
			w.TN("web.rsvp.waitlisted_n", r.Waitlisted)
		}
		w.raw("</p>\n")
		if r.MyStatus != "" {
			w.raw(`<p><strong>`)
			w.Tk("web.rsvp.mine_", r.MyStatus)
			w.raw("</strong></p>\n")
		}
		if d.IsMember {
			w.raw(`<form method="post" action="/threads/`)
			w.path(t.ID)
			w.raw(`/rsvp" class="inline">`)
			w.csrf()
			w.raw("\n")
			if r.MyStatus == "going" || r.MyStatus == "waitlisted" {
				w.raw(`<input type="hidden" name="status" value="not_going"><button class="button button-secondary" type="submit">`)
				w.T("web.rsvp.cancel")
			} else {
				w.raw(`<input type="hidden" name="status" value="going"><button class="button" type="submit">`)
				w.T("web.rsvp.going")
			}
			w.raw("</button>\n</form>\n")
		}
	}
	w.raw(`<p><a href="/api/v1/threads/`)
	w.path(t.ID)
	w.raw(`/event.ics">`)
	w.T("web.event.ics")
	w.raw("</a></p>\n")
	if len(d.Attendees) > 0 {
		w.raw(`<details><summary>`)
		w.T("web.event.attendees")
		w.raw(`</summary><ul class="plain">`)
		for _, a := range d.Attendees {
			w.raw(`<li>`)
			w.text(a.Member.DisplayName)
			w.raw(` · `)
			w.Tk("web.rsvp.status_", a.Status)
			w.raw(`</li>`)
		}
		w.raw("</ul></details>\n")
	}
	w.raw("</section>\n")
}

// fact is one <dt>/<dd> pair of a facts list, the value as text.
func (w *htmlw) fact(label, value string) {
	w.dt(label)
	w.text(value)
	w.raw("</dd>\n")
}

// dt writes a facts list's label and opens its value.
func (w *htmlw) dt(label string) {
	w.raw(`<dt>`)
	w.T(label)
	w.raw(`</dt><dd>`)
}

// resourceBox: the resource's link and format.
func (w *htmlw) resourceBox(t *projections.Thread) {
	r := t.Resource
	w.raw("<section class=\"panel resource-box\" aria-labelledby=\"resource-title\">\n<h2 id=\"resource-title\">")
	w.T("web.resource.title")
	w.raw("</h2>\n")
	if r.URL != "" {
		w.raw(`<p><a href="`)
		w.link(r.URL)
		w.raw(`" rel="nofollow noopener">`)
		w.text(r.URL)
		w.raw("</a></p>\n")
	}
	if r.Format != "" {
		w.raw(`<p>`)
		w.T("web.resource.format")
		w.colon()
		w.text(r.Format)
		w.raw("</p>\n")
	}
	w.raw("</section>\n")
}

// jobBox: a job posting's details, its deadline (marked once passed) and
// where to apply.
func (w *htmlw) jobBox(t *projections.Thread) {
	j := t.Job
	w.raw("<section class=\"panel job-box\" aria-labelledby=\"job-title\">\n<h2 id=\"job-title\">")
	w.T("web.job.details")
	w.raw("</h2>\n<dl class=\"facts\">\n")
	if j.Organization != "" {
		w.fact("web.label.job_organization", j.Organization)
	}
	if j.Location != "" {
		w.fact("web.label.job_location", j.Location)
	}
	if j.EmploymentType != "" {
		w.dt("web.label.job_employment_type")
		w.Tk("web.job.type_", j.EmploymentType)
		w.raw("</dd>\n")
	}
	if j.Salary != "" {
		w.fact("web.label.job_salary", j.Salary)
	}
	if j.Deadline != "" {
		w.dt("web.label.job_deadline")
		w.raw(`<time datetime="`)
		w.text(j.Deadline)
		w.raw(`">`)
		w.text(w.v.Day(j.Deadline))
		w.raw(`</time>`)
		if w.v.Closed(j.Deadline) {
			w.raw(` <strong class="badge badge-warn">`)
			w.T("web.job.closed")
			w.raw(`</strong>`)
		}
		w.raw("</dd>\n")
	}
	w.raw("</dl>\n")
	if j.ApplyURL != "" {
		w.raw(`<p><a class="button" href="`)
		w.link(j.ApplyURL)
		w.raw(`" rel="nofollow noopener">`)
		w.T("web.job.apply")
		w.raw("</a></p>\n")
	}
	w.raw("</section>\n")
}

// replies: the links back to earlier pages, the replies of this page, the
// live "new replies" button, and the link to the next page.
func (w *htmlw) replies(d *threadPage) {
	w.raw("<section class=\"replies\" aria-labelledby=\"replies-title\">\n<h2 id=\"replies-title\">")
	w.TN("web.thread.replies_n", d.Thread.ReplyCount)
	w.raw("</h2>\n")
	if d.Prev != "" {
		w.raw(`<nav class="pager" aria-label="`)
		w.T("web.pager.label")
		w.raw(`"><a class="button button-secondary" href="/threads/`)
		w.path(d.Thread.ID)
		w.raw(`#posts">`)
		w.T("web.pager.first")
		w.raw(`</a> <a class="button button-secondary" href="/threads/`)
		w.path(d.Thread.ID)
		w.raw(`?cursor=`)
		w.query(d.Prev)
		w.raw(`#posts">`)
		w.T("web.pager.earlier")
		w.raw("</a></nav>\n")
	}
	w.raw("<ol class=\"posts\" id=\"posts\">\n")
	w.posts(d.Replies, d.perms())
	w.raw("\n</ol>\n<div class=\"live-new\" id=\"live-new\" hidden data-type=\"reply_posted\" data-one=\"")
	w.T("web.live.new_one")
	w.raw(`" data-many="`)
	w.T("web.live.new_many")
	w.raw("\">\n<button type=\"button\" class=\"button button-secondary\" id=\"live-new-button\"></button>\n</div>\n")
	w.pager(d.Next, "/threads/"+d.Thread.ID+"?")
	w.raw("\n</section>\n")
}

// replyBox is the reply form (with its errors and preview) for those who
// may reply, or says why there is none.
func (w *htmlw) replyBox(d *threadPage) {
	v, t := w.v, &d.Thread
	switch {
	case d.CanReply:
	case v.User == nil:
		w.raw(`<p class="notice"><a href="/login?next=`)
		w.query(v.Path)
		w.raw(`">`)
		w.T("web.reply.login")
		w.raw("</a></p>\n")
		return
	case !d.IsMember:
		w.raw(`<p class="notice">`)
		w.T("web.reply.join_first")
		w.raw(` <a href="/groups/`)
		w.path(d.Group.ID)
		w.raw(`">`)
		w.text(d.Group.Name)
		w.raw("</a></p>\n")
		return
	case t.Locked:
		w.raw(`<p class="notice">`)
		w.T("web.reply.locked")
		w.raw("</p>\n")
		return
	default:
		return
	}
	w.raw("<section class=\"reply-box\" aria-labelledby=\"reply-title\">\n<h2 id=\"reply-title\">")
	w.T("web.reply.title")
	w.raw("</h2>\n")
	if t.Locked {
		w.raw(`<p class="notice">`)
		w.T("web.reply.locked_mod")
		w.raw("</p>\n")
	}
	w.raw(`<form method="post" action="/threads/`)
	w.path(t.ID)
	w.raw("/replies\" class=\"form\" data-preview novalidate>\n")
	w.csrf()
	bodyErr, langErr := v.Err("body"), v.Err("language")
	w.raw("\n<div class=\"field")
	w.hasError(bodyErr)
	w.raw(`"><label for="f-body">`)
	w.T("web.label.reply_body")
	w.raw("</label>\n<p class=\"hint\" id=\"f-body-hint\">")
	w.T("web.hint.markdown")
	w.raw("</p>\n")
	w.fieldError("f-body-err", bodyErr)
	w.raw(`<textarea id="f-body" name="body" rows="6" required aria-describedby="f-body-hint`)
	if bodyErr != "" {
		w.raw(` f-body-err" aria-invalid="true`)
	}
	w.raw(`">`)
	w.text(d.Reply.Body)
	w.raw("</textarea></div>\n<div class=\"field")
	w.hasError(langErr)
	w.raw(`"><label for="f-language">`)
	w.T("web.label.post_language")
	w.raw("</label>\n")
	w.fieldError("f-language-err", langErr)
	w.raw(`<select id="f-language" name="language">`)
	for _, l := range [...]string{"en", "fr"} {
		w.raw(`<option value="`)
		w.raw(l)
		w.raw(`"`)
		if d.Reply.Language == l {
			w.raw(` selected`)
		}
		w.raw(`>`)
		w.Tk("web.lang.", l)
		w.raw(`</option>`)
	}
	w.raw("</select></div>\n<div class=\"preview\" id=\"preview\" aria-live=\"polite\">")
	if d.Reply.Preview != "" {
		w.raw(`<h3>`)
		w.T("web.reply.preview_title")
		w.raw(`</h3><div class="post-body">`)
		w.raw(string(d.Reply.Preview)) // sanitised as posts are (markdown.render)
		w.raw(`</div>`)
	}
	w.raw("</div>\n<div class=\"button-row\">\n<button class=\"button\" type=\"submit\" name=\"action\" value=\"post\">")
	w.T("web.reply.submit")
	w.raw("</button>\n<button class=\"button button-secondary\" type=\"submit\" name=\"action\" value=\"preview\" data-preview-button data-preview-title=\"")
	w.T("web.reply.preview_title")
	w.raw(`">`)
	w.T("web.reply.preview")
	w.raw("</button>\n</div>\n</form>\n</section>\n")
}

// hasError adds a field's error class.
func (w *htmlw) hasError(msg string) {
	if msg != "" {
		w.raw(` has-error`)
	}
}

// fieldError writes a field's error message, if it has one.
func (w *htmlw) fieldError(id, msg string) {
	if msg == "" {
		return
	}
	w.raw(`<p class="field-error" id="`)
	w.raw(id)
	w.raw(`">`)
	w.text(msg)
	w.raw("</p>\n")
}

// translateBox links the thread to its translation: a thread of the
// group in the other language, or a pasted link.
func (w *htmlw) translateBox(d *threadPage) {
	f := d.Translate
	if len(f.Linked) > 0 {
		w.unlinkBox(d)
		return
	}
	err := w.v.Err("thread_id")
	w.raw("<section class=\"panel translate-box\" aria-labelledby=\"translate-title\">\n<h2 id=\"translate-title\">")
	w.T("web.translation.title")
	w.raw("</h2>\n<p>")
	w.T("web.translation.intro")
	w.raw("</p>\n<form method=\"post\" action=\"/threads/")
	w.path(d.Thread.ID)
	w.raw("/translations\" class=\"form\" novalidate>\n")
	w.csrf()
	w.raw("\n")
	w.fieldError("f-thread_id-err", err)
	linkID := "f-thread_id"
	if len(f.Choices) > 0 {
		linkID = "f-link"
		w.raw(`<div class="field`)
		w.hasError(err)
		w.raw(`"><label for="f-thread_id">`)
		w.T("web.label.translation_pick")
		w.raw("</label>\n<select id=\"f-thread_id\" name=\"thread_id\"")
		if err != "" {
			w.raw(` aria-invalid="true" aria-describedby="f-thread_id-err"`)
		}
		w.raw(`><option value="">`)
		w.T("web.translation.none_picked")
		w.raw("</option>\n")
		for i := range f.Choices {
			c := &f.Choices[i]
			w.raw(`<option value="`)
			w.text(c.ID)
			w.raw(`" lang="`)
			w.text(c.Language)
			w.raw(`"`)
			if c.ID == f.Picked {
				w.raw(` selected`)
			}
			w.raw(`>`)
			w.text(c.Title)
			w.raw(`</option>`)
		}
		w.raw(`</select></div>`)
	}
	w.raw("\n<div class=\"field")
	w.hasError(err)
	w.raw(`"><label for="`)
	w.raw(linkID)
	w.raw(`">`)
	if len(f.Choices) > 0 {
		w.T("web.label.translation_link") // "Or paste...", after the choice
	} else {
		w.T("web.label.translation_link_only")
	}
	w.raw("</label>\n<p class=\"hint\" id=\"f-link-hint\">")
	w.T("web.translation.link_hint")
	w.raw("</p>\n<input id=\"")
	w.raw(linkID)
	w.raw(`" name="link" value="`)
	w.text(f.Link)
	w.raw(`" aria-describedby="f-link-hint`)
	if err != "" {
		w.raw(` f-thread_id-err" aria-invalid="true`)
	}
	w.raw("\"></div>\n<button class=\"button button-secondary\" type=\"submit\">")
	w.T("web.translation.submit")
	w.raw("</button>\n</form>\n</section>\n")
}

// threadModTools: lock or unlock, pin or unpin.
func (w *htmlw) threadModTools(t *projections.Thread) {
	w.raw("<section class=\"panel mod-tools\" aria-labelledby=\"modtools-title\">\n<h2 id=\"modtools-title\">")
	w.T("web.mod.tools")
	w.raw("</h2>\n<div class=\"button-row\">\n<form method=\"post\" action=\"/threads/")
	w.path(t.ID)
	if t.Locked {
		w.raw(`/moderate/unlock" class="inline">`)
		w.csrf()
		w.raw(`<input type="hidden" name="reason" value="unlocked"><button class="button button-secondary" type="submit">`)
		w.T("web.mod.unlock")
	} else {
		w.raw(`/moderate/lock" class="inline-form">`)
		w.csrf()
		w.raw(`<label for="lock-reason">`)
		w.T("web.label.lock_reason")
		w.raw(`</label> <input id="lock-reason" name="reason" required> <button class="button button-secondary" type="submit">`)
		w.T("web.mod.lock")
	}
	w.raw("</button></form>\n<form method=\"post\" action=\"/threads/")
	w.path(t.ID)
	if t.Pinned {
		w.raw(`/moderate/unpin" class="inline">`)
		w.csrf()
		w.raw(`<button class="button button-secondary" type="submit">`)
		w.T("web.mod.unpin")
	} else {
		w.raw(`/moderate/pin" class="inline">`)
		w.csrf()
		w.raw(`<button class="button button-secondary" type="submit">`)
		w.T("web.mod.pin")
	}
	w.raw("</button></form>\n</div>\n</section>\n")
}

// unlinkBox undoes a wrong translation link (for those who may link).
func (w *htmlw) unlinkBox(d *threadPage) {
	w.raw("<section class=\"panel translate-box\" aria-labelledby=\"translate-title\">\n<h2 id=\"translate-title\">")
	w.T("web.translation.linked_title")
	w.raw("</h2>\n<ul class=\"plain\">\n")
	for _, tr := range d.Translate.Linked {
		w.raw("<li><form method=\"post\" action=\"/threads/")
		w.path(d.Thread.ID)
		w.raw("/translations/")
		w.path(tr.ID)
		w.raw("/unlink\" class=\"inline\">")
		w.csrf()
		w.raw("<a href=\"/threads/")
		w.path(tr.ID)
		w.raw("\" lang=\"")
		w.text(tr.Language)
		w.raw("\">")
		w.text(tr.Title)
		w.raw("</a> <button class=\"button button-secondary\" type=\"submit\">")
		w.T("web.translation.unlink")
		w.raw("</button></form></li>\n")
	}
	w.raw("</ul>\n<p class=\"hint\">")
	w.T("web.translation.unlink_hint")
	w.raw("</p>\n</section>\n")
}
