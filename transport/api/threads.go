package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/httperr"
)

type threadBody struct {
	Title    string                  `json:"title"`
	Body     string                  `json:"body"`
	Language string                  `json:"language"`
	Kind     string                  `json:"kind"`
	Tags     []string                `json:"tags"`
	Event    *domain.EventDetails    `json:"event"`
	Resource *domain.ResourceDetails `json:"resource"`
	Job      *domain.JobDetails      `json:"job"`
}

func (s *Server) startThread(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b threadBody
	if !s.decode(c, &b, false) {
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	if b.Kind == "" {
		b.Kind = domain.KindDiscussion
	}
	res, err := s.d.Commands.StartThread(c.Request.Context(), s.origin(c, p), domain.StartThread{
		GroupID: c.Param("id"), Title: b.Title, Body: b.Body, Language: b.Language, Kind: b.Kind,
		Tags: b.Tags, Event: b.Event, Resource: b.Resource, Job: b.Job,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	t, err := s.d.Reads.ThreadHeader(viewer(c), res.ThreadID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, t)
}

// threadEditBody is PATCH /threads/{id}: an absent (or null) field keeps
// its value; event, resource and job replace the details whole. Kind and
// language may be sent as they are (a client echoing the thread back);
// other values are refused, not ignored, since they never change.
type threadEditBody struct {
	Title    *string                 `json:"title"`
	Tags     *[]string               `json:"tags"`
	Event    *domain.EventDetails    `json:"event"`
	Resource *domain.ResourceDetails `json:"resource"`
	Job      *domain.JobDetails      `json:"job"`
	Kind     *string                 `json:"kind"`
	Language *string                 `json:"language"`
}

// editThread changes a thread's title, tags or details (its author or a
// moderator) and answers the thread as GET /threads/{id} shows it.
func (s *Server) editThread(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b threadEditBody
	if !s.decode(c, &b, false) {
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	res, err := s.d.Commands.EditThread(c.Request.Context(), s.origin(c, p), c.Param("id"), domain.EditThread{
		Title: b.Title, Tags: b.Tags, Event: b.Event, Resource: b.Resource, Job: b.Job, Kind: b.Kind, Language: b.Language,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	t, err := s.d.Reads.ThreadHeader(viewer(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
}

// threadQuery reads the filters of thread lists; open=true keeps the job
// postings still open (an extension).
func (s *Server) threadQuery(c *gin.Context) (projections.ThreadQuery, error) {
	pg, err := page(c)
	if err != nil {
		return projections.ThreadQuery{}, err
	}
	q := projections.ThreadQuery{PageRequest: pg}
	for name, dst := range map[string]*string{"kind": &q.Kind, "language": &q.Language, "tag": &q.Tag, "group": &q.GroupID} {
		if *dst, err = query(c, name); err != nil {
			return q, err
		}
	}
	if q.From, err = dateParam(c, "from"); err != nil {
		return q, err
	}
	if q.To, err = endParam(c, "to"); err != nil {
		return q, err
	}
	if !q.From.IsZero() && !q.To.IsZero() && q.To.Before(q.From) {
		return q, httperr.BadParameter(errors.New("to before from"), map[string]string{"to": domain.CodeBeforeStart})
	}
	switch c.Query("open") {
	case "", "false":
	case "true":
		q.OpenAt = s.d.Now()
	default:
		return q, httperr.BadParameter(fmt.Errorf("open %q", c.Query("open")), map[string]string{"open": domain.CodeInvalid})
	}
	return q, nil
}

func (s *Server) groupThreads(c *gin.Context) {
	q, err := s.threadQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.d.Reads.GroupThreads(viewer(c), c.Param("id"), q)
	if err != nil {
		s.fail(c, s.contentErr(c, c.Param("id"), err))
		return
	}
	c.JSON(http.StatusOK, res)
}

func (s *Server) listThreads(c *gin.Context) {
	q, err := s.threadQuery(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	if err := s.listExtensions(c, &q); err != nil {
		s.fail(c, err)
		return
	}
	// The events list is "upcoming events" (API.md): without a from, it
	// starts today, so today's events stay on it until the day is over.
	// when= (an extension) asks for its own split instead.
	if q.Kind == domain.KindEvent && q.From.IsZero() && q.UnendedAt.IsZero() && q.EndedBy.IsZero() {
		q.From = s.d.Now().UTC().Truncate(24 * time.Hour)
	}
	res, err := s.d.Reads.Threads(viewer(c), q)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// listExtensions reads the cross-group list's extensions to API.md:
// when=upcoming|past splits events (kind=event only) at now by whether
// they have ended, past ones latest first; mine=true keeps the groups the
// caller belongs to.
func (s *Server) listExtensions(c *gin.Context, q *projections.ThreadQuery) error {
	switch w := c.Query("when"); w {
	case "":
	case "upcoming", "past":
		if q.Kind != domain.KindEvent {
			return httperr.BadParameter(fmt.Errorf("when %q without kind=event", w), map[string]string{"when": domain.CodeInvalid})
		}
		if w == "past" {
			q.EndedBy = s.d.Now()
		} else {
			q.UnendedAt = s.d.Now()
		}
	default:
		return httperr.BadParameter(fmt.Errorf("when %q", w), map[string]string{"when": domain.CodeInvalid})
	}
	switch m := c.Query("mine"); m {
	case "", "false":
	case "true":
		q.MyGroups = true
	default:
		return httperr.BadParameter(fmt.Errorf("mine %q", m), map[string]string{"mine": domain.CodeInvalid})
	}
	return nil
}

func (s *Server) getThread(c *gin.Context) {
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	body, err := s.threads.answer(s.d.Reads, viewer(c), c.Param("id"), pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	writeJSONBody(c, http.StatusOK, body)
}

type replyBody struct {
	Body     string `json:"body"`
	Language string `json:"language"`
	ReplyTo  string `json:"reply_to"`
}

func (s *Server) postReply(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b replyBody
	if !s.decode(c, &b, false) {
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	res, err := s.d.Commands.PostReply(c.Request.Context(), s.origin(c, p), c.Param("id"), domain.PostReply{
		Body: b.Body, Language: b.Language, ReplyTo: b.ReplyTo,
	})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	s.answerPost(c, res.PostID, http.StatusCreated)
}

func (s *Server) answerPost(c *gin.Context, postID string, status int) {
	post, err := s.d.Reads.Post(viewer(c), postID)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(status, post)
}

type translationBody struct {
	ThreadID string `json:"thread_id"`
}

func (s *Server) linkTranslation(c *gin.Context) {
	var b translationBody
	s.commandWith(c, &b, false, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		if strings.TrimSpace(b.ThreadID) == "" {
			return domain.Result{}, &domain.ValidationError{Fields: map[string]string{"thread_id": domain.CodeRequired}}
		}
		return s.d.Commands.LinkTranslation(c.Request.Context(), o, c.Param("id"), b.ThreadID)
	})
}

// unlinkTranslation undoes a link (204 also when there was none).
func (s *Server) unlinkTranslation(c *gin.Context) {
	s.command(c, func(c *gin.Context, o domain.Origin) (domain.Result, error) {
		return s.d.Commands.UnlinkTranslation(c.Request.Context(), o, c.Param("id"), c.Param("other"))
	})
}

type rsvpBody struct {
	Status string `json:"status"`
}

func (s *Server) rsvp(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	var b rsvpBody
	if !s.decode(c, &b, false) {
		return
	}
	res, err := s.d.Commands.SetRsvp(c.Request.Context(), s.origin(c, p), c.Param("id"), b.Status)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	c.JSON(http.StatusOK, gin.H{"status": res.Status})
}

func (s *Server) attendees(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	pg, err := page(c)
	if err != nil {
		s.fail(c, err)
		return
	}
	res, err := s.d.Reads.Attendees(viewer(c), c.Param("id"), pg)
	if err != nil {
		s.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, res)
}

// eventICS answers an event thread as an iCalendar (RFC 5545) file.
func (s *Server) eventICS(c *gin.Context) {
	t, err := s.d.Reads.ThreadHeader(viewer(c), c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	if t.Kind != domain.KindEvent || t.Event == nil {
		s.fail(c, httperr.ErrNotFound)
		return
	}
	ev := t.Event
	stamp := func(at time.Time) string { return at.UTC().Format("20060102T150405Z") }
	end := ev.StartsAt.Add(time.Hour)
	if ev.EndsAt != nil {
		end = *ev.EndsAt
	}
	url := strings.TrimRight(s.d.BaseURL, "/") + "/threads/" + t.ID
	var b strings.Builder
	line := func(name, value string) { writeICSLine(&b, name, value) }
	b.WriteString("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//SettleNet//Engine//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\n")
	// An edit of what the entry shows raises SEQUENCE and LAST-MODIFIED,
	// so calendar clients replace the entry they hold (RFC 5545 3.8.7.4).
	modified := t.CreatedAt
	if t.EditedAt != nil {
		modified = *t.EditedAt
	}
	line("UID", t.ID+"@settlenet")
	line("DTSTAMP", stamp(modified))
	line("SEQUENCE", strconv.Itoa(t.Sequence))
	line("LAST-MODIFIED", stamp(modified))
	line("DTSTART", stamp(ev.StartsAt))
	line("DTEND", stamp(end))
	line("SUMMARY", icsEscape(t.Title))
	if ev.Location != "" {
		line("LOCATION", icsEscape(ev.Location))
	}
	desc := url
	if ev.OnlineURL != "" {
		desc = ev.OnlineURL + "\n" + url
	}
	line("DESCRIPTION", icsEscape(desc))
	line("URL", url)
	b.WriteString("END:VEVENT\r\nEND:VCALENDAR\r\n")
	c.Header("Content-Disposition", fmt.Sprintf(`attachment; filename="event-%s.ics"`, safeFileName(t.ID)))
	c.Data(http.StatusOK, "text/calendar; charset=utf-8", []byte(b.String()))
}

// icsEscape escapes TEXT values (RFC 5545 3.3.11); control characters go,
// so a title cannot smuggle in properties of its own.
func icsEscape(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\\' || r == ';' || r == ',':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r < ' ' || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// writeICSLine folds a content line at 75 octets without splitting a UTF-8
// sequence.
func writeICSLine(b *strings.Builder, name, value string) {
	line := name + ":" + value
	n := 0
	for i, r := range line {
		w := len(string(r))
		if n+w > 75 {
			b.WriteString("\r\n ")
			n = 1
		}
		b.WriteString(line[i : i+w])
		n += w
	}
	b.WriteString("\r\n")
}

func safeFileName(id string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			return r
		}
		return '_'
	}, id)
}
