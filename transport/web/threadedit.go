package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// The edit-thread page: the new-thread form's title, details and tags
// fields (partials.html), pre-filled with the thread's values. Kind,
// language and the opening post are not on it: the first two never change,
// and the post is edited as a post.

type editThreadPage struct {
	Thread projections.Thread
	Group  projections.Group
	Form   threadForm
}

// mayEdit says whether the viewer may edit the thread, as the domain
// decides it: its author or a moderator of its group; a locked thread,
// only a moderator.
func mayEdit(r *req, t *projections.Thread, moderator bool) bool {
	if r.p == nil {
		return false
	}
	return moderator || (t.Author.ID == r.p.MemberID && !t.Locked)
}

// editableThread loads a thread for its edit page: not found to who may
// not read it, forbidden (or locked) to who may not edit it.
func (s *Server) editableThread(c *gin.Context) (projections.Thread, projections.Group, bool) {
	r := state(c)
	id := c.Param("id")
	t, err := s.d.Reads.ThreadHeader(r.viewer, id)
	if err != nil {
		s.fail(c, err)
		return t, projections.Group{}, false
	}
	g, err := s.d.Reads.Group(r.viewer, t.GroupID)
	if err != nil {
		s.fail(c, err)
		return t, g, false
	}
	if !mayEdit(r, &t, moderates(r, &g)) {
		if t.Locked && r.p != nil && t.Author.ID == r.p.MemberID {
			s.fail(c, fmt.Errorf("edit thread %q: %w", id, domain.ErrThreadLocked))
		} else {
			s.fail(c, fmt.Errorf("edit thread %q: %w", id, domain.ErrForbidden))
		}
		return t, g, false
	}
	return t, g, true
}

// threadFormOf is the form pre-filled with a thread's values, times in the
// site's display time zone as the new-thread form reads them.
func (s *Server) threadFormOf(t *projections.Thread) threadForm {
	f := threadForm{Kind: t.Kind, Title: t.Title, Tags: strings.Join(t.Tags, ", "), Language: t.Language}
	if ev := t.Event; ev != nil {
		f.StartsAt = ev.StartsAt.In(s.d.TimeZone).Format(localInput)
		if ev.EndsAt != nil {
			f.EndsAt = ev.EndsAt.In(s.d.TimeZone).Format(localInput)
		}
		f.Location, f.OnlineURL = ev.Location, ev.OnlineURL
		if ev.Capacity != nil {
			f.Cap = strconv.Itoa(*ev.Capacity)
		}
	}
	if r := t.Resource; r != nil {
		f.ResourceURL, f.ResourceFormat = r.URL, r.Format
	}
	if j := t.Job; j != nil {
		f.JobOrganization, f.JobLocation, f.JobEmploymentType = j.Organization, j.Location, j.EmploymentType
		f.JobSalary, f.JobDeadline, f.JobApplyURL = j.Salary, j.Deadline, j.ApplyURL
	}
	return f
}

func (s *Server) renderEditThread(c *gin.Context, status int, t projections.Thread, g projections.Group, f threadForm, fields map[string]string) {
	v := s.view(c, "groups")
	v.Title = v.T("web.editthread.title")
	if len(fields) > 0 {
		v.withErrors(fields)
	}
	v.Data = editThreadPage{Thread: t, Group: g, Form: f}
	s.render(c, status, "thread_edit", v)
}

func (s *Server) editThreadForm(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	t, g, ok := s.editableThread(c)
	if !ok {
		return
	}
	s.renderEditThread(c, http.StatusOK, t, g, s.threadFormOf(&t), nil)
}

func (s *Server) saveThread(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	t, g, ok := s.editableThread(c)
	if !ok {
		return
	}
	f := readThreadForm(c)
	f.Kind, f.Language = t.Kind, t.Language // never changed by an edit
	fields := map[string]string{}
	tags := splitList(f.Tags)
	cmd := domain.EditThread{Title: &f.Title, Tags: &tags}
	cmd.Event, cmd.Resource, cmd.Job = s.formDetails(f, fields)
	// The form's times are to the minute: a time it shows unchanged keeps
	// the thread's own (seconds and all), so a fixed title does not look
	// like a rescheduling to those attending.
	if ev, cur := cmd.Event, t.Event; ev != nil && cur != nil {
		was := s.threadFormOf(&t)
		if f.StartsAt == was.StartsAt {
			ev.StartsAt = cur.StartsAt
		}
		if f.EndsAt == was.EndsAt && cur.EndsAt != nil {
			end := *cur.EndsAt
			ev.EndsAt = &end
		}
	}
	if len(fields) > 0 {
		s.renderEditThread(c, http.StatusUnprocessableEntity, t, g, f, fields)
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	res, err := s.d.Commands.EditThread(c.Request.Context(), s.origin(c, p), t.ID, cmd)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		s.renderEditThread(c, http.StatusUnprocessableEntity, t, g, f, ve.Fields)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/threads/"+t.ID, "thread_edited")
}

// threadActions is the link to the edit page, for who may edit: outside
// the kept body (threadcache.go), since only some viewers get it.
func (w *htmlw) threadActions(d *threadPage) {
	if !d.CanEdit {
		return
	}
	w.raw("<p class=\"thread-actions\"><a class=\"button button-secondary\" href=\"/threads/")
	w.path(d.Thread.ID)
	w.raw("/edit\">")
	w.T("web.thread.edit")
	w.raw("</a></p>\n")
}
