package okta

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	sdk "github.com/okta/okta-sdk-golang/v5/okta"

	"github.com/rolesync/rolesync/internal/capool"
	"github.com/rolesync/rolesync/internal/clock"
	"github.com/rolesync/rolesync/internal/retry"
)

// Defaults for Options.
const (
	DefaultTimeout     = 30 * time.Second
	DefaultConcurrency = 4
	DefaultRateShare   = 0.5
	DefaultMaxRetries  = 4
	// DefaultSearchOverlap is how far before its high-water mark the
	// users-search feed reads again: Okta's search is eventually
	// consistent, and a user it shows late must still be caught.
	DefaultSearchOverlap = 15 * time.Minute
)

// Options configure a Client.
type Options struct {
	// Domain is the org URL, https://example.okta.com; a port is kept.
	Domain string
	// Transport sends requests and authenticates them (see APITokenTransport).
	// It is used as it is, so it carries its own TLS settings (NewBaseTransport);
	// nil sends unauthenticated requests through a transport the client builds.
	Transport http.RoundTripper
	// Auth, as an alternative to Transport, wraps the base transport the
	// client builds (with CAFile and RootCAs), so token requests made through
	// that base share its TLS settings and are counted as API calls.
	Auth func(base http.RoundTripper) http.RoundTripper
	// CAFile names an extra CA bundle (PEM) trusted besides the system's;
	// RootCAs replaces the system pool. Both apply to the transport the
	// client builds, so they cannot be combined with Transport.
	CAFile  string
	RootCAs *x509.CertPool
	// Timeout bounds each request attempt, body included (default 30 s).
	Timeout time.Duration
	// Concurrency bounds the groups read in parallel (default 4).
	Concurrency int
	// RateShare is the share of each Okta rate-limit bucket the client may
	// use, in (0, 1] (default 0.5, Okta's default per-app share).
	RateShare float64
	// MaxRetries bounds the retries of one request after a 429, a 5xx, a
	// timeout or a dropped connection (default 4; -1 for none).
	MaxRetries int
	// Logger receives debug records of retries and waits (default: discard).
	Logger *slog.Logger
	// Clock paces and retries (default: clock.Real).
	Clock clock.Clock
	// SearchOverlap is how far before the newest lastUpdated it has seen
	// the users-search delta feed (used without okta.logs.read) reads
	// again (default DefaultSearchOverlap, 15 minutes).
	SearchOverlap time.Duration
}

// Client reads Okta groups and their members. It is safe for concurrent use.
type Client struct {
	base        *url.URL
	http        *http.Client
	sdk         *sdk.APIClient
	log         *slog.Logger
	clock       clock.Clock
	concurrency int
	overlap     time.Duration // users-search feed overlap
	calls       atomic.Int64
	scopes      scopeMemo
	idle        []interface{ CloseIdleConnections() }
}

