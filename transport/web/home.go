package web

import (
	"net/http"
	"slices"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

type homePage struct {
	MyGroups []projections.Group
	Mine     []projections.Thread // latest activity in my groups
	Site     []projections.Thread // newest across the site
	Events   []projections.Thread
	Groups   map[string]groupRef
}

// home is the activity of my groups, the site's newest threads and the
// next events; a visitor sees the site's and an invitation to join.
func (s *Server) home(c *gin.Context) {
	r := state(c)
	d := homePage{}
	if r.p != nil {
		if me, err := s.d.Reads.Me(r.p.MemberID); err == nil {
			for _, m := range me.Groups {
				g, err := s.d.Reads.Group(r.viewer, m.ID)
				if err != nil {
					continue
				}
				d.MyGroups = append(d.MyGroups, g)
				if ts, err := s.d.Reads.GroupThreads(r.viewer, g.ID, projections.ThreadQuery{PageRequest: projections.PageRequest{Limit: 5}}); err == nil {
					d.Mine = append(d.Mine, ts.Items...)
				}
			}
			slices.SortFunc(d.Mine, func(a, b projections.Thread) int { return b.LastActivityAt.Compare(a.LastActivityAt) })
			d.Mine = d.Mine[:min(len(d.Mine), 10)]
		}
	}
	if site, err := s.d.Reads.Threads(r.viewer, projections.ThreadQuery{PageRequest: projections.PageRequest{Limit: 10}}); err == nil {
		d.Site = site.Items
	}
	now := time.Now()
	if ev, err := s.d.Reads.Threads(r.viewer, projections.ThreadQuery{Kind: domain.KindEvent, UnendedAt: now.UTC(), PageRequest: projections.PageRequest{Limit: 3}}); err == nil {
		d.Events = ev.Items
	}
	all := append(append(append([]projections.Thread{}, d.Mine...), d.Site...), d.Events...)
	d.Groups = s.groupNames(r.viewer, all)
	v := s.view(c, "home")
	v.Title = v.T("web.home.title")
	v.Topic = "site"
	v.Data = d
	s.render(c, http.StatusOK, "home", v)
}
