package main

import (
	"context"
	"html"
	"strings"
	"time"

	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/transport/api"
	"github.com/settlenet/settlenet/transport/web"
)

// pageSearch lets the search page search as the API does (api.SearchFor:
// the same access rules and read-model re-check), in the page's own types.
type pageSearch struct{ api *api.Server }

// snippetMarks strips the <mark> tags the index puts around matched words.
var snippetMarks = strings.NewReplacer("<mark>", "", "</mark>", "")

func (p pageSearch) Search(ctx context.Context, v projections.Viewer, q web.SearchQuery) (web.SearchResult, error) {
	sq := search.Query{Text: q.Q, GroupID: q.GroupID, Language: q.Language, Kind: q.Kind, Limit: q.Limit, Cursor: q.Cursor}
	if q.Type != "" {
		sq.Types = []string{q.Type}
	}
	res, err := p.api.SearchFor(ctx, v, sq)
	if err != nil {
		return web.SearchResult{}, err
	}
	out := web.SearchResult{Total: res.Total, Facets: res.Facets, NextCursor: res.NextCursor, Items: make([]web.SearchHit, 0, len(res.Items))}
	for _, h := range res.Items {
		out.Items = append(out.Items, web.SearchHit{
			Type: h.Type, ID: h.ID, Title: h.Title, GroupID: h.GroupID, ThreadID: h.ThreadID, Language: h.Language,
			// The index escapes snippets for HTML around its marks; the page
			// escapes what it prints, so it gets plain text.
			Snippet:   html.UnescapeString(snippetMarks.Replace(h.Snippet)),
			CreatedAt: h.CreatedAt.UTC().Format(time.RFC3339),
		})
	}
	return out, nil
}
