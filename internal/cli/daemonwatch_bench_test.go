package cli

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/rolesync/rolesync/internal/app"
)

// BenchmarkDaemonRescan is one rescan of the daemon over 50 connections:
// with every one synced and nothing changed (the list is read and
// compared), and with one of them added but not configured, which the
// rescan opens and closes again each time (the error printed once).
func BenchmarkDaemonRescan(b *testing.B) {
	const n = 50
	ctx := context.Background()
	for _, unconfigured := range []int{0, 1} {
		b.Run(fmt.Sprintf("connections=%d/unconfigured=%d", n, unconfigured), func(b *testing.B) {
			dataDir := b.TempDir()
			c := &call{env: Env{Stderr: io.Discard}, dataDir: dataDir}
			d := newDaemon(c, DefaultParallel, DefaultRescan)
			for i := range n {
				conn, err := app.AddConnection(ctx, dataDir, fmt.Sprintf("Customer %02d", i))
				if err != nil {
					b.Fatal(err)
				}
				if i < n-unconfigured {
					// Synced: the rescan only compares it with the list.
					dc := &daemonConn{name: new(atomic.Pointer[string]), created: conn.Created}
					dc.name.Store(&conn.Name)
					d.running[conn.Slug] = dc
				}
			}
			for b.Loop() {
				if err := d.rescan(ctx); err != nil {
					b.Fatal(err)
				}
			}
			if len(d.running) != n-unconfigured || len(d.failing) != unconfigured {
				b.Fatalf("after the rescans: %d synced, %d failing", len(d.running), len(d.failing))
			}
		})
	}
}
