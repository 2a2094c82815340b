package web

import (
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// TestPostLinksFollowTheDomain: the thread page offers "Edit" and "Delete"
// exactly when the domain would accept EditPost and DeletePost from the
// viewer: author or not, group role, site role, locked or not.
func TestPostLinksFollowTheDomain(t *testing.T) {
	const author, other = "author", "other"
	for _, who := range []string{author, other} {
		for _, role := range []string{"", domain.GroupRoleMember, domain.GroupRoleModerator, domain.GroupRoleOwner} {
			for _, site := range []string{"", domain.RoleModerator, domain.RoleAdmin} {
				for _, locked := range []bool{false, true} {
					st := domain.ThreadState{ID: "t", GroupID: "g", Started: true, AuthorID: author, OpeningPostID: "t.p", Locked: locked,
						Posts: map[string]*domain.PostState{"t.p": {ID: "t.p", AuthorID: author}}}
					env := domain.ThreadEnv{
						Actor: domain.Actor{ID: who, Known: true, Admin: site == domain.RoleAdmin, Moderator: site == domain.RoleModerator},
						Group: domain.GroupAccess{GroupID: "g", Exists: true, Visibility: domain.VisibilityOpen, Role: role}}
					_, editErr := domain.DecideThread(st, domain.EditPost{PostID: "t.p", Body: "b"}, env, time.Now())
					_, delErr := domain.DecideThread(st, domain.DeletePost{PostID: "t.p"}, env, time.Now())

					r := &req{viewer: projections.Viewer{MemberID: who}}
					if site != "" {
						r.viewer.Roles = []string{site}
					}
					g := projections.Group{MyRole: role}
					p := projections.Post{ID: "t.p", Author: &projections.MemberRef{ID: author}}
					edit := mayEditPost(who, &p, moderates(r, &g), locked)
					del := mayDeletePost(who, &p)
					if edit != (editErr == nil) || del != (delErr == nil) {
						t.Errorf("%s, group role %q, site role %q, locked %v: links edit %v delete %v; domain edit %v delete %v",
							who, role, site, locked, edit, del, editErr, delErr)
					}
				}
			}
		}
	}
}
