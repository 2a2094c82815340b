package search

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// Document types.
const (
	TypeThread = "thread"
	TypePost   = "post"
	TypeGroup  = "group"
	TypeMember = "member"
)

// Types lists the document types in the order facets report them.
func Types() []string { return []string{TypeThread, TypePost, TypeGroup, TypeMember} }

// Sort orders.
const (
	SortRelevance = "relevance"
	SortDate      = "date"
)

// Paging limits, as API.md states them for lists.
const (
	DefaultLimit = 20
	MaxLimit     = 100
)

// Errors.
var (
	// ErrBadQuery is a malformed query (a bad cursor, an unknown sort or type).
	ErrBadQuery = errors.New("search: bad query")
	// ErrClosed is returned by an index after Close.
	ErrClosed = errors.New("search: index closed")
)

// Document is one searchable object. Title and Body are plain text (Body is
// the Markdown rendered as text, see PlainText); Language is "en", "fr" or,
// for groups and members whose text may be in either, "bilingual" or "".
type Document struct {
	Type string `json:"type"`
	// ID is the object's id (thread, post, group or member id).
	ID    string `json:"id"`
	Title string `json:"title"`
	// ThreadTitle is shown for a post (which has no title of its own) but
	// not searched: every reply would otherwise match its thread's title.
	ThreadTitle string `json:"thread_title,omitempty"`
	Body        string `json:"body"`
	Language    string `json:"language"`
	GroupID     string `json:"group_id,omitempty"`
	// GroupVisibility is the visibility of GroupID (open, request, private);
	// the permission filter works on it.
	GroupVisibility string    `json:"group_visibility,omitempty"`
	ThreadID        string    `json:"thread_id,omitempty"`
	Kind            string    `json:"kind,omitempty"`
	Tags            []string  `json:"tags,omitempty"`
	AuthorID        string    `json:"author_id,omitempty"`
	CreatedAt       time.Time `json:"created_at"`
	// Hidden and Deleted posts are never returned. The indexer removes
	// them instead of indexing them; adapters filter them out as well, so
	// that a document written with the flag set cannot leak either.
	Hidden  bool `json:"hidden,omitempty"`
	Deleted bool `json:"deleted,omitempty"`
}

// Key is the document's primary key in every backend.
func (d Document) Key() string { return Key(d.Type, d.ID) }

// Key makes a backend key from a type and an object id. Meilisearch accepts
// only [A-Za-z0-9_-] in ids and post ids contain '.', so every other byte is
// escaped as "-xx" (hex); the escape keeps keys of different ids different.
func Key(typ, id string) string {
	var b strings.Builder
	b.Grow(len(typ) + 1 + len(id))
	b.WriteString(typ)
	b.WriteByte('_')
	for i := 0; i < len(id); i++ {
		c := id[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "-%02x", c)
	}
	return b.String()
}

// Access is who may see what, computed by the caller from the viewer's
// current memberships. The zero Access is the anonymous one: open groups'
// content, open and request groups' cards, and member profiles.
type Access struct {
	// All: site staff, who read every group (but never hidden posts).
	All bool
	// Groups are the groups the viewer is a member of (any role).
	Groups []string
}

// Visible reports whether a document may be shown under the access: the
// reference statement of the permission rules in the package doc.
func (a Access) Visible(d Document) bool {
	if d.Hidden || d.Deleted {
		return false
	}
	switch d.Type {
	case TypeMember:
		return true
	case TypeGroup:
		if d.GroupVisibility == "open" || d.GroupVisibility == "request" {
			return true
		}
	case TypeThread, TypePost:
		if d.GroupVisibility == "open" {
			return true
		}
	default:
		return false
	}
	return a.All || slices.Contains(a.Groups, d.GroupID)
}

// Query is a search. Empty filters do not filter.
type Query struct {
	// Text is what the user typed. Empty text lists everything visible
	// (most recent first unless Sort says relevance).
	Text     string
	Types    []string
	GroupID  string
	Language string
	Kind     string
	// Tags: a document matches if it carries every tag listed.
	Tags   []string
	Sort   string // SortRelevance (default) or SortDate (newest first)
	Limit  int    // default DefaultLimit, at most MaxLimit
	Cursor string // from a previous Result.NextCursor
	Access Access
}

// Normalize checks a query and fills its defaults; adapters call it first.
func (q Query) Normalize() (Query, int, error) {
	switch q.Sort {
	case "":
		q.Sort = SortRelevance
	case SortRelevance, SortDate:
	default:
		return q, 0, fmt.Errorf("%w: sort %q", ErrBadQuery, q.Sort)
	}
	for _, t := range q.Types {
		if !slices.Contains(Types(), t) {
			return q, 0, fmt.Errorf("%w: type %q", ErrBadQuery, t)
		}
	}
	if q.Limit <= 0 {
		q.Limit = DefaultLimit
	}
	q.Limit = min(q.Limit, MaxLimit)
	offset, err := DecodeCursor(q.Cursor)
	if err != nil {
		return q, 0, err
	}
	q.Text = strings.TrimSpace(q.Text)
	return q, offset, nil
}

