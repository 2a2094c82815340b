package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// jobs is the job board: job postings across the groups the viewer may
// read, newest first, with their details in columns. Postings past their
// deadline are left out unless asked for.
func (s *Server) jobs(c *gin.Context) {
	closed := c.Query("closed") == "1"
	open := s.d.Now()
	l, err := s.threadList(c, "/jobs", domain.KindJob, func(q *projections.ThreadQuery) {
		if !closed {
			q.OpenAt = open
		}
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	d := jobsPage{listPage: l, Closed: closed}
	vals := l.F.values()
	if closed {
		vals.Set("closed", "1")
	}
	d.PagerBase = "/jobs?" + vals.Encode() + "&"
	if len(vals) == 0 {
		d.PagerBase = "/jobs?"
	}
	v := s.view(c, "jobs")
	v.Title = v.T("web.jobs.title")
	v.Data = d
	s.render(c, http.StatusOK, "jobs", v)
}

type jobsPage struct {
	listPage
	Closed    bool
	PagerBase string
}

// Filtered counts the closed postings asked for as a filter: the reset
// link leaves them out again.
func (d jobsPage) Filtered() bool { return d.F.Filtered() || d.Closed }
