package search_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/settlenet/settlenet/domain"
	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/projections"
	"github.com/settlenet/settlenet/search"
	"github.com/settlenet/settlenet/search/bleveindex"
)

// log appends domain events through the codec, as the service would.
type log struct {
	t     testing.TB
	store *embedded.Store
	codec *domain.Codec
	last  eventstore.Position
	at    time.Time
}

func newLog(t testing.TB) *log {
	st, err := embedded.Open(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return &log{t: t, store: st, codec: domain.NewCodec(), at: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
}

func (l *log) append(stream string, evs ...domain.Event) {
	l.t.Helper()
	var data []eventstore.EventData
	for _, e := range evs {
		l.at = l.at.Add(time.Second)
		d, err := l.codec.Encode(e, domain.Metadata{At: l.at, Actor: "m1"})
		if err != nil {
			l.t.Fatal(err)
		}
		data = append(data, d)
	}
	res, err := l.store.Append(context.Background(), stream, eventstore.Any(), data...)
	if err != nil {
		l.t.Fatal(err)
	}
	l.last = res.Position
}

func openIndex(t testing.TB, dir string) *bleveindex.Index {
	t.Helper()
	g, err := search.LoadGlossary()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := bleveindex.Open(dir, g)
	if err != nil {
		t.Fatal(err)
	}
	return idx
}

// run starts an indexer; the returned stop cancels it and waits.
func run(t testing.TB, l *log, idx search.Index, opts search.IndexerOptions) (*search.Indexer, func() error) {
	x := search.NewIndexer(l.store, idx, opts)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- x.Run(ctx) }()
	var stopped bool
	var err error
	stop := func() error {
		if !stopped {
			stopped = true
			cancel()
			err = <-done
		}
		return err
	}
	t.Cleanup(func() { _ = stop() })
	return x, stop
}

func waitFor(t testing.TB, x *search.Indexer, pos eventstore.Position) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := x.WaitFor(ctx, pos); err != nil {
		t.Fatalf("WaitFor %v: %v (status %+v)", pos, err, x.Status())
	}
}

