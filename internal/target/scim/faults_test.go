package scim_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/target"
	"github.com/rolesync/rolesync/internal/target/scim"
)

// nth returns a fault that fires on the n-th request matching method and
// path prefix (1-based), or on every one from the n-th when sticky.
func nth(method, prefix string, n int, sticky bool, status int, header http.Header, body string) func(*http.Request) (int, http.Header, string, bool) {
	var seen atomic.Int32
	return func(r *http.Request) (int, http.Header, string, bool) {
		if r.Method != method || !strings.HasPrefix(strings.TrimPrefix(r.URL.Path, "/scim/v2"), prefix) {
			return 0, nil, "", false
		}
		k := int(seen.Add(1))
		if k == n || (sticky && k > n) {
			return status, header, body, true
		}
		return 0, nil, "", false
	}
}

func TestFaultsGiveClearErrorsAndTheNextRunConverges(t *testing.T) {
	retryAfter := http.Header{"Retry-After": {"7"}}
	tests := []struct {
		name    string
		mode    string
		fault   func(*http.Request) (int, http.Header, string, bool)
		want    string // in the error; empty: the run succeeds
		slept   []time.Duration
		isErr   error
		batched bool
	}{
		{
			name:  "500 midway through the creates",
			fault: nth(http.MethodPost, "/Users", 2, false, 500, nil, `{"status":"500","detail":"database unavailable"}`),
			want:  "POST /Users: HTTP 500 Internal Server Error: database unavailable; the provider failed",
		},
		{
			name:  "502 on a group change",
			fault: nth(http.MethodPatch, "/Groups/", 1, true, 502, nil, "<html>bad gateway</html>"),
			want:  "PATCH /Groups/",
			slept: []time.Duration{time.Second, 2 * time.Second, 4 * time.Second},
		},
		{
			name:    "500 on one group in a batch",
			batched: true,
			fault:   nth(http.MethodPost, "/Groups", 2, false, 500, nil, `{"status":"500"}`),
			want:    `the queued changes of 1 of 3 roles (Auditor) were not made: role "Auditor": scim: POST /Groups: HTTP 500`,
		},
		{
			name:  "409 for a user no one can see",
			fault: nth(http.MethodPost, "/Users", 1, false, 409, nil, `{"status":"409","scimType":"uniqueness","detail":"userName taken"}`),
			want:  "HTTP 409 Conflict (uniqueness): userName taken; no user with that userName is visible",
		},
		{
			name:  "429 with Retry-After, then success",
			fault: nth(http.MethodGet, "/Users", 1, false, 429, retryAfter, ""),
			slept: []time.Duration{7 * time.Second},
		},
		{
			name:  "503 without Retry-After backs off",
			fault: nth(http.MethodPost, "/Users", 1, false, 503, nil, ""),
			slept: []time.Duration{time.Second},
		},
		{
			name:  "429 that never ends is bounded",
			fault: nth(http.MethodGet, "/Users", 1, true, 429, retryAfter, `{"status":"429","detail":"slow down"}`),
			slept: []time.Duration{7 * time.Second, 7 * time.Second, 7 * time.Second},
			want:  "GET /Users: HTTP 429 Too Many Requests: slow down",
		},
		{
			name:  "malformed JSON list",
			fault: nth(http.MethodGet, "/Users", 1, false, 200, nil, `{"totalResults": 3, "Resources": [{"id": `),
			want:  "GET /Users: answer is not valid SCIM JSON",
			isErr: scim.ErrMalformed,
		},
		{
			name:  "malformed JSON in attribute mode create",
			mode:  scim.RoleModeAttribute,
			fault: nth(http.MethodPost, "/Users", 2, false, 201, nil, `<html>login</html>`),
			want:  "POST /Users: answer is not valid SCIM JSON",
			isErr: scim.ErrMalformed,
		},
		{
			name:  "a revoked token",
			fault: nth(http.MethodGet, "/ServiceProviderConfig", 1, false, 401, nil, `{"status":"401"}`),
			want:  "rolesync secrets set scim-token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			srv := newServer(t, 100)
			var logs bytes.Buffer
			logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			conc := 0
			if tt.batched {
				conc = 1 // the fault hits the second group sent: in order
			}
			c, slept := srv.client(scim.Options{RoleMode: tt.mode, Logger: logger, Concurrency: conc})
			srv.SetFault(tt.fault)
			if tt.batched {
				if err := c.Begin(ctx); err != nil {
					t.Fatal(err)
				}
			}
			err := syncOnce(ctx, t, c, org())
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("sync: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("sync error = %v, want it to contain %q", err, tt.want)
			}
			if tt.isErr != nil && !errors.Is(err, tt.isErr) {
				t.Fatalf("errors.Is(%v, %v) = false", err, tt.isErr)
			}
			if !slices.Equal(*slept, tt.slept) {
				t.Fatalf("waited %v, want %v", *slept, tt.slept)
			}
			if err != nil && strings.Contains(err.Error(), testToken) || strings.Contains(logs.String(), testToken) {
				t.Fatal("the token appears in an error or a log record")
			}

			// The fault is gone: the next run converges, with no duplicates.
			srv.SetFault(nil)
			if err := syncOnce(ctx, t, c, org()); err != nil {
				t.Fatalf("next run: %v", err)
			}
			got, err := c.ListUsers(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != 3 {
				t.Fatalf("after the next run: %d users, want 3: %+v", len(got), got)
			}
			for _, want := range org() {
				u := usersByLogin(t, c)[want.Login]
				checkUser(t, u, true, want.Roles...)
			}
			before := srv.Writes()
			if err := syncOnce(ctx, t, c, org()); err != nil {
				t.Fatal(err)
			}
			if n := srv.Writes() - before; n != 0 {
				t.Fatalf("converged rerun made %d writes, want 0", n)
			}
		})
	}
}

