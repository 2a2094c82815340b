package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/settlenet/settlenet/domain/domaintest"
	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/projections"
)

func rebuildStep() step {
	return step{names: []string{"rebuild_events_per_s", "rebuild_peak_rss_mb_1m"}, run: runRebuild}
}

// runRebuild fills a store with ~1M realistic domain events, then times a
// rebuild of every read model from position zero. Peak RSS is the process's
// VmHWM, reset (clear_refs 5) after the fill so that it measures the
// rebuild and the models it builds, not the generator.
func runRebuild(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("rebuild")
	if err != nil {
		return err
	}
	defer cleanup()
	path := filepath.Join(dir, "events")
	s, err := embedded.Open(path)
	if err != nil {
		return err
	}
	total := b.count(1_000_000)
	n, err := domaintest.FillCommunity(ctx, s, total)
	if err != nil {
		s.Close()
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	runtime.GC()
	debug.FreeOSMemory()
	resetErr := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	s, err = embedded.Open(path)
	if err != nil {
		return err
	}
	defer s.Close()
	r := projections.New(s, projections.Options{})
	start := time.Now()
	st, err := r.Rebuild(ctx)
	if err != nil {
		return err
	}
	elapsed := time.Since(start)
	if st.Records != n {
		return fmt.Errorf("rebuild read %d records, wrote %d", st.Records, n)
	}
	for _, ps := range r.Status() {
		if ps.Error != "" {
			return fmt.Errorf("projection %s failed: %s", ps.Name, ps.Error)
		}
	}
	b.report("rebuild_events_per_s", float64(st.Records)/elapsed.Seconds(), fmt.Sprintf("events/s (target >= 200000; %d events, %d decoded, %.2fs)", st.Records, st.Decoded, elapsed.Seconds()))
	hwm, err := vmHWM()
	if err != nil {
		return err
	}
	note := "MB (VmHWM after a reset past the fill)"
	if resetErr != nil {
		note = "MB (VmHWM of the whole process: clear_refs unavailable)"
	}
	runtime.KeepAlive(r)
	b.report("rebuild_peak_rss_mb_1m", hwm, note)
	return nil
}

func vmHWM() (float64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb / 1024, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}
