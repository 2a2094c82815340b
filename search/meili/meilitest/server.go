// Package meilitest is an in-process test server for the part of
// Meilisearch's HTTP API the meili adapter uses, so that the adapter is
// tested through the real meilisearch-go client.
//
// It answers as Meilisearch 1.15 does (GET /version says so; SetVersion
// changes it). What it checks, as Meilisearch does: the Authorization
// bearer key; a JSON Content-Type on bodies; known JSON fields only in
// search bodies and in settings at every level (an unknown typoTolerance or
// localizedAttributes field, or a locale Meilisearch does not know, is a
// 400 with the setting's invalid_settings_* code; an unknown setting a 400
// bad_request); ranking rules built-in or attribute:asc|desc; document ids
// ([A-Za-z0-9_-], at most 511 bytes; a bad one fails the task with
// invalid_document_id, as Meilisearch fails the task rather than the
// request); filters and facets only on filterable attributes
// (invalid_search_filter / invalid_search_facets), sort only on sortable
// ones and only if the ranking rules hold "sort" (invalid_search_sort); the
// filter grammar (=, !=, IN [...], AND, OR, NOT, parentheses, quoted
// strings); hitsPerPage/page versus offset/limit answers (totalHits versus
// estimatedTotalHits).
//
// Write requests answer 202 with an enqueued task summary and take effect
// only when the task is processed: each GET /tasks/{uid} moves the task one
// state on (the first poll shows it enqueued, the next processing, the next
// succeeded or failed), and a task starts processing only once every
// earlier task is done, as Meilisearch processes them in order.
// FailNextTask makes the next write task fail, to test that callers check
// task status. A request body over the payload limit (SetPayloadLimit) is
// refused with 413 payload_too_large. Settings start at 1.15's defaults; GET
// /indexes/{uid}/settings shows them all, PATCH updates them (null resets a
// setting, object settings change field by field), DELETE resets them all.
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
// typo, title above body), ties by insertion order. The ranking rules
// order that score and the sort parameter: if "sort" comes before every
// relevance rule, hits are sorted and the score breaks ties; otherwise the
// score comes first and the sort only breaks its ties, which is what
// Meilisearch's default rules (sort after words, typo, proximity and
// attribute) do to a sorted text query. Highlighting wraps
// matched words with the requested tags; cropping keeps cropLength words
// around the first match. Localized attributes are stored but do not
// change the processing (real Meilisearch uses them to pick segmenters and
// normalizers). Stored and shown but not emulated: stop words, distinct,
// displayed attributes, dictionary and tokens, proximity precision,
// faceting, pagination limits, custom ranking rules. Not emulated at all:
// other endpoints, vectors, task batching and cancellation.
package meilitest

import (
	"bytes"
	"cmp"
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
	version  string // pkgVersion of GET /version
	indexes  map[string]*index
	tasks    []*task
	failNext string // error code for the next write task
	requests []string
	payload  int // the largest body accepted (--http-payload-size-limit)
}

type index struct {
	uid, primaryKey string
	docs            map[string]map[string]any
	order           []string       // insertion order of keys
	settings        map[string]any // every setting, as decoded JSON (numbers as json.Number)
}

type task struct {
	UID        int64          `json:"uid"`
	IndexUID   string         `json:"indexUid"`
	Status     string         `json:"status"`
	Type       string         `json:"type"`
	Error      *apiError      `json:"error"`
	Details    map[string]any `json:"details,omitempty"`
	EnqueuedAt time.Time      `json:"enqueuedAt"`
	StartedAt  *time.Time     `json:"startedAt"`
	FinishedAt *time.Time     `json:"finishedAt"`

	run      func() *apiError // the task's effect, applied when it is processed
	injected *apiError        // a failure set by FailNextTask, instead of run
	polled   bool             // shown once: the next poll moves it on
}

type apiError struct {
	Message string `json:"message"`
	Code    string `json:"code"`
	Type    string `json:"type"`
	Link    string `json:"link"`
}

