package scim_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	elimity "github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
	parser "github.com/scim2/filter-parser/v2"

	"github.com/rolesync/rolesync/internal/target/scim"
)

// memStore is an in-memory SCIM resource store behind elimity's server.
type memStore struct {
	mu sync.Mutex
	// groupPatchNoContent answers group PATCHes with 204, as many
	// providers do, instead of the whole group.
	groupPatchNoContent bool
	seq                 int
	users               map[string]*memRes
	groups              map[string]*memRes
}

type memRes struct {
	attrs   elimity.ResourceAttributes
	version int
}

func (r *memRes) etag() string { return fmt.Sprintf(`W/"%d"`, r.version) }

// memHandler is an elimity.ResourceHandler over one kind of resource.
type memHandler struct {
	s      *memStore
	group  bool
	unique string // userName or displayName
}

func (h memHandler) table() map[string]*memRes {
	if h.group {
		return h.s.groups
	}
	return h.s.users
}

func (h memHandler) resource(id string, r *memRes) elimity.Resource {
	attrs := elimity.ResourceAttributes{}
	for k, v := range r.attrs {
		attrs[k] = v
	}
	var ext optional.String
	if e, ok := attrs["externalId"].(string); ok {
		ext = optional.NewString(e)
		delete(attrs, "externalId")
	}
	return elimity.Resource{ID: id, ExternalID: ext, Attributes: attrs, Meta: elimity.Meta{Version: r.etag()}}
}

func (h memHandler) conflict(id string, attrs elimity.ResourceAttributes) error {
	want, _ := attrs[h.unique].(string)
	for other, r := range h.table() {
		if have, _ := r.attrs[h.unique].(string); other != id && strings.EqualFold(have, want) {
			return scimerrors.ScimErrorUniqueness
		}
	}
	return nil
}

func (h memHandler) Create(_ *http.Request, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if err := h.conflict("", attrs); err != nil {
		return elimity.Resource{}, err
	}
	h.s.seq++
	id := fmt.Sprintf("%06d", h.s.seq)
	r := &memRes{attrs: attrs, version: 1}
	h.table()[id] = r
	return h.resource(id, r), nil
}

func (h memHandler) Get(_ *http.Request, id string) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.table()[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	return h.resource(id, r), nil
}

func (h memHandler) GetAll(_ *http.Request, params elimity.ListRequestParams) (elimity.Page, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	ids := make([]string, 0, len(h.table()))
	for id, r := range h.table() {
		if params.FilterValidator == nil || matches(params.FilterValidator.GetFilter(), id, r.attrs) {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	page := elimity.Page{TotalResults: len(ids), Resources: []elimity.Resource{}}
	for i := params.StartIndex - 1; i >= 0 && i < len(ids) && len(page.Resources) < params.Count; i++ {
		page.Resources = append(page.Resources, h.resource(ids[i], h.table()[ids[i]]))
	}
	return page, nil
}

// matches evaluates `attr eq "string"`, unescaping the JSON string the way
// RFC 7644 defines it (elimity's parser keeps the escapes).
func matches(exp parser.Expression, id string, attrs elimity.ResourceAttributes) bool {
	e, ok := exp.(*parser.AttributeExpression)
	if !ok || e.Operator != parser.EQ {
		return false
	}
	want, ok := e.CompareValue.(string)
	if !ok {
		return false
	}
	var unescaped string
	if err := json.Unmarshal([]byte(`"`+want+`"`), &unescaped); err != nil {
		return false
	}
	name := e.AttributePath.AttributeName
	if name == "id" {
		return id == unescaped
	}
	have, _ := attrs[name].(string)
	return strings.EqualFold(have, unescaped)
}

func (h memHandler) Replace(_ *http.Request, id string, attrs elimity.ResourceAttributes) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.table()[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	if err := h.conflict(id, attrs); err != nil {
		return elimity.Resource{}, err
	}
	r.attrs = attrs
	r.version++
	return h.resource(id, r), nil
}

func (h memHandler) Delete(_ *http.Request, id string) error {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	if _, ok := h.table()[id]; !ok {
		return scimerrors.ScimErrorResourceNotFound(id)
	}
	delete(h.table(), id)
	return nil
}

func (h memHandler) Patch(_ *http.Request, id string, ops []elimity.PatchOperation) (elimity.Resource, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.table()[id]
	if !ok {
		return elimity.Resource{}, scimerrors.ScimErrorResourceNotFound(id)
	}
	attrs := elimity.ResourceAttributes{}
	for k, v := range r.attrs {
		attrs[k] = v
	}
	for _, op := range ops {
		if err := applyOp(attrs, op); err != nil {
			return elimity.Resource{}, err
		}
	}
	if err := h.conflict(id, attrs); err != nil {
		return elimity.Resource{}, err
	}
	r.attrs = attrs
	r.version++
	if h.group && h.s.groupPatchNoContent {
		return elimity.Resource{}, nil
	}
	return h.resource(id, r), nil
}

func applyOp(attrs elimity.ResourceAttributes, op elimity.PatchOperation) error {
	if op.Path == nil {
		m, ok := op.Value.(map[string]interface{})
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		for k, v := range m {
			attrs[k] = v
		}
		return nil
	}
	name := op.Path.AttributePath.AttributeName
	sub := op.Path.AttributePath.SubAttributeName()
	switch {
	case op.Op == "remove" && op.Path.ValueExpression != nil:
		list, _ := attrs[name].([]interface{})
		kept := []interface{}{}
		for _, el := range list {
			m, _ := el.(map[string]interface{})
			if !matches(op.Path.ValueExpression, "", m) {
				kept = append(kept, el)
			}
		}
		attrs[name] = kept
	case op.Op == "remove":
		delete(attrs, name)
	case sub != "":
		m, _ := attrs[name].(map[string]interface{})
		copied := map[string]interface{}{}
		for k, v := range m {
			copied[k] = v
		}
		copied[sub] = op.Value
		attrs[name] = copied
	case op.Op == "add":
		list, isList := attrs[name].([]interface{})
		add, addList := op.Value.([]interface{})
		if !isList || !addList {
			attrs[name] = op.Value
			return nil
		}
		merged := append([]interface{}{}, list...)
		for _, v := range add {
			if !containsValue(merged, v) {
				merged = append(merged, v)
			}
		}
		attrs[name] = merged
	default:
		attrs[name] = op.Value
	}
	return nil
}

func containsValue(list []interface{}, v interface{}) bool {
	want, _ := v.(map[string]interface{})
	for _, el := range list {
		m, _ := el.(map[string]interface{})
		if m["value"] == want["value"] {
			return true
		}
	}
	return false
}

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
