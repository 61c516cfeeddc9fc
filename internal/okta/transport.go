package okta

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rolesync/rolesync/internal/clock"
	"github.com/rolesync/rolesync/internal/retry"
)

// sdkPlaceholderToken satisfies the SDK's configuration. The SDK adds
// "Authorization: SSWS <token>" to every request it prepares; the pacer
// removes exactly that header before the caller's Transport authenticates.
const sdkPlaceholderToken = "rolesync-authenticates-in-its-transport"

// maxBodyBytes bounds a response body the client will read.
const maxBodyBytes = 64 << 20

// pacer is the client's outermost RoundTripper. For each request it waits
// for the rate-limit bucket, sends with a per-attempt timeout, reads the body
// whole (so the timeout covers it), and retries 429s (after the reset, plus
// jitter) and 5xx, timeouts and dropped connections (capped exponential
// backoff) a bounded number of times. Any response other than 2xx comes back
// as an error: *APIError for HTTP errors, or an error wrapping ErrTimeout,
// ErrUnreachable, ErrCertificate or ErrUnknownHost; a reset more than
// maxRateWait away, before a request or after a 429, fails at once with
// ErrRateLimitWait.
type pacer struct {
	next       http.RoundTripper
	limits     *limiter
	clock      clock.Clock
	jitter     func(time.Duration) time.Duration // spreads the wait after a 429's reset
	timeout    time.Duration
	maxRetries int
	backoff    retry.Backoff // the wait before a retry of a 5xx, a timeout or a dropped connection
	host       string
	log        *slog.Logger
	// raw returns answers other than 2xx as responses, once they are not
	// to be retried, for a caller that reads them itself (the token
	// endpoint's OAuth errors).
	raw bool
	// par, when set, bounds the requests in flight after a concurrency 429.
	par *gate
}

func (p *pacer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.roundTrip(req)
	if err != nil {
		if s, ok := req.Context().Value(failureKey{}).(*failure); ok {
			s.set(err)
		}
	}
	return resp, err
}

