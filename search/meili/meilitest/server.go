// Package meilitest is an in-process test server for the part of
// Meilisearch's HTTP API the meili adapter uses, so that the adapter is
// tested through the real meilisearch-go client.
//
// What it checks, as Meilisearch does: the Authorization bearer key; a JSON
// Content-Type on bodies; known JSON fields only in settings and search
// bodies; document ids ([A-Za-z0-9_-], at most 511 bytes; a bad one fails
// the task with invalid_document_id, as Meilisearch fails the task rather
// than the request); filters and facets only on filterable attributes
// (invalid_search_filter / invalid_search_facets), sort only on sortable
// ones (invalid_search_sort); the filter grammar (=, !=, IN [...], AND, OR,
// NOT, parentheses, quoted strings); hitsPerPage/page versus offset/limit
// answers (totalHits versus estimatedTotalHits). Write requests answer 202
// with an enqueued task summary, and the task's final state is read with
// GET /tasks/{uid}; FailNextTask makes the next write task fail, to test
// that callers check task status.
//
// What it emulates in a simplified way (enough for the conformance suite to
// mean something, not Meilisearch's ranking): a query is split into folded
// words (case and accents, as Meilisearch's normalizer does); with
// matchingStrategy "all" every word (or a synonym phrase standing for
// words) must match a word of a searchable attribute exactly, as a prefix
// (the last word only), or within the typo budget (1 edit, transpositions
// counting as one, from minWordSizeForTypos.oneTypo letters; 2 from
// twoTypos); synonyms come from the settings, multi-word ones matched as
// word sequences in the query. Ranking is a plain score (exact > prefix >
// typo, title above body), ties by insertion order. Highlighting wraps
// matched words with the requested tags; cropping keeps cropLength words
// around the first match. Localized attributes are stored but do not
// change the processing (real Meilisearch uses them to pick segmenters and
// normalizers). Not emulated at all: other endpoints, stop words,
// proximity, distinct, vectors, task batching and cancellation.
package meilitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/settlenet/settlenet/search"
)

// Server is a test Meilisearch.
type Server struct {
	*httptest.Server
	key string

	mu       sync.Mutex
	indexes  map[string]*index
	tasks    []task
	failNext string // error code for the next write task
	requests []string
}

type index struct {
	uid, primaryKey string
	docs            map[string]map[string]any
	order           []string // insertion order of keys
	settings        map[string]json.RawMessage
}

type task struct {
	UID        int64          `json:"uid"`
	IndexUID   string         `json:"indexUid"`
	Status     string         `json:"status"`
	Type       string         `json:"type"`
	Error      *apiError      `json:"error"`
	Details    map[string]any `json:"details,omitempty"`
	EnqueuedAt time.Time      `json:"enqueuedAt"`
	StartedAt  time.Time      `json:"startedAt"`
	FinishedAt time.Time      `json:"finishedAt"`
}

type apiError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Type    string `json:"type"`
	Link    string `json:"link"`
}

