package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	elimity "github.com/elimity-com/scim"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"

	"github.com/rolesync/rolesync/internal/target/scim"
)

// server is a SCIM provider for tests: elimity's server over memStore,
// behind a wrapper that can rewrite the ServiceProviderConfig, enforce
// If-Match and inject faults.
type server struct {
	t     testing.TB
	store *memStore
	ts    *httptest.Server

	mu       sync.Mutex
	spc      map[string]any // nil: elimity's own
	etags    bool           // enforce If-Match
	noPatch  bool           // answer PATCH with 501
	fault    func(r *http.Request) (status int, header http.Header, body string, ok bool)
	requests []string // method and path of each request
	filters  []string // filter parameters seen
	ifMatch  int      // writes that carried If-Match
}

const testToken = "test-token-not-a-secret"

func newServer(t testing.TB, maxResults int) *server {
	t.Helper()
	store := &memStore{users: map[string]*memRes{}, groups: map[string]*memRes{}}
	srv, err := elimity.NewServer(&elimity.ServerArgs{
		ServiceProviderConfig: &elimity.ServiceProviderConfig{
			MaxResults:       maxResults,
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
		t.Fatalf("elimity server: %v", err)
	}
	s := &server{t: t, store: store}
	inner := http.StripPrefix("/scim", srv)
	s.ts = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.serve(w, r, inner)
	}))
	t.Cleanup(s.ts.Close)
	return s
}

func (s *server) serve(w http.ResponseWriter, r *http.Request, inner http.Handler) {
	if r.Header.Get("Authorization") != "Bearer "+testToken {
		http.Error(w, `{"status":"401","detail":"bad token"}`, http.StatusUnauthorized)
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+strings.TrimPrefix(r.URL.Path, "/scim/v2"))
	spc, etags, noPatch, fault := s.spc, s.etags, s.noPatch, s.fault
	if r.Header.Get("If-Match") != "" {
		s.ifMatch++
	}
	if f := r.URL.Query().Get("filter"); f != "" {
		s.filters = append(s.filters, f)
	}
	s.mu.Unlock()
	if fault != nil {
		if status, header, body, ok := fault(r); ok {
			for k, v := range header {
				w.Header()[k] = v
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(body))
			return
		}
	}
	path := strings.TrimPrefix(r.URL.Path, "/scim/v2")
	if spc != nil && path == "/ServiceProviderConfig" {
		w.Header().Set("Content-Type", "application/scim+json")
		_ = json.NewEncoder(w).Encode(spc)
		return
	}
	if noPatch && r.Method == http.MethodPatch {
		http.Error(w, `{"status":"501","detail":"PATCH is not supported"}`, http.StatusNotImplemented)
		return
	}
	if etags && (r.Method == http.MethodPatch || r.Method == http.MethodPut) && !s.versionMatches(path, r.Header.Get("If-Match")) {
		w.WriteHeader(http.StatusPreconditionFailed)
		_, _ = w.Write([]byte(`{"status":"412","scimType":"invalidVers","detail":"version mismatch"}`))
		return
	}
	inner.ServeHTTP(w, r)
}

func (s *server) versionMatches(path, ifMatch string) bool {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	var r *memRes
	if id, ok := strings.CutPrefix(path, "/Users/"); ok {
		r = s.store.users[id]
	} else if id, ok := strings.CutPrefix(path, "/Groups/"); ok {
		r = s.store.groups[id]
	}
	return r == nil || r.etag() == ifMatch
}

func (s *server) setFault(f func(r *http.Request) (int, http.Header, string, bool)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fault = f
}

// log returns the requests seen since the last reset and clears the log.
func (s *server) log() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := s.requests
	s.requests = nil
	return out
}

func (s *server) configure(f func(s *server)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s)
}

// writes returns the number of non-GET requests seen.
func (s *server) writes() int {
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

// client returns a Client for the server; sleeps are recorded, not slept.
func (s *server) client(opts scim.Options) (*scim.Client, *[]time.Duration) {
	s.t.Helper()
	var slept []time.Duration
	opts.BaseURL = s.ts.URL + "/scim/v2"
	opts.Token = testToken
	opts.HTTPClient = s.ts.Client()
	opts.Sleep = func(_ context.Context, d time.Duration) error {
		slept = append(slept, d)
		return nil
	}
	c, err := scim.New(opts)
	if err != nil {
		s.t.Fatalf("scim.New: %v", err)
	}
	return c, &slept
}

// userAttrs returns the stored attributes of the user with userName.
func (s *server) userAttrs(userName string) map[string]interface{} {
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	for _, r := range s.store.users {
		if strings.EqualFold(fmt.Sprint(r.attrs["userName"]), userName) {
			return r.attrs
		}
	}
	return nil
}