// New starts a server requiring key ("" for none).
func New(key string) *Server {
	s := &Server{key: key, version: "1.15.2", indexes: map[string]*index{}, payload: 100_000_000}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// SetVersion changes the version the server reports and the settings it
// accepts (before 1.15, no typoTolerance.disableOnNumbers). Call it before
// creating indexes.
func (s *Server) SetVersion(v string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.version = v
}

func (s *Server) newIndex(uid, primaryKey string) *index {
	ix := &index{uid: uid, primaryKey: primaryKey, docs: map[string]map[string]any{}, settings: s.schema().defaults}
	s.indexes[uid] = ix
	return ix
}

// SetPayloadLimit sets the largest request body the server accepts, as
// Meilisearch's --http-payload-size-limit does (default 100 MB); a larger
// one is refused with 413 payload_too_large.
func (s *Server) SetPayloadLimit(bytes int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.payload = bytes
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

// Settings returns an index's settings as GET /indexes/{uid}/settings
// shows them (raw JSON by field), or nil if there is no such index.
func (s *Server) Settings(uid string) map[string]json.RawMessage {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.indexes[uid]
	if ix == nil {
		return nil
	}
	out := map[string]json.RawMessage{}
	for k, v := range view(ix.settings) {
		out[k], _ = json.Marshal(v)
	}
	return out
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, code, typ, msg string) {
	writeJSON(w, status, apiError{Message: msg, Code: code, Type: typ, Link: "https://docs.meilisearch.com/errors#" + code})
}

// sizeText writes a byte count as Meilisearch's messages do ("100 MB").
func sizeText(n int) string {
	switch {
	case n >= 1_000_000 && n%1_000_000 == 0:
		return strconv.Itoa(n/1_000_000) + " MB"
	case n >= 1_000 && n%1_000 == 0:
		return strconv.Itoa(n/1_000) + " KB"
	}
	return strconv.Itoa(n) + " B"
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
		if len(body) > s.payload {
			fail(w, 413, "payload_too_large", "invalid_request", "The provided payload reached the size limit. The maximum accepted payload size is "+sizeText(s.payload)+".")
			return
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			fail(w, 415, "invalid_content_type", "invalid_request", "The Content-Type must be application/json.")
			return
		}
	}
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/health":
		writeJSON(w, 200, map[string]string{"status": "available"})
	case r.Method == http.MethodGet && r.URL.Path == "/version":
		writeJSON(w, 200, map[string]string{"commitSha": "0000000000000000000000000000000000000000", "commitDate": "2025-06-01T00:00:00Z", "pkgVersion": s.version})
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
			s.newIndex(req.UID, req.PrimaryKey)
			return nil
		})
	case r.Method == http.MethodGet && len(parts) == 2 && parts[0] == "tasks":
		uid, err := strconv.ParseInt(parts[1], 10, 64)
		if err != nil || uid < 0 || int(uid) >= len(s.tasks) {
			fail(w, 404, "task_not_found", "invalid_request", "Task not found.")
			return
		}
		t := s.tasks[uid]
		if t.polled {
			s.advance(t)
		}
		t.polled = true
		writeJSON(w, 200, t)
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

// enqueue records a task whose effect, run, is applied when the task is
// processed (see advance), and answers 202 with its summary.
func (s *Server) enqueue(w http.ResponseWriter, uid, typ string, run func() *apiError) {
	t := &task{UID: int64(len(s.tasks)), IndexUID: uid, Type: typ, Status: "enqueued", EnqueuedAt: time.Now().UTC(), run: run}
	if s.failNext != "" && typ != "indexCreation" {
		t.injected = &apiError{Message: "injected failure", Code: s.failNext, Type: "internal"}
		s.failNext = ""
	}
	s.tasks = append(s.tasks, t)
	writeJSON(w, 202, map[string]any{"taskUid": t.UID, "indexUid": uid, "status": t.Status, "type": typ, "enqueuedAt": t.EnqueuedAt})
}

// advance moves a task one state on: enqueued to processing (after
// finishing every earlier task, as Meilisearch processes tasks in order),
// processing to succeeded or failed.
func (s *Server) advance(t *task) {
	switch t.Status {
	case "enqueued":
		for _, earlier := range s.tasks[:t.UID] {
			s.finish(earlier)
		}
		now := time.Now().UTC()
		t.Status, t.StartedAt = "processing", &now
	case "processing":
		s.finish(t)
	}
}

