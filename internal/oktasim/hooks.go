package oktasim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Hooks change the org or the answer at a chosen request of a run, for
// fault tests that need more than a Fault: a group deleted while its pages
// are read, a body cut short after its headers, a rate-limit storm whose
// reset is a second away, tokens that expire between two pages.

// Interceptor answers an API request in place of the simulator, or calls
// next to let the simulator answer (through w, which it may wrap).
type Interceptor func(w http.ResponseWriter, r *http.Request, next http.Handler)

// Hook applies to the requests whose method (any when empty) and path
// prefix match: it lets Skip of them through, then applies to the next
// Count (1 when 0, every one after the skipped when negative). Before runs
// first, without the server's locks (it may change the org); then Serve
// answers, or the simulator does when Serve is nil.
type Hook struct {
	Method     string
	PathPrefix string
	Skip       int
	Count      int
	Before     func(r *http.Request)
	Serve      Interceptor
}

type hookSet struct {
	mu      sync.Mutex
	hooks   []*Hook
	pageCap int
	fired   int
}

// AddHook adds a hook; hooks are tried in the order they were added and
// the first that matches a request applies to it.
func (s *Server) AddHook(h Hook) error {
	if !strings.HasPrefix(h.PathPrefix, "/") {
		return fmt.Errorf("oktasim: hook: path prefix %q must start with /", h.PathPrefix)
	}
	if h.Skip < 0 {
		return fmt.Errorf("oktasim: hook: skip must not be negative")
	}
	if h.Count == 0 {
		h.Count = 1
	}
	s.hooks.mu.Lock()
	s.hooks.hooks = append(s.hooks.hooks, &h)
	s.hooks.mu.Unlock()
	return nil
}

// ClearHooks removes every hook that has not run out.
func (s *Server) ClearHooks() {
	s.hooks.mu.Lock()
	s.hooks.hooks = nil
	s.hooks.mu.Unlock()
}

// HooksFired is how many requests a hook has applied to so far.
func (s *Server) HooksFired() int {
	s.hooks.mu.Lock()
	defer s.hooks.mu.Unlock()
	return s.hooks.fired
}

// SetPageCap makes every listing asked for with a limit answer at most n
// items a page (0 removes the cap), so that a small org is read in many
// pages.
func (s *Server) SetPageCap(n int) {
	s.hooks.mu.Lock()
	s.hooks.pageCap = max(n, 0)
	s.hooks.mu.Unlock()
}

// next returns the hook that applies to r, if any, and the page cap.
func (hs *hookSet) next(r *http.Request) (*Hook, int) {
	hs.mu.Lock()
	defer hs.mu.Unlock()
	for i, h := range hs.hooks {
		if h.Method != "" && h.Method != r.Method || !strings.HasPrefix(r.URL.Path, h.PathPrefix) {
			continue
		}
		if h.Skip > 0 {
			h.Skip--
			return nil, hs.pageCap
		}
		hs.fired++
		if h.Count > 0 {
			if h.Count--; h.Count == 0 {
				hs.hooks = append(hs.hooks[:i], hs.hooks[i+1:]...)
			}
		}
		return h, hs.pageCap
	}
	return nil, hs.pageCap
}

// serve runs the hook that applies to r, if any, in front of next.
func (hs *hookSet) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	h, pageCap := hs.next(r)
	if pageCap > 0 {
		if n, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil && n > pageCap {
			q := r.URL.Query()
			q.Set("limit", strconv.Itoa(pageCap))
			r.URL.RawQuery = q.Encode()
		}
	}
	if h == nil {
		next.ServeHTTP(w, r)
		return
	}
	if h.Before != nil {
		h.Before(r)
	}
	if h.Serve == nil {
		next.ServeHTTP(w, r)
		return
	}
	h.Serve(w, r, next)
}

// TruncateBody lets the simulator answer and cuts the body after n bytes,
// as a proxy that drops a connection mid-answer and closes the chunked
// stream does: the status and headers arrive, the JSON is cut short.
func TruncateBody(n int) Interceptor {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		next.ServeHTTP(&truncWriter{ResponseWriter: w, left: n}, r)
	}
}

type truncWriter struct {
	http.ResponseWriter
	left int
}

func (t *truncWriter) WriteHeader(status int) {
	t.Header().Del("Content-Length")
	t.ResponseWriter.WriteHeader(status)
}

func (t *truncWriter) Write(b []byte) (int, error) {
	if t.left <= 0 {
		return len(b), nil
	}
	k := min(len(b), t.left)
	t.left -= k
	if _, err := t.ResponseWriter.Write(b[:k]); err != nil {
		return 0, err
	}
	return len(b), nil
}

// TooManyRequests answers 429 E0000047 with a bucket that resets after
// resetIn (rounded up to whole seconds, as Okta's epoch header is), so a
// storm of them costs seconds rather than the minute a real bucket takes.
func TooManyRequests(resetIn time.Duration) Interceptor {
	return func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		now := time.Now()
		h := w.Header()
		h.Set("X-Rate-Limit-Limit", "600")
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(now.Add(resetIn+time.Second-1).Unix(), 10))
		h.Set("Date", now.UTC().Format(http.TimeFormat))
		writeError(w, errRateLimit())
	}
}

// ExpireTokens ends the life of every access token issued so far, as an
// hour passing would, without moving the clock the token endpoint checks
// client assertions and DPoP proofs against.
func (s *Server) ExpireTokens() {
	a := s.authority()
	a.mu.Lock()
	defer a.mu.Unlock()
	past := a.now().Add(-time.Second)
	for _, t := range a.tokens {
		t.expiry = past
	}
}

// RenameGroup gives a group a new name, as an Okta admin editing its
// profile does; its id and members stay.
func (o *Org) RenameGroup(groupID, name string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	g := o.groups[groupID]
	if g == nil {
		return fmt.Errorf("oktasim: no group %s", groupID)
	}
	key := strings.ToLower(name)
	if other := o.byName[key]; other != nil && other != g {
		return fmt.Errorf("oktasim: a group named %q exists", name)
	}
	delete(o.byName, strings.ToLower(g.name))
	o.byName[key] = g
	g.name = name
	g.lastUpdated = o.tick()
	return nil
}
