package main

import (
	"context"

	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/web"
)

// pageSearch lets the search page search as the API does (api.SearchFor:
// the same access rules and read-model re-check), in the page's own types.
type pageSearch struct{ api *api.Server }

func (p pageSearch) Search(ctx context.Context, v projections.Viewer, q web.SearchQuery) (web.SearchResult, error) {
	sq := search.Query{Text: q.Q, GroupID: q.GroupID, Language: q.Language, Kind: q.Kind, Limit: q.Limit, Cursor: q.Cursor}
	if q.Type != "" {
		sq.Types = []string{q.Type}
	}
	if q.Tag != "" {
		sq.Tags = []string{q.Tag}
	}
	if q.Sort == "date" {
		sq.Sort = search.SortDate
	}
	res, err := p.api.SearchFor(ctx, v, sq)
	if err != nil {
		return web.SearchResult{}, err
	}
	out := web.SearchResult{Total: res.Total, Facets: res.Facets, NextCursor: res.NextCursor, Relaxed: res.Relaxed, Items: make([]web.SearchHit, 0, len(res.Items))}
	for _, h := range res.Items {
		hit := web.SearchHit{
			Type: h.Type, ID: h.ID, Title: h.Title, GroupID: h.GroupID, ThreadID: h.ThreadID, Language: h.Language,
			CreatedAt: h.CreatedAt,
		}
		// The index's snippet is HTML; the page gets it as plain runs and
		// escapes them itself, so only its own <mark> is markup.
		hit.Snippet, hit.TitleParts = snippetParts(h.Snippet), snippetParts(h.TitleSnippet)
		out.Items = append(out.Items, hit)
	}
	return out, nil
}

// snippetParts is a snippet as the page's runs.
func snippetParts(snippet string) []web.SnippetPart {
	var out []web.SnippetPart
	for _, part := range search.Parts(snippet) {
		out = append(out, web.SnippetPart{Text: part.Text, Mark: part.Mark})
	}
	return out
}
