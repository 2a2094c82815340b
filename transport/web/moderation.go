package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// queueItem is a queue entry with what a moderator needs to decide it
// without leaving the page: the group's name and the flagged post, each
// with its language (WCAG 3.1.2: a French group's name or thread's title
// on an English page is read in French).
type queueItem struct {
	projections.QueueItem
	Group      groupRef
	Post       *projections.Post
	Thread     string
	ThreadLang string
}

type queuePage struct {
	Items []queueItem
	Next  string
}

func (s *Server) moderationQueue(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	r := state(c)
	q, err := s.d.Reads.ModerationQueue(r.viewer, projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")})
	if err != nil {
		s.fail(c, err)
		return
	}
	groups := map[string]groupRef{}
	d := queuePage{Next: q.NextCursor}
	for _, it := range q.Items {
		qi := queueItem{QueueItem: it}
		if _, ok := groups[it.GroupID]; !ok {
			if g, err := s.d.Reads.Group(r.viewer, it.GroupID); err == nil {
				groups[it.GroupID] = refOf(g)
			}
		}
		qi.Group = groups[it.GroupID]
		if it.PostID != "" {
			if p, err := s.d.Reads.Post(r.viewer, it.PostID); err == nil {
				qi.Post = &p
			}
			if t, err := s.d.Reads.ThreadHeader(r.viewer, it.ThreadID); err == nil {
				qi.Thread, qi.ThreadLang = t.Title, t.Language
			}
		}
		d.Items = append(d.Items, qi)
	}
	v := s.view(c, "moderation")
	v.Title = v.T("web.moderation.title")
	v.Data = d
	s.render(c, http.StatusOK, "moderation", v)
}

type logPage struct {
	Entries []projections.LogEntry
	Groups  map[string]groupRef
	Next    string
	// Group is the group the log is filtered to ("" all), kept by the
	// link to the next page.
	Group string
}

// PagerBase is the next page's address so far: the filter, then the cursor.
func (d logPage) PagerBase() string {
	if d.Group == "" {
		return "/moderation/log?"
	}
	return "/moderation/log?group=" + url.QueryEscape(d.Group) + "&"
}

func (s *Server) moderationLog(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	r := state(c)
	group := bounded(c, "group")
	l, err := s.d.Reads.ModerationLog(r.viewer, projections.LogQuery{GroupID: group,
		PageRequest: projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")}})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := logPage{Entries: l.Items, Next: l.NextCursor, Groups: map[string]groupRef{}, Group: group}
	for _, e := range l.Items {
		if _, ok := d.Groups[e.GroupID]; e.GroupID != "" && !ok {
			if g, err := s.d.Reads.Group(r.viewer, e.GroupID); err == nil {
				d.Groups[e.GroupID] = refOf(g)
			}
		}
	}
	v := s.view(c, "moderation")
	v.Title = v.T("web.modlog.title")
	v.Data = d
	s.render(c, http.StatusOK, "modlog", v)
}

// Action names a log entry's action in the page's language.
func (v *view) Action(a string) string { return v.l.t("web.action." + a) }

// Detail says what a log entry's detail means, in the page's language:
// the read model records codes (a flag's resolution, a site role) and a
// suspension's end as "until <RFC 3339 time>".
func (v *view) Detail(e projections.LogEntry) string {
	switch e.Action {
	case "FlagResolved":
		switch e.Detail {
		case domain.FlagActioned:
			return v.l.t("web.modlog.actioned")
		case domain.FlagDismissed:
			return v.l.t("web.modlog.dismissed")
		}
	case "MemberRoleGranted", "MemberRoleRevoked":
		switch e.Detail {
		case domain.RoleAdmin:
			return v.l.t("web.siterole.admin")
		case domain.RoleModerator:
			return v.l.t("web.siterole.moderator")
		}
	case "GroupUpdated":
		// The fields changed, named by the form's labels.
		var names []string
		for f := range strings.SplitSeq(e.Detail, ",") {
			if label := v.l.t("web.label." + f); !strings.HasPrefix(label, "web.label.") {
				names = append(names, label)
			}
		}
		return strings.Join(names, ", ")
	case "GroupVisibilityChanged":
		// "open>private": both named as the group forms name them.
		if from, to, ok := strings.Cut(e.Detail, ">"); ok {
			return strings.NewReplacer("{From}", v.l.t("web.visibility."+from), "{To}", v.l.t("web.visibility."+to)).
				Replace(v.l.t("web.modlog.visibility"))
		}
	case "MemberSuspended":
		if t, err := time.Parse(time.RFC3339, strings.TrimPrefix(e.Detail, "until ")); err == nil {
			return strings.ReplaceAll(v.l.t("web.modlog.until"), "{Date}", v.l.date(t))
		}
	}
	return e.Detail
}

// Excerpt is a post's text cut for the queue (plain text, escaped by the
// template).
func (v *view) Excerpt(p *projections.Post) string {
	b := []rune(p.Body)
	if len(b) > 280 {
		return string(b[:280]) + "…"
	}
	return string(b)
}
