package api

import (
	"strings"
	"testing"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/projections"
)

// fakeThreads is a read side whose stamp and sharedness a test sets, and
// which counts the answers it builds.
type fakeThreads struct {
	stamp  projections.ThreadStamp
	shared bool
	builds int
	// duringBuild runs inside Thread (a change landing mid-build).
	duringBuild func()
}

func (f *fakeThreads) ThreadShare(projections.Viewer, string, projections.PageRequest) (projections.ThreadStamp, bool, error) {
	return f.stamp, f.shared, nil
}

func (f *fakeThreads) Thread(v projections.Viewer, id string, _ projections.PageRequest) (projections.ThreadView, error) {
	f.builds++
	if f.duringBuild != nil {
		f.duringBuild()
	}
	return projections.ThreadView{Thread: projections.Thread{ID: id, Title: v.MemberID}, Posts: []projections.Post{}}, nil
}

func TestThreadAnswersKeepOnlyStableSharedAnswers(t *testing.T) {
	alice, bob := projections.Viewer{MemberID: "alice"}, projections.Viewer{MemberID: "bob"}
	read := func(a *threadAnswers, f *fakeThreads, v projections.Viewer, p projections.PageRequest) string {
		t.Helper()
		b, err := a.answer(f, v, "t1", p)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	for _, tc := range []struct {
		name string
		// run reads and changes; builds is how many answers were built.
		run    func(a *threadAnswers, f *fakeThreads)
		builds int
	}{
		{"shared answers are built once", func(a *threadAnswers, f *fakeThreads) {
			read(a, f, alice, projections.PageRequest{})
			if got := read(a, f, bob, projections.PageRequest{}); !strings.Contains(got, `"title":"alice"`) {
				t.Fatalf("bob did not get the kept answer: %s", got)
			}
		}, 1},
		{"a new stamp builds anew", func(a *threadAnswers, f *fakeThreads) {
			read(a, f, alice, projections.PageRequest{})
			f.stamp.Thread.Commit++
			if got := read(a, f, bob, projections.PageRequest{}); !strings.Contains(got, `"title":"bob"`) {
				t.Fatalf("bob got a stale answer: %s", got)
			}
		}, 2},
		{"personal answers are never kept", func(a *threadAnswers, f *fakeThreads) {
			f.shared = false
			read(a, f, alice, projections.PageRequest{})
			if got := read(a, f, bob, projections.PageRequest{}); !strings.Contains(got, `"title":"bob"`) {
				t.Fatalf("bob got alice's answer: %s", got)
			}
		}, 2},
		{"moderators and pages are kept apart", func(a *threadAnswers, f *fakeThreads) {
			read(a, f, alice, projections.PageRequest{})
			read(a, f, alice, projections.PageRequest{Limit: 5})
			f.stamp.Moderator = true
			read(a, f, alice, projections.PageRequest{})
			read(a, f, bob, projections.PageRequest{Limit: 5, Cursor: "x"})
		}, 4},
		{"an answer whose thread changed while it was built is not kept", func(a *threadAnswers, f *fakeThreads) {
			f.duringBuild = func() { f.stamp.Names.Commit++ }
			read(a, f, alice, projections.PageRequest{})
			f.duringBuild = nil
			if got := read(a, f, bob, projections.PageRequest{}); !strings.Contains(got, `"title":"bob"`) {
				t.Fatalf("bob got an answer built across a change: %s", got)
			}
		}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := &fakeThreads{stamp: projections.ThreadStamp{Thread: eventstore.Position{Commit: 7}, Names: eventstore.Position{Commit: 3}}, shared: true}
			a := newThreadAnswers(1 << 20)
			tc.run(a, f)
			if f.builds != tc.builds {
				t.Fatalf("built %d answers, want %d", f.builds, tc.builds)
			}
		})
	}
}

// TestThreadAnswersBounded: the kept answers never exceed their byte bound.
func TestThreadAnswersBounded(t *testing.T) {
	a := newThreadAnswers(10_000)
	for i := range 1000 {
		// A dozen keys that come back with newer answers: replacing one
		// evicts others, or itself.
		a.put(threadKey{id: strings.Repeat("t", i%12+1)}, threadAnswer{stamp: projections.ThreadStamp{Thread: eventstore.Position{Commit: uint64(i)}}, body: make([]byte, 1000+i*37%250)})
		total := 0
		for _, e := range a.m {
			total += len(e.body)
		}
		if total != a.bytes || total > 10_000 {
			t.Fatalf("after %d answers: %d bytes kept, %d counted", i+1, total, a.bytes)
		}
	}
}
