package web

import (
	"net/http"
	"net/url"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// jobs is the job board: job postings across the groups the viewer may
// read, newest first, with their details in columns. Postings past their
// deadline are left out unless asked for.
func (s *Server) jobs(c *gin.Context) {
	r := state(c)
	d := jobsPage{Language: bounded(c, "language"), Closed: c.Query("closed") == "1"}
	q := projections.ThreadQuery{Kind: domain.KindJob, Language: d.Language,
		PageRequest: projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")}}
	if !d.Closed {
		q.OpenAt = s.d.Now()
	}
	list, err := s.d.Reads.Threads(r.viewer, q)
	if err != nil {
		s.fail(c, err)
		return
	}
	d.listPage = listPage{Threads: list.Items, Groups: s.groupNames(r.viewer, list.Items), Next: list.NextCursor}
	vals := url.Values{"language": {d.Language}}
	if d.Closed {
		vals.Set("closed", "1")
	}
	d.PagerBase = "/jobs?" + vals.Encode() + "&"
	v := s.view(c, "jobs")
	v.Title = v.T("web.jobs.title")
	v.Data = d
	s.render(c, http.StatusOK, "jobs", v)
}

type jobsPage struct {
	listPage
	Language  string
	Closed    bool
	PagerBase string
}
