package api

import (
	"encoding/csv"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/httperr"
)

type suspendBody struct {
	Reason string     `json:"reason"`
	Until  *time.Time `json:"until"`
}

func (s *Server) suspend(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b suspendBody
	if !s.decode(c, &b, false) {
		return
	}
	id := c.Param("id")
	o := s.origin(c, p)
	ctx := c.Request.Context()
	res, err := s.d.Commands.SuspendMember(ctx, o, id, domain.SuspendMember{Reason: b.Reason, Until: b.Until})
	if err != nil {
		s.fail(c, err)
		return
	}
	pos := res.Append.Position
	// The member's sessions stop working at once whatever happens here
	// (every request checks the member in the store); ending them in the
	// log as well keeps the sessions model truthful.
	if l, ok := s.d.Reads.(SessionLister); ok {
		for _, hash := range l.SessionsOf(id) {
			at, err := s.d.Sessions.EndHash(ctx, o, hash, id, domain.SessionEndSuspended)
			if err != nil {
				s.d.Logger.WarnContext(ctx, "ending a suspended member's session", "member", id, "err", err)
				continue
			}
			if pos.Less(at) {
				pos = at
			}
		}
	}
	s.written(c, pos)
	noContent(c)
}

type roleBody struct {
	Role   string `json:"role"`
	Reason string `json:"reason"`
}

func (s *Server) grantRole(c *gin.Context) {
	var b roleBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.GrantRole(c.Request.Context(), o, c.Param("id"), b.Role, b.Reason)
	})
}

// revokeRole takes a site role away; revoking a role the member does not
// hold changes nothing (204), as granting one twice does. The body, with
// a reason, may be omitted.
func (s *Server) revokeRole(c *gin.Context) {
	var b reasonBody
	s.commandWith(c, &b, true, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.RevokeRole(c.Request.Context(), o, c.Param("id"), c.Param("role"), b.Reason)
	})
}

func (s *Server) reinstate(c *gin.Context) {
	var b reasonBody
	s.commandWith(c, &b, true, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.ReinstateMember(c.Request.Context(), o, c.Param("id"), b.Reason)
	})
}

func (s *Server) statsQuery(c *gin.Context) (projections.StatsQuery, bool) {
	if _, ok := s.member(c); !ok {
		return projections.StatsQuery{}, false
	}
	var q projections.StatsQuery
	var err error
	if q.From, err = dateParam(c, "from"); err != nil {
		s.fail(c, err)
		return q, false
	}
	if q.To, err = dateParam(c, "to"); err != nil {
		s.fail(c, err)
		return q, false
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		s.fail(c, httperr.BadParameter(errors.New("to before from"), map[string]string{"to": domain.CodeBeforeStart}))
		return q, false
	}
	// Ten years of days is the longest series anyone asks a dashboard for;
	// a longer one is a mistake or an attempt to make the server work.
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Sub(q.From) > 10*366*24*time.Hour {
		s.fail(c, httperr.BadParameter(errors.New("range too long"), map[string]string{"from": domain.CodeOutOfRange}))
		return q, false
	}
	switch q.Interval = c.Query("interval"); q.Interval {
	case "", projections.IntervalDay, projections.IntervalWeek, projections.IntervalMonth:
	default:
		s.fail(c, httperr.BadParameter(errors.New("interval"), map[string]string{"interval": domain.CodeInvalid}))
		return q, false
	}
	return q, true
}

func (s *Server) stats(c *gin.Context) {
	q, ok := s.statsQuery(c)
	if !ok {
		return
	}
	res, err := s.d.Reads.Stats(viewer(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	if res.Series == nil {
		res.Series = []projections.StatsRow{}
	}
	c.JSON(http.StatusOK, res)
}

// statsColumns are the CSV's columns, the JSON keys in API.md's order.
var statsColumns = []string{"period", "new_members", "active_members", "new_threads", "new_replies",
	"posts_en", "posts_fr", "new_groups", "interactions", "page_views", "sessions"}

func statsRecord(period string, r projections.StatsRow) []string {
	n := func(v int64) string { return strconv.FormatInt(v, 10) }
	return []string{period, n(r.NewMembers), n(r.ActiveMembers), n(r.NewThreads), n(r.NewReplies),
		n(r.PostsEN), n(r.PostsFR), n(r.NewGroups), n(r.Interactions), n(r.PageViews), n(r.Sessions)}
}

// statsCSV answers the series as CSV, one row per period and a last row
// "total".
func (s *Server) statsCSV(c *gin.Context) {
	q, ok := s.statsQuery(c)
	if !ok {
		return
	}
	res, err := s.d.Reads.Stats(viewer(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.Header("Content-Type", "text/csv; charset=utf-8")
	c.Header("Content-Disposition", `attachment; filename="settlenet-stats.csv"`)
	c.Status(http.StatusOK)
	w := csv.NewWriter(c.Writer)
	_ = w.Write(statsColumns)
	for _, r := range res.Series {
		_ = w.Write(statsRecord(r.Period, r))
	}
	_ = w.Write(statsRecord("total", res.Totals))
	w.Flush()
}
