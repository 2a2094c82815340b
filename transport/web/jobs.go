package web

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// jobs is the job board: job postings across the groups the viewer may
// read, newest first, with their details in columns.
func (s *Server) jobs(c *gin.Context) {
	r := state(c)
	lang := bounded(c, "language")
	list, err := s.d.Reads.Threads(r.viewer, projections.ThreadQuery{Kind: domain.KindJob, Language: lang,
		PageRequest: projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")}})
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "jobs")
	v.Title = v.T("web.jobs.title")
	v.Data = jobsPage{listPage: listPage{Threads: list.Items, Groups: s.groupNames(r.viewer, list.Items), Next: list.NextCursor}, Language: lang}
	s.render(c, http.StatusOK, "jobs", v)
}

type jobsPage struct {
	listPage
	Language string
}
