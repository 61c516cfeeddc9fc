package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/clock"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
)

// DefaultParallel is how many connections the daemon syncs at a time.
const DefaultParallel = engine.DefaultSlots

// DefaultRescan is how often the daemon rereads the list of connections;
// MinRescan is the shortest --rescan it takes.
const (
	DefaultRescan = time.Minute
	MinRescan     = time.Second
)

func daemonCmd(c *call) *cobra.Command {
	parallel := DefaultParallel
	rescan := DefaultRescan
	cmd := &cobra.Command{
		Use:   "daemon",
		Short: "sync every connection on its interval until stopped",
		Long: `Daemon syncs every connection (only the one --connection names, when it names
one) on its own configured interval until SIGINT or SIGTERM, logging each run
to stderr. Runs of different connections may overlap, at most --parallel at a
time; each connection has its own lock, so one that fails or stalls never
holds up another's run while a slot is free. A run in progress is stopped
before it exits.

Every --rescan it rereads the list of connections and follows it without a
restart: a connection added starts syncing, one removed stops and its store
is closed ("connections remove" refuses a connection while its run is going),
and one renamed is logged under its new name. A connection that cannot be
opened or is not configured yet is logged once and tried again at every
rescan until it syncs. With --connection the daemon syncs that one only,
and exits when it is removed.`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if parallel < 1 {
				return usagef("daemon: --parallel must be at least 1")
			}
			if rescan < MinRescan {
				return usagef("daemon: --rescan must be at least %s", MinRescan)
			}
			return runDaemon(cmd.Context(), c, parallel, rescan)
		},
	}
	cmd.Flags().IntVar(&parallel, "parallel", DefaultParallel, "most connections synced at a time")
	cmd.Flags().DurationVar(&rescan, "rescan", DefaultRescan, "how often to reread the list of connections (at least 1s)")
	return cmd
}

// runDaemon syncs the connections on their intervals until ctx is
// cancelled (cmd/rolesync cancels it on SIGINT or SIGTERM), following the
// list of connections every rescan.
func runDaemon(ctx context.Context, c *call, parallel int, rescan time.Duration) error {
	if err := c.resolve(); err != nil {
		return err
	}
	conns, err := daemonConnections(ctx, c)
	if err != nil {
		return err
	}
	d := newDaemon(c, parallel, rescan)
	if c.connection() != "" {
		d.only = conns[0].Slug
	}
	defer d.stopAll()
	if err := d.startFirst(ctx, conns); err != nil {
		return err
	}
	clk := c.env.clock
	if clk == nil {
		clk = clock.Real{}
	}
	tick := clk.After(rescan)
	for {
		select {
		case <-ctx.Done():
			d.stopAll()
			fmt.Fprintln(c.env.Stderr, "rolesync daemon: stopped")
			return nil
		case <-tick:
			tick = clk.After(rescan)
		case <-d.gone:
		}
		if err := d.rescan(ctx); err != nil {
			return err
		}
	}
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

// startFirst starts the connections there are when the daemon starts. It
// fails, so that the daemon exits, when none of them can be synced; else
// those that cannot are tried again at every rescan.
func (d *daemon) startFirst(ctx context.Context, conns []app.Connection) error {
	var failed []error
	var notSynced []app.Connection
	for _, conn := range conns {
		if err := d.start(ctx, conn, false); err != nil {
			failed = append(failed, fmt.Errorf("%s: %w", conn.Name, err))
			notSynced = append(notSynced, conn)
		}
	}
	if len(d.running) > 0 {
		for i, conn := range notSynced {
			d.fail(conn, false, errors.Unwrap(failed[i]))
		}
		return nil
	}
	for i, conn := range notSynced {
		fmt.Fprintf(d.c.env.Stderr, "rolesync daemon: %s is not synced: %v\n", conn.Name, errors.Unwrap(failed[i]))
	}
	if len(failed) == 1 {
		return errors.Unwrap(failed[0])
	}
	return fmt.Errorf("no connection can be synced: %w", errors.Join(failed...))
}

// newDaemon returns a daemon of no connection yet; its log goes to stderr
// at info level.
func newDaemon(c *call, parallel int, rescan time.Duration) *daemon {
	return &daemon{
		c:       c,
		logger:  slog.New(slog.NewTextHandler(stderrOf(c.env), &slog.HandlerOptions{Level: slog.LevelInfo})),
		slots:   engine.NewSlots(parallel),
		rescanD: rescan,
		running: map[string]*daemonConn{},
		failing: map[string]string{},
		gone:    make(chan struct{}, 1),
	}
}

// every is how the daemon says an interval.
func every(d time.Duration) string { return config.FormatInterval(d) }
