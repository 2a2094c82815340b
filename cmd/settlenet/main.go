// Command settlenet runs the SettleNet engine and its tools:
//
//	settlenet serve    start the HTTP server
//	settlenet admin    grant or revoke a site role, offline (admin grant --email E --role admin)
//	settlenet seed     seed a demo community (seed --demo)
//
// Every flag of serve is also an environment variable SETTLENET_<NAME>.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/settlenet/settlenet/cmd/internal/tune"
)

func main() {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	tune.GC(logger)
	if err := run(ctx, logger, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "settlenet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, logger *slog.Logger, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("usage: settlenet serve [flags]")
	}
	switch args[0] {
	case "serve":
		return serve(ctx, logger, args[1:])
	case "admin":
		return adminCommand(ctx, logger, args[1:])
	case "loadtest":
		return loadtest(ctx, logger, args[1:])
	case "seed":
		return seedCommand(ctx, logger, args[1:])
	case "store":
		return storeCommand(ctx, logger, args[1:])
	case "search":
		return searchCommand(ctx, logger, os.Stderr, args[1:])
	case "-h", "--help", "help":
		fmt.Println(`usage: settlenet <command> [flags]
  serve      start the server (settlenet serve -h lists the flags)
  seed       create the demo community (--demo)
  admin      grant or revoke site roles offline
  store      copy events between stores
  loadtest   drive the engine over loopback HTTP and print BENCH figures`)
		return nil
	}
	return fmt.Errorf("unknown command %q (try: settlenet serve)", args[0])
}
