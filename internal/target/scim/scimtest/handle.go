package scimtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"
)

// serve checks the token, waits the latency, counts r against the rate
// limit and logs it, then answers it: POST /Bulk itself, the rest through
// handle.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, inner http.Handler) {
	if r.Header.Get("Authorization") != "Bearer "+Token {
		http.Error(w, `{"status":"401","detail":"bad token"}`, http.StatusUnauthorized)
		return
	}
	s.arrive(r)
	if s.latency > 0 {
		time.Sleep(s.latency)
	}
	path := strings.TrimPrefix(r.URL.Path, BasePath)
	if s.limited(w) {
		return
	}
	s.mu.Lock()
	s.requests = append(s.requests, r.Method+" "+path)
	s.mu.Unlock()
	if path == "/Bulk" {
		if !s.faulted(w, r) {
			s.bulk(w, r, inner)
		}
		return
	}
	s.handle(w, r, path, inner)
}

// faulted answers r when the installed Fault takes it, and says so.
func (s *Server) faulted(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	fault := s.fault
	s.mu.Unlock()
	if fault == nil {
		return false
	}
	status, header, body, ok := fault(r)
	if !ok {
		return false
	}
	for k, v := range header {
		w.Header()[k] = v
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
	return true
}

// handle answers one request (or one operation of a Bulk request) past the
// token check, the latency and the rate limit.
func (s *Server) handle(w http.ResponseWriter, r *http.Request, path string, inner http.Handler) {
	s.mu.Lock()
	spc, etags, noPatch := s.spc, s.etags, s.noPatch
	if r.Header.Get("If-Match") != "" {
		s.ifMatch++
	}
	if f := r.URL.Query().Get("filter"); f != "" {
		s.filters = append(s.filters, f)
	}
	s.mu.Unlock()
	if s.faulted(w, r) {
		return
	}
	if path == "/ServiceProviderConfig" {
		s.serviceProviderConfig(w, r, spc, inner)
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

// serviceProviderConfig answers with spc when set, else with elimity's
// configuration and the bulk settings.
func (s *Server) serviceProviderConfig(w http.ResponseWriter, r *http.Request, spc map[string]any, inner http.Handler) {
	if spc == nil {
		rec := httptest.NewRecorder()
		inner.ServeHTTP(rec, r)
		if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &spc) != nil {
			copyRecorded(w, rec)
			return
		}
		s.mu.Lock()
		spc["bulk"] = map[string]any{"supported": s.bulkOn, "maxOperations": s.maxOps, "maxPayloadSize": s.maxPayload}
		s.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/scim+json")
	_ = json.NewEncoder(w).Encode(spc)
}

func copyRecorded(w http.ResponseWriter, rec *httptest.ResponseRecorder) {
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (s *Server) versionMatches(path, ifMatch string) bool {
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
