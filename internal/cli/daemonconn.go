package cli

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/store"
)

// daemonConn is one connection the daemon syncs.
type daemonConn struct {
	// name is the connection's current name: a rename applies to its log
	// from the next line on.
	name *atomic.Pointer[string]
	// created tells this connection from one added later in its place.
	created time.Time
	rt      *app.Runtime
	sched   *engine.Scheduler
}

// Name is the connection's current name.
func (dc *daemonConn) Name() string { return *dc.name.Load() }

// errConnectionGone is a run's error when its connection was removed.
var errConnectionGone = errors.New("the connection was removed")

// openConnection opens conn and starts its scheduler on the daemon's
// slots. It returns the interval it syncs on.
func (d *daemon) openConnection(ctx context.Context, conn app.Connection) (*daemonConn, time.Duration, error) {
	rt, err := app.OpenConnection(ctx, d.c.dataDir, conn, appEnv(d.c.env))
	if err != nil {
		return nil, 0, err
	}
	dc := &daemonConn{name: new(atomic.Pointer[string]), created: conn.Created, rt: rt}
	dc.name.Store(&conn.Name)
	rt.Holder = "daemon"
	rt.Logger = d.logger
	if d.only == "" {
		rt.Logger = slog.New(namedHandler{d.logger.Handler(), dc.name})
	}
	dir, err := os.Stat(rt.DataDir)
	if err != nil {
		rt.Close()
		return nil, 0, err
	}
	eng, cfg, err := rt.Engine(ctx)
	if err != nil {
		rt.Close()
		return nil, 0, err
	}
	dc.sched = d.scheduler(dc, cfg.Sync.Interval, presentRunner{r: eng, dir: rt.DataDir, info: dir, gone: d.goneNow})
	if err := dc.sched.Start(ctx); err != nil {
		rt.Close()
		return nil, 0, err
	}
	return dc, cfg.Sync.Interval, nil
}

// scheduler is dc's scheduler: it runs r on the daemon's slots, every
// interval (the saved one, reread before each wait).
func (d *daemon) scheduler(dc *daemonConn, interval time.Duration, r engine.Runner) *engine.Scheduler {
	return &engine.Scheduler{
		Runner:     d.slots.Runner(r),
		RunAtStart: true,
		Clock:      d.c.env.clock,
		Interval: func() time.Duration {
			if cur, err := dc.rt.Config(context.Background()); err == nil {
				return cur.Sync.Interval
			}
			return interval
		},
		Logger: dc.rt.Logger,
		OnRun: func(res engine.Result, err error) {
			if errors.Is(err, errConnectionGone) {
				// No run: the scheduler logged why.
				return
			}
			dc.rt.Logger.Info("run finished", "run", res.RunID, "status", res.Status, "created", res.Created,
				"granted", res.Granted, "revoked", res.Revoked, "held", res.Held, "api_calls", res.APICalls)
			if d.c.env.onRun != nil {
				d.c.env.onRun(dc.Name(), res, err)
			}
		},
	}
}

// goneNow asks the daemon for a rescan at once.
func (d *daemon) goneNow() {
	select {
	case d.gone <- struct{}{}:
	default:
	}
}

// presentRunner runs a sync only while the connection's directory is the
// one the daemon opened. `connections remove` moves it away; a run in the
// time before the daemon's next rescan lets go of the connection would be
// recorded in the history it keeps, so instead none starts, and the
// daemon is asked to rescan at once.
type presentRunner struct {
	r    engine.Runner
	dir  string
	info os.FileInfo
	gone func()
}

func (p presentRunner) Run(ctx context.Context, o engine.RunOptions) (engine.Result, error) {
	if fi, err := os.Stat(p.dir); err != nil || !os.SameFile(fi, p.info) {
		p.gone()
		return engine.Result{Status: store.StatusFailed, Error: errConnectionGone.Error()}, errConnectionGone
	}
	return p.r.Run(ctx, o)
}

// namedHandler adds the connection's current name to every record.
type namedHandler struct {
	slog.Handler
	name *atomic.Pointer[string]
}

func (h namedHandler) Handle(ctx context.Context, r slog.Record) error {
	r = r.Clone()
	r.AddAttrs(slog.String("connection", *h.name.Load()))
	return h.Handler.Handle(ctx, r)
}

func (h namedHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return namedHandler{h.Handler.WithAttrs(as), h.name}
}

func (h namedHandler) WithGroup(g string) slog.Handler {
	return namedHandler{h.Handler.WithGroup(g), h.name}
}

// prefix starts what the daemon prints of the connection name.
func (d *daemon) prefix(name string) string {
	if d.only != "" {
		return "rolesync daemon: "
	}
	return fmt.Sprintf("rolesync daemon: %s: ", name)
}
