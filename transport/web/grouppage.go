package web

import (
	"net/url"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// The group page, written in Go (see htmlw.go): the heading with the join
// or leave control, the threads by kind, then the about, members and join
// requests panels. Each part is a method of its own, so a new panel is a
// new method called from groupMain.

func (w *htmlw) groupMain(d *groupPage) {
	g := &d.Group
	w.raw("\n<nav class=\"crumbs\" aria-label=\"")
	w.T("web.crumbs")
	w.raw(`"><ol><li><a href="/groups">`)
	w.T("web.nav.groups")
	w.raw(`</a></li><li aria-current="page"`)
	w.lang(g.Language)
	w.raw(`>`)
	w.text(g.Name)
	w.raw("</li></ol></nav>\n<div class=\"page-head\">\n<h1")
	w.lang(g.Language)
	w.raw(">")
	w.text(g.Name)
	w.raw("</h1>\n<div class=\"actions\">\n")
	w.groupMembership(d)
	w.raw("</div>\n</div>\n<div class=\"columns\">\n<div class=\"col-main\">\n")
	w.groupThreads(d)
	w.raw("</div>\n<aside class=\"col-side\" aria-labelledby=\"about-title\">\n")
	w.groupAbout(g, d.Edits)
	if d.CanRead {
		w.groupMembers(d)
	}
	if d.Moderator {
		w.groupRequests(d)
	}
	w.raw("</aside>\n</div>\n")
}

// groupMembership is the viewer's way in or out: start a thread and leave,
// a pending request, join or request to join, or log in first.
func (w *htmlw) groupMembership(d *groupPage) {
	v, g := w.v, &d.Group
	switch {
	case v.User == nil:
		w.raw(`<a class="button" href="/login?next=`)
		w.query(v.Path)
		w.raw(`">`)
		w.T("web.group.login_to_join")
		w.raw("</a>\n")
	case g.MyRole != "":
		w.raw(`<a class="button" href="/groups/`)
		w.path(g.ID)
		w.raw(`/threads/new">`)
		w.T("web.group.new_thread")
		w.raw("</a>\n")
		if d.OwnerStays {
			// Leaving would be refused: say what makes it possible.
			w.raw(`<p class="hint">`)
			w.T("web.group.owner_leave")
			w.raw("</p>\n")
			return
		}
		w.raw(`<form class="inline" method="post" action="/groups/`)
		w.path(g.ID)
		w.raw(`/leave">`)
		w.csrf()
		w.raw(`<button class="button button-secondary" type="submit">`)
		w.T("web.group.leave")
		w.raw("</button></form>\n")
	case g.Pending:
		w.raw(`<p class="badge">`)
		w.T("web.group.pending")
		w.raw("</p>\n")
	default:
		w.raw(`<form class="inline" method="post" action="/groups/`)
		w.path(g.ID)
		w.raw(`/join">`)
		w.csrf()
		w.raw(`<button class="button" type="submit">`)
		if g.Visibility == "request" && !g.Invited {
			w.T("web.group.request")
		} else {
			w.T("web.group.join")
		}
		w.raw("</button></form>\n")
	}
}

// groupThreads lists the threads, with a tab per kind, or says they are
// for members only.
func (w *htmlw) groupThreads(d *groupPage) {
	g := &d.Group
	w.raw("<section aria-labelledby=\"threads-title\">\n<h2 id=\"threads-title\">")
	w.T("web.group.threads")
	w.raw("</h2>\n<div class=\"live-new\" id=\"live-new\" hidden data-type=\"thread_created\" data-one=\"")
	w.T("web.live.new_thread_one")
	w.raw(`" data-many="`)
	w.T("web.live.new_thread_many")
	w.raw("\">\n<button type=\"button\" class=\"button button-secondary\" id=\"live-new-button\"></button>\n</div>\n")
	if !d.CanRead {
		w.raw(`<p class="notice">`)
		w.T("web.group.members_only")
		w.raw("</p>\n</section>\n")
		return
	}
	w.raw(`<nav class="tabs" aria-label="`)
	w.T("web.group.kinds")
	w.raw("\"><ul>\n<li><a href=\"/groups/")
	w.path(g.ID)
	w.raw(`"`)
	w.current(d.Kind == "")
	w.raw(`>`)
	w.T("web.filter.all")
	w.raw("</a></li>\n")
	for _, k := range threadKinds {
		w.raw(`<li><a href="/groups/`)
		w.path(g.ID)
		w.raw(`?kind=`)
		w.query(k)
		w.raw(`"`)
		w.current(k == d.Kind)
		w.raw(`>`)
		w.Tk("web.kinds.", k)
		w.raw(`</a></li>`)
	}
	w.raw("\n</ul></nav>\n")
	if d.Searchable {
		w.groupSearch(g)
	}
	if d.Kind == domain.KindEvent {
		// The tab lists events by activity; their past ones, latest
		// first, are the events list's, narrowed to this group.
		w.raw(`<p><a href="/events?when=past&amp;group=`)
		w.query(g.ID)
		w.raw(`">`)
		w.T("web.group.past_events")
		w.raw("</a></p>\n")
	}
	if len(d.Threads) > 0 {
		w.cards(d.Threads, nil)
	} else {
		w.raw(`<p>`)
		w.T("web.group.no_threads")
		w.raw(`</p>`)
	}
	w.raw("\n")
	w.pager(d.Next, "/groups/"+g.ID+"?kind="+url.QueryEscape(d.Kind)+"&")
	w.raw("\n</section>\n")
}

// groupSearch is a search of the group's threads and replies: the search
// page, narrowed to the group.
func (w *htmlw) groupSearch(g *projections.Group) {
	w.raw(`<form class="filters" method="get" action="/search" role="search" aria-label="`)
	w.T("web.group.search")
	w.raw(`"><input type="hidden" name="group" value="`)
	w.text(g.ID)
	w.raw("\">\n<div class=\"field field-wide\"><label for=\"g-q\">")
	w.T("web.group.search")
	w.raw("</label><input id=\"g-q\" name=\"q\" type=\"search\" required></div>\n<div class=\"field field-actions\"><button class=\"button button-secondary\" type=\"submit\">")
	w.T("web.search.submit")
	w.raw("</button></div>\n</form>\n")
}

// groupAbout is the group's description and facts, and the way to its
// settings for those who may change them.
func (w *htmlw) groupAbout(g *projections.Group, edits bool) {
	v := w.v
	w.raw("<section class=\"panel\">\n<h2 id=\"about-title\">")
	w.T("web.group.about")
	w.raw("</h2>\n<p")
	w.lang(g.Language)
	w.raw(">")
	w.text(g.Description)
	w.raw("</p>\n<dl class=\"facts\">\n<dt>")
	w.T("web.label.visibility")
	w.raw(`</dt><dd>`)
	w.Tk("web.visibility.", g.Visibility)
	w.raw("</dd>\n<dt>")
	w.T("web.label.language")
	w.raw(`</dt><dd>`)
	w.Tk("web.lang.", g.Language)
	w.raw("</dd>\n")
	if g.Province != "" {
		w.dt("web.label.province")
		w.Tk("web.province.", g.Province)
		w.raw("</dd>\n")
	}
	if len(g.Topics) > 0 {
		w.dt("web.group.topics")
		for i, t := range g.Topics {
			if i > 0 {
				w.raw(", ")
			}
			// A topic leads to the other groups on it.
			w.raw(`<a href="/groups?topic=`)
			w.query(t)
			w.raw(`">`)
			w.text(t)
			w.raw(`</a>`)
		}
		w.raw("</dd>\n")
	}
	w.dt("web.group.owner")
	w.raw(`<a href="/members/`)
	w.path(g.Owner.ID)
	w.raw(`">`)
	w.text(g.Owner.DisplayName)
	w.raw("</a></dd>\n<dt>")
	w.T("web.group.created")
	w.raw(`</dt><dd><time datetime="`)
	w.iso(g.CreatedAt)
	w.raw(`">`)
	w.text(v.Date(g.CreatedAt))
	w.raw("</time></dd>\n</dl>\n")
	if edits {
		w.raw(`<p><a href="/groups/`)
		w.path(g.ID)
		w.raw(`/settings">`)
		w.T("web.group.settings")
		w.raw("</a></p>\n")
	}
	w.raw("</section>\n")
}

// groupMembers shows the first members and links to the full list.
func (w *htmlw) groupMembers(d *groupPage) {
	w.raw("<section class=\"panel\" aria-labelledby=\"members-title\">\n<h2 id=\"members-title\">")
	w.TN("web.group.members_n", d.Group.MemberCount)
	w.raw("</h2>\n<ul class=\"plain\">")
	for i := range d.Members {
		m := &d.Members[i]
		w.raw(`<li><a href="/members/`)
		w.path(m.Member.ID)
		w.raw(`">`)
		w.text(m.Member.DisplayName)
		w.raw(`</a>`)
		if m.Role != "member" {
			w.raw(` <span class="muted">(`)
			w.Tk("web.role.", m.Role)
			w.raw(`)</span>`)
		}
		w.raw(`</li>`)
	}
	w.raw("</ul>\n<p><a href=\"/groups/")
	w.path(d.Group.ID)
	w.raw(`/members">`)
	w.T("web.group.all_members")
	w.raw("</a></p>\n</section>\n")
}

// groupRequests is the moderators' panel of pending join requests.
func (w *htmlw) groupRequests(d *groupPage) {
	g := &d.Group
	w.raw("<section class=\"panel\" aria-labelledby=\"requests-title\">\n<h2 id=\"requests-title\">")
	w.T("web.group.requests")
	w.raw("</h2>\n")
	for i := range d.Requests {
		rq := &d.Requests[i]
		w.raw(`<div class="request"><p><a href="/members/`)
		w.path(rq.Member.ID)
		w.raw(`">`)
		w.text(rq.Member.DisplayName)
		w.raw(`</a> <span class="muted">`)
		w.text(w.v.Date(rq.RequestedAt))
		w.raw("</span></p>\n")
		for _, act := range [...]struct{ decision, class, label, extra string }{
			{"approve", "button button-small", "web.mod.approve", ""},
			{"reject", "button button-small button-secondary", "web.mod.reject", `<input type="hidden" name="reason" value="">`},
		} {
			w.raw(`<form class="inline" method="post" action="/groups/`)
			w.path(g.ID)
			w.raw(`/requests/`)
			w.path(rq.Member.ID)
			w.byte('/')
			w.raw(act.decision)
			w.raw(`">`)
			w.csrf()
			w.raw(act.extra)
			w.raw(`<button class="`)
			w.raw(act.class)
			w.raw(`" type="submit">`)
			w.T(act.label)
			w.raw(`<span class="visually-hidden"> `)
			w.text(rq.Member.DisplayName)
			w.raw("</span></button></form>\n")
		}
		w.raw("</div>\n")
	}
	if len(d.Requests) == 0 {
		w.raw(`<p>`)
		w.T("web.group.no_requests")
		w.raw(`</p>`)
	}
	w.raw("\n<p><a href=\"/moderation/log?group=")
	w.query(g.ID)
	w.raw(`">`)
	w.T("web.modlog.title")
	w.raw("</a></p>\n</section>\n")
}
