package domain

import (
	"context"
	"errors"
	"testing"

	"github.com/settlenet/settlenet/eventstore"
)

// afterAppend runs once, after the first append to one stream.
type afterAppend struct {
	EventStore
	stream string
	then   func()
}

func (a *afterAppend) Append(ctx context.Context, stream string, expected eventstore.ExpectedRevision, events ...eventstore.EventData) (eventstore.AppendResult, error) {
	r, err := a.EventStore.Append(ctx, stream, expected, events...)
	if stream == a.stream && a.then != nil {
		then := a.then
		a.then = nil
		then()
	}
	return r, err
}

// TestLinkRaceLeavesOneTranslation: A (en) is linked to B (fr) while,
// between A's step and B's, another instance links C (en) to B. B keeps
// C; A's link is undone and the caller told of the conflict, so no
// thread ends with two translations in one language.
func TestLinkRaceLeavesOneTranslation(t *testing.T) {
	ctx := context.Background()
	raw := openStore(t)
	other := newTestService(raw, Options{})
	owner := mustRegister(t, other, "owner@example.ca")
	g, err := other.CreateGroup(ctx, origin(owner), CreateGroup{Name: "Youth", Visibility: VisibilityOpen, Language: LanguageBilingual})
	if err != nil {
		t.Fatal(err)
	}
	start := func(title, lang string) string {
		r, err := other.StartThread(ctx, origin(owner), StartThread{GroupID: g.GroupID, Title: title, Body: "b", Language: lang})
		if err != nil {
			t.Fatal(err)
		}
		return r.ThreadID
	}
	a, b, c := start("Welcome", "en"), start("Bienvenue", "fr"), start("Welcome again", "en")

	hooked := &afterAppend{EventStore: raw, stream: ThreadStreamPrefix + a}
	hooked.then = func() {
		if _, err := other.LinkTranslation(ctx, origin(owner), c, b); err != nil {
			t.Errorf("the concurrent link: %v", err)
		}
	}
	s := newTestService(hooked, Options{})
	if _, err := s.LinkTranslation(ctx, origin(owner), a, b); !errors.Is(err, ErrConflict) {
		t.Fatalf("the link that lost the race: %v, want a conflict", err)
	}
	links := func(id string) map[string]string {
		ref, err := view(ctx, s, threadAggregate(), id, -1, threadRef)
		if err != nil {
			t.Fatal(err)
		}
		return ref.Translations
	}
	if got := links(a); len(got) != 0 {
		t.Fatalf("A kept a link: %v", got)
	}
	if got := links(b); len(got) != 1 || got[c] != LanguageEnglish {
		t.Fatalf("B: %v, want only C", got)
	}
}
