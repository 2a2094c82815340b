// Package searchtest is the conformance suite every search.Index adapter
// passes: accent and case folding, typo tolerance, the bilingual glossary,
// French stemming, highlighting, filters and facets, pagination, updates,
// deletion, the checkpoint, and the permission table (anonymous,
// non-member, member, group moderator, site moderator, admin x open,
// request, private groups x visible, hidden content) with no leak in hits,
// totals or facet counts.
//
// Corpora are a few dozen documents, so that the suite stays quick under
// the race detector on every adapter.
package searchtest

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/search"
)

// Factory returns a fresh, empty index; it registers its own cleanup.
type Factory func(t *testing.T) search.Index

// Run runs the suite.
func Run(t *testing.T, open Factory) {
	tests := []struct {
		name string
		f    func(t *testing.T, idx search.Index)
	}{
		{"AccentAndCaseFolding", testFolding},
		{"Typo", testTypo},
		{"GlossaryAcrossLanguages", testGlossary},
		{"FrenchStemming", testStemming},
		{"SnippetHighlightEscaped", testSnippet},
		{"FiltersAndFacets", testFilters},
		{"Pagination", testPagination},
		{"UpdateAndDelete", testUpdateDelete},
		{"Checkpoint", testCheckpoint},
		{"PermissionTable", testPermissions},
		{"PermissionTableAfterRegrant", testRegrant},
		{"BadQuery", testBadQuery},
		{"ThreadDetails", testThreadDetails},
		{"RelaxedToLeadingWords", testRelax},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.f(t, open(t)) })
	}
}

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// Doc is a shorthand for corpus documents in open group "g-open".
func doc(typ, id, lang, title, body string) search.Document {
	d := search.Document{
		Type: typ, ID: id, Title: title, Body: body, Language: lang,
		GroupID: "g-open", GroupVisibility: "open", Kind: "discussion",
		AuthorID: "m-author", CreatedAt: t0,
	}
	switch typ {
	case search.TypeThread:
		d.ThreadID = id
	case search.TypePost:
		d.ThreadID = "t-" + id
		d.ThreadTitle, d.Title = title, ""
	case search.TypeGroup:
		d.Kind = ""
	case search.TypeMember:
		d.GroupID, d.GroupVisibility, d.Kind = "", "", ""
	}
	return d
}

func ctx(t *testing.T) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func index(t *testing.T, idx search.Index, docs ...search.Document) {
	t.Helper()
	if err := idx.Index(ctx(t), docs); err != nil {
		t.Fatalf("Index: %v", err)
	}
}

func find(t *testing.T, idx search.Index, q search.Query) search.Result {
	t.Helper()
	r, err := idx.Search(ctx(t), q)
	if err != nil {
		t.Fatalf("Search(%+v): %v", q, err)
	}
	return r
}

func ids(r search.Result) []string {
	out := make([]string, 0, len(r.Items))
	for _, h := range r.Items {
		out = append(out, h.Type+":"+h.ID)
	}
	return out
}

func mustFind(t *testing.T, idx search.Index, text, want string) search.Result {
	t.Helper()
	r := find(t, idx, search.Query{Text: text})
	if !slices.Contains(ids(r), want) {
		t.Fatalf("query %q: want %s among %v", text, want, ids(r))
	}
	return r
}

func mustNotFind(t *testing.T, idx search.Index, text, unwanted string) {
	t.Helper()
	r := find(t, idx, search.Query{Text: text})
	if slices.Contains(ids(r), unwanted) {
		t.Fatalf("query %q: %s must not match (got %v)", text, unwanted, ids(r))
	}
}

