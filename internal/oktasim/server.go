package oktasim

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rolesync/rolesync/internal/privatefile"
)

// Options configure a simulated org and its server.
type Options struct {
	// Addr is the listen address; default 127.0.0.1:0 (a free port).
	Addr string
	// Users and Groups size a generated org; Seed makes it reproducible.
	Users, Groups int
	Seed          int64
	// Fixture, when set, loads the org from this YAML file instead.
	Fixture string
	// Org, when set, is served as is (Users, Groups and Fixture are ignored).
	Org *Org
	// Latency delays every API request, honouring its cancellation.
	Latency time.Duration
	// RateLimits configures Okta's limits; the zero value is Workforce's.
	RateLimits RateLimits
	// APIToken is the admin API token; default a random one.
	APIToken string
	// CAFile is where the CA certificate (PEM) is written; default a file in
	// a temporary directory that Close removes.
	CAFile string
	// Logger receives one line per request at debug level; default discards.
	Logger *slog.Logger
	// SearchLag hides from the users search (GET /api/v1/users?search=)
	// the users changed in the last SearchLag, as Okta's eventually
	// consistent search does: 0 is DefaultSearchLag, a negative value shows
	// every change at once (see SetSearchLag).
	SearchLag time.Duration
	// LogDelay makes each System Log event visible only some time after it
	// was published, up to LogDelay, so that events show late and out of
	// published order, as in Okta: 0 is DefaultLogDelay, a negative value
	// shows every event once published (see SetLogDelay).
	LogDelay time.Duration
}

// The simulator's default lags, short enough for tests and long enough
// that a client or test that counts on immediate consistency fails. See
// VisibleAt for when a write shows.
const (
	DefaultSearchLag = 300 * time.Millisecond
	DefaultLogDelay  = 400 * time.Millisecond
)

// lagOrDefault is an Options lag: 0 is def, a negative value none.
func lagOrDefault(d, def time.Duration) time.Duration {
	switch {
	case d == 0:
		return def
	case d < 0:
		return 0
	}
	return d
}

// Server is a simulated Okta org served over HTTPS.
type Server struct {
	org     *Org
	token   string
	latency time.Duration
	limits  *limiter
	faults  faultSet
	hooks   hookSet // see hooks.go
	log     *slog.Logger
	mux     *http.ServeMux
	// oauth checks Bearer and DPoP access tokens; see auth.go.
	oauth tokenAuthority

	requests  atomic.Int64
	searchLag atomic.Int64 // a time.Duration
	logDelay  atomic.Int64 // a time.Duration

	certs   *certs
	caFile  string
	tempDir string
	url     string
	httpSrv *http.Server
	done    chan struct{}
	closeMu sync.Once
	stopCtx func() bool
}

// NewServer builds the org and the handler without listening; serve it with
// Handler (for example through httptest) or use Start.
func NewServer(opts Options) (*Server, error) {
	org := opts.Org
	var err error
	switch {
	case org != nil:
	case opts.Fixture != "":
		org, err = LoadFixture(opts.Fixture, opts.Seed)
	default:
		org, err = Generate(opts.Seed, opts.Users, opts.Groups)
	}
	if err != nil {
		return nil, err
	}
	token := opts.APIToken
	if token == "" {
		b := make([]byte, 21)
		if _, err := rand.Read(b); err != nil {
			return nil, fmt.Errorf("oktasim: api token: %w", err)
		}
		token = "00" + hex.EncodeToString(b)
	}
	logger := opts.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{org: org, token: token, latency: opts.Latency, log: logger,
		limits: newLimiter(opts.RateLimits, time.Now), mux: http.NewServeMux()}
	s.searchLag.Store(int64(lagOrDefault(opts.SearchLag, DefaultSearchLag)))
	s.logDelay.Store(int64(lagOrDefault(opts.LogDelay, DefaultLogDelay)))
	s.routes()
	for _, add := range extraRoutes {
		add(s, s.mux)
	}
	return s, nil
}

