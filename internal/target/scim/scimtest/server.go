// Package scimtest is for tests: it runs an in-memory SCIM 2.0 service
// provider over TLS on a loopback address, so that tests of any package can
// provision against a real SCIM server that rolesync did not write.
//
// The provider is github.com/elimity-com/scim over an in-memory resource
// store with Users and Groups. A wrapper in front of it checks the bearer
// token (Token), records every request, and can rewrite the
// ServiceProviderConfig, enforce If-Match, refuse PATCH or inject faults.
// elimity does not implement SCIM Bulk: the wrapper answers POST /Bulk
// itself, sending each operation through the same handlers as a request
// of its own (see Options.Bulk, SetBulk and SetBulkFault).
// It is not meant for production use.
package scimtest

import (
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	elimity "github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// Token is the bearer token the server accepts; any other is answered 401.
// It is a fixed test value, not a secret.
const Token = "test-token-not-a-secret"

// BasePath is the path of the SCIM endpoints under the server's URL.
const BasePath = "/scim/v2"

// Options configures a Server.
type Options struct {
	// MaxResults is the largest page the provider returns and announces in
	// its ServiceProviderConfig; 0 means 100.
	MaxResults int
	// Latency delays every answer, as a remote provider's round trip does.
	Latency time.Duration
	// RateLimit is how many requests a second the provider answers; the
	// others get 429 with Retry-After and X-RateLimit-* headers. 0 means
	// no limit.
	RateLimit int
	// Bulk advertises SCIM Bulk (RFC 7644 section 3.7) in the
	// ServiceProviderConfig and answers POST /Bulk; without it /Bulk is
	// answered 501. SetBulk turns it on or off later.
	Bulk bool
	// MaxOperations and MaxPayloadSize are the Bulk limits announced and
	// enforced (413 past them); 0 means 1000 operations and 1 MiB.
	MaxOperations  int
	MaxPayloadSize int
}

// Fault decides whether to answer r itself. When ok is true, the server
// answers with status, header and body instead of the provider.
type Fault func(r *http.Request) (status int, header http.Header, body string, ok bool)

// Server is a running SCIM 2.0 provider. Its methods are safe for
// concurrent use.
type Server struct {
	store *memStore
	ts    *httptest.Server

	mu       sync.Mutex
	spc      map[string]any // nil: elimity's own
	etags    bool           // enforce If-Match
	noPatch  bool           // answer PATCH with 501
	fault    Fault
	arrival  func(r *http.Request)
	arrived  int      // requests arrived, before the latency
	requests []string // method and path of each request since the last Log
	filters  []string // filter parameters seen
	ifMatch  int      // writes that carried If-Match

	latency   time.Duration
	rateLimit int
	window    time.Time // start of the current rate-limit second
	inWindow  int       // requests counted in it
	throttled int       // requests answered 429 by the rate limit

	bulkOn     bool
	maxOps     int
	maxPayload int
	bulkFault  BulkFault
	bulkOps    int // Bulk operations handled
}

// NewServer starts a Server. Close it when done.
func NewServer(opts Options) (*Server, error) {
	if opts.MaxResults <= 0 {
		opts.MaxResults = 100
	}
	store := &memStore{users: map[string]*memRes{}, groups: map[string]*memRes{}, byUnique: map[string]string{}}
	srv, err := elimity.NewServer(&elimity.ServerArgs{
		ServiceProviderConfig: &elimity.ServiceProviderConfig{
			MaxResults:       opts.MaxResults,
			SupportFiltering: true,
			SupportPatch:     true,
		},
		ResourceTypes: []elimity.ResourceType{
			{
				ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
				Schema:  schema.CoreUserSchema(),
				Handler: memHandler{s: store, unique: "userName"},
			},
			{
				ID: optional.NewString("Group"), Name: "Group", Endpoint: "/Groups",
				Schema:  schema.CoreGroupSchema(),
				Handler: memHandler{s: store, group: true, unique: "displayName"},
			},
		},
	})
	if err != nil {
		return nil, fmt.Errorf("scimtest: elimity server: %w", err)
	}
	if opts.MaxOperations <= 0 {
		opts.MaxOperations = 1000
	}
	if opts.MaxPayloadSize <= 0 {
		opts.MaxPayloadSize = 1 << 20
	}
	s := &Server{store: store, latency: opts.Latency, rateLimit: opts.RateLimit,
		bulkOn: opts.Bulk, maxOps: opts.MaxOperations, maxPayload: opts.MaxPayloadSize}
	inner := http.StripPrefix("/scim", srv)
	s.ts = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, inner)
	}))
	// Handshakes refused by clients that do not trust the certificate are
	// part of the tests, not news.
	s.ts.Config.ErrorLog = log.New(io.Discard, "", 0)
	s.ts.StartTLS()
	return s, nil
}