// testRelax: search.Relax over the adapter. A query nothing matches in
// full answers its longest leading part that finds something, typos and
// glossary included, and decides from what the viewer may see: a private
// thread holding every word neither shows nor stops the relaxing.
func testRelax(t *testing.T, idx search.Index) {
	private := doc(search.TypeThread, "p1", "fr", "Emploi jeunes Moncton", "L'emploi des jeunes à Moncton.")
	private.GroupID, private.GroupVisibility = "g-private", "private"
	index(t, idx,
		doc(search.TypeThread, "e1", "fr", "Emploi des jeunes", "Des ateliers d'emploi pour les jeunes."),
		doc(search.TypeThread, "m1", "en", "Peer mentoring circles", "How we run mentoring for newcomer youth."),
		doc(search.TypeThread, "b1", "en", "Budget templates", "Spreadsheets for annual reports."),
		doc(search.TypeThread, "s1", "fr", "Santé mentale : partage de pratiques", "Comment soutenir les familles."),
		private,
	)
	relax := func(text string, access search.Access) search.Result {
		t.Helper()
		r, err := search.Relax(search.Query{Text: text, Access: access}, func(q search.Query) (search.Result, error) { return idx.Search(ctx(t), q) })
		if err != nil {
			t.Fatalf("Relax(%q): %v", text, err)
		}
		return r
	}
	for _, tc := range []struct {
		text    string
		access  search.Access
		relaxed string
		want    []string
	}{
		{"emploi jeunes Moncton", search.Access{}, "emploi jeunes", []string{"thread:e1"}},
		{"emploi jeunes Moncton", search.Access{Groups: []string{"g-private"}}, "", []string{"thread:p1"}},
		{"mentorng budgte", search.Access{}, "mentorng", []string{"thread:m1"}},
		{"mental health xyzzyq", search.Access{}, "mental health", []string{"thread:s1"}},
		{"xyzzyq mentoring", search.Access{}, "", nil},
	} {
		r := relax(tc.text, tc.access)
		if r.Relaxed != tc.relaxed || !slices.Equal(ids(r), tc.want) || r.Total != len(tc.want) {
			t.Errorf("%q as %+v: relaxed %q, %v (total %d); want %q, %v", tc.text, tc.access, r.Relaxed, ids(r), r.Total, tc.relaxed, tc.want)
		}
		if n := r.Facets[search.FacetType][search.TypeThread]; n != len(tc.want) {
			t.Errorf("%q as %+v: the facets count %d threads, want %d", tc.text, tc.access, n, len(tc.want))
		}
	}
}

func testFolding(t *testing.T, idx search.Index) {
	index(t, idx,
		doc(search.TypeThread, "fr1", "fr", "Santé mentale des nouveaux arrivants", "Ressources pour les intervenants."),
		doc(search.TypeThread, "en1", "en", "Budget templates", "Spreadsheets for annual reports."),
	)
	mustFind(t, idx, "sante mentale", "thread:fr1")
	mustFind(t, idx, "SANTÉ MENTALE", "thread:fr1")
	mustFind(t, idx, "Santé", "thread:fr1")
	mustNotFind(t, idx, "sante mentale", "thread:en1")
}

func testTypo(t *testing.T, idx search.Index) {
	index(t, idx,
		doc(search.TypeThread, "m1", "en", "Peer mentoring circles", "How we run mentoring for newcomer youth."),
		doc(search.TypeThread, "m2", "en", "Budget templates", "Spreadsheets for annual reports."),
	)
	mustFind(t, idx, "mentorng", "thread:m1")
	mustFind(t, idx, "budgte", "thread:m2") // a transposition is one edit too
	mustNotFind(t, idx, "mentorng", "thread:m2")
}

func testGlossary(t *testing.T, idx search.Index) {
	index(t, idx,
		doc(search.TypeThread, "fr1", "fr", "Santé mentale : partage de pratiques", "Comment soutenir les familles après l'arrivée."),
		doc(search.TypeThread, "en1", "en", "Case management software", "Comparing tools for case management."),
		doc(search.TypeThread, "en2", "en", "Budget templates", "Spreadsheets for annual reports."),
	)
	mustFind(t, idx, "mental health", "thread:fr1")
	mustNotFind(t, idx, "mental health", "thread:en2")
	mustFind(t, idx, "gestion de cas", "thread:en1")
	mustNotFind(t, idx, "gestion de cas", "thread:fr1")
}

