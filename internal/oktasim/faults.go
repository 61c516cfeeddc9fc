package oktasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is an injected failure: the next Count requests whose path starts
// with PathPrefix are delayed by DelayMS, then answered with Status (Okta's
// error JSON for that status) or, with Reset, dropped without an answer.
// A fault with only DelayMS slows requests down and lets them through.
// Skip lets that many matching requests through before the fault applies
// (a fault on the second page of a listing); Code and Summary replace the
// Okta error code and summary of the answer (a 403 E0000005 "Invalid
// session", as Okta answers now and then to OAuth tokens).
// WWWAuthenticate adds that challenge header (DPoP error="invalid_dpop_proof"
// on a 400), and EmptyBody leaves the body out, as Okta sometimes does.
type Fault struct {
	PathPrefix string `json:"path_prefix"`
	Status     int    `json:"status,omitempty"`
	Count      int    `json:"count,omitempty"`
	DelayMS    int    `json:"delay_ms,omitempty"`
	Reset      bool   `json:"reset,omitempty"`
	Skip       int    `json:"skip,omitempty"`
	Code       string `json:"code,omitempty"`
	Summary    string `json:"summary,omitempty"`
	// WWWAuthenticate is sent as the WWW-Authenticate header.
	WWWAuthenticate string `json:"www_authenticate,omitempty"`
	// EmptyBody answers with the status and headers only.
	EmptyBody bool `json:"empty_body,omitempty"`
	// MinLimit applies the fault only to requests whose limit parameter is
	// at least this: a large page that times out or fails while smaller
	// ones get through.
	MinLimit int `json:"min_limit,omitempty"`
	// Concurrency answers 429 as Okta's concurrent-request limit does: its
	// message, and X-Rate-Limit headers about the concurrency limit rather
	// than the route's bucket.
	Concurrency bool `json:"concurrency,omitempty"`
}

type faultSet struct {
	mu     sync.Mutex
	faults []*Fault
}

func (f *faultSet) add(ft Fault) error {
	if !strings.HasPrefix(ft.PathPrefix, "/") {
		return fmt.Errorf("path_prefix %q must start with /, e.g. \"/api/v1/groups/\"", ft.PathPrefix)
	}
	if ft.Status != 0 && (ft.Status < 400 || ft.Status > 599) {
		return fmt.Errorf("status %d must be an HTTP error status between 400 and 599", ft.Status)
	}
	if ft.Concurrency {
		ft.Status = http.StatusTooManyRequests
	}
	if ft.Status == 0 && !ft.Reset && ft.DelayMS <= 0 {
		return fmt.Errorf("a fault needs a status, delay_ms or \"reset\": true")
	}
	if ft.Count < 0 || ft.DelayMS < 0 || ft.Skip < 0 || ft.MinLimit < 0 {
		return fmt.Errorf("count, delay_ms, skip and min_limit must not be negative")
	}
	if ft.Count == 0 {
		ft.Count = 1
	}
	f.mu.Lock()
	f.faults = append(f.faults, &ft)
	f.mu.Unlock()
	return nil
}

func (f *faultSet) clear() {
	f.mu.Lock()
	f.faults = nil
	f.mu.Unlock()
}

// next consumes and returns the first fault matching r, if any.
func (f *faultSet) next(r *http.Request) (Fault, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, ft := range f.faults {
		if strings.HasPrefix(r.URL.Path, ft.PathPrefix) && ft.limitMatches(r) {
			if ft.Skip > 0 {
				ft.Skip--
				return Fault{}, false
			}
			out := *ft
			ft.Count--
			if ft.Count <= 0 {
				f.faults = append(f.faults[:i], f.faults[i+1:]...)
			}
			return out, true
		}
	}
	return Fault{}, false
}

// limitMatches reports whether r's limit parameter is at least MinLimit.
func (ft *Fault) limitMatches(r *http.Request) bool {
	if ft.MinLimit <= 0 {
		return true
	}
	n, err := strconv.Atoi(r.URL.Query().Get("limit"))
	return err == nil && n >= ft.MinLimit
}

// InjectFault adds a fault, as POST /__sim/faults does.
func (s *Server) InjectFault(ft Fault) error {
	if err := s.faults.add(ft); err != nil {
		return fmt.Errorf("oktasim: fault: %w", err)
	}
	return nil
}

// ClearFaults removes every pending fault, as DELETE /__sim/faults does.
func (s *Server) ClearFaults() { s.faults.clear() }

func (s *Server) handleFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodDelete:
		s.faults.clear()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPost:
		var ft Fault
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&ft); err != nil {
			writeError(w, errValidation("fault body: "+err.Error()+`; send {"path_prefix": "/api/v1/groups/", "status": 500, "count": 1}`))
			return
		}
		if err := s.faults.add(ft); err != nil {
			writeError(w, errValidation(err.Error()))
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "POST, DELETE")
		writeError(w, &apiError{status: http.StatusMethodNotAllowed, code: codeBadMethod,
			summary: "The endpoint does not support the provided HTTP method"})
	}
}

// applyFault runs a matching fault; it returns true when the request was
// answered (or dropped) and must not go further.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request) bool {
	ft, ok := s.faults.next(r)
	if !ok {
		return false
	}
	if ft.DelayMS > 0 {
		t := time.NewTimer(time.Duration(ft.DelayMS) * time.Millisecond)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return true
		}
	}
	if ft.Reset {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				_ = conn.Close()
				return true
			}
		}
		panic(http.ErrAbortHandler)
	}
	if ft.Status != 0 {
		s.answerFault(w, r, ft)
		return true
	}
	return false
}

// answerFault answers with the fault's status, headers and error.
func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, ft Fault) {
	var e *apiError
	switch {
	case ft.Concurrency:
		e = s.limits.concurrencyError(w.Header())
	case ft.Status == http.StatusTooManyRequests:
		s.limits.setExhausted(w.Header(), r.Method, r.URL.Path)
	}
	if ft.WWWAuthenticate != "" {
		w.Header().Set("WWW-Authenticate", ft.WWWAuthenticate)
	}
	if ft.EmptyBody {
		w.WriteHeader(ft.Status)
		return
	}
	if e == nil {
		e = errForStatus(ft.Status)
	}
	if ft.Code != "" {
		e.code = ft.Code
	}
	if ft.Summary != "" {
		e.summary = ft.Summary
	}
	writeError(w, e)
}
