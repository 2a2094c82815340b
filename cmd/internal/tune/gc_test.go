package tune

import (
	"io"
	"log/slog"
	"math"
	"os"
	"runtime/debug"
	"testing"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// restoreGC puts the collector's settings back after a test changes them.
func restoreGC(t *testing.T) {
	pct, limit := debug.SetGCPercent(-1), debug.SetMemoryLimit(-1)
	debug.SetGCPercent(pct)
	t.Cleanup(func() {
		debug.SetGCPercent(pct)
		debug.SetMemoryLimit(limit)
	})
}

func TestTuneGCPacesUnderAMemoryBound(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "")
	unsetenv(t, "GOMEMLIMIT")
	unsetenv(t, "AUTOMEMLIMIT")
	avail, err := memlimit.ApplyFallback(memlimit.FromCgroup, memlimit.FromSystem)()
	if err != nil {
		t.Skipf("no memory bound on this machine: %v", err)
	}
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(math.MaxInt64)
	GC(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC after GC = %d, want %d", got, gcPercent)
	}
	want := int64(float64(avail) * memoryShare)
	if got := debug.SetMemoryLimit(-1); got < want*99/100 || got > want*101/100 {
		t.Errorf("memory limit = %d, want about %d (%.0f%% of %d)", got, want, 100*memoryShare, avail)
	}
}

func TestTuneGCLeavesAnExplicitGOGC(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "150")
	debug.SetGCPercent(150)
	debug.SetMemoryLimit(math.MaxInt64)
	GC(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if got := debug.SetGCPercent(100); got != 150 {
		t.Errorf("GOGC = %d, want the environment's 150", got)
	}
	if got := debug.SetMemoryLimit(-1); got != math.MaxInt64 {
		t.Errorf("memory limit = %d, want none", got)
	}
}

func TestTuneGCTakesAnExplicitLimit(t *testing.T) {
	restoreGC(t)
	t.Setenv("GOGC", "")
	t.Setenv("GOMEMLIMIT", "1GiB")
	debug.SetGCPercent(100)
	debug.SetMemoryLimit(1 << 30) // as the runtime reads GOMEMLIMIT at start
	GC(slog.New(slog.NewTextHandler(io.Discard, nil)))
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC = %d, want %d under the environment's limit", got, gcPercent)
	}
	if got := debug.SetMemoryLimit(-1); got != 1<<30 {
		t.Errorf("memory limit = %d, want the environment's 1 GiB", got)
	}
}

// unsetenv removes a variable for the test, restoring it after.
func unsetenv(t *testing.T, name string) {
	t.Setenv(name, "")
	os.Unsetenv(name)
}
