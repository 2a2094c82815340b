// Command bench runs SettleNet's benchmark programs and prints each figure
// on a line of its own as "BENCH <name> <value> <unit>". With -only PREFIX
// it runs only the figures whose names start with PREFIX. Figures that are
// ratios to a limit print the limit, measured in the same run, beside them.
//
// Benchmarks run on loopback and in a scratch directory on the disk of -dir,
// bounded in time; they never touch another host.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/settlenet/settlenet/cmd/internal/tune"
)

// step is one benchmark program; it produces the figures it names.
type step struct {
	names []string
	run   func(ctx context.Context, b *bench) error
}

type bench struct {
	dir    string
	only   string
	scale  float64
	values map[string]float64
	// searchIndex keeps the search step's index between runs (see -search-index).
	searchIndex string
}

// wants reports whether a figure was asked for.
func (b *bench) wants(name string) bool { return strings.HasPrefix(name, b.only) }

// report prints a figure if it was asked for, and keeps it for ratios.
func (b *bench) report(name string, value float64, unit string) {
	b.values[name] = value
	if b.wants(name) {
		fmt.Printf("BENCH %s %.6g %s\n", name, value, unit)
	}
}

// scratch makes a fresh directory for one step on the disk under test.
func (b *bench) scratch(name string) (string, func(), error) {
	d, err := os.MkdirTemp(b.dir, ".bench-"+name+"-")
	if err != nil {
		return "", nil, err
	}
	return d, func() { os.RemoveAll(d) }, nil
}

func main() {
	dir := flag.String("dir", ".", "directory on the disk to measure; scratch data goes in a temporary folder inside it")
	only := flag.String("only", "", "run only figures whose names start with this prefix")
	scale := flag.Float64("scale", 1, "multiply the durations and sizes of the benchmarks (0.1 for a smoke run)")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile of the run to this file")
	searchIndex := flag.String("search-index", "", "keep the search step's index in this directory, and when it already holds one, query it without indexing again")
	flag.Parse()
	if *cpuprofile != "" {
		f, err := os.Create(*cpuprofile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "bench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	// The engine's parts are measured as settlenet runs them: the
	// collector's pace, and serve's spare P for the embedded store
	// (settlenet loadtest, in the http step, does both itself).
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	tune.GC(quiet)
	tune.SpareProc(quiet)
	host, _ := os.Hostname()
	fmt.Printf("# settlenet bench %s on %s, %d cores, GOMAXPROCS %d, GOGC %d, memory limit %d MiB\n", time.Now().UTC().Format(time.RFC3339), host, numCPU(),
		runtime.GOMAXPROCS(0), gcPercent(), debug.SetMemoryLimit(-1)>>20)
	b := &bench{dir: *dir, only: *only, scale: *scale, values: map[string]float64{}, searchIndex: *searchIndex}
	ran := 0
	for _, s := range steps() {
		if !slices.ContainsFunc(s.names, b.wants) {
			continue
		}
		ran++
		if err := s.run(ctx, b); err != nil {
			fmt.Fprintf(os.Stderr, "bench: %s: %v\n", s.names[0], err)
			os.Exit(1)
		}
	}
	if ran == 0 {
		fmt.Fprintf(os.Stderr, "bench: no figure starts with %q\n", *only)
		stop()
		os.Exit(2)
	}
}

func steps() []step {
	return []step{
		storeStep(),
		searchStep(),
		indexFloorStep(),
		reindexStep(),
		httpStep(),
		esdbStep(),
		rebuildStep(),
		liveStep(),
		pagesStep(),
	}
}

// gcPercent is the collector's GOGC setting.
func gcPercent() int {
	p := debug.SetGCPercent(100)
	debug.SetGCPercent(p)
	return p
}
