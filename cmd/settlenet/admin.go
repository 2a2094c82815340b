package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"

	"github.com/settlenet/settlenet/domain"
)

// adminCommand is `settlenet admin grant --email E --role admin|moderator`
// (and `revoke`): offline, against the configured store, as the system (the
// empty actor), so it works before any admin exists. The store flags are
// serve's (--store, --data-dir, --esdb-url).
func adminCommand(ctx context.Context, logger *slog.Logger, args []string) error {
	const usage = "usage: settlenet admin grant|revoke --email E --role admin|moderator [store flags]"
	if len(args) == 0 || (args[0] != "grant" && args[0] != "revoke") {
		return errors.New(usage)
	}
	verb := args[0]
	email, role, rest, err := takeFlags(args[1:], "email", "role")
	if err != nil {
		return fmt.Errorf("%w\n%s", err, usage)
	}
	if email == "" || role == "" {
		return errors.New(usage)
	}
	cfg, err := parseConfig("admin "+verb, rest)
	if err != nil {
		return err
	}
	store, err := openStore(cfg, logger)
	if err != nil {
		return err
	}
	defer func() {
		if err := store.Close(); err != nil {
			logger.Error("closing the event store", "err", err)
		}
	}()
	svc := domain.NewService(store, domain.Options{})
	id, err := svc.MemberIDByEmail(ctx, email)
	if errors.Is(err, domain.ErrNotFound) {
		return fmt.Errorf("no member registered with %s", email)
	}
	if err != nil {
		return err
	}
	o := domain.Origin{CorrelationID: "settlenet-admin-" + domain.NewID()}
	if verb == "grant" {
		_, err = svc.GrantRole(ctx, o, id, role, "")
	} else {
		_, err = svc.RevokeRole(ctx, o, id, role, "")
	}
	if err != nil {
		return fmt.Errorf("%s %s: %w", verb, role, err)
	}
	done := map[string]string{"grant": "granted", "revoke": "revoked"}[verb]
	fmt.Printf("%s: role %s %s (member %s)\n", email, role, done, id)
	return nil
}

// takeFlags pulls the named string flags (--name v or --name=v) out of
// args, leaving the rest for parseConfig.
func takeFlags(args []string, names ...string) (a, b string, rest []string, err error) {
	fs := flag.NewFlagSet("", flag.ContinueOnError)
	vals := make([]*string, len(names))
	for i, n := range names {
		vals[i] = fs.String(n, "", "")
	}
	var mine []string
	for i := 0; i < len(args); i++ {
		arg := args[i]
		name := strings.TrimLeft(arg, "-")
		if k, _, ok := strings.Cut(name, "="); ok {
			name = k
		}
		matched := false
		for _, n := range names {
			if name == n && strings.HasPrefix(arg, "-") {
				matched = true
			}
		}
		if !matched {
			rest = append(rest, arg)
			continue
		}
		mine = append(mine, arg)
		if !strings.Contains(arg, "=") && i+1 < len(args) {
			i++
			mine = append(mine, args[i])
		}
	}
	if err := fs.Parse(mine); err != nil {
		return "", "", nil, err
	}
	return *vals[0], *vals[1], rest, nil
}
