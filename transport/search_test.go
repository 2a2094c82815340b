package transport_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
)

// syncSearch waits until the indexer has taken in everything in the log.
func (e *env) syncSearch() {
	e.t.Helper()
	var last eventstore.Position
	for after := eventstore.Start; ; {
		page, err := e.store.ReadAll(context.Background(), after, 1000)
		if err != nil {
			e.t.Fatal(err)
		}
		if len(page) == 0 {
			break
		}
		after = page[len(page)-1].Position
		last = after
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := e.indexer.WaitFor(ctx, last); err != nil {
		e.t.Fatalf("indexer did not reach %s: %v", last, err)
	}
}

type searchAnswer struct {
	Items []struct {
		Type     string `json:"type"`
		ID       string `json:"id"`
		ThreadID string `json:"thread_id"`
		GroupID  string `json:"group_id"`
		Snippet  string `json:"snippet"`
	} `json:"items"`
	Total        int                       `json:"total"`
	Facets       map[string]map[string]int `json:"facets"`
	NextCursor   string                    `json:"next_cursor"`
	RelaxedQuery *string                   `json:"relaxed_query"`
}

func (c *client) search(q string, extra ...string) searchAnswer {
	c.e.t.Helper()
	v := url.Values{"q": {q}}
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	var a searchAnswer
	c.must(200, "GET", "/api/v1/search?"+v.Encode(), nil).json(c.e.t, &a)
	return a
}

func (a searchAnswer) threads() []string {
	var out []string
	for _, it := range a.Items {
		if it.Type == "thread" {
			out = append(out, it.ID)
		}
	}
	return out
}

// TestSearchEndpoint: GET /api/v1/search through the real router, Bleve and
// the indexer: bilingual matching, visibility from the caller's current
// memberships (facets included), and a stale index that cannot leak.
func TestSearchEndpoint(t *testing.T) {
	e := newEnv(t, envOptions{search: true})
	owner, member, outsider := e.register("Olga Owner"), e.register("Mia Member"), e.register("Oscar Outsider")
	anon := e.anon()
	open := owner.group("Newcomer youth network", "open")
	private := owner.group("Case managers' circle", "private")
	owner.must(204, "POST", "/api/v1/groups/"+private+"/invitations", map[string]any{"member_id": member.id})
	member.must(200, "POST", "/api/v1/groups/"+private+"/join", nil)
	member.must(200, "POST", "/api/v1/groups/"+open+"/join", nil)

	post := func(group, title, body, lang string) string {
		r := owner.must(201, "POST", "/api/v1/groups/"+group+"/threads", map[string]any{"title": title, "body": body, "language": lang})
		return r.obj(t)["id"].(string)
	}
	openFR := post(open, "Santé mentale des jeunes nouveaux arrivants", "Ressources en santé mentale pour les jeunes réfugiés.", "fr")
	privateEN := post(private, "Mental health referrals", "Our mental health referral list for case management.", "en")
	e.syncSearch()

	// Accents folded, and the glossary carries "mental health" to French.
	if got := anon.search("sante mentale").threads(); !slices.Contains(got, openFR) {
		t.Fatalf("anonymous search for 'sante mentale': %v, want %s", got, openFR)
	}
	if got := member.search("mental health").threads(); !slices.Contains(got, openFR) || !slices.Contains(got, privateEN) {
		t.Fatalf("member search for 'mental health': %v, want both %s and %s", got, openFR, privateEN)
	}
	// The private group's thread, and its count in the facets, only for members.
	for _, c := range []*client{anon, outsider} {
		a := c.search("mental health")
		if slices.Contains(a.threads(), privateEN) {
			t.Fatalf("a non-member found the private thread: %+v", a)
		}
		for _, it := range a.Items {
			if it.GroupID == private {
				t.Fatalf("a non-member got a hit in the private group: %+v", it)
			}
		}
		if n := a.Facets["type"]["thread"]; n != len(a.threads()) {
			t.Fatalf("facet counts %d threads, %d returned: facets count what the caller cannot see", n, len(a.threads()))
		}
	}

	// A stale index: the indexer stops, then a reply is hidden and the
	// member leaves the private group. The index still holds both, the
	// answers must not.
	reply := member.must(201, "POST", "/api/v1/threads/"+openFR+"/replies", map[string]any{"body": "Le mot zanzibarite est unique.", "language": "fr"}).obj(t)["id"].(string)
	shelter := post(open, "Shelter contacts", "Call the xylophonique line at 555-0100.", "en")
	e.syncSearch()
	if len(member.search("zanzibarite").Items) == 0 || len(member.search("xylophonique").Items) == 0 {
		t.Fatal("the reply or the thread was never searchable")
	}
	e.stopIndexer()
	owner.must(204, "POST", "/api/v1/posts/"+reply+"/hide", map[string]any{"reason": "off topic"})
	var opening struct {
		Posts []struct {
			ID string `json:"id"`
		} `json:"posts"`
	}
	owner.must(200, "GET", "/api/v1/threads/"+shelter, nil).json(t, &opening)
	owner.must(204, "POST", "/api/v1/posts/"+opening.Posts[0].ID+"/hide", map[string]any{"reason": "private number"})
	member.must(204, "POST", "/api/v1/groups/"+private+"/leave", nil)
	a := member.search("zanzibarite")
	for _, it := range a.Items {
		if it.ID == reply {
			t.Fatal("a hidden reply came back from a stale index")
		}
	}
	// Nor is it counted: the total and the facets leave out what the read
	// model refused.
	if a.Total != 0 || a.Facets["type"]["post"] != 0 || a.Facets["language"]["fr"] != 0 || a.Facets["kind"]["discussion"] != 0 {
		t.Fatalf("a hidden reply is still counted: total %d, facets %v", a.Total, a.Facets)
	}
	// A thread whose opening post was hidden keeps its title, not the
	// hidden text the stale index still holds.
	for _, it := range member.search("xylophonique").Items {
		if strings.Contains(it.Snippet, "555") || strings.Contains(it.Snippet, "xylophonique") {
			t.Fatalf("a hidden opening post's text came back from a stale index: %+v", it)
		}
	}
	if got := member.search("mental health").threads(); slices.Contains(got, privateEN) {
		t.Fatalf("a member who left still finds the private thread: %v", got)
	}
	// Moderators still reach the hidden reply through the thread, not search.
	if a := owner.search("zanzibarite"); len(a.Items) != 0 {
		t.Fatalf("a hidden post is searchable even for its group's owner: %+v", a.Items)
	}
}

// TestSearchRelaxesToLeadingWords: a search that nothing visible matches
// in full answers its longest leading part that finds something, and says
// so; the choice is made from what the caller may see, so it gives nothing
// away about private content, and the next page keeps to it.
func TestSearchRelaxesToLeadingWords(t *testing.T) {
	e := newEnv(t, envOptions{search: true})
	owner, member := e.register("Olga Owner"), e.register("Mia Member")
	anon := e.anon()
	open := owner.group("Réseau jeunesse", "open")
	private := owner.group("Cercle de Moncton", "private")
	owner.must(204, "POST", "/api/v1/groups/"+private+"/invitations", map[string]any{"member_id": member.id})
	member.must(200, "POST", "/api/v1/groups/"+private+"/join", nil)
	post := func(group, title, body string) string {
		r := owner.must(201, "POST", "/api/v1/groups/"+group+"/threads", map[string]any{"title": title, "body": body, "language": "fr"})
		return r.obj(t)["id"].(string)
	}
	first := post(open, "Emploi des jeunes", "Des ateliers d'emploi pour les jeunes.")
	second := post(open, "Jeunes et emploi d'été", "Les offres d'emploi d'été pour les jeunes.")
	privateAll := post(private, "Emploi jeunes Moncton", "L'emploi des jeunes à Moncton.")
	e.syncSearch()

	// Everything holds "emploi" and "jeunes"; only the private thread
	// holds "Moncton" too.
	a := anon.search("Emploi, jeunes Moncton", "limit", "1")
	if a.RelaxedQuery == nil || *a.RelaxedQuery != "Emploi, jeunes" {
		t.Fatalf("relaxed_query %v, want \"Emploi, jeunes\"", a.RelaxedQuery)
	}
	if a.Total != 2 || a.Facets["type"]["thread"] != 2 || len(a.Items) != 1 || a.NextCursor == "" {
		t.Fatalf("relaxed answer: total %d, facets %v, %d items, cursor %q", a.Total, a.Facets, len(a.Items), a.NextCursor)
	}
	next := anon.search("Emploi, jeunes Moncton", "limit", "1", "cursor", a.NextCursor)
	got := []string{a.Items[0].ID, next.Items[0].ID}
	if next.RelaxedQuery == nil || *next.RelaxedQuery != "Emploi, jeunes" || !slices.Contains(got, first) || !slices.Contains(got, second) {
		t.Fatalf("next page: relaxed_query %v, items %v; want the other of %s, %s", next.RelaxedQuery, got, first, second)
	}
	// A member of the private group finds the thread holding every word,
	// and nothing relaxed.
	if m := member.search("Emploi, jeunes Moncton"); m.RelaxedQuery != nil || m.Total != 1 || m.Items[0].ID != privateAll {
		t.Fatalf("member: relaxed_query %v, total %d, items %+v", m.RelaxedQuery, m.Total, m.Items)
	}
	// Stop words alone are never what a search falls back to.
	if a := anon.search("les xyzzyq"); a.RelaxedQuery != nil || a.Total != 0 {
		t.Fatalf("'les xyzzyq': relaxed_query %v, total %d", a.RelaxedQuery, a.Total)
	}
}

// TestSearchReadsYourWrites: a member's search right after their own write
// finds it (the search waits for the index to hold the member's last
// write), whatever that write was; it never needs a pause.
func TestSearchReadsYourWrites(t *testing.T) {
	e := newEnv(t, envOptions{search: true})
	owner := e.register("Olga Owner")
	g := owner.group("Employment counsellors", "open")
	for i, word := range []string{"quokkalike", "wombatish", "numbatty"} {
		th := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{
			"title": "Thread " + word, "body": "About " + word + ".", "language": "en"}).obj(t)["id"].(string)
		if got := owner.search(word).threads(); !slices.Contains(got, th) {
			t.Fatalf("round %d: the author's search right after posting: %v, want %s", i, got, th)
		}
		reply := owner.must(201, "POST", "/api/v1/threads/"+th+"/replies", map[string]any{"body": "Also " + word + "ing.", "language": "en"}).obj(t)["id"].(string)
		found := false
		for _, it := range owner.search(word + "ing").Items {
			found = found || it.ID == reply
		}
		if !found {
			t.Fatalf("round %d: the author's search right after replying misses the reply", i)
		}
		// A last write that search skips does not hold searches up.
		owner.must(200, "PATCH", "/api/v1/me", map[string]any{"language": "fr"})
		owner.must(204, "POST", "/api/v1/notifications/read", map[string]any{})
		start := time.Now()
		owner.search(word)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("round %d: a search after a skipped write took %v", i, d)
		}
	}
}

