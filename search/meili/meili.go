// Package meili is the Meilisearch search backend, on
// github.com/meilisearch/meilisearch-go, implementing search.Index.
//
// At start (Open) it checks that the server is Meilisearch 1.15 or later
// (see minMajor), creates the index if needed and makes its settings
// exactly the adapter's: searchable attributes (titles before bodies, per
// language), filterable attributes (everything the permission filter and
// the query filters use), created_at as sortable, "sort" as the first
// ranking rule (a date sort is strict), localized attributes (*_fr French,
// *_en English, so Meilisearch segments and normalizes each with its
// language's rules), typo tolerance (one typo from 5 letters, two from 9)
// and the shared glossary as synonyms; every other setting at Meilisearch's
// default (see syncSettings). Every task it enqueues is awaited and its
// final status checked: WaitForTask returns no error for a failed task, so
// a failed task is turned into an error here, before any checkpoint moves.
//
// The checkpoint is a document of its own type in the same index, written
// in the same documents task as the batch it covers: Meilisearch applies a
// task's documents all or none, so the checkpoint cannot get ahead of
// them. The permission filter only ever admits the four document types, so
// the checkpoint document is never a hit. It also names the documents'
// layout: an index of another layout is emptied at Open (see layout).
//
// Snippets: Meilisearch's _formatted text is not HTML-escaped, so the
// adapter asks for private-use-area markers as highlight tags and builds
// the HTML itself (search.FromMarked).
package meili

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
)

// Config of an Index.
type Config struct {
	URL string
	// Key is an API key allowed to manage the index's documents and
	// settings (the master key works; a scoped admin key is better).
	Key string
	// IndexUID defaults to "settlenet".
	IndexUID string
	Glossary *search.Glossary
	// HTTPClient, if set, carries the requests (tests, timeouts).
	HTTPClient *http.Client
	// PollInterval is how often a task's status is polled (default 10ms).
	PollInterval time.Duration
	// MaxPayload is the largest body of JSON documents sent in one request
	// (default DefaultMaxPayload); a larger batch goes in several.
	MaxPayload int
}

// DefaultMaxPayload is half of Meilisearch's default payload limit
// (--http-payload-size-limit, 100 MB), beyond which it refuses a request
// with 413 payload_too_large. A batch of the indexer's 5,000 posts of
// 20,000 characters, each body held twice (body and body_en or body_fr),
// would be well over it.
const DefaultMaxPayload = 50_000_000

const (
	primaryKey    = "key"
	checkpointKey = "settlenet_checkpoint"
	checkpointTyp = "checkpoint"
)

// layout is the version of the documents the index holds, written on the
// checkpoint document; bump it when what a document holds changes, as
// bleveindex bumps its layout. At Open an index whose checkpoint has
// another layout (or none: written before layouts) is emptied, so that,
// with no checkpoint left, the indexer rebuilds it from the log.
//
// 2: thread documents' bodies carry their event, resource and job details
// (search.DetailsText).
const layout = "2"

// Index is a Meilisearch index.
type Index struct {
	client meilisearch.ServiceManager
	index  meilisearch.IndexManager
	uid    string
	poll   time.Duration
	limit  int // Config.MaxPayload
}

// Settings are the index settings the adapter applies (exported so the
// test server and the docs can check them). Every setting not named here is
// kept at Meilisearch's default (see syncSettings).
func Settings(g *search.Glossary) *meilisearch.Settings {
	return &meilisearch.Settings{
		SearchableAttributes: []string{"title_en", "title_fr", "body_en", "body_fr"},
		FilterableAttributes: []string{"type", "language", "group_id", "gvis", "thread_id", "kind", "tags", "hidden", "author"},
		SortableAttributes:   []string{"created_at"},
		// Meilisearch applies ranking rules one after the other, each only
		// breaking the previous one's ties; by default "sort" comes after
		// words, typo, proximity and attribute, so a text query sorted by
		// date would come back relevance first. Sort first makes the date
		// order strict; the others keep their default order (1.15's list),
		// so a relevance query (no sort) ranks as by default.
		RankingRules: []string{"sort", "words", "typo", "proximity", "attribute", "exactness"},
		LocalizedAttributes: []*meilisearch.LocalizedAttributes{
			{AttributePatterns: []string{"*_fr"}, Locales: []string{"fra"}},
			{AttributePatterns: []string{"*_en"}, Locales: []string{"eng"}},
		},
		TypoTolerance: &meilisearch.TypoTolerance{
			Enabled:             true,
			MinWordSizeForTypos: meilisearch.MinWordSizeForTypos{OneTypo: 5, TwoTypos: 9},
			DisableOnWords:      []string{},
			DisableOnAttributes: []string{},
		},
		Synonyms:   g.Synonyms(),
		Pagination: &meilisearch.Pagination{MaxTotalHits: 5000},
	}
}

