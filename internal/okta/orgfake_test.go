package okta

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// orgToken is the API token the fake org accepts; it is not a real secret.
const orgToken = "fake-ssws-token-for-tests"

// orgFake is a small Okta org for unit tests: groups, members, users and
// System Log events, with Link paging, SSWS auth and a per-request hook for
// faults.
type orgFake struct {
	mu       sync.Mutex
	groups   []fakeGroup
	users    map[string]User
	events   []map[string]any
	logsCode int // non-zero: /api/v1/logs answers this status
	// hook runs first; returning true means it answered.
	hook     func(w http.ResponseWriter, r *http.Request) bool
	requests []string // "METHOD path?query"
	hosts    []string
	linkHost string // host named in Link headers; default the request's
	noNext   bool   // leave out rel="next": listings stop after one page
	srv      *httptest.Server
}

type fakeGroup struct {
	ID, Name, Type string
	LMU            time.Time
	Members        []string
}

func newOrgFake(t *testing.T) *orgFake {
	t.Helper()
	f := &orgFake{users: map[string]User{}}
	f.srv = httptest.NewTLSServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// client returns a Client for the fake with the given options adjusted.
func (f *orgFake) client(t *testing.T, adjust func(*Options)) *Client {
	t.Helper()
	base, err := NewBaseTransport("", f.srv.Client().Transport.(*http.Transport).TLSClientConfig.RootCAs)
	if err != nil {
		t.Fatal(err)
	}
	opts := Options{Domain: f.srv.URL, Transport: APITokenTransport(orgToken, base), Clock: newStepClock()}
	if adjust != nil {
		adjust(&opts)
	}
	c, err := NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *orgFake) addGroup(id, name string, members ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.groups = append(f.groups, fakeGroup{ID: id, Name: name, Type: "OKTA_GROUP", LMU: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Members: members})
	for _, m := range members {
		if _, ok := f.users[m]; !ok {
			f.users[m] = User{ID: m, Status: StatusActive, Login: m + "@example.com", Email: m + "@example.com", FirstName: "F" + m, LastName: "L" + m, LastUpdated: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)}
		}
	}
}

// gid makes a 20-character group id from n.
func gid(n int) string { return fmt.Sprintf("00g%017d", n) }

// uid makes a 20-character user id from n.
func uid(n int) string { return fmt.Sprintf("00u%017d", n) }

func (f *orgFake) requestLog() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

func oktaError(w http.ResponseWriter, status int, code, summary string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"errorCode":%q,"errorSummary":%q,"errorLink":%q,"errorId":"oae-test","errorCauses":[]}`, code, summary, code)
}

// groupUpdated is every fake group's lastUpdated.
var groupUpdated = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

var (
	reTimeGt = regexp.MustCompile(`(lastMembershipUpdated|lastUpdated) gt "([^"]*)"`)
	reIDEq   = regexp.MustCompile(`(?:^|[ (])id eq "([^"]*)"`)
	reNameEq = regexp.MustCompile(`profile\.name eq "((?:[^"\\]|\\.)*)"`)
)

func (f *orgFake) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
	f.hosts = append(f.hosts, r.Host)
	hook := f.hook
	f.mu.Unlock()
	if hook != nil && hook(w, r) {
		return
	}
	if auth := r.Header.Values("Authorization"); len(auth) != 1 || auth[0] != "SSWS "+orgToken {
		oktaError(w, 401, "E0000011", "Invalid token provided")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	q := r.URL.Query()
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case r.URL.Path == "/api/v1/groups":
		var out []map[string]any
		for _, g := range f.groups {
			if f.groupMatches(g, q) {
				out = append(out, f.groupJSON(g, q.Get("expand") == "stats"))
			}
		}
		f.page(w, r, out, 10000)
	case len(parts) == 5 && parts[2] == "groups" && parts[4] == "users":
		for _, g := range f.groups {
			if g.ID == parts[3] {
				var out []map[string]any
				for _, m := range g.Members {
					out = append(out, userJSON(f.users[m]))
				}
				f.page(w, r, out, 1000)
				return
			}
		}
		oktaError(w, 404, "E0000007", "Not found: Resource not found: "+parts[3]+" (UserGroup)")
	case len(parts) == 4 && parts[2] == "users":
		u, ok := f.users[parts[3]]
		if !ok {
			oktaError(w, 404, "E0000007", "Not found: Resource not found: "+parts[3]+" (User)")
			return
		}
		json.NewEncoder(w).Encode(userJSON(u))
	case r.URL.Path == "/api/v1/users":
		oktaError(w, 403, "E0000006", "You do not have permission to perform the requested action")
	case r.URL.Path == "/api/v1/logs":
		if f.logsCode != 0 {
			oktaError(w, f.logsCode, "E0000006", "You do not have permission to perform the requested action")
			return
		}
		since, _ := time.Parse(time.RFC3339, q.Get("since"))
		var out []map[string]any
		for _, e := range f.events {
			if p, _ := time.Parse(time.RFC3339Nano, e["published"].(string)); !p.Before(since) {
				out = append(out, e)
			}
		}
		f.page(w, r, out, 1000)
	default:
		oktaError(w, 404, "E0000022", "The endpoint does not support the provided HTTP method")
	}
}

