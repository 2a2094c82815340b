package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// translateForm is the thread page's control to link the thread to its
// translation: a choice among the group's threads in the other language,
// or the pasted link of a thread anywhere.
type translateForm struct {
	Choices []projections.Thread
	Picked  string
	Link    string
	// Linked are the thread's translations, when it has one: the control
	// then offers to undo a wrong link instead.
	Linked []projections.Translation
}

// translateControl is the control for those the domain lets link a
// translation (the thread's author, the group's moderators, site staff):
// while the thread has none, to link one (two official languages, one
// translation); once it has one, to undo the link.
func (s *Server) translateControl(r *req, d *threadPage) *translateForm {
	if r.p == nil || (!d.Moderator && d.Thread.Author.ID != r.p.MemberID) {
		return nil
	}
	if len(d.Thread.Translations) > 0 {
		return &translateForm{Linked: d.Thread.Translations}
	}
	other := domain.LanguageFrench
	if d.Thread.Language == domain.LanguageFrench {
		other = domain.LanguageEnglish
	}
	f := &translateForm{}
	list, err := s.d.Reads.GroupThreads(r.viewer, d.Thread.GroupID, projections.ThreadQuery{Language: other,
		PageRequest: projections.PageRequest{Limit: 100}})
	if err == nil {
		for _, t := range list.Items {
			if len(t.Translations) == 0 {
				f.Choices = append(f.Choices, t)
			}
		}
	}
	return f
}

// linkedThreadID reads the thread the form names: the pasted link (a
// thread page's address, or just its id) wins over the choice.
func linkedThreadID(picked, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return strings.TrimSpace(picked)
	}
	if u, err := url.Parse(link); err == nil {
		if i := strings.LastIndex(u.Path, "/threads/"); i >= 0 {
			id, _, _ := strings.Cut(u.Path[i+len("/threads/"):], "/")
			return id
		}
	}
	return link
}

// Field codes of the translation control (messages in active.*.toml).
const (
	codeNoSuchThread   = "no_such_thread"
	codeHasTranslation = "has_translation"
)

func (s *Server) linkTranslation(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	f := translateForm{Picked: c.PostForm("thread_id"), Link: c.PostForm("link")}
	other := linkedThreadID(f.Picked, f.Link)
	var res domain.Result
	var err error
	if other == "" {
		err = &domain.ValidationError{Fields: map[string]string{"thread_id": domain.CodeRequired}}
	} else {
		res, err = s.d.Commands.LinkTranslation(c.Request.Context(), s.origin(c, p), id, other)
	}
	// What the person chose or pasted is the problem: say so beside the
	// control, in their language, rather than on an error page.
	var fields map[string]string
	var ve *domain.ValidationError
	switch {
	case errors.As(err, &ve):
		fields = map[string]string{"thread_id": ve.Fields["thread_id"]}
		if fields["thread_id"] == "" {
			fields["thread_id"] = domain.CodeInvalid
		}
	case errors.Is(err, domain.ErrNotFound):
		// If this thread is the one missing, the page below fails as a
		// missing thread does.
		fields = map[string]string{"thread_id": codeNoSuchThread}
	case errors.Is(err, domain.ErrConflict):
		fields = map[string]string{"thread_id": codeHasTranslation}
	}
	if fields != nil {
		v, d, verr := s.threadView(c, id)
		if verr != nil {
			s.fail(c, verr)
			return
		}
		if d.Translate != nil {
			d.Translate.Picked, d.Translate.Link = f.Picked, f.Link
		}
		v.withErrors(fields)
		s.renderThread(c, http.StatusUnprocessableEntity, v, d)
		return
	}
	s.settle(c, res, err, "/threads/"+id, "translation_linked")
}

// unlinkTranslation undoes the link with the translation the form names.
func (s *Server) unlinkTranslation(c *gin.Context) {
	p, ok := s.member(c)
	if !ok {
		return
	}
	id := c.Param("id")
	res, err := s.d.Commands.UnlinkTranslation(c.Request.Context(), s.origin(c, p), id, c.Param("other"))
	s.settle(c, res, err, "/threads/"+id, "translation_unlinked")
}