// testStemming: plural forms find the singular. These are one edit away,
// which Meilisearch (no stemmer: it matches them as typos) passes as well;
// bleveindex's TestStemmingBeyondTypos holds its stemmers to inflections
// two edits or more away.
func testStemming(t *testing.T, idx search.Index) {
	index(t, idx,
		doc(search.TypePost, "p1", "fr", "Accueil", "Nous avons accueilli un réfugié et sa famille cette semaine."),
		doc(search.TypePost, "p2", "fr", "Budget", "Les modèles de budget annuel sont en ligne."),
	)
	mustFind(t, idx, "réfugiés", "post:p1")
	mustFind(t, idx, "familles", "post:p1")
	mustNotFind(t, idx, "familles", "post:p2")
}

func testSnippet(t *testing.T, idx search.Index) {
	long := strings.Repeat("Un texte d'introduction assez long pour couper. ", 12)
	index(t, idx,
		doc(search.TypeThread, "s1", "fr", "Atelier", "<script>alert(1)</script> & la santé mentale des jeunes"),
		doc(search.TypeThread, "s2", "fr", "Rapport", long+"Ici on parle de santé mentale, enfin. "+long),
		doc(search.TypeThread, "s3", "fr", "<b>Santé</b> mentale & jeunes", "Un atelier sur la santé mentale."),
		doc(search.TypePost, "s3.p1", "fr", "<b>Santé</b> mentale & jeunes", "Merci pour cet atelier sur la santé mentale."),
	)
	r := mustFind(t, idx, "santé mentale", "thread:s1")
	if !slices.Contains(ids(r), "thread:s3") || !slices.Contains(ids(r), "post:s3.p1") {
		t.Fatalf("santé mentale: %v, want thread:s3 and post:s3.p1 among them", ids(r))
	}
	for _, h := range r.Items {
		// A title's matches are marked, escaped as a snippet is; a title
		// with no match (and a post's, which is its thread's) has none.
		wantTitle := ""
		if h.ID == "s3" {
			wantTitle = "&lt;b&gt;<mark>Santé</mark>&lt;/b&gt; <mark>mentale</mark> &amp; jeunes"
		}
		if h.TitleSnippet != wantTitle {
			t.Errorf("%s: title snippet %q, want %q", h.ID, h.TitleSnippet, wantTitle)
		}
		switch h.ID {
		case "s1":
			if strings.Contains(h.Snippet, "<script") || !strings.Contains(h.Snippet, "&lt;script&gt;") || !strings.Contains(h.Snippet, "&amp;") {
				t.Fatalf("snippet not escaped: %q", h.Snippet)
			}
			if !strings.Contains(h.Snippet, "<mark>santé</mark>") || !strings.Contains(h.Snippet, "<mark>mentale</mark>") {
				t.Fatalf("snippet not highlighted: %q", h.Snippet)
			}
			if h.Title != "Atelier" || h.Language != "fr" || h.GroupID != "g-open" || h.ThreadID != "s1" || !h.CreatedAt.Equal(t0) {
				t.Fatalf("hit fields: %+v", h)
			}
		case "s2":
			if !strings.Contains(h.Snippet, "<mark>santé</mark>") || len(h.Snippet) > 2*search.SnippetLength {
				t.Fatalf("long snippet not cut around the match: %q", h.Snippet)
			}
		}
		stripped := strings.NewReplacer("<mark>", "", "</mark>", "").Replace(h.Snippet)
		if strings.ContainsAny(stripped, "<>") {
			t.Fatalf("snippet has markup besides <mark>: %q", h.Snippet)
		}
	}
}

