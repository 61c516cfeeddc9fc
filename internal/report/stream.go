package report

import (
	"context"

	"github.com/rolesync/rolesync/internal/store"
)

// Rows pass from the reading goroutine to the writing one in batches, a
// fixed number of which are in use at once, so memory stays bounded.
const (
	batchSize    = 256
	batchesInUse = 4
)

// each streams the selected changes to fn in ID order, reporting progress.
// One goroutine reads the rows from the store while the caller's goroutine
// formats and writes them, so an export uses two processor cores.
func (x *exporter) each(ctx context.Context, fn func(store.Change) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	full := make(chan []store.Change, batchesInUse)
	free := make(chan []store.Change, batchesInUse)
	for range batchesInUse {
		free <- make([]store.Change, 0, batchSize)
	}
	readDone := make(chan error, 1)
	go func() { readDone <- x.read(ctx, full, free) }()

	var done int64
	var writeErr error
	for batch := range full {
		if writeErr == nil {
			writeErr = ctx.Err() // cancelled: write no more
		}
		for _, c := range batch {
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

// read sends the selected changes, in batches taken from free, to full, and
// closes full when the rows end, the context ends or reading fails.
func (x *exporter) read(ctx context.Context, full chan<- []store.Change, free <-chan []store.Change) error {
	defer close(full)
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
	// Rows written after the export started stay out.
	f := x.opts.Filter
	f.MaxID = x.scope.maxID
	if f.MaxID == 0 {
		return nil // the history was empty when the export started
	}
	err := x.st.EachChange(ctx, f, func(c store.Change) error {
		batch = append(batch, c)
		if len(batch) < batchSize {
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