func TestRetryHonoursContext(t *testing.T) {
	srv := newServer(t, 100)
	ctx, cancel := context.WithCancel(context.Background())
	c, err := scim.New(scim.Options{
		BaseURL:    srv.BaseURL(),
		Token:      testToken,
		HTTPClient: srv.Client(),
		Sleep: func(ctx context.Context, d time.Duration) error {
			cancel()
			<-ctx.Done()
			return ctx.Err()
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	srv.SetFault(nth(http.MethodGet, "/ServiceProviderConfig", 1, true, 503, http.Header{"Retry-After": {"30"}}, ""))
	_, err = c.ListUsers(ctx)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("ListUsers error = %v, want context.Canceled", err)
	}
}

func TestUnknownUserIsNotFound(t *testing.T) {
	srv := newServer(t, 100)
	c, _ := srv.client(scim.Options{})
	err := c.SetRoles(context.Background(), "nope", []string{"Admin"})
	if !errors.Is(err, target.ErrNotFound) {
		t.Fatalf("SetRoles on an unknown user: %v, want target.ErrNotFound", err)
	}
}

func TestFlushErrorNamesTheRolesNotSent(t *testing.T) {
	tests := []struct {
		name   string
		fault  func(*http.Request) (int, http.Header, string, bool)
		cancel bool
		failed []string
		sent   []string // groups the provider holds after Flush
	}{
		{"one group fails", nth(http.MethodPost, "/Groups", 2, false, 500, nil, `{"status":"500"}`), false, []string{"Auditor"}, []string{"Admin", "Viewer"}},
		{"cancelled before Flush", nil, true, []string{"Admin", "Auditor", "Viewer"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newServer(t, 100)
			c, _ := srv.client(scim.Options{Concurrency: 1}) // the fault hits the second group sent
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			if err := c.Begin(ctx); err != nil {
				t.Fatal(err)
			}
			for _, u := range org() {
				if _, err := c.CreateUser(ctx, u); err != nil {
					t.Fatal(err)
				}
			}
			srv.SetFault(tt.fault)
			if tt.cancel {
				cancel()
			}
			err := c.Flush(ctx)
			var fe *scim.FlushError
			if !errors.As(err, &fe) || !slices.Equal(fe.FailedRoles(), tt.failed) || fe.Total != 3 {
				t.Fatalf("Flush() = %v, want a FlushError naming %v of 3 roles", err, tt.failed)
			}
			var sent []string
			for _, g := range srv.Groups() {
				sent = append(sent, fmt.Sprint(g.Attrs["displayName"]))
			}
			slices.Sort(sent)
			if !slices.Equal(sent, tt.sent) {
				t.Fatalf("the provider holds groups %v, want %v", sent, tt.sent)
			}
			// The batch is closed: a new one can begin.
			if err := c.Begin(context.Background()); err != nil {
				t.Fatalf("Begin after a failed Flush: %v", err)
			}
		})
	}
}