// testThreadDetails: a thread is found by the words of its structured
// details, which the indexer adds to its body (search.DetailsText): a job
// by its employer, its city and its employment type in the thread's
// language, an event by its location, a resource by its format. The
// details are only as visible as their thread.
func testThreadDetails(t *testing.T, idx search.Index) {
	thread := func(id, lang, kind, title, body, details string) search.Document {
		d := doc(search.TypeThread, id, lang, title, body)
		d.Kind, d.Body = kind, search.ThreadText(body, details)
		return d
	}
	job := thread("job1", "en", domain.KindJob, "Settlement counsellor", "Support newcomer families with their first steps.",
		search.DetailsText("en", nil, nil, &domain.JobDetails{Organization: "Maple Leaf Newcomer Services", Location: "Toronto, ON",
			EmploymentType: domain.EmploymentFullTime, Salary: "$52,000", ApplyURL: "https://jobs.example.org/apply"}))
	emploi := thread("job2", "fr", domain.KindJob, "Conseillère en établissement", "Accompagner les familles.",
		search.DetailsText("fr", nil, nil, &domain.JobDetails{Organization: "Centre d'accueil", Location: "Québec, QC",
			EmploymentType: domain.EmploymentPartTime}))
	event := thread("ev1", "en", domain.KindEvent, "Quarterly call", "",
		search.DetailsText("en", &domain.EventDetails{StartsAt: t0, Location: "Winnipeg Millennium Library", OnlineURL: "https://meet.example.org/x"}, nil, nil))
	resource := thread("res1", "en", domain.KindResource, "Intake checklist", "A checklist for intake interviews.",
		search.DetailsText("en", nil, &domain.ResourceDetails{URL: "https://example.org/checklist", Format: "Spreadsheet"}, nil))
	other := doc(search.TypeThread, "d1", "en", "Budget templates", "Spreadsheets for annual reports.")
	secret := thread("job3", "en", domain.KindJob, "Program manager", "Lead the program.",
		search.DetailsText("en", nil, nil, &domain.JobDetails{Organization: "Maple Leaf Newcomer Services", Location: "Toronto, ON"}))
	secret.GroupID, secret.GroupVisibility = "g-private", "private"
	index(t, idx, job, emploi, event, resource, other, secret)

	for _, c := range []struct{ text, want string }{
		{"Maple Leaf", "thread:job1"},
		{"Toronto", "thread:job1"},
		{"full time", "thread:job1"},
		{"Quebec", "thread:job2"},
		{"temps partiel", "thread:job2"},
		{"Centre d'accueil", "thread:job2"},
		{"Winnipeg", "thread:ev1"},
		{"Millennium Library", "thread:ev1"},
		{"spreadsheet", "thread:res1"},
		// Employment types cross languages through the glossary.
		{"temps plein", "thread:job1"},
		{"part time", "thread:job2"},
	} {
		mustFind(t, idx, c.text, c.want)
	}
	mustNotFind(t, idx, "Toronto", "thread:d1")
	mustNotFind(t, idx, "Toronto", "thread:ev1")
	// Links and pay are not searchable words.
	mustNotFind(t, idx, "jobs.example.org", "thread:job1")
	mustNotFind(t, idx, "meet", "thread:ev1")

	// The details are as visible as the thread: the private group's job is
	// found by its employer by the group's members only.
	for _, c := range []struct {
		access search.Access
		want   []string
	}{
		{search.Access{}, []string{"thread:job1"}},
		{search.Access{Groups: []string{"g-else"}}, []string{"thread:job1"}},
		{search.Access{Groups: []string{"g-private"}}, []string{"thread:job1", "thread:job3"}},
	} {
		r := find(t, idx, search.Query{Text: "maple leaf toronto", Access: c.access})
		got := ids(r)
		slices.Sort(got)
		if !slices.Equal(got, c.want) || r.Total != len(c.want) {
			t.Fatalf("access %+v: got %v (total %d), want %v", c.access, got, r.Total, c.want)
		}
	}

	// The snippet shows the detail that matched.
	r := find(t, idx, search.Query{Text: "Toronto"})
	if len(r.Items) != 1 || !strings.Contains(r.Items[0].Snippet, "<mark>Toronto</mark>") {
		t.Fatalf("snippet does not show the matched detail: %+v", r.Items)
	}
}

