package main

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// httpStep runs `settlenet loadtest`, which assembles the whole engine the
// way `serve` does (that wiring lives in cmd/settlenet), serves it on a
// loopback port and drives it with 64 HTTP clients.
func httpStep() step {
	return step{
		names: []string{
			"reply_posts_per_s_64", "reply_p50_ms_64", "reply_p99_ms_64",
			"reply_append_p50_ms_64", "reply_append_p99_ms_64", "reply_cpu_us_per_post_64", "reply_search_catchup_ms_64",
			"thread_reads_per_s_64", "thread_read_p50_ms_64", "thread_read_p99_ms_64", "thread_read_cpu_us_per_read_64",
		},
		run: runHTTP,
	}
}

func runHTTP(ctx context.Context, b *bench) error {
	dir, cleanup, err := b.scratch("http")
	if err != nil {
		return err
	}
	defer cleanup()
	bin := filepath.Join(dir, "settlenet")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/settlenet")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("build settlenet (run make bench from the repository root): %w", err)
	}
	cmd := exec.CommandContext(ctx, bin, "loadtest",
		"-only", b.only, "-dir", dir, "-duration", b.duration(5*time.Second).String())
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		// Relay the figures through report, so ratios and filters work as
		// for every other step.
		var name, unit string
		var v float64
		if f := strings.Fields(line); len(f) >= 3 && f[0] == "BENCH" {
			name = f[1]
			fmt.Sscan(f[2], &v)
			unit = strings.Join(f[3:], " ")
			b.report(name, v, unit)
		}
	}
	return cmd.Wait()
}
