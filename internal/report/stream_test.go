package report

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// TestExportAcrossChunks: however the ids are split between the readers,
// an export holds the same rows in the same order, filtered or not.
func TestExportAcrossChunks(t *testing.T) {
	st := openStore(t)
	fillHistory(t, st, 3, 1000)
	filters := []store.ChangeFilter{{}, {Role: "Auditor"}, {AfterID: 1234}, {RunID: 2}, {AfterID: 10, Limit: 777}}
	for _, f := range filters {
		want := map[Format][]byte{}
		for _, format := range []Format{FormatCSV, FormatJSONL} {
			want[format] = export(t, st, Options{Format: format, Filter: f})
		}
		for _, size := range []int64{7, 1000, 2999, 3000, 5000} {
			chunkIDs = size
			for format, w := range want {
				if got := export(t, st, Options{Format: format, Filter: f}); !bytes.Equal(got, w) {
					t.Fatalf("filter %+v, chunks of %d ids: the %s export differs from one read in a single chunk", f, size, format)
				}
			}
		}
		chunkIDs = 8192
	}
	t.Cleanup(func() { chunkIDs = 8192 })
}

// TestExportCancelledAcrossChunks: an export whose context ends while the
// readers are spread over many chunks stops with the context's cause.
func TestExportCancelledAcrossChunks(t *testing.T) {
	st := openStore(t)
	fillHistory(t, st, 3, 1000)
	chunkIDs = 100
	t.Cleanup(func() { chunkIDs = 8192 })
	ctx, cancel := context.WithCancelCause(context.Background())
	boom := errors.New("disk went away")
	var rows int64
	err := Export(ctx, st, io.Discard, Options{Format: FormatCSV, Progress: func(done, _ int64) {
		rows = done
		if done >= 1024 {
			cancel(boom)
		}
	}})
	if !errors.Is(err, boom) && !errors.Is(err, context.Canceled) || rows >= 3000 {
		t.Fatalf("export after the context ended midway: %v, %d rows", err, rows)
	}
}
