// Package tune sets up the Go runtime as SettleNet's programs run the
// engine: the garbage collector's pace under a memory bound (GC) and a
// spare P for the embedded store's synced writes (SpareProc). Only a
// program's main calls it, as both change the whole process; settlenet
// and the benchmark program share it so that the figures are taken as
// the engine runs.
package tune

import (
	"log/slog"
	"math"
	"os"
	"runtime/debug"

	"github.com/KimMachineGun/automemlimit/memlimit"
)

// gcPercent is the collector's pace once the heap has a bound: a cycle
// starts when the heap has grown by four times what the last one left live,
// instead of Go's default of once.
const gcPercent = 400

// memoryShare is the part of the process's memory (its cgroup's limit, or
// the machine's) the heap may grow to before the collector works harder
// than gcPercent asks: room for the page cache the stores and the search
// index live on, and for the other services of a single-host deployment.
const memoryShare = 0.5

// GC trades memory for CPU in the long-running commands, unless GOGC is
// set in the environment (GOMEMLIMIT or AUTOMEMLIMIT set the bound).
//
// Why: a reply's work allocates (request, decision, events, read models,
// search segments), and at Go's default pace the collector took ~10% of the
// CPU under `settlenet loadtest`'s 64 writers. At 400, measured on the
// 2-core reference machine in interleaved 6-s runs (BENCHMARKS.md): CPU per
// reply 130-136 us against 142-162, p99 16.6-19.0 ms against 20.7-22.9.
// The cost is memory: the heap may reach five times its live size (the read
// models are most of it: ~1.3 GB at 1M events), so the soft limit of
// memoryShare keeps a large community from growing past its share; near the
// limit the collector paces itself by the limit instead. Without a bound it
// can find, the process keeps Go's default pace.
func GC(logger *slog.Logger) {
	if os.Getenv("GOGC") != "" {
		return
	}
	limit, err := memlimit.Set(
		memlimit.WithRatio(memoryShare),
		memlimit.WithProvider(memlimit.ApplyFallback(memlimit.FromCgroup, memlimit.FromSystem)),
	)
	if err != nil || limit <= 0 || limit == math.MaxInt64 {
		logger.Debug("garbage collector left at Go's default pace: no memory bound", "err", err)
		return
	}
	debug.SetGCPercent(gcPercent)
	logger.Debug("garbage collector paced for throughput", "gogc", gcPercent, "memory_limit_mb", limit>>20)
}
