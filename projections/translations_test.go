package projections

import (
	"context"
	"testing"

	"github.com/settlenet/settlenet/domain"
)

// A link shows on both threads; undone from either side, it leaves both.
func TestTranslationLinkAndUnlink(t *testing.T) {
	w := newWorld(t)
	w.run()
	ctx := context.Background()
	w.register("owner", "Olga Owner", "en")
	w.group("owner", "g", domain.VisibilityOpen)
	w.thread("owner", "g", "ten", "Welcome", "Hello.", "en", "", nil)
	w.thread("owner", "g", "tfr", "Bienvenue", "Bonjour.", "fr", "", nil)
	count := func() (en, fr int) {
		w.t.Helper()
		w.sync()
		a, err := w.r.Thread(Viewer{}, "ten", PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := w.r.Thread(Viewer{}, "tfr", PageRequest{})
		if err != nil {
			t.Fatal(err)
		}
		return len(a.Thread.Translations), len(b.Thread.Translations)
	}
	w.note(w.svc.LinkTranslation(ctx, as("owner"), "ten", "tfr"))
	if en, fr := count(); en != 1 || fr != 1 {
		t.Fatalf("linked: %d and %d translations", en, fr)
	}
	w.note(w.svc.UnlinkTranslation(ctx, as("owner"), "tfr", "ten"))
	if en, fr := count(); en != 0 || fr != 0 {
		t.Fatalf("unlinked: %d and %d translations", en, fr)
	}
}