func (f *orgFake) groupMatches(g fakeGroup, q map[string][]string) bool {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	if s := get("filter"); s != "" {
		for _, m := range reTimeGt.FindAllStringSubmatch(s, -1) {
			t, err := time.Parse(time.RFC3339, m[2])
			if err != nil {
				panic(err)
			}
			if m[1] == "lastMembershipUpdated" && g.LMU.After(t) || m[1] == "lastUpdated" && groupUpdated.After(t) {
				return true
			}
		}
		for _, m := range reIDEq.FindAllStringSubmatch(s, -1) {
			if m[1] == g.ID {
				return true
			}
		}
		return false
	}
	if s := get("search"); s != "" {
		for _, m := range reIDEq.FindAllStringSubmatch(s, -1) {
			if m[1] == g.ID {
				return true
			}
		}
		// Case-sensitive here, as some orgs compare; the client must cope.
		for _, m := range reNameEq.FindAllStringSubmatch(s, -1) {
			if strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(m[1]) == g.Name {
				return true
			}
		}
		return false
	}
	if s := get("q"); s != "" {
		return strings.HasPrefix(strings.ToLower(g.Name), strings.ToLower(s))
	}
	return true
}

func (f *orgFake) groupJSON(g fakeGroup, stats bool) map[string]any {
	out := map[string]any{
		"id": g.ID, "type": g.Type, "objectClass": []string{"okta:user_group"},
		"created": "2025-01-01T00:00:00.000Z", "lastUpdated": "2025-01-01T00:00:00.000Z",
		"lastMembershipUpdated": g.LMU.Format("2006-01-02T15:04:05.000Z"),
		"profile":               map[string]any{"name": g.Name, "description": nil},
	}
	if stats {
		out["_embedded"] = map[string]any{"stats": map[string]any{"usersCount": len(g.Members)}}
	}
	return out
}

func userJSON(u User) map[string]any {
	return map[string]any{
		"id": u.ID, "status": u.Status, "created": "2025-01-01T00:00:00.000Z", "activated": nil,
		"lastUpdated": u.LastUpdated.Format("2006-01-02T15:04:05.000Z"),
		"profile":     map[string]any{"login": u.Login, "email": u.Email, "firstName": u.FirstName, "lastName": u.LastName, "mobilePhone": nil},
		"credentials": map[string]any{"provider": map[string]any{"type": "OKTA", "name": "OKTA"}},
		"_links":      map[string]any{"self": map[string]any{"href": "https://example.okta.com/api/v1/users/" + u.ID}},
	}
}

// page writes one page of items with Okta's Link headers; the after cursor
// is the index of the next item.
func (f *orgFake) page(w http.ResponseWriter, r *http.Request, items []map[string]any, max int) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > max {
		limit = max
	}
	start, _ := strconv.Atoi(q.Get("after"))
	end := min(len(items), start+limit)
	host := f.linkHost
	if host == "" {
		host = r.Host
	}
	self := "https://" + host + r.URL.Path + "?" + q.Encode()
	w.Header().Add("Link", "<"+self+`>; rel="self"`)
	if end < len(items) && !f.noNext {
		q.Set("after", strconv.Itoa(end))
		w.Header().Add("Link", "<https://"+host+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	page := items[min(start, len(items)):end]
	if page == nil {
		page = []map[string]any{}
	}
	json.NewEncoder(w).Encode(page)
}

// stepClock advances only when slept on, and records each sleep.
type stepClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func newStepClock() *stepClock {
	return &stepClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)}
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// After moves the clock on by d, as Sleep does, and fires at once.
func (c *stepClock) After(d time.Duration) <-chan time.Time {
	_ = c.Sleep(context.Background(), d)
	ch := make(chan time.Time, 1)
	ch <- c.Now()
	return ch
}

func (c *stepClock) slept() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}

// memberIDs returns the sorted member ids of the snapshot's group for ref.
func memberIDs(t *testing.T, s *Snapshot, ref string) []string {
	t.Helper()
	g := s.Groups[ref]
	if g == nil {
		t.Fatalf("snapshot has no group for %q", ref)
	}
	ids := append([]string(nil), g.MemberIDs...)
	sort.Strings(ids)
	return ids
}

func ids(fn func(int) string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fn(i))
	}
	return out
}