// Open connects, creates the index if it does not exist and applies the
// settings, waiting for each task.
func Open(ctx context.Context, cfg Config) (*Index, error) {
	if cfg.IndexUID == "" {
		cfg.IndexUID = "settlenet"
	}
	if cfg.PollInterval <= 0 {
		cfg.PollInterval = 10 * time.Millisecond
	}
	if cfg.MaxPayload <= 0 {
		cfg.MaxPayload = DefaultMaxPayload
	}
	if cfg.Glossary == nil {
		return nil, errors.New("meili: a glossary is required")
	}
	opts := []meilisearch.Option{meilisearch.WithAPIKey(cfg.Key)}
	if cfg.HTTPClient != nil {
		opts = append(opts, meilisearch.WithCustomClient(cfg.HTTPClient))
	}
	client := meilisearch.New(cfg.URL, opts...)
	x := &Index{client: client, index: client.Index(cfg.IndexUID), uid: cfg.IndexUID, poll: cfg.PollInterval, limit: cfg.MaxPayload}
	if err := x.checkVersion(ctx); err != nil {
		return nil, err
	}
	info, err := client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: cfg.IndexUID, PrimaryKey: primaryKey})
	if err != nil {
		return nil, fmt.Errorf("meili: create index: %w", err)
	}
	if err := x.wait(ctx, info, "index_already_exists"); err != nil {
		return nil, fmt.Errorf("meili: create index: %w", err)
	}
	if err := x.syncSettings(ctx, Settings(cfg.Glossary)); err != nil {
		return nil, err
	}
	if err := x.dropOldLayout(ctx); err != nil {
		return nil, err
	}
	return x, nil
}

// The oldest Meilisearch the adapter works with. meilisearch-go's
// TypoTolerance has no omitempty, so every settings update carries
// typoTolerance.disableOnNumbers, a field that Meilisearch added in 1.15 and
// that older servers refuse (invalid_settings_typo_tolerance).
const minMajor, minMinor = 1, 15

// checkVersion refuses a server older than minMajor.minMinor with an error
// naming both versions, rather than the settings update's less telling
// refusal. A version it cannot parse (a development build, say) passes: the
// settings update then says whether the server accepts them.
func (x *Index) checkVersion(ctx context.Context) error {
	v, err := x.client.VersionWithContext(ctx)
	if err != nil {
		return fmt.Errorf("meili: version: %w", err)
	}
	major, minor, ok := parseVersion(v.PkgVersion)
	if ok && (major < minMajor || major == minMajor && minor < minMinor) {
		return fmt.Errorf("meili: the server is Meilisearch %s; the adapter needs Meilisearch %d.%d or later", v.PkgVersion, minMajor, minMinor)
	}
	return nil
}

// parseVersion reads the major and minor numbers of a version such as
// "1.15.2", "v1.16.0" or "1.16.0-rc.1"; ok is false if it has none.
func parseVersion(s string) (major, minor int, ok bool) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "v")
	maj, rest, found := strings.Cut(s, ".")
	if !found {
		return 0, 0, false
	}
	// The minor number may be followed by ".patch" or "-prerelease".
	end := strings.IndexFunc(rest, func(r rune) bool { return r < '0' || r > '9' })
	if end < 0 {
		end = len(rest)
	}
	major, okMajor := number(maj)
	minor, okMinor := number(rest[:end])
	return major, minor, okMajor && okMinor
}

// number parses a non-empty run of ASCII digits (strconv.Atoi alone would
// also take a sign).
func number(s string) (int, bool) {
	if s == "" || strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) >= 0 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// dropOldLayout empties an index whose checkpoint was written with another
// layout. An index with no checkpoint is left alone: it is new, or holds
// only documents written without one (Index), which no indexer follows.
func (x *Index) dropOldLayout(ctx context.Context) error {
	d, found, err := x.checkpointDoc(ctx)
	if err != nil || !found || d.Layout == layout {
		return err
	}
	if err := x.Reset(ctx); err != nil {
		return fmt.Errorf("meili: drop layout %q: %w", d.Layout, err)
	}
	return nil
}

