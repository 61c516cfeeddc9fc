package scim

import (
	"bytes"
	"context"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/rolesync/rolesync/internal/retry"
	"github.com/rolesync/rolesync/internal/target"
)

const (
	mediaType   = "application/scim+json"
	maxBodySize = 64 << 20
)

// HTTPError is a SCIM error answer (RFC 7644 section 3.12).
type HTTPError struct {
	Method string
	// Path is the request path below the base URL, without the query.
	Path     string
	Status   int
	ScimType string
	Detail   string
}

func (e *HTTPError) Error() string {
	msg := fmt.Sprintf("scim: %s %s: HTTP %d %s", e.Method, e.Path, e.Status, http.StatusText(e.Status))
	if e.ScimType != "" {
		msg += " (" + e.ScimType + ")"
	}
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if hint := statusHint(e.Status); hint != "" {
		msg += "; " + hint
	}
	return msg
}

// Is makes a 404 match target.ErrNotFound.
func (e *HTTPError) Is(err error) bool {
	return err == target.ErrNotFound && e.Status == http.StatusNotFound
}

func statusHint(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "the SCIM token was refused: store a fresh one with `rolesync secrets set scim-token`"
	case http.StatusForbidden:
		return "the SCIM token lacks the permission for this request"
	case http.StatusTooManyRequests, http.StatusServiceUnavailable:
		return "the provider is busy; the next run retries"
	}
	if status >= 500 {
		return "the provider failed; the next run retries"
	}
	return ""
}

// tlsHint says how to fix a certificate the client does not trust.
func tlsHint(err error) string {
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	switch {
	case errors.As(err, &unknown):
		return "; the provider's certificate is not signed by a trusted CA: if the portal uses a private CA, or TLS inspection rewrites certificates, set target.ca_file to that CA's PEM file"
	case errors.As(err, &host):
		return "; the provider's certificate does not name this host: check target.base_url"
	}
	return ""
}

// response is what a request returned beside its decoded body.
type response struct {
	status int
	etag   string
}

// do sends one SCIM request and decodes a JSON answer into out (when out is
// not nil and there is a body). The pacer bounds the requests in flight.
// A 429 is retried after its Retry-After (or a backoff) and shrinks the
// requests in flight; 502, 503 and 504 are retried after Retry-After or a
// capped exponential backoff with jitter. A 500 is not retried: a write may
// have been made. The caller holds c.mu; a batch's worker (see inWorker)
// lets go of it while the request is on the wire. When the provider offers
// Bulk, a worker's write goes in a Bulk request (see bulker) unless it is
// too large for one.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body any, ifMatch string, out any) (response, error) {
	var payload []byte
	if body != nil {
		var err error
		payload, err = json.Marshal(body)
		if err != nil {
			return response{}, fmt.Errorf("scim: %s %s: encode request: %w", method, path, err)
		}
	}
	u := *c.base
	u.Path = c.base.Path + path
	u.RawQuery = query.Encode()
	if inWorker(ctx) {
		c.mu.Unlock()
		defer c.mu.Lock()
		if b := bulkerOf(ctx); b != nil && method != http.MethodGet && b.fits(path, payload, ifMatch) {
			return c.bulkAnswer(b.submit(method, path, payload, ifMatch), out)
		}
	}
	ownPause := false
	for attempt := 0; ; attempt++ {
		if err := c.pace.acquire(ctx, c.sleep, ownPause); err != nil {
			return response{}, fmt.Errorf("scim: %s %s: waiting to send: %w", method, path, err)
		}
		if stoppedOf(ctx) {
			c.pace.unused()
			return response{}, fmt.Errorf("scim: %s %s: %w", method, path, errNotSent)
		}
		resp, data, err := c.send(ctx, method, u.String(), payload, ifMatch)
		throttled := err == nil && resp.StatusCode == http.StatusTooManyRequests
		c.pace.release(throttled)
		if err != nil {
			return response{}, fmt.Errorf("scim: %s %s: %w%s", method, path, err, tlsHint(err))
		}
		c.pace.spent(min(rateLimitWait(resp.Header, c.now()), c.maxWait))
		r := response{status: resp.StatusCode, etag: resp.Header.Get("ETag")}
		if retryable(resp.StatusCode) && attempt < c.retries {
			if err := c.waitToRetry(ctx, method, path, resp, attempt, throttled); err != nil {
				return r, err
			}
			ownPause = throttled
			continue
		}
		return r, c.answer(method, path, resp.StatusCode, data, out)
	}
}