// corpus for filters and facets: all contain "webinaire"/"webinar".
func filterCorpus() []search.Document {
	var docs []search.Document
	add := func(d search.Document, kind string, tags ...string) {
		if d.Type == search.TypeThread || d.Type == search.TypePost {
			d.Kind = kind
		}
		d.Tags = tags
		docs = append(docs, d)
	}
	add(doc(search.TypeThread, "t1", "en", "Webinar on housing", "Join our webinar."), "event", "housing", "ontario")
	add(doc(search.TypeThread, "t2", "fr", "Webinaire sur le logement", "Joignez-vous au webinaire."), "event", "housing")
	add(doc(search.TypeThread, "t3", "en", "Webinar recording", "The webinar slides."), "resource", "slides")
	add(doc(search.TypePost, "p1", "en", "Webinar on housing", "Thanks for the webinar!"), "event")
	add(doc(search.TypePost, "p2", "fr", "Webinaire sur le logement", "Merci pour le webinaire."), "event")
	g := doc(search.TypeGroup, "g-open", "bilingual", "Webinars and learning events", "Webinaires et événements.")
	g.ThreadID = ""
	add(g, "")
	other := doc(search.TypeThread, "t4", "en", "Webinar in another group", "A webinar.")
	other.GroupID, other.ThreadID = "g-two", "t4"
	add(other, "discussion", "housing")
	return docs
}

func testFilters(t *testing.T, idx search.Index) {
	docs := filterCorpus()
	index(t, idx, docs...)
	count := func(pred func(search.Document) bool) (int, map[string]map[string]int) {
		n := 0
		f := map[string]map[string]int{search.FacetType: {}, search.FacetLanguage: {}, search.FacetKind: {}}
		for _, d := range docs {
			if pred(d) {
				n++
				f[search.FacetType][d.Type]++
				f[search.FacetLanguage][d.Language]++
				if d.Kind != "" {
					f[search.FacetKind][d.Kind]++
				}
			}
		}
		return n, f
	}
	cases := []struct {
		name string
		q    search.Query
		pred func(search.Document) bool
	}{
		{"all", search.Query{Text: "webinar"}, func(search.Document) bool { return true }},
		{"type", search.Query{Text: "webinar", Types: []string{search.TypePost}}, func(d search.Document) bool { return d.Type == search.TypePost }},
		{"types", search.Query{Text: "webinar", Types: []string{search.TypePost, search.TypeGroup}}, func(d search.Document) bool {
			return d.Type == search.TypePost || d.Type == search.TypeGroup
		}},
		{"language", search.Query{Text: "webinar", Language: "fr"}, func(d search.Document) bool { return d.Language == "fr" }},
		{"kind", search.Query{Text: "webinar", Kind: "event"}, func(d search.Document) bool { return d.Kind == "event" }},
		{"group", search.Query{Text: "webinar", GroupID: "g-two"}, func(d search.Document) bool { return d.GroupID == "g-two" }},
		{"tag", search.Query{Text: "webinar", Tags: []string{"Housing"}}, func(d search.Document) bool { return slices.Contains(d.Tags, "housing") }},
		{"tags", search.Query{Text: "webinar", Tags: []string{"housing", "ontario"}}, func(d search.Document) bool { return slices.Contains(d.Tags, "ontario") }},
		{"empty text", search.Query{Kind: "event"}, func(d search.Document) bool { return d.Kind == "event" }},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := find(t, idx, c.q)
			n, facets := count(c.pred)
			if r.Total != n || len(r.Items) != n {
				t.Fatalf("total %d, %d items %v; want %d", r.Total, len(r.Items), ids(r), n)
			}
			for _, h := range r.Items {
				i := slices.IndexFunc(docs, func(d search.Document) bool { return d.Type == h.Type && d.ID == h.ID })
				if i < 0 || !c.pred(docs[i]) {
					t.Fatalf("hit %s:%s does not pass the filter", h.Type, h.ID)
				}
				if h.Language != docs[i].Language || h.Kind != docs[i].Kind || h.GroupID != docs[i].GroupID {
					t.Fatalf("hit %+v: language, kind or group differ from its document %+v", h, docs[i])
				}
			}
			checkFacets(t, r.Facets, facets)
		})
	}
}

