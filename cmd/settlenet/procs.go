package main

import (
	"log/slog"
	"os"
	"runtime"
)

// syncProcs gives the Go scheduler one P more than its default (the cores
// the process may use) when the embedded event store is in use, unless
// GOMAXPROCS is set in the environment.
//
// Why: every group commit blocks a thread in fdatasync, hundreds to
// thousands of times a second under write load, and a P whose goroutine is
// in a system call stays with it until the runtime's monitor takes it
// back; at the default, the engine used ~1.5 of 2 cores while replies
// queued. Measured with `settlenet loadtest` on the 2-core reference
// machine (BENCHMARKS.md): 3 Ps against 2 give +42% replies per second and
// a third off their p99; thread reads keep their rate, and their p99 goes
// from 3.8 to 6.4 ms, as the OS now shares the cores among more threads.
// Four Ps gained no more for writes and doubled the reads' p99.
//
// Setting GOMAXPROCS stops the runtime from following later changes of the
// container's CPU limit; the default it starts from already follows the
// limit at start.
func syncProcs(logger *slog.Logger) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	n := runtime.GOMAXPROCS(0) + 1
	runtime.GOMAXPROCS(n)
	logger.Debug("GOMAXPROCS raised for the embedded store's synced writes", "gomaxprocs", n)
}
