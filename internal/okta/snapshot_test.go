package okta

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestNewClientChecksOptions(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		want string
	}{
		{"empty domain", Options{}, "okta domain is empty"},
		{"http", Options{Domain: "http://example.okta.com"}, "must start with https://"},
		{"not a URL", Options{Domain: "example.okta.com"}, "is not a URL"},
		{"path", Options{Domain: "https://example.okta.com/admin"}, "without a path"},
		{"rate share", Options{Domain: "https://example.okta.com", RateShare: 1.5}, "outside (0, 1]"},
		{"transport with CA", Options{Domain: "https://example.okta.com", Transport: http.DefaultTransport, CAFile: "ca.pem"}, "NewBaseTransport"},
		{"missing CA file", Options{Domain: "https://example.okta.com", CAFile: "/nonexistent/ca.pem"}, "okta.ca_file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewClient(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("NewClient error = %v, want it to mention %q", err, tt.want)
			}
		})
	}
	t.Run("port kept", func(t *testing.T) {
		c, err := NewClient(Options{Domain: "https://example.okta.com:8443/"})
		if err != nil {
			t.Fatal(err)
		}
		if c.base.String() != "https://example.okta.com:8443" {
			t.Fatalf("base = %s", c.base)
		}
	})
}

func TestSnapshotReadsEveryPageKeepingThePort(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", ids(uid, 0, 2500)...)
	f.addGroup(gid(2), "Auditors", ids(uid, 2400, 2410)...)
	f.linkHost = "other-host.okta.com" // Okta names its own host in Link; the client stays on its own
	c := f.client(t, nil)

	s, err := c.Snapshot(context.Background(), []string{"Engineering", gid(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := memberIDs(t, s, "Engineering"); !slices.Equal(got, ids(uid, 0, 2500)) {
		t.Fatalf("Engineering has %d members, want 2500", len(got))
	}
	if got := memberIDs(t, s, gid(2)); !slices.Equal(got, ids(uid, 2400, 2410)) {
		t.Fatalf("Auditors members = %v", got)
	}
	if len(s.Users) != 2500 {
		t.Fatalf("users = %d, want 2500 distinct", len(s.Users))
	}
	u := s.Users[uid(7)]
	if u.Login != uid(7)+"@example.com" || u.Status != StatusActive || u.FirstName != "F"+uid(7) || u.LastUpdated.IsZero() {
		t.Fatalf("user parsed as %+v", u)
	}
	// 1 search for the name and the id + 3 pages + 1 page.
	if s.APICalls != 5 {
		t.Fatalf("APICalls = %d, want 5; requests: %v", s.APICalls, f.requestLog())
	}
	for _, h := range f.hosts {
		if h != strings.TrimPrefix(f.srv.URL, "https://") {
			t.Fatalf("request went to host %q, want %q with its port", h, f.srv.URL)
		}
	}
	var pages int
	for _, r := range f.requestLog() {
		if strings.Contains(r, gid(1)+"/users") {
			pages++
			if !strings.Contains(r, "limit=1000") {
				t.Fatalf("member page without limit=1000: %s", r)
			}
		}
	}
	if pages != 3 {
		t.Fatalf("read %d pages of Engineering, want 3", pages)
	}
}

func TestSnapshotResolvesReferences(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", uid(1))
	f.addGroup(gid(2), "Sales Team", uid(2))
	f.addGroup(gid(3), "Ops", uid(3))
	f.addGroup(gid(4), "OPS", uid(4))
	f.addGroup(gid(5), `Quote "Group"`, uid(5))
	f.addGroup(gid(6), "dup", uid(6))
	f.addGroup(gid(7), "Dup", uid(7))

	tests := []struct {
		name    string
		refs    []string
		want    map[string]string // ref → group id
		missing []string
		err     string
	}{
		{name: "by id", refs: []string{gid(2)}, want: map[string]string{gid(2): gid(2)}},
		{name: "exact name wins over other cases", refs: []string{"Ops", "OPS"}, want: map[string]string{"Ops": gid(3), "OPS": gid(4)}},
		{name: "unique case-insensitive name", refs: []string{"sales team"}, want: map[string]string{"sales team": gid(2)}},
		{name: "quotes in a name", refs: []string{`Quote "Group"`}, want: map[string]string{`Quote "Group"`: gid(5)}},
		{name: "missing name and id", refs: []string{"Nobody", gid(99), "Engineering"}, want: map[string]string{"Engineering": gid(1)}, missing: []string{gid(99), "Nobody"}},
		{name: "ambiguous ignoring case", refs: []string{"DUP"}, err: "matches 2 groups"},
		{name: "empty reference", refs: []string{" "}, err: "empty Okta group"},
		{name: "same group twice", refs: []string{"Engineering", gid(1)}, want: map[string]string{"Engineering": gid(1), gid(1): gid(1)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := f.client(t, nil).Snapshot(context.Background(), tt.refs)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Groups) != len(tt.want) {
				t.Fatalf("groups = %v, want %v", s.Groups, tt.want)
			}
			for ref, id := range tt.want {
				if g := s.Groups[ref]; g == nil || g.ID != id || len(g.MemberIDs) != 1 {
					t.Fatalf("ref %q resolved to %+v, want %s with its member", ref, g, id)
				}
			}
			if !slices.Equal(s.Missing, tt.missing) {
				t.Fatalf("missing = %v, want %v", s.Missing, tt.missing)
			}
		})
	}
}

func TestSnapshotFailsWhole(t *testing.T) {
	tests := []struct {
		name   string
		hook   func(w http.ResponseWriter, r *http.Request) bool
		target error
		want   string
	}{
		{
			name: "500 on a later page",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if strings.Contains(r.URL.RawQuery, "after=1000") {
					oktaError(w, 500, "E0000009", "Internal Server Error")
					return true
				}
				return false
			},
			want: "HTTP 500",
		},
		{
			name: "malformed page",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if strings.Contains(r.URL.RawQuery, "after=2000") {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(`[{"id": "00u1", "status": `))
					return true
				}
				return false
			},
			target: ErrMalformed,
		},
		{
			name: "member without id",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/users") {
					w.Header().Set("Content-Type", "application/json")
					w.Write([]byte(`[{"status": "ACTIVE"}]`))
					return true
				}
				return false
			},
			target: ErrMalformed,
		},
		{
			name: "cursor that repeats",
			hook: func(w http.ResponseWriter, r *http.Request) bool {
				if strings.HasSuffix(r.URL.Path, "/users") {
					w.Header().Set("Content-Type", "application/json")
					w.Header().Add("Link", `<https://x/api/v1/groups/g/users?after=same&limit=1000>; rel="next"`)
					w.Write([]byte(`[]`))
					return true
				}
				return false
			},
			target: ErrMalformed,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newOrgFake(t)
			f.addGroup(gid(1), "Engineering", ids(uid, 0, 2500)...)
			f.addGroup(gid(2), "Small", uid(1))
			f.hook = tt.hook
			s, err := f.client(t, nil).Snapshot(context.Background(), []string{"Engineering", "Small"})
			if err == nil || s != nil {
				t.Fatalf("Snapshot = %v, %v; want an error and no snapshot", s, err)
			}
			if tt.target != nil && !errors.Is(err, tt.target) {
				t.Fatalf("err = %v, want %v", err, tt.target)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestSnapshotCancelledMidPaging(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", ids(uid, 0, 3500)...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		if strings.Contains(r.URL.RawQuery, "after=1000") {
			cancel() // the admin stops the run while page 2 is read
		}
		return false
	}
	s, err := f.client(t, nil).Snapshot(ctx, []string{"Engineering"})
	if !errors.Is(err, context.Canceled) || s != nil {
		t.Fatalf("Snapshot = %v, %v; want context.Canceled", s, err)
	}
	for _, r := range f.requestLog() {
		if strings.Contains(r, "after=3000") {
			t.Fatalf("kept paging after cancellation: %s", r)
		}
	}
}