func checkFacets(t *testing.T, got, want map[string]map[string]int) {
	t.Helper()
	for _, name := range []string{search.FacetType, search.FacetLanguage, search.FacetKind} {
		g := maps.Clone(got[name])
		maps.DeleteFunc(g, func(_ string, n int) bool { return n == 0 })
		w := maps.Clone(want[name])
		maps.DeleteFunc(w, func(_ string, n int) bool { return n == 0 })
		if !maps.Equal(g, w) {
			t.Fatalf("facet %s: got %v, want %v", name, g, w)
		}
	}
}

func testPagination(t *testing.T, idx search.Index) {
	var docs []search.Document
	for i := range 25 {
		d := doc(search.TypeThread, fmt.Sprintf("n%02d", i), "en", fmt.Sprintf("Newsletter number %d", i), "Monthly newsletter.")
		d.CreatedAt = t0.Add(time.Duration(i) * time.Hour)
		docs = append(docs, d)
	}
	index(t, idx, docs...)
	for _, sort := range []string{search.SortDate, search.SortRelevance} {
		t.Run(sort, func(t *testing.T) {
			var seen []string
			cursor := ""
			for page := 0; ; page++ {
				r := find(t, idx, search.Query{Text: "newsletter", Sort: sort, Limit: 10, Cursor: cursor})
				if r.Total != 25 {
					t.Fatalf("total %d, want 25", r.Total)
				}
				seen = append(seen, ids(r)...)
				if sort == search.SortDate {
					for i := 1; i < len(r.Items); i++ {
						if r.Items[i].CreatedAt.After(r.Items[i-1].CreatedAt) {
							t.Fatalf("page %d not newest first: %v", page, ids(r))
						}
					}
				}
				if r.NextCursor == "" {
					break
				}
				if page > 5 {
					t.Fatal("too many pages")
				}
				cursor = r.NextCursor
			}
			if len(seen) != 25 {
				t.Fatalf("%d hits over pages, want 25: %v", len(seen), seen)
			}
			if len(slices.Compact(slices.Sorted(slices.Values(seen)))) != 25 {
				t.Fatalf("duplicates over pages: %v", seen)
			}
			if sort == search.SortDate && seen[0] != "thread:n24" {
				t.Fatalf("first by date is %s, want thread:n24", seen[0])
			}
		})
	}
	r := find(t, idx, search.Query{Text: "newsletter", Limit: 1000})
	if len(r.Items) != 25 {
		t.Fatalf("limit above the maximum: %d items", len(r.Items))
	}
}

