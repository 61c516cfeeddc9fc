package scimtest

import "net/http"

// SetArrival installs f, called with each request with a good token as it
// arrives, before the latency and the rate limit; nil removes it. A test
// sees through it which requests reached the provider after a moment,
// such as a cancel, and which were already in flight.
func (s *Server) SetArrival(f func(r *http.Request)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.arrival = f
}

// Arrived returns the number of requests with a good token that have
// arrived so far, answered or not; unlike Requests, Log does not reset
// it.
func (s *Server) Arrived() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.arrived
}

// arrive counts r and hands it to the arrival hook, outside s.mu.
func (s *Server) arrive(r *http.Request) {
	s.mu.Lock()
	s.arrived++
	f := s.arrival
	s.mu.Unlock()
	if f != nil {
		f(r)
	}
}
