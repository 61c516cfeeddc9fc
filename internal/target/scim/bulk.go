package scim

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Bulk message URN (RFC 7644 section 3.7).
const schemaBulkRequest = "urn:ietf:params:scim:api:messages:2.0:BulkRequest"

// Bulk limits the client keeps to: at most maxBulkOps operations a request
// whatever the provider allows (the calls waiting on a Bulk request are
// goroutines), and defaultBulkPayload when the provider gives no
// maxPayloadSize. A Bulk request that is not full is sent once no
// operation has come for bulkLinger.
const (
	maxBulkOps         = 1000
	defaultBulkPayload = 1 << 20
	bulkLinger         = 20 * time.Millisecond
	// bulkEnvelope is the room kept in a Bulk request for its schemas
	// and for each operation's method, path, bulkId and version.
	bulkEnvelope   = 128
	bulkOpOverhead = 96
)

// useBulk says whether the client sends a batch's writes in Bulk requests.
func (p ProviderConfig) useBulk() bool { return p.Bulk && p.BulkMaxOperations > 0 }

// bulkOps is how many operations a Bulk request carries at most.
func (p ProviderConfig) bulkOps() int { return min(p.BulkMaxOperations, maxBulkOps) }

// bulkPayload is the largest Bulk request in bytes.
func (p ProviderConfig) bulkPayload() int {
	if p.BulkMaxPayloadSize > 0 {
		return p.BulkMaxPayloadSize
	}
	return defaultBulkPayload
}

// bulker gathers the writes of a batch's workers into Bulk requests: a
// worker's write (see do) waits in the next request, which is sent when it
// holds maxOps operations, when one more would pass maxPayload, or when
// no operation has come for bulkLinger and fewer Bulk requests than the
// client's concurrency are in flight; up to the client's concurrency of
// them are in flight. Each operation's result is handed back to the write
// that made it as if it had been a request of its own: a failed operation
// fails that write alone, with the provider's status and detail.
type bulker struct {
	c          *Client
	ctx        context.Context
	maxOps     int
	maxPayload int

	// queued, when set, returns the calls of the batch's queue that are
	// not done and how many it holds at most.
	queued func() (n, capacity int)
	// stop, when set, is the batch's stop flag (see Client.Stop): the
	// operations not yet sent are dropped.
	stop *atomic.Bool

	mu       sync.Mutex
	pending  []*bulkOp
	size     int
	sent     int // operations of the Bulk requests in flight
	inflight int // Bulk requests in flight
	seq      int
	timer    *time.Timer
}

// bulkOp is one operation of a Bulk request and, once done is closed, its
// result.
type bulkOp struct {
	Method  string          `json:"method"`
	Path    string          `json:"path"`
	BulkID  string          `json:"bulkId"`
	Version string          `json:"version,omitempty"`
	Data    json.RawMessage `json:"data,omitempty"`

	done   chan struct{}
	status int
	etag   string
	body   []byte // the resource, or the error body
	err    error  // the Bulk request itself failed
}

func newBulker(ctx context.Context, c *Client, spc ProviderConfig) *bulker {
	return &bulker{c: c, ctx: context.WithoutCancel(ctx), maxOps: spc.bulkOps(), maxPayload: spc.bulkPayload()}
}

// fits says whether a write with payload can go in a Bulk request.
func (b *bulker) fits(path string, payload []byte, ifMatch string) bool {
	return opSize(path, payload, ifMatch)+bulkEnvelope <= b.maxPayload
}

func opSize(path string, payload []byte, ifMatch string) int {
	return len(payload) + len(path) + len(ifMatch) + bulkOpOverhead
}

// submit adds a write to the next Bulk request and waits for its result.
func (b *bulker) submit(method, path string, payload []byte, ifMatch string) *bulkOp {
	op := &bulkOp{Method: method, Path: path, Version: ifMatch, Data: payload, done: make(chan struct{})}
	size := opSize(path, payload, ifMatch)
	b.mu.Lock()
	if len(b.pending) > 0 && b.size+size+bulkEnvelope > b.maxPayload {
		b.sendLocked()
	}
	b.seq++
	op.BulkID = "op" + strconv.Itoa(b.seq)
	b.pending = append(b.pending, op)
	b.size += size
	switch {
	case len(b.pending) >= b.maxOps || b.stalled() || b.stopped():
		b.sendLocked()
	case b.timer == nil:
		b.timer = time.AfterFunc(bulkLinger, b.linger)
	default:
		b.timer.Reset(bulkLinger)
	}
	b.mu.Unlock()
	<-op.done
	return op
}

// stalled says whether every call the queue can hold is queued and waits
// for a Bulk request: no more operation comes until one is sent. The
// caller holds b.mu.
func (b *bulker) stalled() bool {
	if b.queued == nil {
		return false
	}
	n, capacity := b.queued()
	return n == capacity && len(b.pending)+b.sent >= n
}

