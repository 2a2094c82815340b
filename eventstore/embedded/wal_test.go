package embedded_test

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

// readAll answers every event in the store, in order.
func readAll(t *testing.T, s eventstore.Store) []eventstore.Record {
	t.Helper()
	var all []eventstore.Record
	for after := eventstore.Start; ; {
		page, err := s.ReadAll(context.Background(), after, 1000)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return all
		}
		all = append(all, page...)
		after = page[len(page)-1].Position
	}
}

// appendN appends n events to stream one at a time, each acknowledged.
func appendN(t *testing.T, s eventstore.Store, stream string, n int) {
	t.Helper()
	for i := range n {
		if _, err := s.Append(context.Background(), stream, eventstore.Any(), storetest.Event("Logged", i)); err != nil {
			t.Fatalf("append %d: %v", i, err)
		}
	}
}

// checkStream checks that the store holds n events of stream at
// revisions 0..n-1, and nothing else.
func checkStream(t *testing.T, s eventstore.Store, stream string, n int) {
	t.Helper()
	all := readAll(t, s)
	if len(all) != n {
		t.Fatalf("%d events, want %d", len(all), n)
	}
	for i, r := range all {
		if r.Stream != stream || r.Revision != uint64(i) || r.Position.Commit != uint64(i+1) {
			t.Fatalf("event %d: %s@%d at %v", i, r.Stream, r.Revision, r.Position)
		}
	}
}

// TestOpensAStoreKeptByPebblesLog: a store written before the store kept
// its own log has its last events in Pebble's log only (the fixture was
// written by that code, which then exited without closing the store).
// They are all there after an open, and stay after the next one.
func TestOpensAStoreKeptByPebblesLog(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS("testdata/pebble-log-store")); err != nil {
		t.Fatal(err)
	}
	check := func(s eventstore.Store, want int) {
		t.Helper()
		all := readAll(t, s)
		if len(all) != want {
			t.Fatalf("%d events, want %d", len(all), want)
		}
		for i, r := range all[:30] {
			st, n := i/10, i%10
			if r.Stream != fmt.Sprintf("old-%d", st) || r.Revision != uint64(n) || r.ID[0] != byte(st+1) || r.ID[1] != byte(n+1) ||
				string(r.Data) != fmt.Sprintf(`{"stream":%d,"n":%d}`, st, n) || r.Position.Commit != uint64(i+1) {
				t.Fatalf("event %d: %+v", i, r)
			}
		}
	}
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	check(s, 30)
	if _, err := s.Append(context.Background(), "old-0", eventstore.Exact(9), storetest.Event("Logged", 0)); err != nil {
		t.Fatalf("append after the old events: %v", err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	check(s, 31)
}

// TestATornLogTailIsCutOff: a crash in the middle of a write leaves the
// log's last frame cut short. The store opens with every acknowledged
// event and goes on from there.
func TestATornLogTailIsCutOff(t *testing.T) {
	fs := vfs.NewCrashableMem()
	s, err := embedded.Open("/store", embedded.WithVFS(fs))
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "torn", 50)
	crashed := fs.CrashClone(vfs.CrashCloneCfg{}) // what was synced, no more
	s.Close()
	segment := lastSegment(t, crashed, "/store/"+embedded.LogDir)
	data := readFile(t, crashed, segment)
	// The header of a 1,000-byte frame and 10 bytes of it.
	torn := append(data, 0xe8, 0x03, 0, 0, 1, 2, 3, 4, 51, 0, 0, 0, 0, 0, 0, 0, 51, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10)
	writeFile(t, crashed, segment, torn)

	s, err = embedded.Open("/store", embedded.WithVFS(crashed))
	if err != nil {
		t.Fatalf("open after a torn write: %v", err)
	}
	defer s.Close()
	checkStream(t, s, "torn", 50)
	appendN(t, s, "torn", 1)
	checkStream(t, s, "torn", 51)
}

// TestACorruptLogSegmentStopsTheOpen: a frame that does not check out in
// a segment before the last is not a torn write but a damaged disk: the
// store refuses to open rather than lose what follows it.
func TestACorruptLogSegmentStopsTheOpen(t *testing.T) {
	fs := vfs.NewCrashableMem()
	s, err := embedded.Open("/store", embedded.WithVFS(fs), embedded.WithTableWriteRate(0))
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "corrupt", 10)
	crashed := fs.CrashClone(vfs.CrashCloneCfg{})
	s.Close()
	// A segment after the one holding the events, as if they had gone on.
	dir := "/store/" + embedded.LogDir
	segment := lastSegment(t, crashed, dir)
	data := readFile(t, crashed, segment)
	data[len(data)-1] ^= 0xff
	writeFile(t, crashed, segment, data)
	writeFile(t, crashed, crashed.PathJoin(dir, "999999.log"), nil)
	if _, err := embedded.Open("/store", embedded.WithVFS(crashed)); err == nil || !strings.Contains(err.Error(), "replay the log") {
		t.Fatalf("open over a corrupt segment: %v", err)
	}
}

// TestOldLogSegmentsAreRemoved: once the log moves to a new segment and
// Pebble has flushed, the segments before it go; every event stays.
func TestOldLogSegmentsAreRemoved(t *testing.T) {
	dir := t.TempDir()
	s, err := embedded.Open(dir, embedded.WithLogSegmentSize(4<<10))
	if err != nil {
		t.Fatal(err)
	}
	appendN(t, s, "rotated", 300) // ~100 KiB of frames: ~25 segments
	segments := func() []string {
		t.Helper()
		names, err := filepath.Glob(filepath.Join(dir, embedded.LogDir, "*.log"))
		if err != nil {
			t.Fatal(err)
		}
		return names
	}
	for deadline := time.Now().Add(20 * time.Second); len(segments()) > 1; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("segments left: %v", segments())
		}
	}
	checkStream(t, s, "rotated", 300)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = open(t, dir)
	checkStream(t, s, "rotated", 300)
	appendN(t, s, "rotated", 1)
	checkStream(t, s, "rotated", 301)
}

func lastSegment(t *testing.T, fs vfs.FS, dir string) string {
	t.Helper()
	names, err := fs.List(dir)
	if err != nil {
		t.Fatal(err)
	}
	last := ""
	for _, n := range names {
		if strings.HasSuffix(n, ".log") && n > last {
			last = n
		}
	}
	if last == "" {
		t.Fatalf("no log segment in %s: %v", dir, names)
	}
	return fs.PathJoin(dir, last)
}

func readFile(t *testing.T, fs vfs.FS, name string) []byte {
	t.Helper()
	f, err := fs.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, fs vfs.FS, name string, data []byte) {
	t.Helper()
	f, err := fs.Create(name, vfs.WriteCategoryUnspecified)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(data); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