func keys(t testing.TB, idx *bleveindex.Index) []string {
	t.Helper()
	k, err := idx.Keys(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(k)
	return k
}

// hits are the "type:id" of a query's hits.
func hits(t testing.TB, idx search.Index, q search.Query) []string {
	t.Helper()
	r, err := idx.Search(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, h := range r.Items {
		out = append(out, h.Type+":"+h.ID)
	}
	return out
}

func TestIndexerFollowsEvents(t *testing.T) {
	l := newLog(t)
	idx := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	x, _ := run(t, l, idx, search.IndexerOptions{})

	l.append("member-m1", domain.MemberRegistered{MemberID: "m1", Email: "secret@example.org", PasswordHash: "hash", DisplayName: "Amina Diallo", Organization: "COSTI", Language: "fr"})
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Santé mentale", Description: "Un groupe **ouvert**.", Visibility: "open", Language: "fr", OwnerID: "m1"})
	l.append("group-g2", domain.GroupCreated{GroupID: "g2", Name: "Private circle", Description: "Private.", Visibility: "private", Language: "en", OwnerID: "m1"})
	l.append("thread-t1",
		domain.ThreadStarted{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", AuthorID: "m1", Title: "Accueil des réfugiés", Body: "Premier *message* sur l'accueil.", Language: "fr", Kind: "discussion", Tags: []string{"accueil"}},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.b", AuthorID: "m1", Body: "Réponse sur les orchestres.", Language: "fr"},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.c", AuthorID: "m1", Body: "Reply about harbours.", Language: "en"},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.d", AuthorID: "m1", Body: "Reply to be deleted, about lighthouses.", Language: "en"},
	)
	l.append("thread-t2", domain.ThreadStarted{ThreadID: "t2", GroupID: "g2", PostID: "t2.a", AuthorID: "m1", Title: "Budget lines", Body: "Private budget talk.", Language: "en", Kind: "discussion"})
	waitFor(t, x, l.last)
	want := []string{"group_g1", "group_g2", "member_m1", "post_t1-2eb", "post_t1-2ec", "post_t1-2ed", "thread_t1", "thread_t2"}
	if got := keys(t, idx); !slices.Equal(got, want) {
		t.Fatalf("keys %v\nwant %v", got, want)
	}

	// No private data in member documents.
	ctx := context.Background()
	for _, q := range []string{"secret", "example", "hash"} {
		if r, _ := idx.Search(ctx, search.Query{Text: q, Access: search.Access{All: true}}); r.Total != 0 {
			t.Fatalf("%q found in the index", q)
		}
	}
	// Markdown is indexed as text; the group's visibility is on its threads.
	r, err := idx.Search(ctx, search.Query{Text: "ouvert"})
	if err != nil || r.Total != 1 || strings.Contains(r.Items[0].Snippet, "**") {
		t.Fatalf("markdown group: %+v %v", r, err)
	}
	if r, _ := idx.Search(ctx, search.Query{Text: "budget"}); r.Total != 0 {
		t.Fatalf("private thread visible to anonymous: %+v", r)
	}

	// Edits, hides, restores, deletes; the opening post hidden.
	l.append("thread-t1",
		domain.PostEdited{ThreadID: "t1", GroupID: "g1", PostID: "t1.b", Body: "Réponse sur les violons.", EditorID: "m1"},
		domain.PostHidden{ThreadID: "t1", GroupID: "g1", PostID: "t1.c", By: "m1", Reason: "spam"},
		domain.PostDeleted{ThreadID: "t1", GroupID: "g1", PostID: "t1.d", By: "m1"},
		domain.PostHidden{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", By: "m1", Reason: "x"},
	)
	waitFor(t, x, l.last)
	find := func(text string) []string {
		return hits(t, idx, search.Query{Text: text, Access: search.Access{All: true}})
	}
	if got := find("violons"); !slices.Equal(got, []string{"post:t1.b"}) {
		t.Fatalf("edited text: %v", got)
	}
	if got := find("orchestres"); len(got) != 0 {
		t.Fatalf("text before the edit still found: %v", got)
	}
	if got := find("harbours"); len(got) != 0 {
		t.Fatalf("hidden post found: %v", got)
	}
	if got := find("lighthouses"); len(got) != 0 {
		t.Fatalf("deleted post found: %v", got)
	}
	if got := find("premier message"); len(got) != 0 {
		t.Fatalf("hidden opening post's text found: %v", got)
	}
	if got := find("accueil réfugiés"); !slices.Contains(got, "thread:t1") {
		t.Fatalf("thread title gone with its hidden opening post: %v", got)
	}

	// Restores bring the text back, with the edits made meanwhile.
	l.append("thread-t1",
		domain.PostEdited{ThreadID: "t1", GroupID: "g1", PostID: "t1.c", Body: "Reply about quays.", EditorID: "m1"},
		domain.PostRestored{ThreadID: "t1", GroupID: "g1", PostID: "t1.c", By: "m1"},
		domain.PostRestored{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", By: "m1"},
	)
	l.append("member-m1", domain.MemberProfileUpdated{MemberID: "m1", DisplayName: "Amina D.", Organization: "COSTI", Bio: "Counsellor in Hamilton", Language: "fr"})
	waitFor(t, x, l.last)
	if got := find("quays"); !slices.Equal(got, []string{"post:t1.c"}) {
		t.Fatalf("restored post: %v", got)
	}
	if got := find("premier message"); !slices.Equal(got, []string{"thread:t1"}) {
		t.Fatalf("restored opening post: %v", got)
	}
	if got := find("hamilton"); !slices.Equal(got, []string{"member:m1"}) {
		t.Fatalf("profile update: %v", got)
	}
	res, err := idx.Search(context.Background(), search.Query{Text: "hamilton", Access: search.Access{All: true}})
	if want := "COSTI · Counsellor in <mark>Hamilton</mark>"; err != nil || len(res.Items) != 1 || res.Items[0].Snippet != want {
		t.Errorf("profile snippet %+v %v, want %q", res.Items, err, want)
	}
	st := x.Status()
	if !st.CaughtUp || st.Error != "" || st.Position != l.last {
		t.Fatalf("status %+v", st)
	}
}

// An edit of a group's settings rewrites the group's document: the new
// name, description and topics are found, the old ones are not, and what
// only GroupCreated says (visibility, owner, creation time) stays. Thread
// and post documents carry the group's id, not its name, so they have
// nothing to rewrite: the old name finds none of them before or after.
func TestIndexerGroupUpdated(t *testing.T) {
	l := newLog(t)
	idx := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	x, _ := run(t, l, idx, search.IndexerOptions{})
	l.append("member-m1", domain.MemberRegistered{MemberID: "m1", Email: "m1@example.org", PasswordHash: "h", DisplayName: "Amina", Language: "fr"})
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Lighthouse keepers", Description: "About harbours.", Visibility: "private",
		Language: "en", Topics: []string{"quays"}, OwnerID: "m1"})
	l.append("thread-t1",
		domain.ThreadStarted{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", AuthorID: "m1", Title: "Budget", Body: "Opening.", Language: "en", Kind: "discussion"},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.b", AuthorID: "m1", Body: "A reply.", Language: "en"})
	waitFor(t, x, l.last)
	all := func(text string) []string {
		return hits(t, idx, search.Query{Text: text, Access: search.Access{All: true}})
	}
	if got := all("lighthouse keepers"); !slices.Equal(got, []string{"group:g1"}) {
		t.Fatalf("before the edit: %v", got)
	}
	before, err := idx.Search(context.Background(), search.Query{Types: []string{search.TypeGroup}, Access: search.Access{All: true}})
	if err != nil || len(before.Items) != 1 {
		t.Fatalf("group document: %+v %v", before, err)
	}

	l.append("group-g1", domain.GroupUpdated{GroupID: "g1", Name: "Orchestre des violons", Description: "Pour les musiciens.",
		Language: "fr", Topics: []string{"cordes", "archets"}, Changed: []string{"name", "description", "language", "topics"}, By: "m1"})
	waitFor(t, x, l.last)
	for _, text := range []string{"orchestre violons", "musiciens", "cordes"} {
		if got := all(text); !slices.Equal(got, []string{"group:g1"}) {
			t.Errorf("%q after the edit: %v", text, got)
		}
	}
	// The description and the topics read as separate parts.
	res, err := idx.Search(context.Background(), search.Query{Text: "cordes", Access: search.Access{All: true}})
	if want := "Pour les musiciens. · <mark>cordes</mark>, archets"; err != nil || len(res.Items) != 1 || res.Items[0].Snippet != want {
		t.Errorf("group snippet %+v %v, want %q", res.Items, err, want)
	}
	for _, text := range []string{"lighthouse", "keepers", "harbours", "quays"} {
		if got := all(text); len(got) != 0 {
			t.Errorf("old %q still found: %v", text, got)
		}
	}
	after, err := idx.Search(context.Background(), search.Query{Types: []string{search.TypeGroup}, Access: search.Access{All: true}})
	if err != nil || len(after.Items) != 1 || after.Items[0].Language != "fr" || !after.Items[0].CreatedAt.Equal(before.Items[0].CreatedAt) {
		t.Fatalf("group document after the edit: %+v (before %+v) %v", after, before, err)
	}
	// Still private: an outsider finds nothing, a member finds it.
	if got := hits(t, idx, search.Query{Text: "orchestre"}); len(got) != 0 {
		t.Errorf("private group found by an outsider after its edit: %v", got)
	}
	if got := hits(t, idx, search.Query{Text: "orchestre", Access: search.Access{Groups: []string{"g1"}}}); !slices.Equal(got, []string{"group:g1"}) {
		t.Errorf("private group not found by its member after its edit: %v", got)
	}
	// The thread and its reply are untouched and still found.
	if got := all("budget"); !slices.Equal(got, []string{"thread:t1"}) {
		t.Errorf("thread after the group's edit: %v", got)
	}
	if got := keys(t, idx); !slices.Equal(got, []string{"group_g1", "member_m1", "post_t1-2eb", "thread_t1"}) {
		t.Errorf("keys %v", got)
	}
}

// A thread's details are in its document from ThreadStarted on, stay
// through edits and a hidden opening post (the thread page still shows
// them), and are not copied into its replies.
func TestIndexerThreadDetails(t *testing.T) {
	l := newLog(t)
	idx := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	x, _ := run(t, l, idx, search.IndexerOptions{})

	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Jobs", Description: "Postings.", Visibility: "open", Language: "en", OwnerID: "m1"})
	l.append("thread-t1",
		domain.ThreadStarted{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", AuthorID: "m1", Title: "Settlement counsellor",
			Body: "Support families.", Language: "fr", Kind: domain.KindJob,
			Job: &domain.JobDetails{Organization: "Maple Leaf Services", Location: "Toronto", EmploymentType: domain.EmploymentPartTime}},
		domain.ReplyPosted{ThreadID: "t1", GroupID: "g1", PostID: "t1.b", AuthorID: "m1", Body: "Is it remote?", Language: "en"},
	)
	l.append("thread-t2", domain.ThreadStarted{ThreadID: "t2", GroupID: "g1", PostID: "t2.a", AuthorID: "m1", Title: "Quarterly call",
		Body: "Agenda to follow.", Language: "en", Kind: domain.KindEvent,
		Event: &domain.EventDetails{StartsAt: time.Date(2026, 12, 1, 15, 0, 0, 0, time.UTC), Location: "Winnipeg Library"}})
	waitFor(t, x, l.last)
	find := func(text string) []string { return hits(t, idx, search.Query{Text: text}) }
	check := func(when string) {
		t.Helper()
		for text, want := range map[string]string{"maple leaf": "thread:t1", "toronto": "thread:t1", "temps partiel": "thread:t1", "winnipeg": "thread:t2"} {
			if got := find(text); !slices.Equal(got, []string{want}) {
				t.Fatalf("%s: %q found %v, want [%s]", when, text, got, want)
			}
		}
	}
	check("started")

	l.append("thread-t1", domain.PostEdited{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", Body: "Support youth.", EditorID: "m1"})
	waitFor(t, x, l.last)
	check("opening post edited")
	if got := find("youth"); !slices.Equal(got, []string{"thread:t1"}) {
		t.Fatalf("edited opening post: %v", got)
	}

	l.append("thread-t1", domain.PostHidden{ThreadID: "t1", GroupID: "g1", PostID: "t1.a", By: "m1", Reason: "x"})
	waitFor(t, x, l.last)
	check("opening post hidden")
	if got := find("youth"); len(got) != 0 {
		t.Fatalf("hidden opening post's text found: %v", got)
	}
}

// TestIndexerRestart kills a process that is indexing a large log (SIGKILL,
// in the middle of its catch-up), reopens the index, lets an indexer finish,
// and checks that the indexed set is what the events imply: nothing lost,
// nothing extra (hidden and deleted posts absent), the checkpoint having
// been strictly mid-way at the kill.
func TestIndexerRestart(t *testing.T) {
	if dirs := os.Getenv(indexerChildEnv); dirs != "" {
		indexerChild(dirs)
		return
	}
	threads, per := 1000, 50 // 50,000 posts
	if testing.Short() || raceEnabled {
		threads = 100 // 5,000 posts: Bleve under the race detector is slow
	}
	storeDir := filepath.Join(t.TempDir(), "store")
	st, err := embedded.Open(storeDir)
	if err != nil {
		t.Fatal(err)
	}
	l := &log{t: t, store: st, codec: domain.NewCodec(), at: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	l.append("group-g", domain.GroupCreated{GroupID: "g", Name: "Settlement", Visibility: "open", Language: "en", OwnerID: "m1"})
	want := []string{"group_g"}
	for i := range threads {
		tid := fmt.Sprintf("t%04d", i)
		evs := []domain.Event{domain.ThreadStarted{ThreadID: tid, GroupID: "g", PostID: tid + ".p00", AuthorID: "m1",
			Title: "Thread " + tid, Body: "Opening post about settlement services.", Language: "en", Kind: "discussion"}}
		want = append(want, search.Key(search.TypeThread, tid))
		for j := 1; j < per; j++ {
			pid := fmt.Sprintf("%s.p%02d", tid, j)
			lang := []string{"en", "fr"}[j%2]
			evs = append(evs, domain.ReplyPosted{ThreadID: tid, GroupID: "g", PostID: pid, AuthorID: "m1", Body: "Reply number " + pid + " sur l'établissement.", Language: lang})
			switch {
			case j%10 == 0:
				evs = append(evs, domain.PostHidden{ThreadID: tid, GroupID: "g", PostID: pid, By: "m1", Reason: "r"})
			case j%25 == 1:
				evs = append(evs, domain.PostDeleted{ThreadID: tid, GroupID: "g", PostID: pid, By: "m1"})
			case j%7 == 0:
				evs = append(evs, domain.PostEdited{ThreadID: tid, GroupID: "g", PostID: pid, Body: "Edited reply.", EditorID: "m1"})
				want = append(want, search.Key(search.TypePost, pid))
			default:
				want = append(want, search.Key(search.TypePost, pid))
			}
		}
		l.append(domain.ThreadStream(tid), evs...)
	}
	slices.Sort(want)
	end := l.last

	// The child opens the store itself: it is locked per process.
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	indexDir := filepath.Join(t.TempDir(), "index")
	cmd := exec.Command(os.Args[0], "-test.run=^TestIndexerRestart$", "-test.count=1")
	cmd.Env = append(os.Environ(), indexerChildEnv+"="+storeDir+string(os.PathListSeparator)+indexDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill it once it has written part of the log, a random moment later.
	sc := bufio.NewScanner(out)
	progressed := false
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "applied ") {
			progressed = true
			break
		}
	}
	if !progressed {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatal("the indexing child never wrote a batch")
	}
	time.Sleep(time.Duration(rand.IntN(50)) * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, out)
	cmd.Wait()
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("the child ended on its own (%v) instead of being killed", cmd.ProcessState)
	}

	st, err = embedded.Open(storeDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	l.store = st
	idx := openIndex(t, indexDir)
	defer idx.Close()
	mid, err := idx.Checkpoint(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if mid == eventstore.Start || !mid.Less(end) {
		t.Fatalf("checkpoint %v after the kill: want strictly between the start and %v", mid, end)
	}
	t.Logf("killed at %v of %v; %d documents then", mid, end, len(keys(t, idx)))
	x, _ := run(t, l, idx, search.IndexerOptions{BatchSize: 1000})
	waitFor(t, x, end)
	got := keys(t, idx)
	if !slices.Equal(got, want) {
		t.Fatalf("indexed %d documents, the events imply %d; first difference %s", len(got), len(want), firstDiff(got, want))
	}
	// And what the read models show: every thread, and every reply that is
	// neither hidden nor deleted, as an admin sees them.
	rm := projections.New(st, projections.Options{})
	if _, err := rm.Rebuild(context.Background()); err != nil {
		t.Fatal(err)
	}
	admin := projections.Viewer{MemberID: "m1", Roles: []string{domain.RoleAdmin}}
	shown := []string{search.Key(search.TypeGroup, "g")}
	for i := range threads {
		tid := fmt.Sprintf("t%04d", i)
		view, err := rm.Thread(admin, tid, projections.PageRequest{Limit: 200})
		if err != nil {
			t.Fatal(err)
		}
		shown = append(shown, search.Key(search.TypeThread, tid))
		for _, p := range view.Posts[1:] {
			if !p.Hidden && !p.Deleted {
				shown = append(shown, search.Key(search.TypePost, p.ID))
			}
		}
	}
	slices.Sort(shown)
	if !slices.Equal(got, shown) {
		t.Fatalf("indexed %d documents, the read models show %d; first difference %s", len(got), len(shown), firstDiff(got, shown))
	}
	// Edited posts carry their last text.
	r, err := idx.Search(context.Background(), search.Query{Text: "edited", Limit: 1})
	if err != nil || r.Total == 0 {
		t.Fatalf("edited posts: %+v %v", r.Total, err)
	}
}

const indexerChildEnv = "SETTLENET_INDEXER_CHILD"

// indexerChild indexes the store into the index until it is killed,
// printing each position the index has durably accepted.
func indexerChild(dirs string) {
	storeDir, indexDir, _ := strings.Cut(dirs, string(os.PathListSeparator))
	st, err := embedded.Open(storeDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	g, err := search.LoadGlossary()
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	idx, err := bleveindex.Open(indexDir, g)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	// Batches of 4,000 are written in parts with the checkpoint after them
	// (bleveindex.Apply): the kill may land between parts. The restarted
	// indexer uses batches of 1,000, written whole.
	x := search.NewIndexer(st, idx, search.IndexerOptions{BatchSize: 4000})
	go x.Run(context.Background())
	var last eventstore.Position
	for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); time.Sleep(time.Millisecond) {
		if p := x.Status().Position; p != last {
			last = p
			fmt.Printf("applied %v\n", p)
		}
	}
	os.Exit(3) // never killed: the parent reports it
}

func firstDiff(a, b []string) string {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return fmt.Sprintf("at %d: %s vs %s", i, a[i], b[i])
		}
	}
	return "in length"
}

// WaitFor answers for any position of the log, not only for events search
// reads: a member's last write may be one it skips (notifications read),
// and their next search waits for it. A skipped event behind an indexed one
// still waiting for its batch is held until that batch is written.
func TestWaitForPassesEventsSearchSkips(t *testing.T) {
	l := newLog(t)
	idx := openIndex(t, filepath.Join(t.TempDir(), "index"))
	defer idx.Close()
	// Batches are written when two events are pending, never on a timer.
	x, _ := run(t, l, idx, search.IndexerOptions{FlushEvery: time.Hour, BatchSize: 2})
	wait := func(pos eventstore.Position, d time.Duration) error {
		ctx, cancel := context.WithTimeout(context.Background(), d)
		defer cancel()
		return x.WaitFor(ctx, pos)
	}
	group := func(id, name string) {
		l.append("group-"+id, domain.GroupCreated{GroupID: id, Name: name, Description: "Un groupe.", Visibility: "open", Language: "fr", OwnerID: "m1"})
	}
	// Live, past catch-up (which writes what it read at the end of each
	// page).
	for deadline := time.Now().Add(5 * time.Second); !x.Status().CaughtUp; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("never caught up")
		}
	}
	group("g1", "Emploi")
	l.append("notifications-m1", domain.NotificationsRead{MemberID: "m1", All: true})
	behind := l.last
	if err := wait(behind, 100*time.Millisecond); err == nil {
		t.Fatal("a skipped event passed an indexed one still pending")
	}
	group("g2", "Jeunes")
	if err := wait(behind, 5*time.Second); err != nil {
		t.Fatalf("after the batch: %v (status %+v)", err, x.Status())
	}
	if got := hits(t, idx, search.Query{Text: "emploi", Access: search.Access{All: true}}); len(got) != 1 {
		t.Fatalf("hits: %v", got)
	}
	// Nothing pending: a skipped event is passed at once, no timer.
	l.append("notifications-m1", domain.NotificationsRead{MemberID: "m1", All: true})
	if err := wait(l.last, 5*time.Second); err != nil {
		t.Fatalf("a skipped event with nothing pending: %v (status %+v)", err, x.Status())
	}
}

// failingIndex refuses writes until it is told to accept them.
type failingIndex struct {
	*innerIndex
	mu     sync.Mutex
	refuse bool
	tries  int
	last   search.Batch
}

func (f *failingIndex) Apply(ctx context.Context, b search.Batch) error {
	f.mu.Lock()
	f.tries++
	f.last = b
	refuse := f.refuse
	f.mu.Unlock()
	if refuse {
		return errors.New("disk full")
	}
	return f.innerIndex.Apply(ctx, b)
}

// innerIndex names the embedded index apart from its Index method.
type innerIndex = bleveindex.Index

// An index that refuses a batch keeps it: the indexer retries the same
// batch, the position does not pass it, the status says why (for /readyz),
// and once the index accepts, the batch lands and the error clears.
func TestIndexerRetriesARefusedBatch(t *testing.T) {
	l := newLog(t)
	dir := filepath.Join(t.TempDir(), "index")
	inner := openIndex(t, dir)
	defer inner.Close()
	idx := &failingIndex{innerIndex: inner}
	x, stop := run(t, l, idx, search.IndexerOptions{})
	for deadline := time.Now().Add(5 * time.Second); !x.Status().CaughtUp; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("never caught up")
		}
	}
	before := x.Status().Position
	idx.mu.Lock()
	idx.refuse = true
	idx.mu.Unlock()
	l.append("group-g1", domain.GroupCreated{GroupID: "g1", Name: "Emploi", Description: "Un groupe.", Visibility: "open", Language: "fr", OwnerID: "m1"})
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		idx.mu.Lock()
		tries := idx.tries
		idx.mu.Unlock()
		if tries >= 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d tries in 5 s", tries)
		}
	}
	st := x.Status()
	if st.Error == "" || !strings.Contains(st.Error, "disk full") || st.Position != before {
		t.Fatalf("while the index refuses: status %+v, want the error and position %v", st, before)
	}
	if got := hits(t, inner, search.Query{Text: "emploi", Access: search.Access{All: true}}); len(got) != 0 {
		t.Fatalf("a refused batch was written: %v", got)
	}
	idx.mu.Lock()
	refused := idx.last
	idx.refuse = false
	idx.mu.Unlock()
	waitFor(t, x, l.last)
	idx.mu.Lock()
	accepted := idx.last
	idx.mu.Unlock()
	if accepted.Checkpoint != refused.Checkpoint || len(accepted.Upserts) != len(refused.Upserts) || len(accepted.Upserts) == 0 {
		t.Fatalf("the accepted batch is not the refused one: %+v, then %+v", refused, accepted)
	}
	if st := x.Status(); st.Error != "" {
		t.Fatalf("the error stayed after the index accepted: %+v", st)
	}
	if got := hits(t, inner, search.Query{Text: "emploi", Access: search.Access{All: true}}); len(got) != 1 {
		t.Fatalf("after the retry: %v", got)
	}
	// The checkpoint moved with the batch: a restart does not redo it.
	if err := stop(); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopping: %v", err)
	}
	if pos, err := inner.Checkpoint(context.Background()); err != nil || pos != l.last {
		t.Fatalf("checkpoint %v (%v), want %v", pos, err, l.last)
	}
}
