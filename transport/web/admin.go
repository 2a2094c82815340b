package web

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/httperr"
)

// chart is one figure of the dashboard: the SVG and the same data as a
// table (screen reader users and anyone who prefers numbers get both).
type chart struct {
	ID, Title, Desc string
	SVG             template.HTML
	Series          []series
}

type dashboardPage struct {
	Stats              projections.Stats
	From, To, Interval string
	Table              bool
	Charts             []chart
	CSV                string
	Rows               []dashRow
	All                []dashRow // the rows and the totals
	Totals             dashRow
}

// dashRow is a stats row with its period already formatted.
type dashRow struct {
	Label string
	projections.StatsRow
}

func (s *Server) admin(c *gin.Context) bool {
	if _, ok := s.member(c); !ok {
		return false
	}
	if !state(c).viewer.IsAdmin() {
		s.fail(c, httperr.ErrForbidden)
		return false
	}
	return true
}

func (s *Server) dashboard(c *gin.Context) {
	if !s.admin(c) {
		return
	}
	r := state(c)
	d := dashboardPage{From: bounded(c, "from"), To: bounded(c, "to"), Interval: bounded(c, "interval"), Table: c.Query("view") == "table"}
	q := projections.StatsQuery{Interval: d.Interval}
	fields := map[string]string{}
	for name, dst := range map[string]*time.Time{"from": &q.From, "to": &q.To} {
		val := map[string]string{"from": d.From, "to": d.To}[name]
		if val == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", val)
		if err != nil {
			fields[name] = domain.CodeInvalid
			continue
		}
		*dst = t
	}
	switch q.Interval {
	case "", projections.IntervalDay, projections.IntervalWeek, projections.IntervalMonth:
	default:
		fields["interval"] = domain.CodeInvalid
		q.Interval = ""
	}
	v := s.view(c, "admin")
	v.Title = v.T("web.dashboard.title")
	if len(fields) > 0 {
		q.From, q.To = time.Time{}, time.Time{}
	}
	st, err := s.d.Reads.Stats(r.viewer, q)
	if pe := (*projections.ParamError)(nil); errors.As(err, &pe) {
		// Dates that parse but make no range the read side serves (the
		// end before the start, too long a span) are the form's errors
		// too, shown on the fields; the default range is shown meanwhile.
		rangeError(fields, pe, q)
		q.From, q.To = time.Time{}, time.Time{}
		if fields["interval"] != "" {
			q.Interval = ""
		}
		st, err = s.d.Reads.Stats(r.viewer, q)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Stats = st
	d.Interval = st.Interval
	if len(fields) > 0 {
		// The dates stay as typed, to be corrected.
		v.withErrors(fields)
	} else {
		d.From, d.To = st.From, st.To
	}
	vals := url.Values{"from": {st.From}, "to": {st.To}, "interval": {st.Interval}}
	d.CSV = "/api/v1/admin/stats.csv?" + vals.Encode()
	for _, row := range st.Series {
		d.Rows = append(d.Rows, dashRow{Label: s.periodLabel(v, row.Period, st.Interval), StatsRow: row})
	}
	d.Totals = dashRow{Label: v.T("web.dashboard.total"), StatsRow: st.Totals}
	d.All = append(append([]dashRow{}, d.Rows...), d.Totals)
	d.Charts = s.charts(v, d.Rows)
	v.Data = d
	s.render(c, http.StatusOK, "dashboard", v)
}

// rangeError names the field of a stats range the read side refused: the
// interval, the end when it comes before the start, otherwise the start
// (the range reaching too far back, or a start after today's default end).
func rangeError(fields map[string]string, pe *projections.ParamError, q projections.StatsQuery) {
	switch {
	case pe.Param == "interval":
		fields["interval"] = domain.CodeInvalid
	case !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From):
		fields["to"] = domain.CodeBeforeStart
	case !q.From.IsZero():
		fields["from"] = domain.CodeOutOfRange
	default:
		fields["to"] = domain.CodeOutOfRange
	}
}

// periodLabel names a period: a day, "week of <day>", or a month.
func (s *Server) periodLabel(v *view, period, interval string) string {
	t, err := time.ParseInLocation("2006-01-02", period, v.l.tz)
	if err != nil {
		return period
	}
	switch interval {
	case projections.IntervalWeek:
		return v.TS("web.dashboard.week_of", v.l.date(t))
	case projections.IntervalMonth:
		return v.l.months[t.Month()-1] + " " + t.Format("2006")
	}
	return v.l.date(t)
}

type adminMember struct {
	projections.Me
}

type adminMembersPage struct {
	Members []adminMember
	Q       string
	Next    string
}

func (s *Server) adminMembers(c *gin.Context) {
	if !s.admin(c) {
		return
	}
	r := state(c)
	d := adminMembersPage{Q: bounded(c, "q")}
	list, err := s.d.Reads.Members(r.viewer, projections.MemberQuery{Q: d.Q, PageRequest: projections.PageRequest{Limit: 50, Cursor: c.Query("cursor")}})
	if err != nil {
		s.fail(c, err)
		return
	}
	d.Next = list.NextCursor
	for _, m := range list.Items {
		me, err := s.d.Reads.Me(m.ID)
		if err != nil {
			me = projections.Me{Member: m}
		}
		d.Members = append(d.Members, adminMember{Me: me})
	}
	v := s.view(c, "admin")
	v.Title = v.T("web.adminmembers.title")
	v.Data = d
	s.render(c, http.StatusOK, "admin_members", v)
}

func (s *Server) adminMemberAction(c *gin.Context) {
	if !s.admin(c) {
		return
	}
	p := state(c).p
	id, reason := c.Param("id"), c.PostForm("reason")
	ctx, o := c.Request.Context(), s.origin(c, p)
	var (
		res domain.Result
		err error
	)
	action := c.Param("action")
	switch action {
	case "role":
		res, err = s.d.Commands.GrantRole(ctx, o, id, c.PostForm("role"), reason)
	case "revoke":
		res, err = s.d.Commands.RevokeRole(ctx, o, id, c.PostForm("role"), reason)
	case "suspend":
		cmd := domain.SuspendMember{Reason: reason}
		if u := strings.TrimSpace(c.PostForm("until")); u != "" {
			t, perr := time.ParseInLocation("2006-01-02", u, s.d.TimeZone)
			if perr != nil {
				s.fail(c, httperr.Invalid(map[string]string{"until": domain.CodeInvalid}))
				return
			}
			t = t.UTC()
			cmd.Until = &t
		}
		res, err = s.d.Commands.SuspendMember(ctx, o, id, cmd)
	case "reinstate":
		res, err = s.d.Commands.ReinstateMember(ctx, o, id, reason)
	default:
		s.fail(c, domain.ErrNotFound)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/admin/members", "member_"+action)
}
