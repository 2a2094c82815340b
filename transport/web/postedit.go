package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// The edit-post and delete-post pages: what PATCH and DELETE
// /api/v1/posts/{id} do, for a browser without the script. Both are pages
// of their own (a form, a confirmation) reached by links on the thread
// page, so that no post is deleted by one misclick and a long post is
// edited in a full-size box.

type postPage struct {
	Post   projections.Post
	Thread projections.Thread
	Group  projections.Group
	// Form holds the body as typed and its preview (Language is unused:
	// an edit keeps the post's language).
	Form replyForm
	// Back is the post on its page of the thread (Cancel, and where a save
	// lands).
	Back string
	// Opening: the post is the thread's opening post (the confirmation
	// says what deleting it leaves).
	Opening bool
}

// mayEditPost says whether viewer may edit p, as the domain's EditPost
// decides it: its author, or a moderator of the group (site staff
// included); in a locked thread, only a moderator. A post the viewer sees
// without its author (hidden, deleted) offers nothing.
func mayEditPost(viewer string, p *projections.Post, moderator, locked bool) bool {
	if viewer == "" || p.Deleted || p.Author == nil {
		return false
	}
	return moderator || (p.Author.ID == viewer && !locked)
}

// mayDeletePost: only its author deletes a post (moderators hide
// instead), locked thread or not, as DeletePost decides.
func mayDeletePost(viewer string, p *projections.Post) bool {
	return viewer != "" && !p.Deleted && p.Author != nil && p.Author.ID == viewer
}

// moderates says whether the viewer moderates the group: its owner or a
// moderator of it, or site staff.
func moderates(r *req, g *projections.Group) bool {
	return g.MyRole == domain.GroupRoleOwner || g.MyRole == domain.GroupRoleModerator || r.viewer.IsStaff()
}

// postAt is a post on the page of its thread that holds it (long threads
// are paged), for a redirect or a link back to it.
func (s *Server) postAt(threadID, postID string) string {
	page := "/threads/" + threadID
	if cur := s.d.Reads.PostsCursor(threadID, postID, postsPerPage); cur != "" {
		page += "?cursor=" + url.QueryEscape(cur)
	}
	return page + "#post-" + postID
}

// loadPost reads the post of the request with its thread and group: a
// not-found to who may not read it, and for a post already gone (deleted,
// or hidden from this viewer), which neither page can show.
func (s *Server) loadPost(c *gin.Context) (postPage, bool, bool) {
	r := state(c)
	id := c.Param("id")
	var d postPage
	post, err := s.d.Reads.Post(r.viewer, id)
	if err == nil && (post.Deleted || post.Author == nil) {
		err = fmt.Errorf("post %q: %w", id, domain.ErrNotFound)
	}
	if err != nil {
		s.fail(c, err)
		return d, false, false
	}
	t, err := s.d.Reads.ThreadHeader(r.viewer, post.ThreadID)
	if err != nil {
		s.fail(c, err)
		return d, false, false
	}
	g, err := s.d.Reads.Group(r.viewer, t.GroupID)
	if err != nil {
		s.fail(c, err)
		return d, false, false
	}
	d = postPage{Post: post, Thread: t, Group: g, Back: s.postAt(t.ID, post.ID), Opening: post.ID == t.OpeningPostID}
	return d, moderates(r, &g), true
}

// editablePost loads a post for its edit page: forbidden to who may not
// edit it, locked (423) to its author in a locked thread, as the API
// answers.
func (s *Server) editablePost(c *gin.Context) (postPage, bool) {
	d, moderator, ok := s.loadPost(c)
	if !ok {
		return d, false
	}
	me := state(c).viewer.MemberID
	if !mayEditPost(me, &d.Post, moderator, d.Thread.Locked) {
		if d.Thread.Locked && d.Post.Author.ID == me {
			s.fail(c, fmt.Errorf("edit post %q: %w", d.Post.ID, domain.ErrThreadLocked))
		} else {
			s.fail(c, fmt.Errorf("edit post %q: %w", d.Post.ID, domain.ErrForbidden))
		}
		return d, false
	}
	return d, true
}