// New starts a server requiring key ("" for none).
func New(key string) *Server {
	s := &Server{key: key, indexes: map[string]*index{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// FailNextTask makes the next write task fail with the given error code.
func (s *Server) FailNextTask(code string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failNext = code
}

// Requests lists "METHOD path" of every request received.
func (s *Server) Requests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Settings returns an index's stored settings (raw JSON by field).
func (s *Server) Settings(uid string) map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	if ix := s.indexes[uid]; ix != nil {
		return maps.Clone(ix.settings)
	}
	return nil
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, typ, msg string) {
	writeJSON(w, status, apiError{Message: msg, Code: code, Type: typ, Link: "https://docs.meilisearch.com/errors#" + code})
}

var docID = regexp.MustCompile(`^[A-Za-z0-9_-]{1,511}$`)

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, r.Method+" "+r.URL.Path)
	if s.key != "" && r.URL.Path != "/health" {
		auth := r.Header.Get("Authorization")
		if auth == "" {
			fail(w, 401, "missing_authorization_header", "auth", "The Authorization header is missing.")
			return
		}
		if auth != "Bearer "+s.key {
			fail(w, 403, "invalid_api_key", "auth", "The provided API key is invalid.")
			return
		}
	}
	var body []byte
	if r.Body != nil && (r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut) {
		buf := new(bytes.Buffer)
		_, _ = buf.ReadFrom(r.Body)
		body = buf.Bytes()
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			fail(w, 415, "invalid_content_type", "invalid_request", "The Content-Type must be application/json.")
			return
		}
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		writeJSON(w, 200, map[string]string{"status": "available"})
	case r.Method == http.MethodPost && r.URL.Path == "/indexes":
		var req struct {
			UID        string `json:"uid"`
			PrimaryKey string `json:"primaryKey"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.UID == "" {
			fail(w, 400, "bad_request", "invalid_request", "bad index creation body")
			return
		}
		s.enqueue(w, req.UID, "indexCreation", func() *apiError {
			if s.indexes[req.UID] != nil {
				return &apiError{Message: "Index `" + req.UID + "` already exists.", Code: "index_already_exists", Type: "invalid_request"}
			}
			s.indexes[req.UID] = &index{uid: req.UID, primaryKey: req.PrimaryKey, docs: map[string]map[string]any{}, settings: map[string]json.RawMessage{}}
			return nil
		})
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "tasks":
		uid, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || uid < 0 || int(uid) >= len(s.tasks) {
			fail(w, 404, "task_not_found", "invalid_request", "Task not found.")
			return
		}
		writeJSON(w, 200, s.tasks[uid])
	case len(parts) >= 3 && parts[0] == "indexes":
		ix := s.indexes[parts[1]]
		if ix == nil && !(r.Method == http.MethodPost && parts[2] == "documents") {
			fail(w, 404, "index_not_found", "invalid_request", "Index `"+parts[1]+"` not found.")
			return
		}
		s.indexRoute(w, r, parts[1], ix, parts[2:], body)
	default:
		fail(w, 404, "not_found", "invalid_request", "not emulated: "+r.Method+" "+r.URL.Path)
	}
}

func (s *Server) enqueue(w http.ResponseWriter, uid, typ string, run func() *apiError) {
	now := time.Now().UTC()
	t := task{UID: int64(len(s.tasks)), IndexUID: uid, Type: typ, EnqueuedAt: now, StartedAt: now}
	if s.failNext != "" && typ != "indexCreation" {
		t.Error = &apiError{Message: "injected failure", Code: s.failNext, Type: "internal"}
		s.failNext = ""
	} else {
		t.Error = run()
	}
	t.Status = "succeeded"
	if t.Error != nil {
		t.Status = "failed"
		t.Error.Link = "https://docs.meilisearch.com/errors#" + t.Error.Code
	}
	t.FinishedAt = time.Now().UTC()
	s.tasks = append(s.tasks, t)
	writeJSON(w, 202, map[string]any{"taskUid": t.UID, "indexUid": uid, "status": "enqueued", "type": typ, "enqueuedAt": now})
}

var knownSettings = []string{"searchableAttributes", "filterableAttributes", "sortableAttributes", "localizedAttributes",
	"typoTolerance", "synonyms", "pagination", "rankingRules", "stopWords", "displayedAttributes", "faceting"}

func (s *Server) indexRoute(w http.ResponseWriter, r *http.Request, uid string, ix *index, rest []string, body []byte) {
	switch {
	case r.Method == http.MethodPatch && len(rest) == 1 && rest[0] == "settings":
		var req map[string]json.RawMessage
		if err := json.Unmarshal(body, &req); err != nil {
			fail(w, 400, "bad_request", "invalid_request", err.Error())
			return
		}
		for k := range req {
			if !slices.Contains(knownSettings, k) {
				fail(w, 400, "bad_request", "invalid_request", "Unknown field `"+k+"`")
				return
			}
		}
		s.enqueue(w, uid, "settingsUpdate", func() *apiError {
			maps.Copy(ix.settings, req)
			return nil
		})
	case r.Method == http.MethodPost && len(rest) == 1 && rest[0] == "documents":
		var docs []map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&docs); err != nil {
			fail(w, 400, "malformed_payload", "invalid_request", err.Error())
			return
		}
		pk := r.URL.Query().Get("primaryKey")
		s.enqueue(w, uid, "documentAdditionOrUpdate", func() *apiError {
			if ix == nil {
				ix = &index{uid: uid, primaryKey: pk, docs: map[string]map[string]any{}, settings: map[string]json.RawMessage{}}
				s.indexes[uid] = ix
			}
			if ix.primaryKey == "" {
				ix.primaryKey = pk
			}
			if pk != "" && pk != ix.primaryKey {
				return &apiError{Message: "primary key mismatch", Code: "index_primary_key_already_exists", Type: "invalid_request"}
			}
			for _, d := range docs { // all or none
				id, _ := d[ix.primaryKey].(string)
				if !docID.MatchString(id) {
					return &apiError{Message: fmt.Sprintf("Document identifier `%v` is invalid.", d[ix.primaryKey]), Code: "invalid_document_id", Type: "invalid_request"}
				}
			}
			for _, d := range docs {
				id := d[ix.primaryKey].(string)
				if _, ok := ix.docs[id]; !ok {
					ix.order = append(ix.order, id)
				}
				ix.docs[id] = d // POST replaces the whole document
			}
			return nil
		})
	case r.Method == http.MethodPost && len(rest) == 2 && rest[0] == "documents" && rest[1] == "delete-batch":
		var ids []string
		if err := json.Unmarshal(body, &ids); err != nil {
			fail(w, 400, "bad_request", "invalid_request", err.Error())
			return
		}
		s.enqueue(w, uid, "documentDeletion", func() *apiError {
			for _, id := range ids {
				ix.remove(id)
			}
			return nil
		})
	case r.Method == http.MethodDelete && len(rest) == 1 && rest[0] == "documents":
		s.enqueue(w, uid, "documentDeletion", func() *apiError {
			ix.docs, ix.order = map[string]map[string]any{}, nil
			return nil
		})
	case r.Method == http.MethodGet && len(rest) == 2 && rest[0] == "documents":
		d, ok := ix.docs[rest[1]]
		if !ok {
			fail(w, 404, "document_not_found", "invalid_request", "Document `"+rest[1]+"` not found.")
			return
		}
		writeJSON(w, 200, d)
	case r.Method == http.MethodPost && len(rest) == 1 && rest[0] == "search":
		s.search(w, ix, body)
	default:
		fail(w, 404, "not_found", "invalid_request", "not emulated: "+r.Method+" "+r.URL.Path)
	}
}

func (ix *index) remove(id string) {
	if _, ok := ix.docs[id]; ok {
		delete(ix.docs, id)
		ix.order = slices.DeleteFunc(ix.order, func(k string) bool { return k == id })
	}
}

func (ix *index) strings(name string) []string {
	var out []string
	_ = json.Unmarshal(ix.settings[name], &out)
	return out
}

type searchReq struct {
	Q                     string   `json:"q"`
	Offset                *int     `json:"offset"`
	Limit                 *int     `json:"limit"`
	HitsPerPage           *int     `json:"hitsPerPage"`
	Page                  *int     `json:"page"`
	Filter                any      `json:"filter"`
	Facets                []string `json:"facets"`
	Sort                  []string `json:"sort"`
	AttributesToRetrieve  []string `json:"attributesToRetrieve"`
	AttributesToHighlight []string `json:"attributesToHighlight"`
	AttributesToCrop      []string `json:"attributesToCrop"`
	CropLength            int      `json:"cropLength"`
	CropMarker            *string  `json:"cropMarker"`
	HighlightPreTag       *string  `json:"highlightPreTag"`
	HighlightPostTag      *string  `json:"highlightPostTag"`
	MatchingStrategy      string   `json:"matchingStrategy"`
	Hybrid                any      `json:"hybrid"`
}

func (s *Server) search(w http.ResponseWriter, ix *index, body []byte) {
	var req searchReq
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		fail(w, 400, "bad_request", "invalid_request", err.Error())
		return
	}
	filterable := ix.strings("filterableAttributes")
	var filter node
	if f, ok := req.Filter.(string); ok && f != "" {
		var err error
		if filter, err = parseFilter(f, filterable); err != nil {
			fail(w, 400, "invalid_search_filter", "invalid_request", err.Error())
			return
		}
	} else if req.Filter != nil {
		fail(w, 400, "invalid_search_filter", "invalid_request", "filter must be a string here")
		return
	}
	for _, f := range req.Facets {
		if !slices.Contains(filterable, f) {
			fail(w, 400, "invalid_search_facets", "invalid_request", "Invalid facet requested: Attribute `"+f+"` is not filterable.")
			return
		}
	}
	sortable := ix.strings("sortableAttributes")
	for _, so := range req.Sort {
		attr, dir, _ := strings.Cut(so, ":")
		if !slices.Contains(sortable, attr) || (dir != "asc" && dir != "desc") {
			fail(w, 400, "invalid_search_sort", "invalid_request", "Attribute `"+attr+"` is not sortable.")
			return
		}
	}
	if req.MatchingStrategy != "" && req.MatchingStrategy != "all" {
		fail(w, 400, "bad_request", "invalid_request", "the test server emulates matchingStrategy all only")
		return
	}
	m := newMatcher(ix, req.Q)
	type scored struct {
		key   string
		score int
		hits  map[string]bool // matched doc words
	}
	var found []scored
	for _, key := range ix.order {
		d := ix.docs[key]
		if filter != nil && !filter.eval(d) {
			continue
		}
		score, hits, ok := m.match(d)
		if !ok {
			continue
		}
		found = append(found, scored{key, score, hits})
	}
	sort.SliceStable(found, func(i, j int) bool {
		for _, so := range req.Sort {
			attr, dir, _ := strings.Cut(so, ":")
			a, b := num(ix.docs[found[i].key][attr]), num(ix.docs[found[j].key][attr])
			if a != b {
				return (a < b) == (dir == "asc")
			}
		}
		return found[i].score > found[j].score
	})
	facets := map[string]map[string]int{}
	for _, f := range req.Facets {
		facets[f] = map[string]int{}
		for _, h := range found {
			for _, v := range values(ix.docs[h.key][f]) {
				facets[f][v]++
			}
		}
	}
	offset, limit := 0, 20
	resp := map[string]any{"query": req.Q, "processingTimeMs": 0, "facetDistribution": facets}
	if req.HitsPerPage != nil || req.Page != nil {
		hpp, page := 20, 1
		if req.HitsPerPage != nil {
			hpp = *req.HitsPerPage
		}
		if req.Page != nil {
			page = *req.Page
		}
		offset, limit = (page-1)*hpp, hpp
		resp["hitsPerPage"], resp["page"], resp["totalHits"] = hpp, page, len(found)
		resp["totalPages"] = (len(found) + max(hpp, 1) - 1) / max(hpp, 1)
	} else {
		if req.Offset != nil {
			offset = *req.Offset
		}
		if req.Limit != nil {
			limit = *req.Limit
		}
		resp["offset"], resp["limit"], resp["estimatedTotalHits"] = offset, limit, len(found)
	}
	pre, post, marker := "<em>", "</em>", "…"
	if req.HighlightPreTag != nil {
		pre = *req.HighlightPreTag
	}
	if req.HighlightPostTag != nil {
		post = *req.HighlightPostTag
	}
	if req.CropMarker != nil {
		marker = *req.CropMarker
	}
	cropLen := req.CropLength
	if cropLen == 0 {
		cropLen = 10
	}
	hits := []map[string]any{}
	for i := offset; i < min(len(found), offset+limit); i++ {
		d := ix.docs[found[i].key]
		out := map[string]any{}
		for k, v := range d {
			if len(req.AttributesToRetrieve) == 0 || slices.Contains(req.AttributesToRetrieve, k) {
				out[k] = v
			}
		}
		formatted := map[string]any{}
		maps.Copy(formatted, out)
		for k, v := range d {
			str, ok := v.(string)
			if !ok {
				continue
			}
			crop := slices.Contains(req.AttributesToCrop, k)
			if slices.Contains(req.AttributesToHighlight, k) || crop {
				formatted[k] = format(str, found[i].hits, slices.Contains(req.AttributesToHighlight, k), crop, pre, post, marker, cropLen)
			}
		}
		out["_formatted"] = formatted
		hits = append(hits, out)
	}
	resp["hits"] = hits
	writeJSON(w, 200, resp)
}

func num(v any) float64 {
	switch n := v.(type) {
	case json.Number:
		f, _ := n.Float64()
		return f
	case float64:
		return n
	}
	return 0
}

func values(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, values(e)...)
		}
		return out
	case bool:
		return []string{strconv.FormatBool(x)}
	case json.Number:
		return []string{x.String()}
	}
	return []string{fmt.Sprint(v)}
}

// format highlights matched words of text and crops it around the first.
func format(text string, hits map[string]bool, highlight, crop bool, pre, post, marker string, cropLen int) string {
	type word struct {
		start, end int
		hit        bool
	}
	var words []word
	for i := 0; i < len(text); {
		r, n := utf8.DecodeRuneInString(text[i:])
		if !isWordRune(r) {
			i += n
			continue
		}
		j := i
		for j < len(text) {
			r, n := utf8.DecodeRuneInString(text[j:])
			if !isWordRune(r) {
				break
			}
			j += n
		}
		words = append(words, word{i, j, hits[search.Fold(text[i:j])]})
		i = j
	}
	from, to := 0, len(text)
	if crop && len(words) > cropLen {
		first := slices.IndexFunc(words, func(w word) bool { return w.hit })
		first = max(first, 0)
		lo := max(0, first-cropLen/2)
		hi := min(len(words), lo+cropLen)
		lo = max(0, hi-cropLen)
		from, to = words[lo].start, words[hi-1].end
	}
	var b strings.Builder
	if from > 0 {
		b.WriteString(marker)
	}
	at := from
	for _, w := range words {
		if w.start < from || w.end > to || !w.hit || !highlight {
			continue
		}
		b.WriteString(text[at:w.start] + pre + text[w.start:w.end] + post)
		at = w.end
	}
	b.WriteString(text[at:to])
	if to < len(text) {
		b.WriteString(marker)
	}
	return b.String()
}
