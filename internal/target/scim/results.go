package scim

// results follows which of a batch's queued calls have their result, in
// the order they were queued, for AfterResults: the calls finish out of
// order, and a mark fires once every call queued before it has finished.
// A call Stop dropped has no result: the marks after it do not fire. The
// queue's mu guards it.
type results struct {
	queued   int          // calls queued so far; call i has seq i+1
	prefix   int          // calls 1..prefix have their result
	finished map[int]bool // finished calls after prefix: true with a result, false dropped
	marks    []mark       // in order of at
}

type mark struct {
	at int // fires once prefix >= at
	fn func()
}

// queue numbers the next call queued.
func (r *results) queue() int {
	r.queued++
	return r.queued
}

// finish notes call seq finished, with a result unless it was dropped,
// and returns the marks due, to be called once the queue's mu is let go
// of.
func (r *results) finish(seq int, dropped bool) []func() {
	if r.finished == nil {
		r.finished = map[int]bool{}
	}
	r.finished[seq] = !dropped
	for r.finished[r.prefix+1] {
		delete(r.finished, r.prefix+1)
		r.prefix++
	}
	var due []func()
	for len(r.marks) > 0 && r.marks[0].at <= r.prefix {
		due = append(due, r.marks[0].fn)
		r.marks = r.marks[1:]
	}
	return due
}

// after adds fn as a mark after the calls queued so far; it reports false,
// and adds nothing, when they have all finished.
func (r *results) after(fn func()) bool {
	if r.prefix >= r.queued {
		return false
	}
	r.marks = append(r.marks, mark{at: r.queued, fn: fn})
	return true
}

// AfterResults calls fn once every user call of the open batch queued so
// far has its result (made or failed): at once, on the caller's
// goroutine, when there is none; else on the worker that finishes the last
// of them, before Flush returns. Marks fire in the order they were added;
// once Stop dropped a call, the marks after it never fire, since it has
// no result. A caller counting progress by what was
// queued thus counts only what the provider has answered.
func (c *Client) AfterResults(fn func()) {
	c.mu.Lock()
	var q *queue
	if c.batch != nil {
		q = c.batch.q
	}
	c.mu.Unlock()
	if q != nil {
		q.mu.Lock()
		added := q.done.after(fn)
		q.mu.Unlock()
		if added {
			return
		}
	}
	fn()
}

// Stop stops the open batch sending: the requests in flight finish, and
// the user calls and Bulk operations queued and not yet sent, and the
// group requests Flush has not sent yet, are not sent. Flush still waits
// for what is in flight and names what was not sent in its *FlushError
// (FailedUsers and FailedRoles), with an error that wraps
// context.Canceled. Stop without an open batch does nothing; Begin opens a
// batch that sends again.
func (c *Client) Stop() {
	c.mu.Lock()
	b := c.batch
	var bulk *bulker
	if b != nil {
		b.stopped.Store(true)
		bulk = b.bulk
	}
	c.mu.Unlock()
	if bulk != nil {
		bulk.drop()
	}
}