// Start starts a Server that is closed when tb's test ends.
func Start(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := NewServer(opts)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Close)
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.ts.Close() }

// URL is the server's root, https://127.0.0.1:PORT.
func (s *Server) URL() string { return s.ts.URL }

// BaseURL is the SCIM base URL, URL() + BasePath.
func (s *Server) BaseURL() string { return s.ts.URL + BasePath }

// Client returns an HTTP client that trusts the server's certificate.
func (s *Server) Client() *http.Client { return s.ts.Client() }

// Certificate returns the server's self-signed certificate.
func (s *Server) Certificate() *x509.Certificate { return s.ts.Certificate() }

// WriteCAFile writes the server's certificate as PEM to ca.pem in dir, for
// a ca_file setting, and returns its path.
func (s *Server) WriteCAFile(dir string) (string, error) {
	path := filepath.Join(dir, "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: s.ts.Certificate().Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		return "", fmt.Errorf("scimtest: write CA file: %w", err)
	}
	return path, nil
}

// SetFault installs f in front of the provider; nil removes it.
func (s *Server) SetFault(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// SetServiceProviderConfig answers GET /ServiceProviderConfig with spc
// instead of the provider's own; nil restores it.
func (s *Server) SetServiceProviderConfig(spc map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.spc = spc
}

// SetETags makes PUT and PATCH fail with 412 unless If-Match carries the
// resource's current version.
func (s *Server) SetETags(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.etags = on
}

// SetPatch turns PATCH support off (answered 501) or back on.
func (s *Server) SetPatch(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noPatch = !on
}

// SetGroupPatchNoContent answers group PATCHes with 204 and no body, as
// many providers do, instead of the whole group.
func (s *Server) SetGroupPatchNoContent(on bool) {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	s.store.groupPatchNoContent = on
}

// Log returns the requests seen since the last Log, as "METHOD /path"
// relative to the base URL, and starts a new log.
func (s *Server) Log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.requests
	s.requests = nil
	return out
}

// Requests returns the number of requests seen since the last Log.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.requests)
}

// Writes returns the number of requests other than GET seen since the last Log.
func (s *Server) Writes() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.requests {
		if !strings.HasPrefix(r, "GET ") {
			n++
		}
	}
	return n
}

// Filters returns every filter query parameter seen.
func (s *Server) Filters() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.filters...)
}

// IfMatchCount returns the number of requests that carried If-Match.
func (s *Server) IfMatchCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ifMatch
}

// Resource is a stored SCIM resource: its id, version and attributes
// (externalId among them when set).
type Resource struct {
	ID      string
	Version int
	Attrs   map[string]any
}

// Users returns a copy of every stored User, ordered by id.
func (s *Server) Users() []Resource { return s.snapshot(false) }

// Groups returns a copy of every stored Group, ordered by id.
func (s *Server) Groups() []Resource { return s.snapshot(true) }

func (s *Server) snapshot(groups bool) []Resource {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	table := s.store.users
	if groups {
		table = s.store.groups
	}
	out := make([]Resource, 0, len(table))
	for id, r := range table {
		out = append(out, Resource{ID: id, Version: r.version, Attrs: deepCopy(map[string]any(r.attrs)).(map[string]any)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = deepCopy(e)
		}
		return m
	case []any:
		l := make([]any, len(v))
		for i, e := range v {
			l[i] = deepCopy(e)
		}
		return l
	}
	return v
}

// UserAttrs returns a copy of the attributes of the user with userName
// (compared case-insensitively), or nil.
func (s *Server) UserAttrs(userName string) map[string]any {
	for _, r := range s.Users() {
		if strings.EqualFold(fmt.Sprint(r.Attrs["userName"]), userName) {
			return r.Attrs
		}
	}
	return nil
}

// TouchAll raises the version of every stored resource, as a change by
// someone else would, so that versions read before are stale.
func (s *Server) TouchAll() {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for _, r := range s.store.users {
		r.version += 10
	}
	for _, r := range s.store.groups {
		r.version += 10
	}
}
