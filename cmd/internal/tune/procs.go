package tune

import (
	"log/slog"
	"os"
	"runtime"
)

// SpareProc gives the Go scheduler one P more than its default (the cores
// the process may use), for a process that appends to the embedded event
// store, unless GOMAXPROCS is set in the environment.
//
// Why: every group commit blocks a thread in fdatasync, hundreds to
// thousands of times a second under write load, and a P whose goroutine is
// in a system call stays with it until the runtime's monitor takes it
// back (golang/go#29734). Measured on the 2-core reference machine
// (BENCHMARKS.md): 3 Ps against 2 give the engine +42% replies per second
// and a third off their p99, and the store alone a single appender nearer
// the disk's sync rate (0.81-0.82 of it against 0.78) and 64 appenders
// nearer the group-commit ceiling (0.72-0.84 against 0.65-0.73); thread
// reads keep their rate, and their p99 goes from 3.8 to 6.4 ms, as the OS
// now shares the cores among more threads. Four Ps gained no more for
// writes and doubled the reads' p99.
//
// Setting GOMAXPROCS stops the runtime from following later changes of the
// container's CPU limit; the default it starts from already follows the
// limit at start.
func SpareProc(logger *slog.Logger) {
	if os.Getenv("GOMAXPROCS") != "" {
		return
	}
	n := runtime.GOMAXPROCS(0) + 1
	runtime.GOMAXPROCS(n)
	logger.Debug("GOMAXPROCS raised for the embedded store's synced writes", "gomaxprocs", n)
}