// finish processes a task that is not done yet.
func (s *Server) finish(t *task) {
	if t.Status != "enqueued" && t.Status != "processing" {
		return
	}
	now := time.Now().UTC()
	if t.StartedAt == nil {
		t.StartedAt = &now
	}
	t.Error = t.injected
	if t.Error == nil {
		t.Error = t.run()
	}
	t.Status = "succeeded"
	if t.Error != nil {
		t.Status = "failed"
		t.Error.Link = "https://docs.meilisearch.com/errors#" + t.Error.Code
	}
	t.FinishedAt = &now
}

func indexNotFound(uid string) *apiError {
	return &apiError{Message: "Index `" + uid + "` not found.", Code: "index_not_found", Type: "invalid_request"}
}

func (s *Server) indexRoute(w http.ResponseWriter, r *http.Request, uid string, ix *index, rest []string, body []byte) {
	switch {
	case r.Method == http.MethodGet && len(rest) == 1 && rest[0] == "settings":
		writeJSON(w, 200, view(ix.settings))
	case r.Method == http.MethodPatch && len(rest) == 1 && rest[0] == "settings":
		var req map[string]any
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&req); err != nil || req == nil {
			if !json.Valid(body) {
				fail(w, 400, "malformed_payload", "invalid_request", fmt.Sprintf("The json payload provided is malformed: %v", err))
				return
			}
			fail(w, 400, "bad_request", "invalid_request", "Invalid value type: expected an object")
			return
		}
		sc := s.schema()
		if err := sc.check(req); err != nil {
			fail(w, 400, err.code, "invalid_request", err.msg)
			return
		}
		s.enqueue(w, uid, "settingsUpdate", func() *apiError {
			ix := s.indexes[uid]
			if ix == nil {
				return indexNotFound(uid)
			}
			sc.apply(ix.settings, req)
			return nil
		})
	case r.Method == http.MethodDelete && len(rest) == 1 && rest[0] == "settings":
		s.enqueue(w, uid, "settingsUpdate", func() *apiError {
			ix := s.indexes[uid]
			if ix == nil {
				return indexNotFound(uid)
			}
			ix.settings = s.schema().defaults
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
			ix := s.indexes[uid]
			if ix == nil {
				ix = s.newIndex(uid, pk)
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
			ix := s.indexes[uid]
			if ix == nil {
				return indexNotFound(uid)
			}
			for _, id := range ids {
				ix.remove(id)
			}
			return nil
		})
	case r.Method == http.MethodDelete && len(rest) == 1 && rest[0] == "documents":
		s.enqueue(w, uid, "documentDeletion", func() *apiError {
			ix := s.indexes[uid]
			if ix == nil {
				return indexNotFound(uid)
			}
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

// setting decodes a setting into out.
func (ix *index) setting(name string, out any) {
	b, _ := json.Marshal(ix.settings[name])
	_ = json.Unmarshal(b, out)
}

func (ix *index) strings(name string) []string {
	var out []string
	ix.setting(name, &out)
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
	rules := ix.strings("rankingRules")
	if len(req.Sort) > 0 && !slices.Contains(rules, "sort") {
		fail(w, 400, "invalid_search_sort", "invalid_request", "You must specify where `sort` is listed in the rankingRules setting to use the sort parameter at search time.")
		return
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
	// bySort compares two hits by the sort parameter (0: a tie).
	bySort := func(i, j int) int {
		for _, so := range req.Sort {
			attr, dir, _ := strings.Cut(so, ":")
			a, b := num(ix.docs[found[i].key][attr]), num(ix.docs[found[j].key][attr])
			if c := cmp.Compare(a, b); c != 0 {
				if dir == "desc" {
					return -c
				}
				return c
			}
		}
		return 0
	}
	byScore := func(i, j int) int { return cmp.Compare(found[j].score, found[i].score) }
	first, then := byScore, bySort
	if sortFirst(rules) {
		first, then = bySort, byScore
	}
	sort.SliceStable(found, func(i, j int) bool {
		if c := first(i, j); c != 0 {
			return c < 0
		}
		return then(i, j) < 0
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

// sortFirst reports whether "sort" comes before every relevance rule (the
// score stands for all of them; custom rules are not emulated).
func sortFirst(rules []string) bool {
	for _, r := range rules {
		switch r {
		case "sort":
			return true
		case "words", "typo", "proximity", "attribute", "exactness":
			return false
		}
	}
	return false
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