func (s *Server) renderEditPost(c *gin.Context, status int, d postPage, fields map[string]string) {
	v := s.view(c, "groups")
	v.Title = v.T("web.editpost.title")
	if len(fields) > 0 {
		v.withErrors(fields)
	}
	v.Data = &d
	s.render(c, status, "post_edit", v)
}

func (s *Server) editPostForm(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	d, ok := s.editablePost(c)
	if !ok {
		return
	}
	d.Form.Body = d.Post.Body
	s.renderEditPost(c, http.StatusOK, d, nil)
}

func (s *Server) savePost(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	d, ok := s.editablePost(c)
	if !ok {
		return
	}
	was := d.Post.Body
	d.Form.Body = c.PostForm("body")
	// The Preview button without the script: the form again, as typed,
	// with the body rendered below it; nothing is saved.
	if c.PostForm("action") == "preview" {
		if strings.TrimSpace(d.Form.Body) != "" {
			d.Form.Preview = s.md.render(d.Form.Body)
		}
		s.renderEditPost(c, http.StatusOK, d, nil)
		return
	}
	// Saved unchanged: no event, so the post is not marked edited for
	// nothing.
	if d.Form.Body == was {
		done(c, d.Back, "")
		return
	}
	if !s.limit(c, s.posting, p.MemberID) {
		return
	}
	res, err := s.d.Commands.EditPost(c.Request.Context(), s.origin(c, p), d.Post.ID, d.Form.Body)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		s.renderEditPost(c, http.StatusUnprocessableEntity, d, ve.Fields)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, d.Back, "post_edited")
}

// deletePostForm asks before deleting, quoting the start of the post.
func (s *Server) deletePostForm(c *gin.Context) {
	if _, ok := s.member(c); !ok {
		return
	}
	d, _, ok := s.loadPost(c)
	if !ok {
		return
	}
	if !mayDeletePost(state(c).viewer.MemberID, &d.Post) {
		s.fail(c, fmt.Errorf("delete post %q: %w", d.Post.ID, domain.ErrForbidden))
		return
	}
	v := s.view(c, "groups")
	v.Title = v.T("web.deletepost.title")
	v.Data = &d // Excerpt takes the post by pointer
	s.render(c, http.StatusOK, "post_delete", v)
}

// deletePost deletes, then lands on the same page of the thread, where the
// post keeps its place as a deleted one. The domain decides who may: a
// post sent twice (a double click) is already deleted, which it accepts
// from its author without a second event.
func (s *Server) deletePost(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	post, ok := s.postThread(c, c.Param("id"))
	if !ok {
		return
	}
	res, err := s.d.Commands.DeletePost(c.Request.Context(), s.origin(c, p), post.ID)
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, s.postAt(post.ThreadID, post.ID), "post_deleted")
}

// ownLinks is where a post's edit and delete links go: a hole in a kept
// thread body (threadcache.go), since they depend on who reads, not on
// the viewer's class.
func (w *htmlw) ownLinks(p *projections.Post, perms postPerms) {
	if w.holes != nil {
		w.holes = append(w.holes, hole{at: w.n, post: p.ID, own: true})
		return
	}
	w.postLinks(p, perms)
}

// postLinks writes the links to the edit and delete pages of p, those the
// viewer may use.
func (w *htmlw) postLinks(p *projections.Post, perms postPerms) {
	if p == nil {
		return
	}
	if mayEditPost(perms.Viewer, p, perms.Moderator, perms.Locked) {
		w.raw(`<a class="post-link" href="/posts/`)
		w.path(p.ID)
		w.raw(`/edit">`)
		w.T("web.post.edit")
		w.raw(`</a>`)
	}
	if mayDeletePost(perms.Viewer, p) {
		w.raw(`<a class="post-link" href="/posts/`)
		w.path(p.ID)
		w.raw(`/delete">`)
		w.T("web.post.delete")
		w.raw(`</a>`)
	}
}