// Start builds the org, writes the CA file and serves HTTPS on opts.Addr
// until ctx is done or Close is called.
func Start(ctx context.Context, opts Options) (*Server, error) {
	s, err := NewServer(opts)
	if err != nil {
		return nil, err
	}
	if s.certs, err = newCerts(); err != nil {
		return nil, err
	}
	s.caFile = opts.CAFile
	if s.caFile == "" {
		if s.tempDir, err = os.MkdirTemp("", "oktasim-"); err != nil {
			return nil, fmt.Errorf("oktasim: temp dir for the CA file: %w", err)
		}
		s.caFile = filepath.Join(s.tempDir, "oktasim-ca.pem")
	}
	// 0600, as every file in a data directory (the demo writes it there).
	if err := privatefile.WriteFile(s.caFile, s.certs.caPEM); err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("oktasim: write CA file: %w", err)
	}
	addr := opts.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		s.removeTemp()
		return nil, fmt.Errorf("oktasim: listen on %s: %w", addr, err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() || ip.IsLoopback() && ip.To4() != nil {
		host = "127.0.0.1"
	}
	s.url = "https://" + net.JoinHostPort(host, port)
	s.org.warmListings(s.url)
	s.httpSrv = &http.Server{
		Handler:           s.Handler(),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{s.certs.leaf}, MinVersion: tls.VersionTLS12},
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelDebug),
	}
	s.done = make(chan struct{})
	go func() {
		defer close(s.done)
		err := s.httpSrv.Serve(tls.NewListener(ln, s.httpSrv.TLSConfig))
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.log.Error("oktasim: serve", "err", err)
		}
	}()
	s.stopCtx = context.AfterFunc(ctx, func() { _ = s.Close() })
	return s, nil
}

// Close stops the server and removes the CA file if Start created it.
func (s *Server) Close() error {
	var err error
	s.closeMu.Do(func() {
		if s.stopCtx != nil {
			s.stopCtx()
		}
		if s.httpSrv != nil {
			// A short grace: connections opened but never used count as
			// busy for seconds, and a simulator has nothing to drain.
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			if err = s.httpSrv.Shutdown(ctx); errors.Is(err, context.DeadlineExceeded) {
				err = s.httpSrv.Close()
			} else if err != nil {
				err = errors.Join(err, s.httpSrv.Close())
			}
			<-s.done
		}
		s.removeTemp()
	})
	if err != nil {
		return fmt.Errorf("oktasim: close: %w", err)
	}
	return nil
}

func (s *Server) removeTemp() {
	if s.tempDir != "" {
		_ = os.RemoveAll(s.tempDir)
	}
}

// URL is the org URL, e.g. https://127.0.0.1:43123 (empty before Start).
func (s *Server) URL() string { return s.url }

// CAFile is the path of the CA certificate (PEM) that signed the server's.
func (s *Server) CAFile() string { return s.caFile }

// CAPool holds the CA certificate, for an http.Client's RootCAs.
func (s *Server) CAPool() *x509.CertPool {
	if s.certs == nil {
		return nil
	}
	return s.certs.pool
}

// Client returns an HTTP client that trusts the server's CA.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: &http.Transport{
		TLSClientConfig:   &tls.Config{RootCAs: s.CAPool(), MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2: true,
	}}
}

// APIToken is the admin API token (send it as "Authorization: SSWS <token>").
func (s *Server) APIToken() string { return s.token }

// Org is the simulated org, for in-process inspection and changes.
func (s *Server) Org() *Org { return s.org }

// Requests is the number of API requests received so far (every request
// under /api/ and /oauth2/, whatever its answer).
func (s *Server) Requests() int { return int(s.requests.Load()) }

// Handler serves the Okta API and the /__sim control routes.
func (s *Server) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/__sim/") {
			if r.URL.Path == "/__sim/faults" {
				s.handleFaults(w, r)
				return
			}
			writeError(w, errNotFound(r.URL.Path, "simulator route"))
			return
		}
		s.requests.Add(1)
		s.log.Debug("oktasim: request", "method", r.Method, "path", r.URL.Path)
		s.hooks.serve(w, r, http.HandlerFunc(s.serveAPI))
	})
}

// serveAPI answers an API request: its faults, limits, latency and route.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	if s.applyFault(w, r) {
		return
	}
	if !s.limits.acquire() {
		writeError(w, s.limits.concurrencyError(w.Header()))
		return
	}
	defer s.limits.release()
	if s.latency > 0 {
		t := time.NewTimer(s.latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// handle registers an API route. scope "" means no authentication (the
// OAuth token endpoint); otherwise the request must authenticate and its
// principal must hold scope. Every response carries the X-Rate-Limit headers.
func (s *Server) handle(pattern, scope string, h func(w http.ResponseWriter, r *http.Request, p *principal)) {
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		var p *principal
		var authErr *apiError
		key := "anonymous"
		if scope != "" {
			if p, authErr = s.authenticate(r); p != nil {
				key = p.id
			}
		}
		if !s.limits.take(w.Header(), r.Method, r.URL.Path, key) {
			writeError(w, errRateLimit())
			return
		}
		if authErr != nil {
			writeError(w, authErr)
			return
		}
		if p != nil && !p.allows(scope) {
			writeError(w, errForbidden())
			return
		}
		h(w, r, p)
	})
}
