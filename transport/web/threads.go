package web

import (
	"bytes"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// markdown renders previews the way the projections render posts
// (goldmark, then bluemonday's UGC policy), so a preview shows what the
// post will look like.
type markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

func newMarkdown() *markdown {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	return &markdown{md: goldmark.New(goldmark.WithExtensions(extension.Strikethrough, extension.Table, extension.Linkify)), policy: p}
}

func (m *markdown) render(body string) template.HTML {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(body), &buf); err != nil {
		return template.HTML("<p>" + template.HTMLEscapeString(body) + "</p>")
	}
	return template.HTML(m.policy.Sanitize(buf.String()))
}

type replyForm struct {
	Body, Language string
	Preview        template.HTML
}

type threadPage struct {
	Thread  projections.Thread
	Group   projections.Group
	Opening *projections.Post
	Replies []projections.Post
	Next    string
	// Prev is the page before this one; "" on the first.
	Prev      string
	CanReply  bool
	IsMember  bool
	Moderator bool
	Reply     replyForm
	Attendees []projections.Attendee
	// stamp is the version of the thread read (threadcache.go); cacheable:
	// it did not change while the page's data were read.
	stamp     projections.ThreadStamp
	cacheable bool
	// Translate is the translation-link control, for those who may link.
	Translate *translateForm
	// CanEdit: the viewer may edit the thread's title, tags and details.
	CanEdit bool
	// viewer is the member reading ("": a visitor), for the links to edit
	// and delete their own posts.
	viewer string
}

// perms is what the viewer may do with the page's posts.
func (d *threadPage) perms() postPerms {
	return postPerms{Member: d.IsMember, Moderator: d.Moderator, Viewer: d.viewer, Locked: d.Thread.Locked}
}

// postsPerPage is how many posts a thread page shows.
const postsPerPage = 50

// threadView loads a thread page's data; the reply form starts in the
// viewer's language.
func (s *Server) threadView(c *gin.Context, id string) (*view, *threadPage, error) {
	r := state(c)
	page := projections.PageRequest{Limit: postsPerPage, Cursor: c.Query("cursor")}
	stamp, _, serr := s.d.Reads.ThreadShare(r.viewer, id, page)
	tv, err := s.d.Reads.Thread(r.viewer, id, page)
	if err != nil {
		return nil, nil, err
	}
	again, _, aerr := s.d.Reads.ThreadShare(r.viewer, id, page)
	g, err := s.d.Reads.Group(r.viewer, tv.Thread.GroupID)
	if err != nil {
		return nil, nil, err
	}
	d := &threadPage{Thread: tv.Thread, Group: g, Next: tv.NextCursor, Prev: tv.PrevCursor, Replies: tv.Posts, stamp: stamp, cacheable: serr == nil && aerr == nil && again == stamp,
		Moderator: moderates(r, &g), viewer: r.viewer.MemberID}
	if len(tv.Posts) > 0 && tv.Posts[0].ID == tv.Thread.OpeningPostID {
		d.Opening, d.Replies = &tv.Posts[0], tv.Posts[1:]
	}
	d.IsMember = r.p != nil && isMember(g.MyRole)
	d.CanReply = d.IsMember && (!tv.Thread.Locked || d.Moderator)
	v := s.view(c, "groups")
	d.Reply.Language = v.Lang
	if tv.Thread.Event != nil && (d.Moderator || (r.p != nil && tv.Thread.Author.ID == r.p.MemberID)) {
		d.Attendees = s.attendees(r.viewer, id)
	}
	d.Translate = s.translateControl(r, d)
	d.CanEdit = mayEdit(r, &tv.Thread, d.Moderator)
	v.Title = tv.Thread.Title
	v.Topic = "thread:" + id
	v.Data = d
	return v, d, nil
}

