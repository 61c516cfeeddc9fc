package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
)

// DefaultParallel is how many connections the daemon syncs at a time.
const DefaultParallel = engine.DefaultSlots

func daemonCmd(c *call) *cobra.Command {
	parallel := DefaultParallel
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "sync every connection on its interval until stopped",
		Long: `Daemon syncs every connection (only the one --connection names, when it names
one) on its own configured interval until SIGINT or SIGTERM, logging each run
to stderr. Runs of different connections may overlap, at most --parallel at a
time; each connection has its own lock, so one that fails or stalls never
holds up another's run while a slot is free. A run in progress is stopped
before it exits.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if parallel < 1 {
				return usagef("daemon: --parallel must be at least 1")
			}
			return runDaemon(cmd.Context(), c, parallel)
		},
	}
	cmd.Flags().IntVar(&parallel, "parallel", DefaultParallel, "most connections synced at a time")
	return cmd
}

// runDaemon syncs the connections on their intervals until ctx is
// cancelled (cmd/rolesync cancels it on SIGINT or SIGTERM).
func runDaemon(ctx context.Context, c *call, parallel int) error {
	if err := c.resolve(); err != nil {
		return err
	}
	conns, err := daemonConnections(ctx, c)
	if err != nil {
		return err
	}
	// The daemon's log goes to stderr at info level.
	logger := slog.New(slog.NewTextHandler(stderrOf(c.env), &slog.HandlerOptions{Level: slog.LevelInfo}))
	slots := engine.NewSlots(parallel)
	var scheds []*engine.Scheduler
	var failed []error
	for _, conn := range conns {
		rt, sched, err := startConnection(ctx, c, conn, logger, slots, len(conns) > 1)
		if err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", conn.Name, err))
			fmt.Fprintf(c.env.Stderr, "rolesync daemon: %s is not synced: %v\n", conn.Name, err)
			continue
		}
		defer rt.Close()
		scheds = append(scheds, sched)
	}
	if len(scheds) == 0 {
		if len(failed) == 1 {
			return errors.Unwrap(failed[0])
		}
		return fmt.Errorf("no connection can be synced: %w", errors.Join(failed...))
	}
	<-ctx.Done()
	for _, s := range scheds {
		s.Stop()
	}
	fmt.Fprintln(c.env.Stderr, "rolesync daemon: stopped")
	return nil
}

// daemonConnections are the connection --connection names, or every one.
func daemonConnections(ctx context.Context, c *call) ([]app.Connection, error) {
	conns, err := app.EnsureConnection(ctx, c.dataDir, c.connection())
	if err != nil || c.connection() == "" {
		return conns, err
	}
	conn, err := app.SelectConnection(conns, c.connection())
	return []app.Connection{conn}, err
}

// startConnection opens conn and starts its scheduler; the caller closes
// the runtime once the scheduler is stopped.
func startConnection(ctx context.Context, c *call, conn app.Connection, logger *slog.Logger, slots engine.Slots, named bool) (*app.Runtime, *engine.Scheduler, error) {
	rt, err := app.OpenConnection(ctx, c.dataDir, conn, appEnv(c.env))
	if err != nil {
		return nil, nil, err
	}
	rt.Holder = "daemon"
	rt.Logger = logger
	prefix := "rolesync daemon: "
	if named {
		rt.Logger = logger.With("connection", conn.Name)
		prefix += conn.Name + ": "
	}
	eng, cfg, err := rt.Engine(ctx)
	if err != nil {
		rt.Close()
		return nil, nil, err
	}
	sched := &engine.Scheduler{
		Runner:     slots.Runner(eng),
		RunAtStart: true,
		Clock:      c.env.clock,
		Interval: func() time.Duration {
			if cur, err := rt.Config(context.Background()); err == nil {
				return cur.Sync.Interval
			}
			return cfg.Sync.Interval
		},
		Logger: rt.Logger,
		OnRun: func(res engine.Result, err error) {
			rt.Logger.Info("run finished", "run", res.RunID, "status", res.Status, "created", res.Created,
				"granted", res.Granted, "revoked", res.Revoked, "held", res.Held, "api_calls", res.APICalls)
			if c.env.onRun != nil {
				c.env.onRun(conn.Name, res, err)
			}
		},
	}
	fmt.Fprintf(c.env.Stderr, "%ssyncing every %s; stop with Ctrl-C\n", prefix, config.FormatInterval(cfg.Sync.Interval))
	if err := sched.Start(ctx); err != nil {
		rt.Close()
		return nil, nil, err
	}
	return rt, sched, nil
}
