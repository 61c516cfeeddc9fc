package report

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// fillHistory records runs runs of perRun changes each, 15 minutes apart,
// in one transaction per run, as a scheduled sync would.
func fillHistory(tb testing.TB, st *store.Store, runs, perRun int) {
	tb.Helper()
	ctx := context.Background()
	actions := []string{store.ActionGrant, store.ActionRevoke, store.ActionCreate, store.ActionGrant,
		store.ActionRevokeAll, store.ActionDisable, store.ActionUpdate, store.ActionEnable}
	roles := []string{"Administrator", "Read Only", "Auditor"}
	cs := make([]store.Change, perRun)
	n := 0
	for r := 0; r < runs; r++ {
		start := t0.Add(time.Duration(r) * 15 * time.Minute)
		id, err := st.StartRun(ctx, store.TriggerSchedule, start)
		if err != nil {
			tb.Fatal(err)
		}
		for i := range cs {
			u := (n * 7919) % 50000
			cs[i] = store.Change{
				At:     start.Add(time.Duration(i) * time.Millisecond),
				User:   fmt.Sprintf("user%d@example.com", u),
				OktaID: fmt.Sprintf("00u%08d", u),
				Action: actions[n%len(actions)],
				Role:   roles[n%len(roles)],
				Group:  fmt.Sprintf("Group %d", n%200),
				Reason: fmt.Sprintf("in group Group %d", n%200),
				Held:   n%97 == 0,
			}
			n++
		}
		if err := st.AddChanges(ctx, id, cs); err != nil {
			tb.Fatal(err)
		}
		if err := st.FinishRun(ctx, store.Run{ID: id, Status: store.StatusSucceeded, FinishedAt: start.Add(time.Minute)}); err != nil {
			tb.Fatal(err)
		}
	}
}

// countingWriter counts the bytes written to it and keeps none.
type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n += int64(len(p))
	return len(p), nil
}

var _ io.Writer = (*countingWriter)(nil)

// heapAfterGC is the live heap after a full collection.
func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// TestExportStreams exports 50,000 changes and checks, while the rows are
// being written, that the live heap after 45,000 rows is no bigger than after
// the first 10,000, give or take a few megabytes: were rows kept, 35,000 more
// would add well over 10 MB.
func TestExportStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a 50,000-change history")
	}
	st := openStore(t)
	fillHistory(t, st, 50, 1000)
	for _, f := range []Format{FormatCSV, FormatJSONL, FormatHTML} {
		t.Run(string(f), func(t *testing.T) {
			var early, late uint64
			var last int64
			progress := func(done, total int64) {
				if total != 50000 {
					t.Errorf("total %d, want 50000", total)
				}
				switch {
				case early == 0 && done >= 10000:
					early = heapAfterGC()
				case late == 0 && done >= 45000:
					late = heapAfterGC()
				}
				last = done
			}
			var w countingWriter
			if err := Export(context.Background(), st, &w, Options{Format: f, Now: fixedNow, Progress: progress}); err != nil {
				t.Fatal(err)
			}
			if last != 50000 || early == 0 || late == 0 {
				t.Fatalf("progress ended at %d", last)
			}
			if w.n < 50000*100 {
				t.Errorf("wrote %d bytes for 50,000 changes", w.n)
			}
			const slack = 4 << 20
			if late > early+slack {
				t.Errorf("live heap grew from %d KiB after 10,000 rows to %d KiB after 45,000", early>>10, late>>10)
			}
		})
	}
}