// TaskError is a task that Meilisearch processed and failed.
type TaskError struct {
	UID     int64
	Type    string
	Code    string
	Message string
}

func (e *TaskError) Error() string {
	return fmt.Sprintf("meili: task %d (%s) failed: %s: %s", e.UID, e.Type, e.Code, e.Message)
}

// wait awaits a task and checks how it ended; a failure whose code is in
// tolerated (an index that already exists) counts as success.
func (x *Index) wait(ctx context.Context, info *meilisearch.TaskInfo, tolerated ...string) error {
	task, err := x.client.WaitForTaskWithContext(ctx, info.TaskUID, x.poll)
	if err != nil {
		return fmt.Errorf("meili: wait for task %d: %w", info.TaskUID, err)
	}
	switch task.Status {
	case meilisearch.TaskStatusSucceeded:
		return nil
	case meilisearch.TaskStatusFailed:
		for _, c := range tolerated {
			if task.Error.Code == c {
				return nil
			}
		}
	}
	return &TaskError{UID: info.TaskUID, Type: string(task.Type), Code: task.Error.Code, Message: task.Error.Message + " (status " + string(task.Status) + ")"}
}

// Close releases nothing: the client holds no connections of its own.
func (x *Index) Close() error { return nil }

// Ping asks Meilisearch for its health.
func (x *Index) Ping(ctx context.Context) error {
	h, err := x.client.HealthWithContext(ctx)
	if err != nil {
		return fmt.Errorf("meili: health: %w", err)
	}
	if h.Status != "available" {
		return fmt.Errorf("meili: health: %s", h.Status)
	}
	return nil
}

// doc is a document as stored in Meilisearch.
type doc struct {
	Key         string   `json:"key"`
	Type        string   `json:"type"`
	OID         string   `json:"oid,omitempty"`
	Title       string   `json:"title,omitempty"`
	ThreadTitle string   `json:"thread_title,omitempty"`
	TitleEN     string   `json:"title_en,omitempty"`
	TitleFR     string   `json:"title_fr,omitempty"`
	BodyEN      string   `json:"body_en,omitempty"`
	BodyFR      string   `json:"body_fr,omitempty"`
	Language    string   `json:"language,omitempty"`
	GroupID     string   `json:"group_id,omitempty"`
	GVis        string   `json:"gvis,omitempty"`
	ThreadID    string   `json:"thread_id,omitempty"`
	Kind        string   `json:"kind,omitempty"`
	Tags        []string `json:"tags,omitempty"`
	Author      string   `json:"author,omitempty"`
	CreatedAt   int64    `json:"created_at"`
	Hidden      bool     `json:"hidden"`
	Position    string   `json:"position,omitempty"`
	Layout      string   `json:"layout,omitempty"` // the checkpoint's only
}

func toDoc(d search.Document) doc {
	out := doc{
		Key: d.Key(), Type: d.Type, OID: d.ID, Title: search.Clean(d.Title), ThreadTitle: search.Clean(d.ThreadTitle),
		Language: d.Language, GroupID: d.GroupID, GVis: d.GroupVisibility, ThreadID: d.ThreadID,
		Kind: d.Kind, Author: d.AuthorID, CreatedAt: d.CreatedAt.UnixMilli(), Hidden: d.Hidden || d.Deleted,
	}
	for _, t := range d.Tags {
		out.Tags = append(out.Tags, search.Fold(t))
	}
	body := search.Clean(d.Body)
	switch d.Language {
	case "en":
		out.TitleEN, out.BodyEN = out.Title, body
	case "fr":
		out.TitleFR, out.BodyFR = out.Title, body
	default:
		// Text in either language: both localized fields (a body is then
		// highlighted from the English one).
		out.TitleEN, out.BodyEN = out.Title, body
		out.TitleFR, out.BodyFR = out.Title, body
	}
	return out
}

// Index adds or replaces documents.
func (x *Index) Index(ctx context.Context, docs []search.Document) error {
	return x.apply(ctx, search.Batch{Upserts: docs}, false)
}

// Delete removes documents.
func (x *Index) Delete(ctx context.Context, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	info, err := x.index.DeleteDocumentsWithContext(ctx, keys, nil)
	if err != nil {
		return fmt.Errorf("meili: delete: %w", err)
	}
	return x.wait(ctx, info)
}

// Apply deletes, then adds the documents together with the checkpoint
// document, each task awaited and checked.
func (x *Index) Apply(ctx context.Context, b search.Batch) error { return x.apply(ctx, b, true) }

