package embedded_test

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/settlenet/settlenet/eventstore"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/eventstore/storetest"
)

const crashChildEnv = "SETTLENET_CRASH_CHILD_DIR"

// TestCrashRecovery runs a child process that appends with 64 writers and
// reports every acknowledged event, kills it with SIGKILL at random moments,
// and checks after each reopen that every acknowledged event is there exactly
// once, that stream revisions have no gaps, and that the store still works.
func TestCrashRecovery(t *testing.T) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	acked := map[eventstore.EventID]string{}
	const kills = 24
	for round := range kills {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashRecovery$", "-test.count=1")
		cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		started := make(chan struct{})
		readDone := make(chan struct{})
		go func() {
			defer close(readDone)
			sc := bufio.NewScanner(out)
			once := sync.Once{}
			for sc.Scan() {
				f := strings.Fields(sc.Text())
				if len(f) == 1 && f[0] == "ready" {
					once.Do(func() { close(started) })
					continue
				}
				if len(f) < 3 || f[0] != "ack" {
					continue // a line cut by the kill
				}
				for _, s := range f[2:] {
					id, err := eventstore.ParseEventID(s)
					if err != nil {
						continue
					}
					mu.Lock()
					acked[id] = f[1]
					mu.Unlock()
				}
			}
		}()
		select {
		case <-started:
		case <-time.After(60 * time.Second):
			cmd.Process.Kill()
			t.Fatal("child did not start")
		}
		time.Sleep(time.Duration(20+rand.IntN(300)) * time.Millisecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-readDone
		cmd.Wait()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || ws.Signal() != syscall.SIGKILL {
			t.Fatalf("round %d: child ended on its own (%v) instead of being killed", round, cmd.ProcessState)
		}
		verifyAfterCrash(t, func() (*embedded.Store, error) { return embedded.Open(dir) }, acked, round)
	}
	if len(acked) < 1000 {
		t.Fatalf("only %d acknowledged events across %d kills: the child did not get going", len(acked), kills)
	}
	t.Logf("%d kills, %d acknowledged events all present exactly once", kills, len(acked))
}

func verifyAfterCrash(t *testing.T, reopen func() (*embedded.Store, error), acked map[eventstore.EventID]string, round int) {
	t.Helper()
	s, err := reopen()
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer s.Close()
	ctx := context.Background()
	seen := map[eventstore.EventID]int{}
	heads := map[string]int64{}
	var after eventstore.Position
	for {
		page, err := s.ReadAll(ctx, after, 4096)
		if err != nil {
			t.Fatalf("round %d: read all: %v", round, err)
		}
		if len(page) == 0 {
			break
		}
		for _, r := range page {
			seen[r.ID]++
			prev, ok := heads[r.Stream]
			if !ok {
				prev = -1
			}
			if int64(r.Revision) != prev+1 {
				t.Fatalf("round %d: %s has revision %d after %d", round, r.Stream, r.Revision, prev)
			}
			heads[r.Stream] = int64(r.Revision)
		}
		after = page[len(page)-1].Position
	}
	for id, stream := range acked {
		if seen[id] != 1 {
			t.Fatalf("round %d: acknowledged event %s of %s is present %d times", round, id, stream, seen[id])
		}
	}
	for stream, head := range heads {
		recs, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, FromEnd: true, Max: 1})
		if err != nil || len(recs) != 1 || int64(recs[0].Revision) != head {
			t.Fatalf("round %d: %s stream read disagrees with the log: %v %v", round, stream, recs, err)
		}
	}
	// The store keeps working: an append at the recovered head succeeds.
	if len(heads) > 0 {
		for stream, head := range heads {
			if _, err := s.Append(ctx, stream, eventstore.Exact(uint64(head)), storetest.Event("AfterCrash", round)); err != nil {
				t.Fatalf("round %d: append after recovery: %v", round, err)
			}
			break
		}
	}
}

// crashChild appends until it is killed, printing each acknowledged append.
func crashChild(dir string) {
	s, err := embedded.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child open:", err)
		os.Exit(2)
	}
	ctx := context.Background()
	var outMu sync.Mutex
	fmt.Println("ready")
	var wg sync.WaitGroup
	for w := range 64 {
		wg.Go(func() {
			stream := "crash-" + strconv.Itoa(w)
			next := eventstore.NoStream()
			if recs, err := s.ReadStream(ctx, stream, eventstore.ReadStreamOptions{Direction: eventstore.Backwards, FromEnd: true, Max: 1}); err == nil {
				next = eventstore.Exact(recs[0].Revision)
			}
			for i := 0; ; i++ {
				evs := make([]eventstore.EventData, 1+i%3)
				line := "ack " + stream
				for j := range evs {
					evs[j] = storetest.Event("Crashed", i)
					line += " " + evs[j].ID.String()
				}
				res, err := s.Append(ctx, stream, next, evs...)
				if err != nil {
					fmt.Fprintln(os.Stderr, "child append:", err)
					os.Exit(3)
				}
				next = eventstore.Exact(res.NextRevision)
				outMu.Lock()
				os.Stdout.WriteString(line + "\n")
				outMu.Unlock()
			}
		})
	}
	wg.Wait()
}
