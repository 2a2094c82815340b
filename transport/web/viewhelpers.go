package web

import (
	"github.com/settlenet/settlenet/projections"
)

// The partial templates take one argument; these bundle the view with the
// item they show.

type cardCtx struct {
	V     *view
	T     projections.Thread
	Group string
}

// Card is a thread card's data; group "" omits the group link (on the
// group's own page).
func (v *view) Card(t projections.Thread, group string) cardCtx {
	return cardCtx{V: v, T: t, Group: group}
}

type groupCardCtx struct {
	V *view
	G projections.Group
}

func (v *view) GroupCard(g projections.Group) groupCardCtx { return groupCardCtx{V: v, G: g} }

type postCtx struct {
	V *view
	P projections.Post
	D postPerms
}

// postPerms is what the viewer may do with the posts of a thread.
type postPerms struct {
	Member, Moderator bool
}

func (v *view) PostCtx(p projections.Post, d *threadPage) postCtx {
	return postCtx{V: v, P: p, D: postPerms{Member: d.IsMember, Moderator: d.Moderator}}
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