func (x *Index) apply(ctx context.Context, b search.Batch, checkpoint bool) error {
	if err := x.Delete(ctx, b.Deletes); err != nil {
		return err
	}
	docs := make([]doc, 0, len(b.Upserts)+1)
	for _, d := range b.Upserts {
		docs = append(docs, toDoc(d))
	}
	if checkpoint {
		// Last, so that it rides in the last request.
		docs = append(docs, doc{Key: checkpointKey, Type: checkpointTyp, Hidden: true, Position: search.FormatPosition(b.Checkpoint), Layout: layout})
	}
	parts, err := payloads(docs, x.limit)
	if err != nil {
		return err
	}
	// Each request's task is awaited before the next is sent: Meilisearch
	// would process a later one even if an earlier one failed, and the
	// checkpoint, in the last, must not move past documents it refused.
	pk := primaryKey
	for _, p := range parts {
		info, err := x.index.AddDocumentsWithContext(ctx, p, &meilisearch.DocumentOptions{PrimaryKey: &pk})
		if err != nil {
			return fmt.Errorf("meili: add documents: %w", err)
		}
		if err := x.wait(ctx, info); err != nil {
			return err
		}
	}
	return nil
}

// payloads encodes the documents and splits them, in order, into requests
// whose JSON array is at most limit bytes (a document larger than limit
// goes alone).
func payloads(docs []doc, limit int) ([][]json.RawMessage, error) {
	var out [][]json.RawMessage
	var cur []json.RawMessage
	size := 2 // []
	for _, d := range docs {
		b, err := json.Marshal(d)
		if err != nil {
			return nil, fmt.Errorf("meili: encode document %s: %w", d.Key, err)
		}
		if len(cur) > 0 && size+1+len(b) > limit {
			out = append(out, cur)
			cur, size = nil, 2
		}
		if len(cur) > 0 {
			size++ // ,
		}
		cur, size = append(cur, b), size+len(b)
	}
	if len(cur) > 0 {
		out = append(out, cur)
	}
	return out, nil
}

// Checkpoint reads the checkpoint document.
func (x *Index) Checkpoint(ctx context.Context) (eventstore.Position, error) {
	d, found, err := x.checkpointDoc(ctx)
	if err != nil || !found {
		return eventstore.Start, err
	}
	return search.ParsePosition(d.Position)
}

func (x *Index) checkpointDoc(ctx context.Context) (doc, bool, error) {
	var d doc
	err := x.index.GetDocumentWithContext(ctx, checkpointKey, nil, &d)
	var me *meilisearch.Error
	if errors.As(err, &me) && me.MeilisearchApiError.Code == "document_not_found" {
		return doc{}, false, nil
	}
	if err != nil {
		return doc{}, false, fmt.Errorf("meili: checkpoint: %w", err)
	}
	return d, true, nil
}

// SetCheckpoint writes the checkpoint document alone.
func (x *Index) SetCheckpoint(ctx context.Context, pos eventstore.Position) error {
	return x.Apply(ctx, search.Batch{Checkpoint: pos})
}

// Reset deletes every document (settings stay).
func (x *Index) Reset(ctx context.Context) error {
	info, err := x.index.DeleteAllDocumentsWithContext(ctx, nil)
	if err != nil {
		return fmt.Errorf("meili: reset: %w", err)
	}
	return x.wait(ctx, info)
}

// quote makes a filter string value.
func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

func in(attr string, vs ...string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(v)
	}
	return attr + " IN [" + strings.Join(q, ", ") + "]"
}

// Filter is the filter expression of a query: the permission rule of
// search.Access.Visible, then the query's own filters, all ANDed. Exported
// for tests of the expression itself.
func Filter(q search.Query) string {
	alts := []string{
		`type = "member"`,
		`(type = "group" AND ` + in("gvis", "open", "request") + `)`,
		`(` + in("type", search.TypeThread, search.TypePost) + ` AND gvis = "open")`,
	}
	switch {
	case q.Access.All:
		alts = append(alts, in("type", search.TypeGroup, search.TypeThread, search.TypePost))
	case len(q.Access.Groups) > 0:
		alts = append(alts, "("+in("type", search.TypeGroup, search.TypeThread, search.TypePost)+" AND "+in("group_id", q.Access.Groups...)+")")
	}
	parts := []string{"(" + strings.Join(alts, " OR ") + ")", "hidden = false"}
	if len(q.Types) > 0 {
		parts = append(parts, in("type", q.Types...))
	}
	if q.GroupID != "" {
		parts = append(parts, "group_id = "+quote(q.GroupID))
	}
	if q.Language != "" {
		parts = append(parts, "language = "+quote(q.Language))
	}
	if q.Kind != "" {
		parts = append(parts, "kind = "+quote(q.Kind))
	}
	for _, t := range q.Tags {
		parts = append(parts, "tags = "+quote(search.Fold(t)))
	}
	return strings.Join(parts, " AND ")
}

