package cli

import (
	"context"
	"fmt"
	"io"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/report"
	"github.com/rolesync/rolesync/internal/store"
)

// runExportAll writes one report across every connection of the data
// directory, the removed ones included.
func runExportAll(ctx context.Context, c *call, fm report.Format, out string, f store.ChangeFilter) error {
	if c.connection() != "" {
		return usagef("export: --all reports on every connection; leave out --connection (or ROLESYNC_CONNECTION), or --all")
	}
	if f.RunID != 0 {
		return usagef("export: run numbers are per connection; leave out --run with --all, or name the connection")
	}
	return withRoot(c, func(root string) error {
		srcs, closeAll, err := openSources(ctx, c, root)
		defer closeAll()
		if err != nil {
			return err
		}
		n, err := writeReport(out, report.Options{Format: fm, Filter: f},
			func(w io.Writer, opts report.Options) error { return report.ExportAll(ctx, srcs, w, opts) })
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "%s report of %d changes of %d connections written to %s\n", fm, n, len(srcs), out)
		return nil
	})
}

// openSources opens the history of every connection of root, then of every
// removed one; closeAll closes what was opened, also after an error.
func openSources(ctx context.Context, c *call, root string) (srcs []report.Source, closeAll func(), err error) {
	var closers []func() error
	closeAll = func() {
		for _, cl := range closers {
			_ = cl()
		}
	}
	conns, err := app.Connections(ctx, root)
	if err != nil {
		return nil, closeAll, err
	}
	for _, conn := range conns {
		rt, err := app.OpenConnection(ctx, root, conn, appEnv(c.env))
		if err != nil {
			return nil, closeAll, fmt.Errorf("%s: %w", conn.Name, err)
		}
		closers = append(closers, rt.Close)
		srcs = append(srcs, report.Source{Name: conn.Name, Store: rt.Store, Trust: rt.ReportTrust(ctx)})
	}
	removed, closeRemoved, err := app.RemovedSources(ctx, root)
	closers = append(closers, func() error { closeRemoved(); return nil })
	if err != nil {
		return nil, closeAll, err
	}
	srcs = append(srcs, removed...)
	if len(srcs) == 0 {
		return nil, closeAll, fmt.Errorf("export: %w: add one with `rolesync connections add NAME`", app.ErrNoConnection)
	}
	return srcs, closeAll, nil
}