// waitToRetry waits as a retryable answer asks before the request is sent
// again; a 429 makes every request wait, not only this one.
func (c *Client) waitToRetry(ctx context.Context, method, path string, resp *http.Response, attempt int, throttled bool) error {
	wait := c.retryAfter(resp.Header.Get("Retry-After"), attempt)
	c.log.Warn("scim provider asked to retry", "method", method, "path", path, "status", resp.StatusCode, "wait", wait, "attempt", attempt+1)
	if throttled {
		c.pace.pause(wait)
	}
	if err := c.sleep(ctx, wait); err != nil {
		return fmt.Errorf("scim: %s %s: waiting to retry: %w", method, path, err)
	}
	return nil
}

// answer returns the error an answer with status and data says, or decodes
// data into out (when out is not nil and there is a body).
func (c *Client) answer(method, path string, status int, data []byte, out any) error {
	if status < 200 || status >= 300 {
		// Some providers quote the credentials they refused; the error
		// is printed and kept in the history, the token never.
		if c.token != "" {
			data = bytes.ReplaceAll(data, []byte(c.token), []byte("[the SCIM token]"))
		}
		return decodeError(method, path, status, data)
	}
	if out != nil && len(bytes.TrimSpace(data)) > 0 {
		if err := json.Unmarshal(data, out); err != nil {
			return malformed(method, path, err)
		}
	}
	return nil
}

// retryable says whether an answer with status is worth sending again.
func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func (c *Client) send(ctx context.Context, method, rawURL string, payload []byte, ifMatch string) (*http.Response, []byte, error) {
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, method, rawURL, rd)
	if err != nil {
		return nil, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Accept", mediaType+", application/json")
	if payload != nil {
		req.Header.Set("Content-Type", mediaType)
	}
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
	}
	c.requests.Add(1)
	if method != http.MethodGet {
		c.writes.Add(1)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBodySize))
	if err != nil {
		return nil, nil, fmt.Errorf("read answer: %w", err)
	}
	c.log.Debug("scim request", "method", method, "url", rawURL, "status", resp.StatusCode)
	return resp, data, nil
}

// retryAfter reads a Retry-After header (seconds or an HTTP date); without
// one it backs off (see backoff). The wait is capped at MaxRetryWait.
func (c *Client) retryAfter(h string, attempt int) time.Duration {
	if wait, ok := retry.RetryAfter(h, c.now(), c.maxWait); ok {
		return wait
	}
	return c.backoff(attempt)
}

func decodeError(method, path string, status int, data []byte) error {
	e := &HTTPError{Method: method, Path: path, Status: status}
	var body struct {
		ScimType string `json:"scimType"`
		Detail   string `json:"detail"`
	}
	if json.Unmarshal(data, &body) == nil {
		e.ScimType = truncate(oneLine(body.ScimType), 100)
		e.Detail = truncate(oneLine(body.Detail), 300)
	}
	return e
}

// oneLine makes a provider's text fit a one-line error: each run of white
// space and control characters becomes one space.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }), " ")
}

// ErrMalformed marks an answer that is not valid SCIM JSON.
var ErrMalformed = errors.New("answer is not valid SCIM JSON")

func malformed(method, path string, err error) error {
	return fmt.Errorf("scim: %s %s: %w (%v); check that base_url points at the provider's SCIM endpoint", method, path, ErrMalformed, err)
}

// truncate cuts s to at most n bytes, at a character boundary, and marks
// the cut with an ellipsis.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