func (p *pacer) roundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	family := routeFamily(req.URL.Path)
	retries := p.maxRetries
	if req.Body != nil && req.GetBody == nil {
		retries = 0 // the body cannot be sent twice
	}
	for attempt := 1; ; attempt++ {
		a, err := p.attempt(ctx, req, family, attempt)
		if err != nil {
			return nil, err
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		resp, wait, done, failed := p.outcome(req, a, family, attempt, retries)
		if done {
			return resp, failed
		}
		if attempt > retries {
			return nil, failed
		}
		p.log.Debug("okta request retried", "method", req.Method, "path", req.URL.Path,
			"attempt", attempt, "wait", wait, "reason", failed.Error())
		if err := p.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// sent is one attempt of a request: its response and body, or the error
// that stopped it; concurrency marks a 429 of Okta's concurrent-request
// limit rather than of the route's bucket.
type sent struct {
	resp        *http.Response
	body        []byte
	err         error
	concurrency bool
}

// attempt waits for a place in flight and in the rate-limit bucket, sends
// one attempt, and gives both back, telling the limiter what the answer's
// headers say of the bucket. The error is the wait's.
func (p *pacer) attempt(ctx context.Context, req *http.Request, family string, n int) (sent, error) {
	if p.par != nil {
		if err := p.par.acquire(ctx); err != nil {
			return sent{}, err
		}
	}
	if err := p.limits.acquire(ctx, family); err != nil {
		p.releasePar()
		return sent{}, err
	}
	var a sent
	a.resp, a.body, a.err = p.once(ctx, req)
	p.releasePar()
	var h http.Header
	if a.resp != nil {
		h = a.resp.Header
		if a.resp.StatusCode == http.StatusTooManyRequests {
			a.concurrency = p.limits.concurrencyLimited(family, p.apiError(req, a.resp, a.body, n), h)
		}
	}
	if a.concurrency {
		h = nil // the figures are the concurrency limit's, not the bucket's
	}
	p.limits.release(family, h)
	return a, nil
}

// outcome says what an attempt comes to: done, with the response or the
// error to return; or not, with the failure to retry after wait.
func (p *pacer) outcome(req *http.Request, a sent, family string, attempt, retries int) (resp *http.Response, wait time.Duration, done bool, failed error) {
	switch {
	case a.err != nil:
		if !transient(a.err) {
			return nil, 0, true, classifyNetError(p.host, a.err)
		}
		return nil, p.backoff.Delay(attempt), false, a.err
	case a.resp.StatusCode >= 200 && a.resp.StatusCode < 300:
		return whole(a.resp, a.body), 0, true, nil
	case p.raw && (!retriedStatus(a.resp.StatusCode) || attempt > retries):
		return whole(a.resp, a.body), 0, true, nil
	}
	apiErr := p.apiError(req, a.resp, a.body, attempt)
	if !apiErr.Temporary() {
		return nil, 0, true, apiErr
	}
	wait, err := p.retryWait(a, family, attempt)
	if err != nil {
		return nil, 0, true, err
	}
	return nil, wait, false, apiErr
}

// retryWait is the wait before retrying a temporary error answer: the
// backoff; after a 429 of the bucket, until its reset, plus jitter (or
// errLongWait past maxRateWait); after a concurrency 429, the backoff
// with fewer requests in flight, rather than the wait for a reset that is
// not the bucket's.
func (p *pacer) retryWait(a sent, family string, attempt int) (time.Duration, error) {
	wait := p.backoff.Delay(attempt)
	switch {
	case a.concurrency:
		if p.par != nil {
			p.log.Debug("okta concurrent-request limit met, fewer requests in flight", "limit", p.par.lower())
		}
	case a.resp.StatusCode == http.StatusTooManyRequests:
		if rl, ok := parseRateHeaders(a.resp.Header, p.clock.Now()); ok {
			until := max(0, rl.reset.Sub(p.clock.Now()))
			if until > maxRateWait {
				return 0, errLongWait(family, until)
			}
			wait = until + p.jitter(time.Second)
		}
	}
	return wait, nil
}

// whole gives resp the body the pacer read whole.
func whole(resp *http.Response, body []byte) *http.Response {
	resp.Body = readBody{bytes.NewReader(body), body}
	resp.ContentLength = int64(len(body))
	return resp
}

// releasePar frees the request's place in the parallelism gate.
func (p *pacer) releasePar() {
	if p.par != nil {
		p.par.release()
	}
}

// apiError builds the error of an answer other than 2xx. The
// WWW-Authenticate challenge, when there is one, is the precise word, and
// may come with an empty body: a DPoP 400 or an insufficient_scope 403.
func (p *pacer) apiError(req *http.Request, resp *http.Response, body []byte, attempt int) *APIError {
	apiErr := parseAPIError(resp.StatusCode, body)
	if ch, ok := parseChallenge(resp.Header); ok {
		apiErr.Code, apiErr.Summary = ch.Error, orDefault(ch.Description, apiErr.Summary)
	}
	apiErr.Method, apiErr.Path, apiErr.Attempts = req.Method, req.URL.Path, attempt
	return apiErr
}

// retriedStatus reports whether an answer with status is retried: a 429
// or a 5xx.
func retriedStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// tokenPacer paces and retries the requests to the token endpoint as the
// pacer does API calls, and passes every other request on as it is: the
// API calls that carry the tokens are paced by the client's own pacer.
type tokenPacer struct {
	paced *pacer // raw, over next
	next  http.RoundTripper
}

func (t *tokenPacer) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Path == tokenPath {
		return t.paced.roundTrip(req)
	}
	return t.next.RoundTrip(req)
}

// once sends one attempt and reads its body.
func (p *pacer) once(ctx context.Context, req *http.Request) (*http.Response, []byte, error) {
	actx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	r := req.Clone(actx)
	if req.Body != nil && req.GetBody != nil {
		b, err := req.GetBody()
		if err != nil {
			return nil, nil, fmt.Errorf("rewind request body: %w", err)
		}
		r.Body = b
	}
	if r.Header.Get("Authorization") == "SSWS "+sdkPlaceholderToken {
		r.Header.Del("Authorization")
	}
	resp, err := p.next.RoundTrip(r)
	if err != nil {
		return nil, nil, p.attemptError(ctx, actx, req, err)
	}
	defer resp.Body.Close()
	body, err := readAll(resp)
	if err != nil {
		return nil, nil, p.attemptError(ctx, actx, req, err)
	}
	if len(body) > maxBodyBytes {
		return nil, nil, fmt.Errorf("%w: %s %s: body larger than %d bytes", ErrMalformed, req.Method, req.URL.Path, maxBodyBytes)
	}
	return resp, body, nil
}

// readAll reads a response body whole, up to one byte past maxBodyBytes,
// in one allocation when the length is announced.
func readAll(resp *http.Response) ([]byte, error) {
	r := io.LimitReader(resp.Body, maxBodyBytes+1)
	if n := resp.ContentLength; n > 0 && n <= maxBodyBytes {
		buf := bytes.NewBuffer(make([]byte, 0, n+1)) // +1: ReadFrom sees the end without growing
		_, err := buf.ReadFrom(r)
		return buf.Bytes(), err
	}
	return io.ReadAll(r)
}

// readBody is a response body the pacer has read whole; Bytes returns it
// without another copy.
type readBody struct {
	*bytes.Reader
	b []byte
}

func (readBody) Close() error    { return nil }
func (r readBody) Bytes() []byte { return r.b }

// attemptError names an attempt's failure. Dropped connections are reported
// with %v, not %w: the SDK retries forever on errors that wrap io.EOF.
func (p *pacer) attemptError(ctx, actx context.Context, req *http.Request, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case actx.Err() != nil:
		return fmt.Errorf("%w within %s: %s %s", ErrTimeout, p.timeout, req.Method, req.URL.Path)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return fmt.Errorf("%w: %s %s: connection dropped: %v", ErrUnreachable, req.Method, req.URL.Path, err)
	}
	return err
}

// transient reports whether an attempt's error may go away on retry.
func transient(err error) bool {
	if errors.Is(err, ErrTimeout) {
		return true
	}
	if errors.Is(err, ErrUnreachable) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// counter counts every HTTP request that reaches it, for the client and for
// the call (see withCallCount) the request belongs to.
type counter struct {
	next  http.RoundTripper
	total *atomic.Int64
}

func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.total.Add(1)
	if n, ok := req.Context().Value(callCountKey{}).(*atomic.Int64); ok {
		n.Add(1)
	}
	return c.next.RoundTrip(req)
}

type callCountKey struct{}

// withCallCount returns a context whose requests are counted in the
// returned counter, including retries and token requests made with it.
func withCallCount(ctx context.Context) (context.Context, *atomic.Int64) {
	if n, ok := ctx.Value(callCountKey{}).(*atomic.Int64); ok {
		return ctx, n
	}
	n := new(atomic.Int64)
	return context.WithValue(ctx, callCountKey{}, n), n
}

// failure carries the pacer's typed error past the SDK, which flattens
// transport errors into strings.
type failure struct {
	mu  sync.Mutex
	err error
}

type failureKey struct{}

func (f *failure) set(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err == nil {
		f.err = err
	}
}

func (f *failure) get() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.err
}

func withFailure(ctx context.Context) (context.Context, *failure) {
	f := &failure{}
	return context.WithValue(ctx, failureKey{}, f), f
}
