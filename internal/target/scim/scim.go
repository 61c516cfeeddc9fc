// Package scim is the SCIM 2.0 target (RFC 7643, RFC 7644): it provisions
// portal users and their roles at any SCIM service provider, with a profile
// for ThreatLocker.
//
// Users are SCIM Users whose userName is the email and whose externalId is
// the Okta user id. Roles are either SCIM Groups (RoleModeGroups: a role is a
// group, created when missing, and membership changes are PATCH add or remove)
// or the User "roles" attribute (RoleModeAttribute). Revoking removes every
// role and sets active=false; nothing is ever deleted.
//
// The client discovers the provider's ServiceProviderConfig and honours it:
// list pages as large as filter.maxResults allows (the pages after the
// first read concurrently when the provider reports totalResults, up to
// Options.Concurrency at once), PUT instead of PATCH when
// patch is off, a full read instead of a filter when filter is off, and
// If-Match when etag is on. 429, 502, 503 and 504 answers are retried a
// bounded number of times, after their Retry-After or a capped exponential
// backoff with jitter; a 429 also pauses every request and halves those in
// flight until answers come back (see pacer), and rate-limit headers that
// say the window is spent pause requests until it resets.
//
// # ThreatLocker profile
//
// ProfileThreatLocker sends only the attributes that portal honours:
// userName, name.givenName and name.familyName. Roles are groups; with no
// active attribute sent, a user without roles is reported inactive, and
// revoking removes every group membership. ThreatLockerSAML derives the SAML
// values for the Okta app from the portal's instance.
//
// # Batching
//
// Client implements, beside target.Target, the optional Batcher interface.
// Between Begin and Flush, group membership changes are queued and Flush
// sends one PATCH per changed group. Without Begin every change is written
// at once. A change is only done once Flush returns nil; a *FlushError names
// the roles whose queued changes were not made (the others were).
//
// Within a batch, CreateUser, UpdateProfile, SetRoles and RevokeAll return
// at once (CreateUser without the new id) and are made by workers, up to
// Options.Concurrency requests in flight: the calls for one user in the
// order they were made, and after a failed call none of that user's later
// ones. Flush waits for them, then sends each group's PATCH (one request
// per group, groups concurrently). A *FlushError also names the users
// whose calls failed (FailedUsers).
//
// AfterResults calls a function once every call queued so far has its
// result, so that a caller counts progress by what the provider answered.
// Stop (the engine's Stopper, on a cancelled run) stops the batch sending:
// the requests in flight finish, the calls, Bulk operations and group
// requests not yet sent are dropped, and Flush names them as not made,
// with an error that wraps context.Canceled.
//
// # Bulk
//
// When the ServiceProviderConfig says bulk.supported, the writes a batch's
// workers make (creates, profile and role changes, and Flush's group
// requests) go in SCIM Bulk requests (RFC 7644 section 3.7) of up to
// bulk.maxOperations operations (at most 1,000) and bulk.maxPayloadSize
// bytes, up to Options.Concurrency of them in flight; a write too large
// for one is sent on its own. Each operation's result is handed back to
// the call that made it as its own answer would be: a failed operation
// fails that user's call alone (named by FailedUsers, with the provider's
// status and detail), the others are made. A group's PATCH is sent once
// the users it names are created, so it carries their ids, not bulkIds.
package scim

import (
	"cmp"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rolesync/rolesync/internal/capool"
	"github.com/rolesync/rolesync/internal/retry"
	"github.com/rolesync/rolesync/internal/sameorigin"
	"github.com/rolesync/rolesync/internal/target"
)

// Role modes.
const (
	RoleModeGroups    = "groups"
	RoleModeAttribute = "attribute"
)

// Profiles.
const (
	ProfileGeneric      = "generic"
	ProfileThreatLocker = "threatlocker"
)

// Batcher is implemented by targets that can group changes. The engine calls
// Begin before it applies a plan and Flush after; Flush writes every queued
// change and reports the first failure.
type Batcher interface {
	Begin(ctx context.Context) error
	Flush(ctx context.Context) error
}

