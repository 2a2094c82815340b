package meili_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/meilisearch/meilisearch-go"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/meili"
	"github.com/settlenet/settlenet/search/meili/meilitest"
	"github.com/settlenet/settlenet/search/searchtest"
)

const key = "test-master-key"

func glossary(t *testing.T) *search.Glossary {
	t.Helper()
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func openOn(t *testing.T, url, apiKey, uid string) *meili.Index {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	idx, err := meili.Open(ctx, meili.Config{URL: url, Key: apiKey, IndexUID: uid, Glossary: glossary(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = idx.Close() })
	return idx
}

func TestConformanceTestServer(t *testing.T) {
	searchtest.Run(t, func(t *testing.T) search.Index {
		srv := meilitest.New(key)
		t.Cleanup(srv.Close)
		return openOn(t, srv.URL, key, "settlenet")
	})
}

var realSeq atomic.Int64

// TestConformanceReal runs the suite against a real Meilisearch, one fresh
// index per subtest, when SETTLENET_TEST_MEILI_URL (and, if the server has
// one, SETTLENET_TEST_MEILI_KEY) are set.
func TestConformanceReal(t *testing.T) {
	url := os.Getenv("SETTLENET_TEST_MEILI_URL")
	if url == "" {
		t.Skip("SETTLENET_TEST_MEILI_URL not set: the suite ran against the test server only")
	}
	apiKey := os.Getenv("SETTLENET_TEST_MEILI_KEY")
	run := time.Now().UnixNano()
	searchtest.Run(t, func(t *testing.T) search.Index {
		return openOn(t, url, apiKey, fmt.Sprintf("settlenet_test_%d_%d", run, realSeq.Add(1)))
	})
}

func TestSettingsApplied(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	openOn(t, srv.URL, key, "settlenet")
	// A second start finds the index with its settings (and leaves them).
	openOn(t, srv.URL, key, "settlenet")
	s := srv.Settings("settlenet")
	var filterable, sortable, searchable []string
	_ = json.Unmarshal(s["filterableAttributes"], &filterable)
	_ = json.Unmarshal(s["sortableAttributes"], &sortable)
	_ = json.Unmarshal(s["searchableAttributes"], &searchable)
	for _, a := range []string{"type", "gvis", "group_id", "hidden", "language", "kind", "tags"} {
		if !slices.Contains(filterable, a) {
			t.Errorf("%s not filterable: %v", a, filterable)
		}
	}
	if !slices.Equal(sortable, []string{"created_at"}) || len(searchable) != 4 {
		t.Errorf("sortable %v searchable %v", sortable, searchable)
	}
	var loc []struct {
		Locales           []string `json:"locales"`
		AttributePatterns []string `json:"attributePatterns"`
	}
	_ = json.Unmarshal(s["localizedAttributes"], &loc)
	if len(loc) != 2 || loc[0].Locales[0] != "fra" || loc[1].Locales[0] != "eng" {
		t.Errorf("localized attributes %s", s["localizedAttributes"])
	}
	var syn map[string][]string
	_ = json.Unmarshal(s["synonyms"], &syn)
	if !slices.Contains(syn["mental health"], "santé mentale") || !slices.Contains(syn["santé mentale"], "mental health") {
		t.Errorf("glossary synonyms missing: %v", syn["mental health"])
	}
	var typo struct {
		Enabled             bool                  `json:"enabled"`
		MinWordSizeForTypos struct{ OneTypo int } `json:"minWordSizeForTypos"`
	}
	_ = json.Unmarshal(s["typoTolerance"], &typo)
	if !typo.Enabled || typo.MinWordSizeForTypos.OneTypo != 5 {
		t.Errorf("typo tolerance %s", s["typoTolerance"])
	}
}

// A failed task (WaitForTask reports it without an error) must fail Apply,
// and the checkpoint must not move.
func TestFailedTaskKeepsCheckpoint(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	idx := openOn(t, srv.URL, key, "settlenet")
	ctx := context.Background()
	p1 := eventstore.Position{Commit: 10, Prepare: 10}
	if err := idx.Apply(ctx, search.Batch{Checkpoint: p1}); err != nil {
		t.Fatal(err)
	}
	srv.FailNextTask("internal")
	d := search.Document{Type: search.TypeThread, ID: "t1", Title: "Lost", Language: "en", GroupVisibility: "open", GroupID: "g"}
	err := idx.Apply(ctx, search.Batch{Upserts: []search.Document{d}, Checkpoint: eventstore.Position{Commit: 20, Prepare: 20}})
	var te *meili.TaskError
	if !errors.As(err, &te) || te.Code != "internal" {
		t.Fatalf("Apply after a failed task: %v", err)
	}
	if p, err := idx.Checkpoint(ctx); err != nil || p != p1 {
		t.Fatalf("checkpoint %v, %v; want %v", p, err, p1)
	}
	// A failed deletion stops the batch before its documents and checkpoint.
	srv.FailNextTask("internal")
	if err := idx.Apply(ctx, search.Batch{Deletes: []string{"x"}, Upserts: []search.Document{d}, Checkpoint: eventstore.Position{Commit: 30, Prepare: 30}}); err == nil {
		t.Fatal("Apply with a failed deletion: no error")
	}
	if p, _ := idx.Checkpoint(ctx); p != p1 {
		t.Fatalf("checkpoint moved to %v", p)
	}
}

// A batch larger than one request may carry goes in several, in order,
// each awaited before the next, with the checkpoint in the last. The test
// server refuses a body over its payload limit, as Meilisearch does.
func TestLargeBatchInSeveralRequests(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	ctx := context.Background()
	open := func(maxPayload int) *meili.Index {
		idx, err := meili.Open(ctx, meili.Config{URL: srv.URL, Key: key, Glossary: glossary(t), MaxPayload: maxPayload})
		if err != nil {
			t.Fatal(err)
		}
		return idx
	}
	// 40 posts of about 1 KB of JSON each.
	var docs []search.Document
	for i := range 40 {
		docs = append(docs, search.Document{Type: search.TypePost, ID: fmt.Sprintf("t1.p%d", i), ThreadID: "t1", Language: "fr",
			Body: strings.Repeat("logement abordable ", 40), GroupID: "g", GroupVisibility: "open"})
	}
	adds := func() int {
		n := 0
		for _, r := range srv.Requests() {
			if r == "POST /indexes/settlenet/documents" {
				n++
			}
		}
		return n
	}
	p1 := eventstore.Position{Commit: 10, Prepare: 10}
	whole, idx := open(1<<30), open(10_000)
	// After Open, whose settings (the glossary's synonyms) are larger.
	srv.SetPayloadLimit(20_000)

	// In one request, the server refuses it: the limit is real.
	err := whole.Apply(ctx, search.Batch{Upserts: docs, Checkpoint: p1})
	var me *meilisearch.Error
	if !errors.As(err, &me) || me.MeilisearchApiError.Code != "payload_too_large" || me.StatusCode != 413 {
		t.Fatalf("a batch over the payload limit in one request: %v", err)
	}

	// Split at 10 KB, under a server limit of 10 KB: every request fits.
	srv.SetPayloadLimit(10_000)
	before := adds()
	if err := idx.Apply(ctx, search.Batch{Upserts: docs, Checkpoint: p1}); err != nil {
		t.Fatal(err)
	}
	if n := adds() - before; n < 3 {
		t.Errorf("%d requests for over 20 KB at 10 KB each", n)
	}
	if p, err := idx.Checkpoint(ctx); err != nil || p != p1 {
		t.Fatalf("checkpoint %v, %v; want %v", p, err, p1)
	}
	r, err := idx.Search(ctx, search.Query{Text: "logement", Access: search.Access{All: true}, Limit: 1})
	if err != nil || r.Total != len(docs) {
		t.Fatalf("%d documents found (%v), want %d", r.Total, err, len(docs))
	}

	// A refused first request stops the batch: the later ones, and the
	// checkpoint in the last, are never sent.
	srv.FailNextTask("internal")
	before = adds()
	p2 := eventstore.Position{Commit: 20, Prepare: 20}
	var te *meili.TaskError
	if err := idx.Apply(ctx, search.Batch{Upserts: docs, Checkpoint: p2}); !errors.As(err, &te) {
		t.Fatalf("Apply with its first request failed: %v", err)
	}
	if n := adds() - before; n != 1 {
		t.Errorf("%d requests sent after the first failed", n-1)
	}
	if p, _ := idx.Checkpoint(ctx); p != p1 {
		t.Fatalf("checkpoint moved to %v", p)
	}
}

// An index whose checkpoint was written with another document layout (here
// none, as before layouts) is emptied at Open, so that the indexer rebuilds
// it from the log; one with the current layout is kept.
func TestOldLayoutDropped(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	ctx := context.Background()
	d := search.Document{Type: search.TypeThread, ID: "t1", Title: "Kept", Language: "en", GroupVisibility: "open", GroupID: "g"}
	p1 := eventstore.Position{Commit: 10, Prepare: 10}
	count := func(idx *meili.Index) int {
		t.Helper()
		r, err := idx.Search(ctx, search.Query{Access: search.Access{All: true}})
		if err != nil {
			t.Fatal(err)
		}
		return r.Total
	}
	if err := openOn(t, srv.URL, key, "settlenet").Apply(ctx, search.Batch{Upserts: []search.Document{d}, Checkpoint: p1}); err != nil {
		t.Fatal(err)
	}
	idx := openOn(t, srv.URL, key, "settlenet")
	if p, err := idx.Checkpoint(ctx); err != nil || p != p1 || count(idx) != 1 {
		t.Fatalf("same layout: checkpoint %v (%v), %d documents", p, err, count(idx))
	}

	// The checkpoint document as the adapter wrote it before layouts.
	client := meilisearch.New(srv.URL, meilisearch.WithAPIKey(key))
	pk := "key"
	info, err := client.Index("settlenet").AddDocumentsWithContext(ctx, []map[string]any{
		{"key": "settlenet_checkpoint", "type": "checkpoint", "hidden": true, "created_at": 0, "position": search.FormatPosition(p1)},
	}, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		t.Fatal(err)
	}
	if task, err := client.WaitForTaskWithContext(ctx, info.TaskUID, time.Millisecond); err != nil || task.Status != meilisearch.TaskStatusSucceeded {
		t.Fatalf("old checkpoint: %+v %v", task, err)
	}
	idx = openOn(t, srv.URL, key, "settlenet")
	if p, err := idx.Checkpoint(ctx); err != nil || p != eventstore.Start || count(idx) != 0 {
		t.Fatalf("old layout: checkpoint %v (%v), %d documents; want an empty index", p, err, count(idx))
	}
}

func TestWrongKey(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := meili.Open(ctx, meili.Config{URL: srv.URL, Key: "nope", Glossary: glossary(t)}); err == nil {
		t.Fatal("Open with a wrong key: no error")
	}
}

func TestFilterExpression(t *testing.T) {
	got := meili.Filter(search.Query{Access: search.Access{Groups: []string{`g"1`}}, Tags: []string{"Santé"}})
	want := `(type = "member" OR (type = "group" AND gvis IN ["open", "request"]) OR (type IN ["thread", "post"] AND gvis = "open") OR (type IN ["group", "thread", "post"] AND group_id IN ["g\"1"])) AND hidden = false AND tags = "sante"`
	if got != want {
		t.Fatalf("filter\n got %s\nwant %s", got, want)
	}
}

// patchRaw sends a settings update as raw JSON (the client's Settings type
// cannot carry unknown fields or a false facetSearch) and returns the
// status code and the body.
func patchRaw(t *testing.T, url, uid, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPatch, url+"/indexes/"+uid+"/settings", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, out
}

func awaitTask(t *testing.T, client meilisearch.ServiceManager, uid int64) *meilisearch.Task {
	t.Helper()
	task, err := client.WaitForTaskWithContext(context.Background(), uid, time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	return task
}

// createIndex makes an index as someone other than the adapter would.
func createIndex(t *testing.T, client meilisearch.ServiceManager, uid string) {
	t.Helper()
	info, err := client.CreateIndexWithContext(context.Background(), &meilisearch.IndexConfig{Uid: uid, PrimaryKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	if task := awaitTask(t, client, info.TaskUID); task.Status != meilisearch.TaskStatusSucceeded {
		t.Fatalf("create index %s: %+v", uid, task)
	}
}

// Meilisearch before 1.15 refuses the settings the client sends
// (typoTolerance.disableOnNumbers): Open says which version it found and
// which it needs, before sending any settings.
func TestVersionTooOld(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	srv.SetVersion("1.11.3")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := meili.Open(ctx, meili.Config{URL: srv.URL, Key: key, Glossary: glossary(t)})
	if err == nil || !strings.Contains(err.Error(), "1.11.3") || !strings.Contains(err.Error(), "1.15 or later") {
		t.Fatalf("Open on Meilisearch 1.11.3: %v; want an error naming 1.11.3 and 1.15", err)
	}
	for _, r := range srv.Requests() {
		if strings.HasSuffix(r, "/settings") {
			t.Fatalf("settings request %q sent to a server too old for them", r)
		}
	}

	// What the check spares: the 1.11 server refuses the settings.
	client := meilisearch.New(srv.URL, meilisearch.WithAPIKey(key))
	createIndex(t, client, "old")
	_, err = client.Index("old").UpdateSettingsWithContext(ctx, meili.Settings(glossary(t)))
	var me *meilisearch.Error
	if !errors.As(err, &me) || me.StatusCode != 400 || me.MeilisearchApiError.Code != "invalid_settings_typo_tolerance" {
		t.Fatalf("settings on 1.11: %v; want a 400 invalid_settings_typo_tolerance", err)
	}
}

// A version that cannot be parsed (a development build) is let through.
func TestVersionUnparsable(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	srv.SetVersion("nightly")
	openOn(t, srv.URL, key, "settlenet")
}

// The test server refuses, as Meilisearch does, setting fields it does not
// know, at any depth, and locales that are not Meilisearch's.
func TestTestServerRefusesUnknownSettings(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	createIndex(t, meilisearch.New(srv.URL, meilisearch.WithAPIKey(key)), "x")
	for _, c := range []struct{ body, code string }{
		{`{"typoTolerance": {"enabled": true, "disableOnNumber": true}}`, "invalid_settings_typo_tolerance"},
		{`{"typoTolerance": {"minWordSizeForTypos": {"oneTypo": 4, "threeTypos": 12}}}`, "invalid_settings_typo_tolerance"},
		{`{"typoTolerance": "on"}`, "invalid_settings_typo_tolerance"},
		{`{"localizedAttributes": [{"attributePatterns": ["*_fr"], "locales": ["fra"], "weight": 2}]}`, "invalid_settings_localized_attributes"},
		{`{"localizedAttributes": [{"attributePatterns": ["*_fr"], "locales": ["french"]}]}`, "invalid_settings_localized_attributes"},
		{`{"rankingRules": ["sort", "relevance"]}`, "invalid_settings_ranking_rules"},
		{`{"faceting": {"maxValuesPerFacet": 10, "sortBy": "count"}}`, "invalid_settings_faceting"},
		{`{"stopWord": ["the"]}`, "bad_request"},
	} {
		status, body := patchRaw(t, srv.URL, "x", c.body)
		if status != 400 || body["code"] != c.code || body["type"] != "invalid_request" || body["message"] == "" || body["link"] == "" {
			t.Errorf("%s: %d %v; want 400 %s", c.body, status, body, c.code)
		}
	}
	for _, ok := range []string{
		`{"typoTolerance": {"enabled": true, "minWordSizeForTypos": {"oneTypo": 4, "twoTypos": 8}, "disableOnWords": [], "disableOnAttributes": [], "disableOnNumbers": true}}`,
		`{"localizedAttributes": [{"attributePatterns": ["*_fr"], "locales": ["fra"]}, {"attributePatterns": ["*_en"], "locales": ["eng"]}]}`,
		`{"rankingRules": ["sort", "words", "created_at:desc"], "stopWords": null}`,
	} {
		if status, body := patchRaw(t, srv.URL, "x", ok); status != 202 {
			t.Errorf("%s: %d %v; want 202", ok, status, body)
		}
	}
}

// Tasks go through enqueued and processing before they end, one state per
// poll, and take effect only when processed, as Meilisearch's do.
func TestTaskStates(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	ctx := context.Background()
	client := meilisearch.New(srv.URL, meilisearch.WithAPIKey(key))
	states := func(uid int64) []meilisearch.TaskStatus {
		var out []meilisearch.TaskStatus
		for range 4 {
			task, err := client.GetTaskWithContext(ctx, uid)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, task.Status)
		}
		return out
	}
	info, err := client.CreateIndexWithContext(ctx, &meilisearch.IndexConfig{Uid: "x", PrimaryKey: "key"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := client.GetIndexWithContext(ctx, "x"); err == nil {
		t.Fatal("the index exists before its task was processed")
	}
	want := []meilisearch.TaskStatus{meilisearch.TaskStatusEnqueued, meilisearch.TaskStatusProcessing, meilisearch.TaskStatusSucceeded, meilisearch.TaskStatusSucceeded}
	if got := states(info.TaskUID); !slices.Equal(got, want) {
		t.Fatalf("task states %v; want %v", got, want)
	}
	srv.FailNextTask("internal")
	pk := "key"
	info, err = client.Index("x").AddDocumentsWithContext(ctx, []map[string]any{{"key": "a"}}, &meilisearch.DocumentOptions{PrimaryKey: &pk})
	if err != nil {
		t.Fatal(err)
	}
	want = []meilisearch.TaskStatus{meilisearch.TaskStatusEnqueued, meilisearch.TaskStatusProcessing, meilisearch.TaskStatusFailed, meilisearch.TaskStatusFailed}
	if got := states(info.TaskUID); !slices.Equal(got, want) {
		t.Fatalf("failed task states %v; want %v", got, want)
	}
}

// A text query sorted by date comes back newest first even where relevance
// would order it otherwise (Meilisearch's default ranking rules put "sort"
// after words, typo, proximity and attribute).
func TestDateSortBeatsRelevance(t *testing.T) {
	check := func(t *testing.T, idx *meili.Index) {
		ctx := context.Background()
		t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		docs := []search.Document{
			// The oldest matches in its title, the more relevant attribute.
			{Type: search.TypeThread, ID: "old", Title: "Budget templates", Body: "Spreadsheets for annual reports.", CreatedAt: t0},
			{Type: search.TypeThread, ID: "mid", Title: "Quarterly call", Body: "Notes on the budget and the agenda.", CreatedAt: t0.Add(24 * time.Hour)},
			{Type: search.TypeThread, ID: "new", Title: "Annual report", Body: "The budget section is late.", CreatedAt: t0.Add(48 * time.Hour)},
		}
		for i := range docs {
			docs[i].Language, docs[i].GroupID, docs[i].GroupVisibility, docs[i].ThreadID, docs[i].Kind = "en", "g", "open", docs[i].ID, "discussion"
		}
		if err := idx.Index(ctx, docs); err != nil {
			t.Fatal(err)
		}
		ids := func(sort string) []string {
			r, err := idx.Search(ctx, search.Query{Text: "budget", Sort: sort, Access: search.Access{All: true}})
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, h := range r.Items {
				out = append(out, h.ID)
			}
			return out
		}
		if got := ids(search.SortRelevance); len(got) != 3 || got[0] != "old" {
			t.Fatalf("by relevance %v; want the title match first", got)
		}
		if got := ids(search.SortDate); !slices.Equal(got, []string{"new", "mid", "old"}) {
			t.Fatalf("by date %v; want newest first", got)
		}
	}
	t.Run("TestServer", func(t *testing.T) {
		srv := meilitest.New(key)
		t.Cleanup(srv.Close)
		check(t, openOn(t, srv.URL, key, "settlenet"))
	})
	t.Run("Real", func(t *testing.T) {
		url := os.Getenv("SETTLENET_TEST_MEILI_URL")
		if url == "" {
			t.Skip("SETTLENET_TEST_MEILI_URL not set")
		}
		check(t, openOn(t, url, os.Getenv("SETTLENET_TEST_MEILI_KEY"), fmt.Sprintf("settlenet_test_sort_%d", time.Now().UnixNano())))
	})
}

// settingsRequests lists the requests that change settings.
func settingsRequests(reqs []string) []string {
	var out []string
	for _, r := range reqs {
		if strings.HasSuffix(r, "/settings") && !strings.HasPrefix(r, "GET ") {
			out = append(out, r)
		}
	}
	return out
}

// Settings someone else left on the index are reset at Open, each of them
// alone enough to trigger the reset; the adapter's own then apply.
func TestForeignSettingsReset(t *testing.T) {
	for _, c := range []struct{ name, patch string }{
		{"stopWords", `{"stopWords": ["the", "le"]}`},
		{"distinctAttribute", `{"distinctAttribute": "thread_id"}`},
		{"displayedAttributes", `{"displayedAttributes": ["title"]}`},
		{"dictionary", `{"dictionary": ["J. R. R."]}`},
		{"separatorTokens", `{"separatorTokens": ["|"]}`},
		{"nonSeparatorTokens", `{"nonSeparatorTokens": ["@"]}`},
		{"proximityPrecision", `{"proximityPrecision": "byAttribute"}`},
		{"faceting", `{"faceting": {"maxValuesPerFacet": 10}}`},
		{"searchCutoffMs", `{"searchCutoffMs": 150}`},
		{"facetSearch", `{"facetSearch": false}`},
		{"prefixSearch", `{"prefixSearch": "disabled"}`},
		{"stopWords and distinctAttribute", `{"stopWords": ["the"], "distinctAttribute": "thread_id"}`},
		// Settings the adapter manages, set otherwise.
		{"searchableAttributes", `{"searchableAttributes": ["body_en", "body_fr", "title_en", "title_fr"]}`},
		{"rankingRules", `{"rankingRules": ["words", "typo", "proximity", "attribute", "sort", "exactness"]}`},
		{"typoTolerance", `{"typoTolerance": {"disableOnWords": ["budget"]}}`},
		{"pagination", `{"pagination": {"maxTotalHits": 1000}}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := meilitest.New(key)
			defer srv.Close()
			client := meilisearch.New(srv.URL, meilisearch.WithAPIKey(key))
			createIndex(t, client, "fresh") // for the defaults
			defaults := srv.Settings("fresh")
			openOn(t, srv.URL, key, "settlenet")
			want := srv.Settings("settlenet")

			status, body := patchRaw(t, srv.URL, "settlenet", c.patch)
			if status != 202 {
				t.Fatalf("seed: %d %v", status, body)
			}
			if task := awaitTask(t, client, int64(body["taskUid"].(float64))); task.Status != meilisearch.TaskStatusSucceeded {
				t.Fatalf("seed: %+v", task)
			}
			if got := srv.Settings("settlenet"); reflect.DeepEqual(got, want) {
				t.Fatal("the seed changed nothing")
			}
			n := len(srv.Requests())
			openOn(t, srv.URL, key, "settlenet")
			got := srv.Settings("settlenet")
			for k := range got {
				if string(got[k]) != string(want[k]) {
					t.Errorf("%s after Open: %s; want %s", k, got[k], want[k])
				}
			}
			for _, k := range []string{"stopWords", "distinctAttribute", "displayedAttributes", "dictionary", "separatorTokens",
				"nonSeparatorTokens", "proximityPrecision", "faceting", "searchCutoffMs", "facetSearch", "prefixSearch"} {
				if string(got[k]) != string(defaults[k]) {
					t.Errorf("%s after Open: %s; want the default %s", k, got[k], defaults[k])
				}
			}
			sent := settingsRequests(srv.Requests()[n:])
			if !slices.Equal(sent, []string{"DELETE /indexes/settlenet/settings", "PATCH /indexes/settlenet/settings"}) {
				t.Errorf("settings requests %v; want a reset, then the update", sent)
			}
		})
	}
}

// A restart with the same settings sends none: every settings update makes
// Meilisearch re-index all the documents.
func TestUnchangedSettingsNotSent(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	openOn(t, srv.URL, key, "settlenet")
	n := len(srv.Requests())
	openOn(t, srv.URL, key, "settlenet")
	reqs := srv.Requests()[n:]
	if !slices.Contains(reqs, "GET /indexes/settlenet/settings") {
		t.Fatalf("the settings were not read: %v", reqs)
	}
	if sent := settingsRequests(reqs); len(sent) != 0 {
		t.Fatalf("settings sent for unchanged settings: %v", sent)
	}
}

// A changed glossary reaches the synonyms at the next Open.
func TestChangedGlossaryApplied(t *testing.T) {
	srv := meilitest.New(key)
	defer srv.Close()
	ctx := context.Background()
	openOn(t, srv.URL, key, "settlenet")
	g, err := search.NewGlossary(append(slices.Clone(glossary(t).Entries()), search.GlossaryEntry{EN: []string{"peer mentoring"}, FR: []string{"mentorat par les pairs"}}))
	if err != nil {
		t.Fatal(err)
	}
	idx, err := meili.Open(ctx, meili.Config{URL: srv.URL, Key: key, IndexUID: "settlenet", Glossary: g})
	if err != nil {
		t.Fatal(err)
	}
	var syn map[string][]string
	if err := json.Unmarshal(srv.Settings("settlenet")["synonyms"], &syn); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(syn["peer mentoring"], "mentorat par les pairs") {
		t.Fatalf("new glossary entry not in the synonyms: %v", syn["peer mentoring"])
	}
	d := search.Document{Type: search.TypeThread, ID: "t1", ThreadID: "t1", Title: "Mentorat par les pairs", Language: "fr", GroupID: "g", GroupVisibility: "open"}
	if err := idx.Index(ctx, []search.Document{d}); err != nil {
		t.Fatal(err)
	}
	if r, err := idx.Search(ctx, search.Query{Text: "peer mentoring", Access: search.Access{All: true}}); err != nil || r.Total != 1 {
		t.Fatalf("search through the new synonym: %+v, %v", r, err)
	}
}