func TestWrongTokenIsActionable(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", uid(1))
	base, _ := NewBaseTransport("", f.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs)
	const wrong = "wrong-token-value-123"
	c, err := NewClient(Options{Domain: f.srv.URL, Transport: APITokenTransport(wrong, base), Clock: newStepClock()})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Snapshot(context.Background(), []string{"Engineering"})
	var ae *APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	if ae.Status != 401 || ae.Code != CodeInvalidToken || ae.ID != "oae-test" {
		t.Fatalf("APIError = %+v", ae)
	}
	for _, want := range []string{"E0000011", "rolesync secrets set okta-api-token"} {
		if !strings.Contains(err.Error(), want) {
			t.Fatalf("message %q lacks %q", err, want)
		}
	}
	if strings.Contains(err.Error(), wrong) {
		t.Fatal("the error message shows the token")
	}
	if len(f.requestLog()) != 1 {
		t.Fatalf("a 401 was retried: %v", f.requestLog())
	}
}

func TestSDKAuthorizationHeaderIsReplaced(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", uid(1))
	var got [][]string
	f.hook = func(w http.ResponseWriter, r *http.Request) bool {
		got = append(got, r.Header.Values("Authorization"))
		return false
	}
	// ListGroups goes through the SDK, which adds its own SSWS header.
	groups, err := f.client(t, nil).ListGroups(context.Background(), ListGroupsOptions{Prefix: "Eng", Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(groups) != 1 || groups[0].ID != gid(1) || groups[0].Name != "Engineering" {
		t.Fatalf("ListGroups = %+v", groups)
	}
	if len(got) != 1 || !slices.Equal(got[0], []string{"SSWS " + orgToken}) {
		t.Fatalf("Authorization headers = %v, want exactly the transport's", got)
	}
}

func TestGroupQueries(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", ids(uid, 0, 42)...)
	f.addGroup(gid(2), "Engagement", uid(1))
	f.addGroup(gid(3), "Sales")
	c := f.client(t, nil)
	ctx := context.Background()

	t.Run("picker prefix", func(t *testing.T) {
		groups, err := c.ListGroups(ctx, ListGroupsOptions{Prefix: "eng"})
		if err != nil {
			t.Fatal(err)
		}
		if len(groups) != 2 {
			t.Fatalf("ListGroups(eng) = %+v", groups)
		}
	})
	t.Run("member count", func(t *testing.T) {
		n, err := c.GroupMemberCount(ctx, gid(1))
		if err != nil || n != 42 {
			t.Fatalf("GroupMemberCount = %d, %v; want 42", n, err)
		}
		if _, err := c.GroupMemberCount(ctx, gid(9)); !errors.Is(err, ErrGroupNotFound) {
			t.Fatalf("unknown group: err = %v", err)
		}
	})
	t.Run("membership times in one call", func(t *testing.T) {
		before := c.APICalls()
		times, err := c.GroupsChangedSince(ctx, []string{gid(1), gid(3), gid(9), gid(1)})
		if err != nil {
			t.Fatal(err)
		}
		if len(times) != 2 || times[gid(1)].IsZero() || times[gid(3)].IsZero() {
			t.Fatalf("times = %v", times)
		}
		if calls := c.APICalls() - before; calls != 1 {
			t.Fatalf("spent %d calls, want 1", calls)
		}
	})
}

func TestAPITokenTransport(t *testing.T) {
	f := newOrgFake(t)
	f.addGroup(gid(1), "Engineering", uid(1))
	base, _ := NewBaseTransport("", f.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs)
	tests := []struct {
		name  string
		token string
		err   error
	}{
		{"pasted with a newline", "  " + orgToken + "\n", nil},
		{"empty", " \n", ErrNoAPIToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.requestLog())
			c, err := NewClient(Options{Domain: f.srv.URL, Transport: APITokenTransport(tt.token, base), Clock: newStepClock()})
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Snapshot(context.Background(), []string{"Engineering"})
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if tt.err != nil && len(f.requestLog()) != before {
				t.Fatal("a request was sent without a token")
			}
		})
	}
}

func TestLookupUsersRefused(t *testing.T) {
	f := newOrgFake(t) // answers 403 E0000006 on /api/v1/users
	found, err := f.client(t, nil).LookupUsers(context.Background(), []string{uid(1)})
	if err != nil || found != nil {
		t.Fatalf("LookupUsers = %v, %v; want nil, nil when Okta refuses", found, err)
	}
}