func testUpdateDelete(t *testing.T, idx search.Index) {
	a := doc(search.TypePost, "u1", "en", "Thread", "The original wording about orchards.")
	b := doc(search.TypePost, "u2", "en", "Thread", "Another post about orchards.")
	index(t, idx, a, b)
	mustFind(t, idx, "orchards", "post:u1")
	a.Body = "The edited wording about vineyards."
	index(t, idx, a)
	mustNotFind(t, idx, "orchards", "post:u1")
	mustFind(t, idx, "vineyards", "post:u1")
	if err := idx.Delete(ctx(t), []string{a.Key(), search.Key("post", "missing")}); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	mustNotFind(t, idx, "vineyards", "post:u1")
	r := find(t, idx, search.Query{Text: "orchards"})
	if r.Total != 1 || r.Facets[search.FacetType][search.TypePost] != 1 {
		t.Fatalf("after delete: total %d facets %v", r.Total, r.Facets)
	}
	// Apply: deletes, upserts and the checkpoint together.
	c := doc(search.TypePost, "u3", "en", "Thread", "A post about orchards too.")
	if err := idx.Apply(ctx(t), search.Batch{Upserts: []search.Document{c}, Deletes: []string{b.Key()}, Checkpoint: eventstore.Position{Commit: 9, Prepare: 9}}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	r = find(t, idx, search.Query{Text: "orchards"})
	if got := ids(r); !slices.Equal(got, []string{"post:u3"}) {
		t.Fatalf("after Apply: %v", got)
	}
}

func testCheckpoint(t *testing.T, idx search.Index) {
	p, err := idx.Checkpoint(ctx(t))
	if err != nil || p != eventstore.Start {
		t.Fatalf("fresh checkpoint %v, %v", p, err)
	}
	want := eventstore.Position{Commit: 1 << 40, Prepare: 1<<40 - 3}
	if err := idx.Apply(ctx(t), search.Batch{Checkpoint: want}); err != nil {
		t.Fatalf("Apply: %v", err)
	}
	if p, err = idx.Checkpoint(ctx(t)); err != nil || p != want {
		t.Fatalf("checkpoint %v, %v; want %v", p, err, want)
	}
	index(t, idx, doc(search.TypeThread, "c1", "en", "Checkpoint", "Still searchable."))
	if err := idx.Reset(ctx(t)); err != nil {
		t.Fatalf("Reset: %v", err)
	}
	if p, err = idx.Checkpoint(ctx(t)); err != nil || p != eventstore.Start {
		t.Fatalf("checkpoint after reset %v, %v", p, err)
	}
	if r := find(t, idx, search.Query{Text: "checkpoint"}); r.Total != 0 {
		t.Fatalf("documents after reset: %v", ids(r))
	}
	if err := idx.Ping(ctx(t)); err != nil {
		t.Fatalf("Ping: %v", err)
	}
}

func testBadQuery(t *testing.T, idx search.Index) {
	for _, q := range []search.Query{{Cursor: "!!"}, {Sort: "sideways"}, {Types: []string{"email"}}} {
		if _, err := idx.Search(ctx(t), q); err == nil {
			t.Fatalf("query %+v: want an error", q)
		}
	}
}

// PermissionCorpus is every combination of group visibility, document type
// and hidden state, all containing the word "zanzibar", plus a member
// profile and a group the viewers do not belong to.
func PermissionCorpus() []search.Document {
	var docs []search.Document
	for _, vis := range []string{"open", "request", "private"} {
		gid := "g-" + vis
		base := search.Document{GroupID: gid, GroupVisibility: vis, Language: "en", CreatedAt: t0, AuthorID: "m-author"}
		g := base
		g.Type, g.ID, g.Title, g.Body = search.TypeGroup, gid, "Zanzibar "+vis+" group", "A group about zanzibar."
		g.Language = "bilingual"
		th := base
		th.Type, th.ID, th.ThreadID, th.Kind = search.TypeThread, "t-"+vis, "t-"+vis, "discussion"
		th.Title, th.Body = "Zanzibar thread in "+vis, "Visible zanzibar thread."
		p := base
		p.Type, p.ID, p.ThreadID, p.Kind = search.TypePost, "t-"+vis+".p1", "t-"+vis, "discussion"
		p.ThreadTitle, p.Body, p.Language = th.Title, "Une réponse visible sur zanzibar.", "fr"
		hid := p
		hid.ID, hid.Body, hid.Hidden = "t-"+vis+".p2", "A hidden zanzibar reply.", true
		del := p
		del.ID, del.Body, del.Deleted = "t-"+vis+".p3", "A deleted zanzibar reply.", true
		hth := th
		hth.ID, hth.ThreadID, hth.Hidden = "t-"+vis+"-hidden", "t-"+vis+"-hidden", true
		docs = append(docs, g, th, p, hid, del, hth)
	}
	docs = append(docs, search.Document{Type: search.TypeMember, ID: "m-1", Title: "Zanzibar Okafor", Body: "Settlement worker, zanzibar fan.", Language: "en", CreatedAt: t0})
	other := search.Document{Type: search.TypeThread, ID: "t-else", ThreadID: "t-else", GroupID: "g-else", GroupVisibility: "private",
		Title: "Zanzibar elsewhere", Body: "Private zanzibar.", Language: "en", Kind: "job", CreatedAt: t0}
	return append(docs, other)
}

// Viewers are the rows of the permission table.
func Viewers() map[string]search.Access {
	member := []string{"g-open", "g-request", "g-private"}
	return map[string]search.Access{
		"anonymous":       {},
		"non-member":      {Groups: []string{"g-unrelated"}},
		"member":          {Groups: member},
		"group moderator": {Groups: member}, // moderators are members
		"site moderator":  {All: true},
		"admin":           {All: true},
		"other member":    {Groups: []string{"g-else"}},
	}
}

func testPermissions(t *testing.T, idx search.Index) {
	docs := PermissionCorpus()
	index(t, idx, docs...)
	checkPermissions(t, idx, docs)
}

// testRegrant: a change of a group's visibility rewrites its documents
// with the new grant (as the indexer does on GroupVisibilityChanged); the
// index then answers by the new grant only: hits, totals and facets.
// Each group of the corpus changes (open->private, request->open,
// private->request).
func testRegrant(t *testing.T, idx search.Index) {
	docs := PermissionCorpus()
	index(t, idx, docs...)
	next := map[string]string{"open": "private", "request": "open", "private": "request"}
	var changed []search.Document
	for i, d := range docs {
		if to, ok := next[d.GroupVisibility]; ok && d.GroupID != "g-else" {
			docs[i].GroupVisibility = to
			changed = append(changed, docs[i])
		}
	}
	index(t, idx, changed...)
	checkPermissions(t, idx, docs)
}

// checkPermissions checks every viewer's answers against Access.Visible
// over docs, the documents the index holds.
func checkPermissions(t *testing.T, idx search.Index, docs []search.Document) {
	t.Helper()
	for name, access := range Viewers() {
		t.Run(name, func(t *testing.T) {
			var want []string
			facets := map[string]map[string]int{search.FacetType: {}, search.FacetLanguage: {}, search.FacetKind: {}}
			for _, d := range docs {
				if access.Visible(d) {
					want = append(want, d.Type+":"+d.ID)
					facets[search.FacetType][d.Type]++
					facets[search.FacetLanguage][d.Language]++
					if d.Kind != "" {
						facets[search.FacetKind][d.Kind]++
					}
				}
			}
			slices.Sort(want)
			for _, text := range []string{"zanzibar", ""} {
				r := find(t, idx, search.Query{Text: text, Access: access, Limit: search.MaxLimit})
				got := ids(r)
				slices.Sort(got)
				if !slices.Equal(got, want) {
					t.Fatalf("query %q: got %v\nwant %v", text, got, want)
				}
				if r.Total != len(want) {
					t.Fatalf("query %q: total %d, want %d", text, r.Total, len(want))
				}
				checkFacets(t, r.Facets, facets)
			}
			// Filters cannot widen access.
			for _, gid := range []string{"g-request", "g-private", "g-else"} {
				r := find(t, idx, search.Query{Text: "zanzibar", GroupID: gid, Access: access, Limit: search.MaxLimit})
				for _, h := range r.Items {
					if !slices.Contains(want, h.Type+":"+h.ID) {
						t.Fatalf("group filter %s leaked %s:%s", gid, h.Type, h.ID)
					}
				}
			}
		})
	}
}
