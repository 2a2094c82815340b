package web

import (
	"strings"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/projections"
)

// The partial templates take one argument; these bundle the view with the
// item they show.

type groupCardCtx struct {
	V *view
	G projections.Group
}

func (v *view) GroupCard(g projections.Group) groupCardCtx { return groupCardCtx{V: v, G: g} }

// postPerms is what the viewer may do with the posts of a thread. Viewer
// and Locked only decide the edit and delete links, which are written in
// holes of a kept body (ownLinks), never into the body itself.
type postPerms struct {
	Member, Moderator bool
	Viewer            string
	Locked            bool
}

type pagerCtx struct {
	V          *view
	Next, Base string
}

// Pager links to the next page of a list; base ends with "?" or "&".
func (v *view) Pager(next, base string) pagerCtx { return pagerCtx{V: v, Next: next, Base: base} }

// ReadIn is the link to a thread's translation, in the translation's own
// language ("Lire en français" on an English thread).
func (v *view) ReadIn(lang string) string {
	if l, ok := v.locs[lang]; ok {
		return l.t("web.read_in")
	}
	return v.l.t("web.read_in")
}

// SearchTypes are the result types the search page filters on.
func (v *view) SearchTypes() []string { return []string{"thread", "post", "group", "member"} }

// HitURL is where a search result leads.
func (v *view) HitURL(h SearchHit) string {
	switch h.Type {
	case "group":
		return "/groups/" + h.ID
	case "member":
		return "/members/" + h.ID
	case "post":
		return "/threads/" + h.ThreadID + "#post-" + h.ID
	}
	return "/threads/" + h.ID
}

// FacetLabel names a facet value in the page's language.
func (v *view) FacetLabel(facet, value string) string {
	switch facet {
	case "type":
		return v.l.t("web.search.type_" + value)
	case "language":
		return v.LangName(value)
	case "kind":
		return v.l.t("web.kind." + value)
	}
	return value
}

// jobFieldCtx is one input of a job posting's details.
type jobFieldCtx struct {
	V                                             *view
	ID, Input, Label, Hint, Err, Value, Type, Max string
	Describe                                      string
}

// JobField is the input of job.<name> (form field job_<name>), with its
// label, hint (web.job.hint_<name>, if any) and error.
func (v *view) JobField(name, value, typ, max string) jobFieldCtx {
	key := "job." + name
	// The label is the one the error summary gives the field.
	f := jobFieldCtx{V: v, ID: fieldID(key), Input: "job_" + name, Label: v.l.t("web.label." + strings.ReplaceAll(key, ".", "_")),
		Hint: v.M["web.job.hint_"+name], Err: v.Err(key), Value: value, Type: typ, Max: max}
	var ids []string
	if f.Hint != "" {
		ids = append(ids, f.ID+"-hint")
	}
	if f.Err != "" {
		ids = append(ids, f.ID+"-err")
	}
	f.Describe = strings.Join(ids, " ")
	return f
}

// EmploymentTypes are the choices of a job posting's employment type.
func (v *view) EmploymentTypes() []string { return domain.EmploymentTypes() }

// Day formats a calendar date (YYYY-MM-DD, as a job's deadline is) for the
// page's language; anything else is shown as it is.
func (v *view) Day(date string) string {
	t, err := time.ParseInLocation(time.DateOnly, date, v.l.tz)
	if err != nil {
		return date
	}
	return v.l.date(t)
}

// Closed: a job posting's deadline has passed.
func (v *view) Closed(deadline string) bool { return domain.JobDeadlinePassed(deadline, time.Now()) }

// Revocable are the site roles an admin may take from a member on the
// admin page: all they hold, but an admin's own admin role (the domain
// refuses it, so the page does not offer it).
func (v *view) Revocable(roles []string, memberID string) []string {
	var out []string
	for _, r := range roles {
		if r != domain.RoleAdmin || v.User == nil || memberID != v.User.ID {
			out = append(out, r)
		}
	}
	return out
}