// TestSearchPermissionTable: over HTTP, through the read models' roles,
// each viewer (anonymous, a registered outsider, a member, a group
// moderator, a site moderator, an admin) finds exactly what they may read
// of an open, a request-only and a private group's threads and posts,
// never a hidden post, and the group cards the directory shows them; the
// total and the facets count those hits and nothing else.
func TestSearchPermissionTable(t *testing.T) {
	e := newEnv(t, envOptions{search: true})
	admin := e.register("admin")
	owner := e.register("Olga Owner")
	member, gmod, smod, outsider := e.register("Mia Member"), e.register("Gus Groupmod"), e.register("Sam Sitemod"), e.register("Oscar Outsider")
	admin.must(204, "POST", "/api/v1/admin/members/"+smod.id+"/roles", map[string]any{"role": "moderator"})
	type content struct{ group, thread, post, hidden string }
	made := map[string]content{}
	for _, vis := range []string{"open", "request", "private"} {
		g := owner.must(201, "POST", "/api/v1/groups", map[string]any{"name": "Quokka " + vis + " circle", "description": "A quokka group.",
			"visibility": vis, "language": "en"}).obj(t)["id"].(string)
		for _, c := range []*client{member, gmod} {
			switch vis {
			case "open":
				c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
			case "request":
				c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
				owner.must(204, "POST", "/api/v1/groups/"+g+"/requests/"+c.id+"/approve", nil)
			case "private":
				owner.must(204, "POST", "/api/v1/groups/"+g+"/invitations", map[string]any{"member_id": c.id})
				c.must(200, "POST", "/api/v1/groups/"+g+"/join", nil)
			}
		}
		owner.must(204, "POST", "/api/v1/groups/"+g+"/moderators", map[string]any{"member_id": gmod.id})
		th := owner.must(201, "POST", "/api/v1/groups/"+g+"/threads", map[string]any{"title": "Quokka " + vis + " thread",
			"body": "About quokkas.", "language": "en"}).obj(t)["id"].(string)
		p := member.must(201, "POST", "/api/v1/threads/"+th+"/replies", map[string]any{"body": "A quokka reply.", "language": "en"}).obj(t)["id"].(string)
		h := member.must(201, "POST", "/api/v1/threads/"+th+"/replies", map[string]any{"body": "A quokka reply to hide.", "language": "en"}).obj(t)["id"].(string)
		owner.must(204, "POST", "/api/v1/posts/"+h+"/hide", map[string]any{"reason": "spam"})
		made[vis] = content{group: g, thread: th, post: p, hidden: h}
	}
	e.syncSearch()

	// What each viewer may read, by the visibility rules of API.md.
	readsThreads := map[string][]string{
		"anonymous": {"open"}, "outsider": {"open"}, "member": {"open", "request", "private"},
		"group moderator": {"open", "request", "private"}, "site moderator": {"open", "request", "private"},
		"admin": {"open", "request", "private"}, "owner": {"open", "request", "private"},
	}
	seesCards := map[string][]string{
		"anonymous": {"open", "request"}, "outsider": {"open", "request"}, "member": {"open", "request", "private"},
		"group moderator": {"open", "request", "private"}, "site moderator": {"open", "request", "private"},
		"admin": {"open", "request", "private"}, "owner": {"open", "request", "private"},
	}
	viewers := map[string]*client{"anonymous": e.anon(), "outsider": outsider, "member": member, "group moderator": gmod,
		"site moderator": smod, "admin": admin, "owner": owner}
	for name, c := range viewers {
		var want []string
		for _, vis := range readsThreads[name] {
			want = append(want, "thread:"+made[vis].thread, "post:"+made[vis].post)
		}
		for _, vis := range seesCards[name] {
			want = append(want, "group:"+made[vis].group)
		}
		slices.Sort(want)
		a := c.search("quokka", "limit", "100")
		var got []string
		for _, it := range a.Items {
			got = append(got, it.Type+":"+it.ID)
		}
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s found %v, want %v", name, got, want)
		}
		byType := map[string]int{}
		for _, it := range a.Items {
			byType[it.Type]++
		}
		if a.Total != len(want) {
			t.Errorf("%s: total %d, want %d", name, a.Total, len(want))
		}
		for typ, n := range a.Facets["type"] {
			if n != byType[typ] {
				t.Errorf("%s: facet type %s counts %d, %d found", name, typ, n, byType[typ])
			}
		}
		lang := 0
		for _, n := range a.Facets["language"] {
			lang += n
		}
		if lang != a.Total {
			t.Errorf("%s: language facets count %d of %d hits", name, lang, a.Total)
		}
	}
}
