package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/transport/httperr"
)

// groupSettingsForm is the new-group form's fields for an existing group,
// with what the page says of the group as it is saved: its id, name and
// language (the heading's) and visibility, and whether the viewer may
// change the visibility (the form then offers the choice).
type groupSettingsForm struct {
	groupForm
	ID, Current, CurrentLanguage, CurrentVisibility string
	ChangesVisibility                               bool
}

// changesVisibility: the viewer may change the group's visibility, as
// domain.UpdateGroup decides (its owner and site admins, not its
// moderators).
func changesVisibility(v projections.Viewer, g *projections.Group) bool {
	return g.MyRole == domain.GroupRoleOwner || v.IsAdmin()
}

// editsGroup: the viewer may change the group's settings, as
// domain.UpdateGroup decides (its owner, its moderators, site admins). The
// page and the link to it follow it; the command decides again.
func editsGroup(v projections.Viewer, g *projections.Group) bool {
	return g.MyRole == domain.GroupRoleOwner || g.MyRole == domain.GroupRoleModerator || v.IsAdmin()
}

// settingsGroup reads the group of a settings request and checks the
// viewer may edit it: not visible is 404, visible but not theirs to edit
// 403, as the command would answer.
func (s *Server) settingsGroup(c *gin.Context) (projections.Group, bool) {
	if _, ok := s.member(c); !ok {
		return projections.Group{}, false
	}
	r := state(c)
	g, err := s.d.Reads.Group(r.viewer, c.Param("id"))
	if err == nil && !editsGroup(r.viewer, &g) {
		err = httperr.ErrForbidden
	}
	if err != nil {
		s.fail(c, err)
		return projections.Group{}, false
	}
	return g, true
}

func (s *Server) groupSettings(c *gin.Context) {
	g, ok := s.settingsGroup(c)
	if !ok {
		return
	}
	f := groupSettingsForm{ID: g.ID, Current: g.Name, CurrentLanguage: g.Language, CurrentVisibility: g.Visibility,
		ChangesVisibility: changesVisibility(state(c).viewer, &g), groupForm: groupForm{
			Name: g.Name, Description: g.Description, Visibility: g.Visibility, Language: g.Language,
			Topics: strings.Join(g.Topics, ", "), Province: g.Province}}
	s.renderGroupSettings(c, http.StatusOK, f, nil)
}

func (s *Server) renderGroupSettings(c *gin.Context, status int, f groupSettingsForm, fields map[string]string) {
	v := s.view(c, "groups")
	v.Title = v.T("web.groupsettings.title")
	if fields != nil {
		v.withErrors(fields)
	}
	v.Data = f
	s.render(c, status, "group_settings", v)
}

// updateGroup saves the form: every field is sent as the form shows it,
// so a field emptied is cleared (or refused, for the name). A visibility
// is only passed on when one is posted (the form offers the choice to the
// owner and site admins only): the command decides, so a moderator's
// forged one is refused (403) as the API refuses it.
func (s *Server) updateGroup(c *gin.Context) {
	g, ok := s.settingsGroup(c)
	if !ok {
		return
	}
	p := state(c).p
	vis, visPosted := c.GetPostForm("visibility")
	f := groupSettingsForm{ID: g.ID, Current: g.Name, CurrentLanguage: g.Language, CurrentVisibility: g.Visibility,
		ChangesVisibility: changesVisibility(state(c).viewer, &g), groupForm: groupForm{
			Name: c.PostForm("name"), Description: c.PostForm("description"), Visibility: g.Visibility,
			Language: c.PostForm("language"), Topics: c.PostForm("topics"), Province: strings.ToUpper(strings.TrimSpace(c.PostForm("province")))}}
	// Topics are typed separated by commas, but one set through the API
	// may hold a comma: the list shown, sent back as it was, keeps the
	// topics as they are rather than splitting that one.
	topics := splitList(f.Topics)
	if f.Topics == strings.Join(g.Topics, ", ") {
		topics = g.Topics
	}
	if topics == nil {
		topics = []string{}
	}
	cmd := domain.UpdateGroup{Name: &f.Name, Description: &f.Description, Language: &f.Language, Topics: &topics, Province: &f.Province}
	if visPosted {
		cmd.Visibility = &vis
		if f.ChangesVisibility {
			f.Visibility = vis // a refused form keeps the choice made
		}
	}
	res, err := s.d.Commands.UpdateGroup(c.Request.Context(), s.origin(c, p), g.ID, cmd)
	var ve *domain.ValidationError
	if errors.As(err, &ve) {
		s.renderGroupSettings(c, http.StatusUnprocessableEntity, f, ve.Fields)
		return
	}
	if err != nil {
		s.fail(c, err)
		return
	}
	s.written(c, res.Append.Position)
	done(c, "/groups/"+g.ID, "saved")
}