// NewClient checks opts and builds a Client. It makes no request.
func NewClient(opts Options) (*Client, error) {
	base, err := parseDomain(opts.Domain)
	if err != nil {
		return nil, err
	}
	if err := checkOptions(opts); err != nil {
		return nil, err
	}
	c := &Client{
		base:        base,
		log:         opts.Logger,
		clock:       opts.Clock,
		concurrency: cmp.Or(opts.Concurrency, DefaultConcurrency),
		overlap:     cmp.Or(opts.SearchOverlap, DefaultSearchOverlap),
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.clock == nil {
		c.clock = clock.Real{}
	}
	retries := opts.MaxRetries
	switch {
	case retries == 0:
		retries = DefaultMaxRetries
	case retries < 0:
		retries = 0
	}
	rt, err := c.counted(opts)
	if err != nil {
		return nil, err
	}
	p := &pacer{
		limits:     newLimiter(cmp.Or(opts.RateShare, DefaultRateShare), c.clock, retry.Full, c.log),
		clock:      c.clock,
		jitter:     retry.Full,
		timeout:    cmp.Or(opts.Timeout, DefaultTimeout),
		maxRetries: retries,
		backoff:    retry.Backoff{First: 250 * time.Millisecond, Max: 8 * time.Second},
		host:       base.Host,
		log:        c.log,
	}
	if opts.Auth != nil {
		// Token requests, made through the base the Auth wraps, are paced
		// and retried too, sharing the client's rate-limit buckets.
		tp := *p
		tp.next, tp.raw = rt, true
		rt = opts.Auth(&tokenPacer{paced: &tp, next: rt})
	}
	p.next, p.par = rt, newGate() // token requests run inside an API call's place

	c.http = &http.Client{
		Transport: p,
		// Okta's API does not redirect; never carry credentials elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	c.sdk, err = newSDK(base, c.http)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// checkOptions checks the options NewClient cannot default.
func checkOptions(opts Options) error {
	switch {
	case opts.Transport != nil && opts.Auth != nil:
		return errors.New("okta client: set Transport or Auth, not both")
	case opts.Transport != nil && (opts.CAFile != "" || opts.RootCAs != nil):
		return errors.New("okta client: CAFile and RootCAs configure the transport the client builds; with Transport set, build it on NewBaseTransport")
	case opts.RateShare < 0 || opts.RateShare > 1:
		return fmt.Errorf("okta client: rate share %v is outside (0, 1]; use 0.5 to take Okta's default per-app share", opts.RateShare)
	case opts.Timeout < 0 || opts.Concurrency < 0 || opts.SearchOverlap < 0:
		return errors.New("okta client: timeout, concurrency and search overlap cannot be negative")
	}
	return nil
}

// counted returns the transport under the pacer, opts.Transport or one
// built with the CA settings, counting every request in c.calls; Close
// closes its idle connections.
func (c *Client) counted(opts Options) (http.RoundTripper, error) {
	if opts.Transport != nil {
		if ci, ok := opts.Transport.(interface{ CloseIdleConnections() }); ok {
			c.idle = append(c.idle, ci)
		}
		return &counter{next: opts.Transport, total: &c.calls}, nil
	}
	bt, err := NewBaseTransport(opts.CAFile, opts.RootCAs)
	if err != nil {
		return nil, err
	}
	c.idle = append(c.idle, bt)
	return &counter{next: bt, total: &c.calls}, nil
}

// newSDK configures okta-sdk-golang/v5 with its cache and own retries off,
// the client's HTTP stack, and the org URL's port kept: NewConfiguration
// keeps only the host name, so Host and Servers are set again afterwards.
func newSDK(base *url.URL, hc *http.Client) (*sdk.APIClient, error) {
	cfg, err := sdk.NewConfiguration(
		sdk.WithOrgUrl(base.String()),
		sdk.WithToken(sdkPlaceholderToken),
		sdk.WithAuthorizationMode("SSWS"),
		sdk.WithCache(false),
		sdk.WithHttpClientPtr(hc),
		sdk.WithRateLimitMaxRetries(0),
		sdk.WithRequestTimeout(0),
	)
	if err != nil {
		return nil, fmt.Errorf("okta client: configure the Okta SDK: %w", err)
	}
	cfg.Host, cfg.Scheme = base.Host, base.Scheme
	cfg.Servers = sdk.ServerConfigurations{{URL: base.String()}}
	cfg.OperationServers = map[string]sdk.ServerConfigurations{}
	cfg.Debug = false
	// The SDK also reads ~/.okta/okta.yaml and OKTA_* variables; a proxy
	// set there would replace the HTTP client.
	cfg.Okta.Client.Proxy.Host = ""
	return sdk.NewAPIClient(cfg), nil
}

// parseDomain checks the org URL and returns it without a trailing slash.
func parseDomain(domain string) (*url.URL, error) {
	d := strings.TrimSpace(domain)
	if d == "" {
		return nil, errors.New("okta domain is empty: set okta.domain to your org URL, for example https://example.okta.com")
	}
	u, err := url.Parse(d)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("okta domain %q is not a URL: write it as https://example.okta.com", d)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("okta domain %q must start with https://: Okta is only reached over HTTPS", d)
	}
	if strings.Trim(u.Path, "/") != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("okta domain %q must be the org URL alone, without a path or query: for example https://example.okta.com", d)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host}, nil
}

// NewBaseTransport returns an HTTP transport for Okta: the system roots (or
// roots, when given) plus the PEM certificates in caFile, TLS 1.2 or newer,
// and enough idle connections for parallel reads.
func NewBaseTransport(caFile string, roots *x509.CertPool) (*http.Transport, error) {
	pool, err := capool.WithFile(roots, caFile)
	switch {
	case errors.Is(err, capool.ErrNoCertificate):
		return nil, fmt.Errorf("the Okta CA bundle %s holds no PEM certificate: give a file with -----BEGIN CERTIFICATE----- blocks", caFile)
	case err != nil:
		return nil, fmt.Errorf("read the Okta CA bundle (okta.ca_file): %w", err)
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.TLSClientConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
	t.MaxIdleConnsPerHost = 16
	return t, nil
}

// Close closes the client's idle connections. The client stays usable.
func (c *Client) Close() {
	for _, ci := range c.idle {
		ci.CloseIdleConnections()
	}
}

// APICalls returns the number of HTTP requests the client has made,
// retries included.
func (c *Client) APICalls() int64 { return c.calls.Load() }

// SearchOverlap is how far before its high-water mark the users-search
// delta feed starts (Options.SearchOverlap, or DefaultSearchOverlap).
func (c *Client) SearchOverlap() time.Duration { return c.overlap }

// getJSON sends GET path?q and decodes the JSON body into v, returning the
// response headers.
func (c *Client) getJSON(ctx context.Context, path string, q url.Values, v any) (http.Header, error) {
	body, h, err := c.get(ctx, path, q)
	if err != nil {
		return nil, err
	}
	if err := decodeJSON(path, body, v); err != nil {
		return nil, err
	}
	return h, nil
}

// get sends GET path?q and returns the body (already read by the pacer) and
// the response headers.
func (c *Client) get(ctx context.Context, path string, q url.Values) ([]byte, http.Header, error) {
	u := *c.base
	u.Path = path
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, nil, fmt.Errorf("build request %s: %w", path, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	if rb, ok := resp.Body.(interface{ Bytes() []byte }); ok {
		return rb.Bytes(), resp.Header, nil // read whole by the pacer
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, fmt.Errorf("read GET %s: %w", path, err)
	}
	return body, resp.Header, nil
}

func decodeJSON(path string, body []byte, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("%w: GET %s: %v", ErrMalformed, path, err)
	}
	return nil
}

// sdkCall runs one SDK request and returns the pacer's typed error rather
// than the SDK's flattened one.
func sdkCall[T any](ctx context.Context, what string, call func(context.Context) (T, *sdk.APIResponse, error)) (T, http.Header, error) {
	ctx, f := withFailure(ctx)
	v, resp, err := call(ctx)
	if err != nil {
		if ferr := f.get(); ferr != nil {
			return v, nil, ferr
		}
		if ctx.Err() != nil {
			return v, nil, ctx.Err()
		}
		return v, nil, fmt.Errorf("%w: %s: %v", ErrMalformed, what, err)
	}
	if resp == nil || resp.Response == nil {
		return v, nil, fmt.Errorf("%w: %s: no response", ErrMalformed, what)
	}
	return v, resp.Header, nil
}