// Search answers a query.
func (x *Index) Search(ctx context.Context, q search.Query) (search.Result, error) {
	q, offset, err := q.Normalize()
	if err != nil {
		return search.Result{}, err
	}
	req := &meilisearch.SearchRequest{
		Filter:                Filter(q),
		Facets:                []string{search.FacetType, search.FacetLanguage, search.FacetKind},
		AttributesToRetrieve:  []string{"type", "oid", "title", "thread_title", "language", "kind", "group_id", "thread_id", "created_at", "title_en", "title_fr", "body_en", "body_fr"},
		AttributesToHighlight: []string{"title_en", "title_fr", "body_en", "body_fr"},
		AttributesToCrop:      []string{"body_en", "body_fr"},
		CropLength:            40,
		CropMarker:            "…",
		HighlightPreTag:       search.MarkStart,
		HighlightPostTag:      search.MarkEnd,
		// Every word must match (a glossary synonym counts), as in the
		// embedded backend; "last" would pad results with partial matches.
		MatchingStrategy: meilisearch.All,
	}
	if q.Sort == search.SortDate || q.Text == "" {
		req.Sort = []string{"created_at:desc"}
	}
	// Page mode gives an exhaustive total (offset mode only an estimate);
	// cursors made with the same limit are always page-aligned.
	exact := offset%q.Limit == 0
	if exact {
		hpp := int64(q.Limit)
		req.HitsPerPage, req.Page = &hpp, int64(offset/q.Limit)+1
	} else {
		req.Offset, req.Limit = int64(offset), int64(q.Limit)
	}
	res, err := x.index.SearchWithContext(ctx, q.Text, req)
	if err != nil {
		return search.Result{}, fmt.Errorf("meili: search: %w", err)
	}
	out := search.Result{Items: make([]search.Hit, 0, len(res.Hits)), Facets: map[string]map[string]int{}}
	if exact {
		out.Total = int(res.TotalHits)
	} else {
		out.Total = int(res.EstimatedTotalHits)
	}
	if len(res.FacetDistribution) > 0 {
		var fd map[string]map[string]int
		if err := json.Unmarshal(res.FacetDistribution, &fd); err != nil {
			return search.Result{}, fmt.Errorf("meili: facets: %w", err)
		}
		out.Facets = fd
	}
	for _, h := range res.Hits {
		var d struct {
			doc
			Formatted struct {
				TitleEN string `json:"title_en"`
				TitleFR string `json:"title_fr"`
				BodyEN  string `json:"body_en"`
				BodyFR  string `json:"body_fr"`
			} `json:"_formatted"`
		}
		if err := h.DecodeInto(&d); err != nil {
			return search.Result{}, fmt.Errorf("meili: hit: %w", err)
		}
		hit := search.Hit{
			Type: d.Type, ID: d.OID, Title: d.Title, GroupID: d.GroupID, ThreadID: d.ThreadID,
			Language: d.Language, Kind: d.Kind, CreatedAt: time.UnixMilli(d.CreatedAt).UTC(),
		}
		if hit.Title == "" {
			hit.Title = d.ThreadTitle
		}
		marked := d.Formatted.BodyEN
		if d.BodyEN == "" || (!strings.Contains(marked, search.MarkStart) && strings.Contains(d.Formatted.BodyFR, search.MarkStart)) {
			marked = d.Formatted.BodyFR
		}
		hit.Snippet = search.FromMarked(marked)
		for _, t := range []string{d.Formatted.TitleEN, d.Formatted.TitleFR} {
			if strings.Contains(t, search.MarkStart) {
				hit.TitleSnippet = search.FromMarked(t)
				break
			}
		}
		out.Items = append(out.Items, hit)
	}
	out.NextCursor = search.NextCursor(offset, len(out.Items), out.Total)
	return out, nil
}

// The adapter implements the port (a compile-time check).
var _ search.Index = (*Index)(nil)