// Options configures a Client.
type Options struct {
	// BaseURL is the SCIM base URL, e.g. https://portal.example.com/scim/v2.
	// It must use https.
	BaseURL string
	// Token is the bearer token. It is sent only in the Authorization header
	// and never appears in logs or errors.
	Token string
	// RoleMode is RoleModeGroups (the default) or RoleModeAttribute.
	RoleMode string
	// Profile is ProfileGeneric (the default) or ProfileThreatLocker.
	Profile string
	// Roles are role values the admin declared, offered by ListRoles in
	// attribute mode beside those already held by users.
	Roles []string
	// RootCAs is an optional CA pool for the provider's certificate; nil
	// uses the system pool.
	RootCAs *x509.CertPool
	// CAFile names an extra CA bundle (PEM) trusted beside RootCAs or the
	// system pool, e.g. for TLS inspection.
	CAFile string
	// HTTPClient replaces the default client (30 s timeout, no redirect
	// away from https). RootCAs and CAFile must then be left empty. Either
	// way, a redirect to another origin than the base URL's is refused.
	HTTPClient *http.Client
	// Logger receives debug and warning records; nil discards them.
	Logger *slog.Logger
	// Sleep waits before a retry; nil waits on a timer, honouring ctx.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxRetries bounds the retries of a 429 or 503 answer; 0 means 3.
	MaxRetries int
	// MaxRetryWait caps a single Retry-After wait; 0 means one minute.
	MaxRetryWait time.Duration
	// Concurrency is how many requests are in flight at most, 1 to
	// MaxConcurrency; 0 means DefaultConcurrency. Within a batch the
	// writes of different users are sent concurrently (see Batching).
	Concurrency int
	// Now is the clock rate-limit pauses are measured with; nil means
	// time.Now.
	Now func() time.Time
	// Jitter spreads a backoff d over a random wait; nil waits between
	// d/2 and d.
	Jitter func(d time.Duration) time.Duration
}

// Client is a SCIM 2.0 target. It implements target.Target and Batcher.
// Use one Client for one run at a time.
type Client struct {
	base     *url.URL
	token    string
	mode     string
	profile  string
	declared []string
	http     *http.Client
	log      *slog.Logger
	sleep    func(ctx context.Context, d time.Duration) error
	retries  int
	maxWait  time.Duration
	conc     int
	now      func() time.Time
	jitter   func(time.Duration) time.Duration
	pace     *pacer

	requests atomic.Int64
	writes   atomic.Int64
	bulkOps  atomic.Int64

	mu    sync.Mutex
	spc   *ProviderConfig
	state *state
	batch *batch
	// groupsListed is set when ListUsers has just read every group: the
	// next ListRoles offers them without reading them again.
	groupsListed bool
}

var _ target.Target = (*Client)(nil)
var _ Batcher = (*Client)(nil)

