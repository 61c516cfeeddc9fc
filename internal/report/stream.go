package report

import (
	"context"
	"sync"

	"github.com/rolesync/rolesync/internal/store"
)

// Rows are read in chunks of chunkIDs change ids by readers goroutines,
// each on its own database connection, and pass to the writing goroutine in
// id order. A fixed number of chunk buffers are in use at once (one being
// written, one being filled by each reader), so memory stays bounded.
const (
	readers      = 2
	batchesInUse = readers + 1
	// cancelCheckEvery is how many rows the writer formats between two
	// looks at the context.
	cancelCheckEvery = 256
)

// chunkIDs is how many change ids one chunk spans; a variable so that tests
// can cross chunk boundaries with few rows.
var chunkIDs int64 = 8192

// each streams the selected changes to fn in ID order, reporting progress.
// Goroutines read the rows from the store while the caller's goroutine
// formats and writes them: reading is most of an export's time, and SQLite
// reads on two connections at once.
func (x *exporter) each(ctx context.Context, fn func(store.Change) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full := make(chan []store.Change, batchesInUse)
	free := make(chan []store.Change, batchesInUse)
	for range batchesInUse {
		free <- make([]store.Change, 0, min(chunkIDs, 1<<16))
	}
	readDone := make(chan error, 1)
	go func() { readDone <- x.read(ctx, full, free) }()

	var done int64
	var writeErr error
	for batch := range full {
		for i, c := range batch {
			if writeErr == nil && i%cancelCheckEvery == 0 {
				writeErr = ctx.Err() // cancelled: write no more
			}
			if writeErr != nil {
				break
			}
			if writeErr = fn(c); writeErr != nil {
				cancel() // stop the reader; keep draining so it is not blocked
				break
			}
			done++
			if done%progressEvery == 0 && x.opts.Progress != nil {
				x.opts.Progress(done, x.total)
			}
		}
		free <- batch[:0]
	}
	readErr := <-readDone
	if writeErr != nil {
		return writeErr
	}
	if readErr != nil {
		return readErr
	}
	if x.opts.Progress != nil {
		x.opts.Progress(done, x.total)
	}
	return nil
}

// read sends the selected changes, in id order and in buffers taken from
// free, to full, and closes full when the rows end, the context ends or
// reading fails. Rows written after the export started stay out.
func (x *exporter) read(ctx context.Context, full chan<- []store.Change, free <-chan []store.Change) error {
	defer close(full)
	f := x.opts.Filter
	f.MaxID = x.scope.MaxID
	if f.MaxID == 0 || f.MaxID <= f.AfterID {
		return nil // the history was empty when the export started
	}
	if f.Limit > 0 {
		return x.readInOne(ctx, f, full, free) // a limit counts across chunks
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	chunks := int((f.MaxID - f.AfterID + chunkIDs - 1) / chunkIDs)
	// Reader w reads chunks w, w+readers, …, in order, into outs[w].
	var outs [readers]chan []store.Change
	var wg sync.WaitGroup
	for w := range readers {
		outs[w] = make(chan []store.Change)
		wg.Go(func() {
			defer close(outs[w])
			for k := w; k < chunks; k += readers {
				var buf []store.Change
				select {
				case buf = <-free:
				case <-ctx.Done():
					return
				}
				cf := f
				cf.AfterID = f.AfterID + int64(k)*chunkIDs
				cf.MaxID = min(f.MaxID, cf.AfterID+chunkIDs)
				err := x.st.ScanChanges(ctx, cf, func(c store.Change) error {
					buf = append(buf, c)
					return nil
				})
				if err != nil {
					cancel(err)
					return
				}
				select {
				case outs[w] <- buf:
				case <-ctx.Done():
					return
				}
			}
		})
	}
	defer wg.Wait()
	for k := range chunks {
		buf, ok := <-outs[k%readers]
		if !ok {
			break // that reader stopped: the context ended
		}
		select {
		case full <- buf:
		case <-ctx.Done():
		}
	}
	err := context.Cause(ctx) // nil when every chunk was sent
	cancel(nil)               // let a reader waiting for a buffer go
	return err
}

// readInOne reads the selected changes in one query, in batches taken from
// free.
func (x *exporter) readInOne(ctx context.Context, f store.ChangeFilter, full chan<- []store.Change, free <-chan []store.Change) error {
	batch := <-free
	send := func() error {
		select {
		case full <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
		select {
		case batch = <-free:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	err := x.st.EachChange(ctx, f, func(c store.Change) error {
		batch = append(batch, c)
		if len(batch) < cap(batch) {
			return nil
		}
		return send()
	})
	if err != nil {
		return err
	}
	if len(batch) > 0 {
		select {
		case full <- batch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}