// maxOffset bounds deep paging, which costs every backend time in
// proportion to the offset (Meilisearch's own default cap is 1000).
const maxOffset = 1000

// EncodeCursor makes the opaque cursor for the page starting at offset.
func EncodeCursor(offset int) string {
	return base64.RawURLEncoding.EncodeToString([]byte("o" + strconv.Itoa(offset)))
}

// DecodeCursor reads a cursor made by EncodeCursor ("" is offset 0).
func DecodeCursor(c string) (int, error) {
	if c == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err != nil || len(b) < 2 || b[0] != 'o' {
		return 0, fmt.Errorf("%w: cursor", ErrBadQuery)
	}
	n, err := strconv.Atoi(string(b[1:]))
	if err != nil || n < 0 || n > maxOffset {
		return 0, fmt.Errorf("%w: cursor", ErrBadQuery)
	}
	return n, nil
}

// NextCursor is the cursor after a page, or "" when it was the last.
func NextCursor(offset, pageLen, total int) string {
	next := offset + pageLen
	if pageLen == 0 || next >= total || next > maxOffset {
		return ""
	}
	return EncodeCursor(next)
}

// Hit is one result. Snippet is HTML: the matched text, escaped, with the
// matches wrapped in <mark>...</mark> (and nothing else unescaped).
type Hit struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Title   string `json:"title"`
	Snippet string `json:"snippet"`
	// TitleSnippet is the title as HTML, as Snippet is, with its matches
	// in <mark>; set only when the title holds words of the query (never
	// on a post, whose title is its thread's and is not searched).
	TitleSnippet string `json:"title_snippet,omitempty"`
	GroupID      string `json:"group_id,omitempty"`
	ThreadID     string `json:"thread_id,omitempty"`
	Language     string `json:"language,omitempty"`
	// Kind is a thread's kind, on its thread and post hits.
	Kind      string    `json:"kind,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// Facet names.
const (
	FacetType     = "type"
	FacetLanguage = "language"
	FacetKind     = "kind"
)

// Result is a page of hits with the total and the facet counts of every
// visible match (not only of the page).
type Result struct {
	Items      []Hit                     `json:"items"`
	Total      int                       `json:"total"`
	Facets     map[string]map[string]int `json:"facets"`
	NextCursor string                    `json:"next_cursor,omitempty"`
	// Relaxed is set by Relax, never by an index: the leading words of
	// the text that these results match, when none held every word.
	Relaxed string `json:"relaxed_query,omitempty"`
}

// Batch is what the indexer writes at once: documents to add or replace,
// keys to delete, and the position the log has been applied up to.
// Deletes are applied before upserts.
type Batch struct {
	Upserts    []Document
	Deletes    []string
	Checkpoint eventstore.Position
}

// Index is the search port.
type Index interface {
	// Index adds or replaces documents (by Key).
	Index(ctx context.Context, docs []Document) error
	// Delete removes documents by Key; missing keys are not an error.
	Delete(ctx context.Context, keys []string) error
	// Apply writes a batch and its checkpoint. When it returns nil the
	// backend has durably accepted the documents, and the checkpoint is
	// never stored ahead of them.
	Apply(ctx context.Context, b Batch) error
	// Search answers a query.
	Search(ctx context.Context, q Query) (Result, error)
	// Checkpoint is the position stored by the last Apply or
	// SetCheckpoint (eventstore.Start for a new index).
	Checkpoint(ctx context.Context) (eventstore.Position, error)
	// SetCheckpoint stores a position (Reset and tests use it).
	SetCheckpoint(ctx context.Context, pos eventstore.Position) error
	// Reset removes every document and the checkpoint (a rebuild).
	Reset(ctx context.Context) error
	// Ping reports whether the backend is reachable (readiness).
	Ping(ctx context.Context) error
	Close() error
}

// FormatPosition and ParsePosition store a checkpoint as text.
func FormatPosition(p eventstore.Position) string {
	return strconv.FormatUint(p.Commit, 10) + "/" + strconv.FormatUint(p.Prepare, 10)
}

// ParsePosition reads a position written by FormatPosition.
func ParsePosition(s string) (eventstore.Position, error) {
	c, p, ok := strings.Cut(s, "/")
	if !ok {
		return eventstore.Position{}, fmt.Errorf("search: bad checkpoint %q", s)
	}
	commit, err1 := strconv.ParseUint(c, 10, 64)
	prepare, err2 := strconv.ParseUint(p, 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return eventstore.Position{}, fmt.Errorf("search: bad checkpoint %q: %w", s, err)
	}
	return eventstore.Position{Commit: commit, Prepare: prepare}, nil
}
