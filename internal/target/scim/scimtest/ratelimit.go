package scimtest

import (
	"net/http"
	"strconv"
	"time"
)

// limited counts r against the rate limit and, past it, answers 429.
func (s *Server) limited(w http.ResponseWriter) bool {
	if s.rateLimit <= 0 {
		return false
	}
	s.mu.Lock()
	now := time.Now()
	if now.Sub(s.window) >= time.Second {
		s.window, s.inWindow = now, 0
	}
	s.inWindow++
	over := s.inWindow > s.rateLimit
	remaining := max(s.rateLimit-s.inWindow, 0)
	const reset = 1 // second: the window is one second long
	if over {
		s.throttled++
	}
	s.mu.Unlock()
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(s.rateLimit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(reset))
	if !over {
		return false
	}
	h.Set("Retry-After", strconv.Itoa(reset))
	w.WriteHeader(http.StatusTooManyRequests)
	_, _ = w.Write([]byte(`{"status":"429","detail":"rate limit exceeded"}`))
	return true
}

// Throttled returns how many requests the rate limit answered with 429.
func (s *Server) Throttled() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.throttled
}