func (s *Server) thread(c *gin.Context) {
	v, d, err := s.threadView(c, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.renderThread(c, http.StatusOK, v, d)
}

func (s *Server) postReply(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	f := replyForm{Body: c.PostForm("body"), Language: c.PostForm("language")}
	again := func(status int, fields map[string]string) {
		v, d, err := s.threadView(c, id)
		if err != nil {
			s.fail(c, err)
			return
		}
		d.Reply = f
		if fields != nil {
			v.withErrors(fields)
		}
		s.renderThread(c, status, v, d)
	}
	if c.PostForm("action") == "preview" {
		if strings.TrimSpace(f.Body) != "" {
			f.Preview = s.md.render(f.Body)
		}
		again(http.StatusOK, nil)
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	res, err := s.d.Commands.PostReply(c.Request.Context(), s.origin(c, p), id, domain.PostReply{
		Body: f.Body, Language: f.Language, ReplyTo: c.PostForm("reply_to")})
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		again(http.StatusUnprocessableEntity, ve.Fields)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	// On a long thread the new reply is on a later page than the first.
	done(c, s.postAt(id, res.PostID), "reply_posted")
}

// preview is the script's Markdown preview: the same rendering as the
// no-script "Preview" button, as JSON.
func (s *Server) preview(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	body := c.PostForm("body")
	if len(body) > domain.MaxBodyBytes {
		body = body[:domain.MaxBodyBytes]
	}
	c.JSON(http.StatusOK, gin.H{"html": string(s.md.render(body))})
}

type threadForm struct {
	Kind, Title, Body, Language, Tags          string
	ResourceURL, ResourceFormat                string
	StartsAt, EndsAt, Location, OnlineURL, Cap string
	JobOrganization, JobLocation, JobDeadline  string
	JobEmploymentType, JobSalary, JobApplyURL  string
	// Preview is the body rendered as it would be posted (the form's
	// Preview button, with or without the script).
	Preview template.HTML
}

type newThreadPage struct {
	Group projections.Group
	Form  threadForm
}

func (s *Server) newThreadForm(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	r := state(c)
	g, err := s.d.Reads.Group(r.viewer, c.Param("id"))
	if err != nil {
		s.fail(c, err)
		return
	}
	kind := c.Query("kind")
	if kind == "" {
		kind = domain.KindDiscussion
	}
	v := s.view(c, "groups")
	v.Title = v.T("web.newthread.title")
	v.Data = newThreadPage{Group: g, Form: threadForm{Kind: kind, Language: v.Lang}}
	s.render(c, http.StatusOK, "thread_new", v)
}

// localInput is the format of <input type="datetime-local">, read in the
// site's display time zone.
const localInput = "2006-01-02T15:04"

func (s *Server) startThread(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	r := state(c)
	gid := c.Param("id")
	f := readThreadForm(c)
	if f.Kind == "" {
		f.Kind = domain.KindDiscussion
	}
	cmd := domain.StartThread{GroupID: gid, Title: f.Title, Body: f.Body, Language: f.Language, Kind: f.Kind, Tags: splitList(f.Tags)}
	fields := map[string]string{}
	cmd.Event, cmd.Resource, cmd.Job = s.formDetails(f, fields)
	again := func(fields map[string]string) {
		g, err := s.d.Reads.Group(r.viewer, gid)
		if err != nil {
			s.fail(c, err)
			return
		}
		v := s.view(c, "groups")
		v.Title = v.T("web.newthread.title")
		v.withErrors(fields)
		v.Data = newThreadPage{Group: g, Form: f}
		status := http.StatusUnprocessableEntity
		if len(fields) == 0 {
			status = http.StatusOK // a preview
		}
		s.render(c, status, "thread_new", v)
	}
	// The Preview button without the script: the form again, as typed,
	// with the body rendered below it; nothing is posted.
	if c.PostForm("action") == "preview" {
		if strings.TrimSpace(f.Body) != "" {
			f.Preview = s.md.render(f.Body)
		}
		again(nil)
		return
	}
	if len(fields) > 0 {
		// Report the domain's findings too, so every problem shows at once.
		_, err := s.checkThread(cmd)
		mergeFields(fields, err)
		again(fields)
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	res, err := s.d.Commands.StartThread(c.Request.Context(), s.origin(c, p), cmd)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		again(ve.Fields)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/threads/"+res.ThreadID, "thread_started")
}

// readThreadForm reads the fields of the new-thread and edit-thread forms.
func readThreadForm(c *gin.Context) threadForm {
	return threadForm{Kind: c.PostForm("kind"), Title: c.PostForm("title"), Body: c.PostForm("body"), Language: c.PostForm("language"),
		Tags: c.PostForm("tags"), ResourceURL: strings.TrimSpace(c.PostForm("resource_url")), ResourceFormat: c.PostForm("resource_format"),
		StartsAt: c.PostForm("starts_at"), EndsAt: c.PostForm("ends_at"), Location: c.PostForm("location"),
		OnlineURL: strings.TrimSpace(c.PostForm("online_url")), Cap: strings.TrimSpace(c.PostForm("capacity")),
		JobOrganization: c.PostForm("job_organization"), JobLocation: c.PostForm("job_location"), JobDeadline: strings.TrimSpace(c.PostForm("job_deadline")),
		JobEmploymentType: c.PostForm("job_employment_type"), JobSalary: c.PostForm("job_salary"), JobApplyURL: strings.TrimSpace(c.PostForm("job_apply_url"))}
}

// formDetails turns a thread form's fields into the details of its kind;
// what the form's inputs cannot say (a date that is no date) goes into
// fields, for the domain's findings to join.
func (s *Server) formDetails(f threadForm, fields map[string]string) (*domain.EventDetails, *domain.ResourceDetails, *domain.JobDetails) {
	switch f.Kind {
	case domain.KindResource:
		return nil, &domain.ResourceDetails{URL: f.ResourceURL, Format: strings.TrimSpace(f.ResourceFormat)}, nil
	case domain.KindEvent:
		ev := &domain.EventDetails{Location: strings.TrimSpace(f.Location), OnlineURL: f.OnlineURL}
		if t, err := time.ParseInLocation(localInput, f.StartsAt, s.d.TimeZone); err == nil {
			ev.StartsAt = t.UTC()
		} else if f.StartsAt == "" {
			fields["event.starts_at"] = domain.CodeRequired
		} else {
			fields["event.starts_at"] = domain.CodeInvalid
		}
		if f.EndsAt != "" {
			if t, err := time.ParseInLocation(localInput, f.EndsAt, s.d.TimeZone); err == nil {
				t = t.UTC()
				ev.EndsAt = &t
			} else {
				fields["event.ends_at"] = domain.CodeInvalid
			}
		}
		if f.Cap != "" {
			if n, err := strconv.Atoi(f.Cap); err == nil {
				ev.Capacity = &n
			} else {
				fields["event.capacity"] = domain.CodeInvalid
			}
		}
		return ev, nil, nil
	case domain.KindJob:
		return nil, nil, &domain.JobDetails{Organization: f.JobOrganization, Location: f.JobLocation, EmploymentType: f.JobEmploymentType,
			Salary: f.JobSalary, Deadline: f.JobDeadline, ApplyURL: f.JobApplyURL}
	}
	return nil, nil, nil
}

// mergeFields adds the domain's field findings to fields (those already
// there win), so that every problem of a form shows at once.
func mergeFields(fields map[string]string, err error) {
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		for k, v := range ve.Fields {
			if _, ok := fields[k]; !ok {
				fields[k] = v
			}
		}
	}
}

// checkThread runs the domain's field checks without appending (the
// event's date needs a value to pass to them).
func (s *Server) checkThread(cmd domain.StartThread) ([]domain.Event, error) {
	if cmd.Event != nil && cmd.Event.StartsAt.IsZero() {
		cmd.Event.StartsAt = s.d.Now().Add(24 * time.Hour)
	}
	if cmd.ThreadID == "" {
		cmd.ThreadID, cmd.PostID = "validation", "validation-post"
	}
	env := domain.ThreadEnv{Actor: domain.Actor{ID: "validation", Known: true}, Group: domain.GroupAccess{GroupID: cmd.GroupID, Exists: true,
		Visibility: domain.VisibilityOpen, Role: domain.GroupRoleOwner}}
	return domain.DecideThread(domain.ThreadState{ID: cmd.ThreadID}, cmd, env, s.d.Now())
}

func (s *Server) rsvp(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	res, err := s.d.Commands.SetRsvp(c.Request.Context(), s.origin(c, p), id, c.PostForm("status"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/threads/"+id+"#rsvp", "rsvp_"+res.Status)
}

func (s *Server) moderateThread(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id, reason := c.Param("id"), c.PostForm("reason")
	ctx, o := c.Request.Context(), s.origin(c, p)
	var (
		res domain.Result
		err error
	)
	action := c.Param("action")
	switch action {
	case "lock":
		res, err = s.d.Commands.LockThread(ctx, o, id, reason)
	case "unlock":
		res, err = s.d.Commands.UnlockThread(ctx, o, id, reason)
	case "pin":
		res, err = s.d.Commands.PinThread(ctx, o, id)
	case "unpin":
		res, err = s.d.Commands.UnpinThread(ctx, o, id)
	default:
		s.fail(c, domain.ErrNotFound)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/threads/"+id, "thread_"+action)
}

// postThread finds the thread of a post the viewer can see (for the
// redirect back to it).
func (s *Server) postThread(c *gin.Context, postID string) (projections.Post, bool) {
	post, err := s.d.Reads.Post(state(c).viewer, postID)
	if err != nil {
		s.fail(c, err)
		return post, false
	}
	return post, true
}

func (s *Server) react(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	post, ok := s.postThread(c, c.Param("id"))
	if !ok {
		return
	}
	kind := c.PostForm("kind")
	var (
		res domain.Result
		err error
	)
	// The button toggles: a reaction already given is taken back.
	mine := false
	for _, k := range post.MyReactions {
		mine = mine || k == kind
	}
	if mine {
		res, err = s.d.Commands.RemoveReaction(c.Request.Context(), s.origin(c, p), post.ID, kind)
	} else {
		res, err = s.d.Commands.AddReaction(c.Request.Context(), s.origin(c, p), post.ID, kind)
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/threads/"+post.ThreadID+"#post-"+post.ID, "")
}

func (s *Server) flag(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	post, ok := s.postThread(c, c.Param("id"))
	if !ok {
		return
	}
	res, err := s.d.Commands.FlagPost(c.Request.Context(), s.origin(c, p), post.ID, c.PostForm("reason"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/threads/"+post.ThreadID+"#post-"+post.ID, "flagged")
}

// hidePost hides a post; from the queue it also closes the flag that
// brought it there (actioned), so one click settles the item.
func (s *Server) hidePost(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	post, ok := s.postThread(c, c.Param("id"))
	if !ok {
		return
	}
	reason := c.PostForm("reason")
	ctx, o := c.Request.Context(), s.origin(c, p)
	res, err := s.d.Commands.HidePost(ctx, o, post.ID, reason)
	if err != nil {
		s.fail(c, err)
		return
	}
	if flagger := c.PostForm("flagger"); flagger != "" {
		if r2, err := s.d.Commands.ResolveFlag(ctx, o, post.ID, domain.ResolveFlag{PostID: post.ID, FlaggerID: flagger,
			Resolution: domain.FlagActioned, Reason: reason}); err == nil {
			res = r2
		} else if !errors.Is(err, domain.ErrNotFound) {
			s.fail(c, err)
			return
		}
	}
	s.written(c, res.Append.Position)
	done(c, localPath(c.PostForm("back"), "/threads/"+post.ThreadID+"#post-"+post.ID), "hidden")
}

func (s *Server) restorePost(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	post, ok := s.postThread(c, c.Param("id"))
	if !ok {
		return
	}
	res, err := s.d.Commands.RestorePost(c.Request.Context(), s.origin(c, p), post.ID, c.PostForm("reason"))
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/threads/"+post.ThreadID+"#post-"+post.ID, "restored")
}

func (s *Server) dismissFlag(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	res, err := s.d.Commands.ResolveFlag(c.Request.Context(), s.origin(c, p), id, domain.ResolveFlag{PostID: id,
		FlaggerID: c.PostForm("flagger"), Resolution: domain.FlagDismissed, Reason: c.PostForm("reason")})
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/moderation", "dismissed")
}

type listPage struct {
	Threads []projections.Thread
	Groups  map[string]groupRef
	Next    string
	F       listFilters
}

// threadList is a cross-group list of one kind under the page's filters,
// through the read model's viewer-aware query.
func (s *Server) threadList(c *gin.Context, path, kind string, narrow func(*projections.ThreadQuery)) (listPage, error) {
	r := state(c)
	f, err := readListFilters(c, path, r.viewer)
	if err != nil {
		return listPage{}, err
	}
	if f.Group != "" {
		if g, err := s.d.Reads.Group(r.viewer, f.Group); err == nil {
			f.GroupRef = refOf(g)
		}
	}
	q := f.query(kind, c.Query("cursor"), s.d.Now())
	if narrow != nil {
		narrow(&q)
	}
	list, err := s.d.Reads.Threads(r.viewer, q)
	if err != nil {
		return listPage{}, err
	}
	return listPage{Threads: list.Items, Groups: s.groupNames(r.viewer, list.Items), Next: list.NextCursor, F: f}, nil
}

// events lists the events across the groups the viewer may read: those
// not yet over (under way or to come) soonest first, or the past ones
// (when=past) latest first, where people look for a webinar they missed.
func (s *Server) events(c *gin.Context) {
	d, err := s.threadList(c, "/events", domain.KindEvent, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "events")
	v.Title = v.T("web.events.title")
	if d.F.Past() {
		v.Title = v.T("web.events.title_past")
	}
	v.Data = d
	s.render(c, http.StatusOK, "events", v)
}

// resources is the resource library across the viewer's readable groups.
func (s *Server) resources(c *gin.Context) {
	d, err := s.threadList(c, "/resources", domain.KindResource, nil)
	if err != nil {
		s.fail(c, err)
		return
	}
	v := s.view(c, "resources")
	v.Title = v.T("web.resources.title")
	v.Data = d
	s.render(c, http.StatusOK, "resources", v)
}

// attendees is every going and waitlisted member of an event, for its
// organiser's page; a page of the list that cannot be read ends it.
func (s *Server) attendees(v projections.Viewer, threadID string) []projections.Attendee {
	var out []projections.Attendee
	p := projections.PageRequest{Limit: 100}
	for {
		page, err := s.d.Reads.Attendees(v, threadID, p)
		if err != nil {
			return out
		}
		out = append(out, page.Items...)
		if page.NextCursor == "" {
			return out
		}
		p.Cursor = page.NextCursor
	}
}