// New checks opts and returns a Client. It makes no request; the provider's
// configuration is read on first use.
func New(opts Options) (*Client, error) {
	base, err := parseBaseURL(opts.BaseURL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(opts.Token) == "" {
		return nil, errors.New("scim: no bearer token: store the portal's SCIM token with `rolesync secrets set scim-token`")
	}
	mode, profile, err := modes(opts)
	if err != nil {
		return nil, err
	}
	c := &Client{
		base:     base,
		token:    opts.Token,
		mode:     mode,
		profile:  profile,
		declared: append([]string(nil), opts.Roles...),
		http:     opts.HTTPClient,
		log:      opts.Logger,
		sleep:    opts.Sleep,
		retries:  opts.MaxRetries,
		maxWait:  opts.MaxRetryWait,
		conc:     cmp.Or(opts.Concurrency, DefaultConcurrency),
		now:      opts.Now,
		jitter:   opts.Jitter,
	}
	c.defaults()
	if c.conc < 1 || c.conc > MaxConcurrency {
		return nil, fmt.Errorf("scim: concurrency %d is outside 1 to %d", opts.Concurrency, MaxConcurrency)
	}
	c.pace = newPacer(c.conc, c.now)
	if c.http != nil && (opts.RootCAs != nil || opts.CAFile != "") {
		return nil, errors.New("scim: RootCAs and CAFile configure the HTTP client New builds; with HTTPClient set, configure its transport instead")
	}
	if c.http == nil {
		if c.http, err = newHTTPClient(opts.RootCAs, opts.CAFile); err != nil {
			return nil, err
		}
	}
	c.http = sameorigin.Client(c.http, "the token and the changes go to target.base_url's host alone; set base_url to the address the portal redirects to if it has moved")
	c.log = c.log.With("target", "scim", "base_url", base.String())
	return c, nil
}

// defaults fills in what Options left out.
func (c *Client) defaults() {
	if c.now == nil {
		c.now = time.Now
	}
	if c.jitter == nil {
		c.jitter = retry.Equal
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.sleep == nil {
		c.sleep = sleepCtx
	}
	if c.retries <= 0 {
		c.retries = 3
	}
	if c.maxWait <= 0 {
		c.maxWait = time.Minute
	}
}

// modes returns the role mode and the profile of opts, defaults filled in,
// or why they do not go together.
func modes(opts Options) (mode, profile string, err error) {
	mode = cmp.Or(opts.RoleMode, RoleModeGroups)
	if mode != RoleModeGroups && mode != RoleModeAttribute {
		return "", "", fmt.Errorf("scim: role_mode %q is not supported: use %q or %q", opts.RoleMode, RoleModeGroups, RoleModeAttribute)
	}
	profile = cmp.Or(opts.Profile, ProfileGeneric)
	if profile != ProfileGeneric && profile != ProfileThreatLocker {
		return "", "", fmt.Errorf("scim: profile %q is not supported: use %q or %q", opts.Profile, ProfileGeneric, ProfileThreatLocker)
	}
	if profile == ProfileThreatLocker && mode != RoleModeGroups {
		return "", "", fmt.Errorf("scim: the %s profile maps roles to groups: set role_mode to %q", ProfileThreatLocker, RoleModeGroups)
	}
	return mode, profile, nil
}

// newHTTPClient is the client New builds: a 30 s timeout, the CA pool
// given (or the system's) with caFile's certificates, a connection kept
// for each request in flight, and no redirect away from https.
func newHTTPClient(roots *x509.CertPool, caFile string) (*http.Client, error) {
	roots, err := rootCAs(roots, caFile)
	if err != nil {
		return nil, err
	}
	return &http.Client{
		Timeout: 30 * time.Second,
		Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			TLSClientConfig:     &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
			MaxIdleConnsPerHost: MaxConcurrency,
		},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if req.URL.Scheme != "https" {
				return fmt.Errorf("refusing a redirect to %s: the SCIM endpoint must stay on https", req.URL.Redacted())
			}
			if len(via) >= 5 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}, nil
}

// rootCAs returns base (or the system pool) with the certificates of the
// PEM file caFile added; base when caFile is empty.
func rootCAs(base *x509.CertPool, caFile string) (*x509.CertPool, error) {
	pool, err := capool.WithFile(base, caFile)
	switch {
	case errors.Is(err, capool.ErrNoCertificate):
		return nil, fmt.Errorf("scim: ca_file %q holds no PEM certificate: give a file with one or more -----BEGIN CERTIFICATE----- blocks", caFile)
	case err != nil:
		return nil, fmt.Errorf("scim: read ca_file: %w", err)
	}
	return pool, nil
}

func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("scim: base_url is empty: set it to the portal's SCIM endpoint, e.g. https://portal.example.com/scim/v2")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("scim: base_url %q is not a URL: %w", raw, err)
	}
	if u.Scheme != "https" {
		return nil, fmt.Errorf("scim: base_url %q must use https:// (the bearer token is never sent in clear text)", raw)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("scim: base_url %q has no host: use the form https://host/path", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("scim: base_url %q must not carry credentials, a query or a fragment", raw)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Requests returns the number of HTTP requests sent so far, retries included.
func (c *Client) Requests() int64 { return c.requests.Load() }

// Writes returns the number of POST, PUT, PATCH and DELETE requests sent so far.
func (c *Client) Writes() int64 { return c.writes.Load() }

// RoleMode returns the role mode in use.
func (c *Client) RoleMode() string { return c.mode }