// linger sends the pending operations once bulkLinger has passed, unless
// as many Bulk requests as the client lets in flight are: then more
// operations come as they are answered, and the last answer sends what is
// pending (see send).
func (b *bulker) linger() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.timer = nil
	if len(b.pending) > 0 && b.inflight < b.c.conc {
		b.sendLocked()
	}
}

// sendLocked sends the pending operations in one Bulk request, on a
// goroutine of its own. The caller holds b.mu.
func (b *bulker) sendLocked() {
	ops := b.pending
	b.pending, b.size = nil, 0
	if b.stopped() {
		b.dropLocked(ops)
		return
	}
	b.sent += len(ops)
	b.inflight++
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	go b.send(ops)
}

func (b *bulker) stopped() bool { return b.stop != nil && b.stop.Load() }

// drop fails the pending operations with errNotSent, once the batch is
// stopped: the Bulk requests in flight finish, no other is sent.
func (b *bulker) drop() {
	b.mu.Lock()
	defer b.mu.Unlock()
	ops := b.pending
	b.pending, b.size = nil, 0
	b.dropLocked(ops)
}

// dropLocked fails ops with errNotSent and stops the linger timer. The
// caller holds b.mu.
func (b *bulker) dropLocked(ops []*bulkOp) {
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
	for _, op := range ops {
		op.err = errNotSent
		close(op.done)
	}
}

// bulkReply is a BulkResponse.
type bulkReply struct {
	Operations []struct {
		Method   string          `json:"method"`
		BulkID   string          `json:"bulkId"`
		Location string          `json:"location"`
		Version  string          `json:"version"`
		Status   json.RawMessage `json:"status"` // "201" or 201
		Response json.RawMessage `json:"response"`
	} `json:"Operations"`
}

// send posts ops as one Bulk request and hands each its result.
func (b *bulker) send(ops []*bulkOp) {
	defer func() {
		b.mu.Lock()
		b.sent -= len(ops)
		b.inflight--
		if len(b.pending) > 0 && b.timer == nil {
			b.timer = time.AfterFunc(bulkLinger, b.linger)
		}
		b.mu.Unlock()
		for _, op := range ops {
			close(op.done)
		}
	}()
	b.c.bulkOps.Add(int64(len(ops)))
	body := map[string]any{"schemas": []string{schemaBulkRequest}, "Operations": ops}
	var reply bulkReply
	if _, err := b.c.do(b.ctx, http.MethodPost, "/Bulk", nil, body, "", &reply); err != nil {
		for _, op := range ops {
			op.err = fmt.Errorf("sent in a Bulk request of %d operations that failed: %w", len(ops), err)
		}
		return
	}
	reply.assign(ops)
}

// assign hands each operation its result, found by bulkId, else by its
// place in the request.
func (reply *bulkReply) assign(ops []*bulkOp) {
	byID := make(map[string]int, len(reply.Operations))
	for i, r := range reply.Operations {
		if r.BulkID != "" {
			byID[r.BulkID] = i
		}
	}
	for i, op := range ops {
		j, ok := byID[op.BulkID]
		if !ok && i < len(reply.Operations) && reply.Operations[i].BulkID == "" {
			j, ok = i, true
		}
		if !ok {
			op.status = http.StatusBadGateway
			op.body = []byte(`{"detail":"the provider's BulkResponse has no result for this operation; the next run re-reads the provider"}`)
			continue
		}
		r := reply.Operations[j]
		op.status = bulkStatus(r.Status)
		op.etag = r.Version
		op.body = r.Response
		if op.status < 300 && len(bytes.TrimSpace(r.Response)) == 0 && op.Method == http.MethodPost {
			op.body = created(op.Data, r.Location, r.Version)
		}
	}
}

// bulkStatus reads an operation's status, a string or a number; 0 when it
// is neither.
func bulkStatus(raw json.RawMessage) int {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0
	}
	return n
}

// created is the resource a POST operation made when the provider answered
// with its location and version alone: the data sent, with the id (the
// location's last segment) and the version.
func created(data json.RawMessage, location, version string) []byte {
	var obj map[string]any
	if json.Unmarshal(data, &obj) != nil || obj == nil {
		return nil
	}
	location = strings.TrimRight(location, "/")
	if i := strings.LastIndex(location, "/"); i >= 0 && i+1 < len(location) {
		obj["id"] = location[i+1:]
	}
	if version != "" {
		obj["meta"] = map[string]any{"version": version}
	}
	out, _ := json.Marshal(obj)
	return out
}

// bulkAnswer turns a Bulk operation's result into what do returns for a
// request of its own.
func (c *Client) bulkAnswer(op *bulkOp, out any) (response, error) {
	if op.err != nil {
		return response{}, fmt.Errorf("scim: %s %s: %w", op.Method, op.Path, op.err)
	}
	r := response{status: op.status, etag: op.etag}
	if op.status == 0 {
		return r, malformed(op.Method, op.Path, errors.New("a Bulk operation's result has no status"))
	}
	return r, c.answer(op.Method, op.Path, op.status, op.body, out)
}

// BulkOperations returns the number of operations sent in Bulk requests
// so far.
func (c *Client) BulkOperations() int64 { return c.bulkOps.Load() }
