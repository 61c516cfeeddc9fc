package scim

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// workerKey marks the context of a batch's worker: do lets go of c.mu while
// the worker's request is on the wire, so that other workers' requests are
// in flight at the same time. Its value is the batch's *bulker, nil when
// the provider has no Bulk.
type workerKey struct{}

func workerCtx(ctx context.Context, b *bulker, stop *atomic.Bool) context.Context {
	return stopCtx(context.WithValue(ctx, workerKey{}, workerVal{b}), stop)
}

type workerVal struct{ bulk *bulker }

// stopKey marks the context of a batch's requests with the batch's stop
// flag (see Client.Stop): do sends no request once it is set.
type stopKey struct{}

func stopCtx(ctx context.Context, stop *atomic.Bool) context.Context {
	if stop == nil {
		return ctx
	}
	return context.WithValue(ctx, stopKey{}, stop)
}

// errNotSent is the error of a batch's call that was not sent because the
// batch was stopped (see Client.Stop): the run was cancelled.
var errNotSent = fmt.Errorf("scim: not sent, the run was cancelled: %w", context.Canceled)

// stoppedOf reports whether the batch of a worker's context stopped
// sending.
func stoppedOf(ctx context.Context) bool {
	stop, _ := ctx.Value(stopKey{}).(*atomic.Bool)
	return stop != nil && stop.Load()
}

func inWorker(ctx context.Context) bool { return ctx.Value(workerKey{}) != nil }

// bulkerOf returns the bulker of a worker's context, or nil.
func bulkerOf(ctx context.Context) *bulker {
	v, _ := ctx.Value(workerKey{}).(workerVal)
	return v.bulk
}

// queuedPerSlot bounds the user calls of a batch queued and not done, per
// request the client lets in flight: a large first run does not start a
// goroutine per user at once, and a cancelled run stops after a few calls.
const queuedPerSlot = 2

// queue runs the user calls of a batch on workers: the calls for one user
// one after the other, in the order they were queued.
type queue struct {
	bulk  *bulker // nil without Bulk
	stop  *atomic.Bool
	slots chan struct{}
	wg    sync.WaitGroup

	mu     sync.Mutex
	done   results
	tails  map[string]chan struct{} // by user key: closed when its last queued call is done
	failed map[string]error         // by user key: the call that failed
	order  []string                 // failed user keys, in order of failure
}

// newQueue returns a queue for conc requests in flight. With Bulk it holds
// enough calls to fill the Bulk requests in flight and the next one.
func newQueue(conc int, b *bulker, stop *atomic.Bool) *queue {
	n := queuedPerSlot * conc
	if b != nil {
		n = (conc + 1) * b.maxOps
	}
	q := &queue{bulk: b, stop: stop, slots: make(chan struct{}, n), tails: map[string]chan struct{}{}, failed: map[string]error{}}
	if b != nil {
		b.queued = func() (int, int) { return len(q.slots), cap(q.slots) }
	}
	return q
}

// batchBulker returns the batch's bulker, made on first use; nil when the
// provider has no Bulk.
func (c *Client) batchBulker(ctx context.Context, b *batch, spc ProviderConfig) *bulker {
	if b.bulk == nil && spc.useBulk() {
		b.bulk = newBulker(stopCtx(ctx, &b.stopped), c, spc)
		b.bulk.stop = &b.stopped
	}
	return b.bulk
}

// async queues fn as the next call for the user key when a batch with a
// queue is open, and reports whether it did; otherwise the caller makes the
// call itself. The caller holds c.mu, which async lets go of while it waits
// for room in the queue. A queued call is made even when ctx is cancelled
// after it was queued (it was reported done), unless the batch is stopped
// first (see Client.Stop). The state and the provider's configuration are
// read first, so that an error reading them is returned at once.
func (c *Client) async(ctx context.Context, key string, fn func(ctx context.Context) error) (bool, error) {
	if c.batch == nil {
		return false, nil
	}
	if err := c.ensureState(ctx); err != nil {
		return true, err
	}
	spc, err := c.config(ctx)
	if err != nil {
		return true, err
	}
	if c.batch.q == nil {
		if c.conc == 1 && !spc.useBulk() {
			return false, nil
		}
		c.batch.q = newQueue(c.conc, c.batchBulker(ctx, c.batch, spc), &c.batch.stopped)
	}
	q := c.batch.q
	c.mu.Unlock()
	defer c.mu.Lock()
	select {
	case q.slots <- struct{}{}:
	case <-ctx.Done():
		return true, ctx.Err()
	}
	q.mu.Lock()
	prev := q.tails[key]
	done := make(chan struct{})
	q.tails[key] = done
	seq := q.done.queue()
	q.mu.Unlock()
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		defer func() { <-q.slots }()
		if prev != nil {
			<-prev
		}
		q.mu.Lock()
		skip := q.failed[key] != nil
		q.mu.Unlock()
		var err error
		switch {
		case skip:
		case q.stop.Load():
			err = errNotSent
		default:
			c.mu.Lock()
			err = fn(workerCtx(context.WithoutCancel(ctx), q.bulk, q.stop))
			c.mu.Unlock()
		}
		q.mu.Lock()
		if err != nil {
			q.failed[key] = err
			q.order = append(q.order, key)
		}
		if q.tails[key] == done {
			delete(q.tails, key)
		}
		due := q.done.finish(seq, errors.Is(err, errNotSent))
		q.mu.Unlock()
		close(done)
		for _, fn := range due {
			fn()
		}
	}()
	return true, nil
}

// wait waits for every queued call and returns the users whose calls
// failed (as FailedUsers names them) with their errors, in order of
// failure.
func (q *queue) wait() (users []string, errs []error) {
	q.wg.Wait()
	q.mu.Lock()
	defer q.mu.Unlock()
	for _, k := range q.order {
		_, id, _ := strings.Cut(k, ":")
		users = append(users, id)
		errs = append(errs, q.failed[k])
	}
	return users, errs
}

// userKey is the queue key of calls for the user with the target id.
func userKey(id string) string { return "id:" + id }

// newUserKey is the queue key of the creation of a user: its external id
// (the Okta id), else its userName.
func newUserKey(externalID, userName string) string {
	if externalID != "" {
		return "ext:" + externalID
	}
	return "name:" + strings.ToLower(userName)
}
