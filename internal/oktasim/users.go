package oktasim

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

var userTimeAttrs = map[string]bool{"created": true, "activated": true, "statusChanged": true,
	"lastUpdated": true, "lastLogin": true, "passwordChanged": true}

// userFilterSpec allows what Okta's user filter allows.
func userFilterSpec(attr, op string) (attrKind, error) {
	switch attr {
	case "status", "id", "profile.login", "profile.email", "profile.firstName", "profile.lastName":
		if op != "eq" {
			return 0, fmt.Errorf("filter on %s supports only eq, not %s", attr, op)
		}
		return kindString, nil
	case "lastUpdated":
		if op == "sw" || op == "co" || op == "pr" {
			return 0, fmt.Errorf("filter on lastUpdated supports eq, gt, ge, lt and le, not %s", op)
		}
		return kindTime, nil
	}
	return 0, fmt.Errorf("filter supports status, lastUpdated, id and profile login, email and names, not %s; use search", attr)
}

// userSearchSpec allows what Okta's user search allows.
func userSearchSpec(attr, _ string) (attrKind, error) {
	switch {
	case userTimeAttrs[attr]:
		return kindTime, nil
	case attr == "id" || attr == "status" || strings.HasPrefix(attr, "profile."):
		return kindString, nil
	}
	return 0, fmt.Errorf("search cannot use %s; use id, status, timestamps or profile attributes", attr)
}

func userAttrs(u *user) func(string) attrValue {
	return func(attr string) attrValue {
		switch attr {
		case "id":
			return attrValue{s: u.id, ok: true}
		case "status":
			return attrValue{s: u.status, ok: true}
		case "created":
			return attrValue{t: u.created, ok: true}
		case "activated":
			return attrValue{t: u.activated, ok: true}
		case "statusChanged":
			return attrValue{t: u.statusChanged, ok: true}
		case "lastUpdated":
			return attrValue{t: u.lastUpdated, ok: true}
		case "lastLogin":
			return attrValue{t: u.lastLogin, ok: true}
		case "passwordChanged":
			return attrValue{t: u.passwordChanged, ok: true}
		case "profile.login":
			return attrValue{s: u.login, ok: true}
		case "profile.email":
			return attrValue{s: u.email, ok: true}
		case "profile.firstName":
			return attrValue{s: u.firstName, ok: true}
		case "profile.lastName":
			return attrValue{s: u.lastName, ok: true}
		}
		return attrValue{}
	}
}

// listUsers serves GET /api/v1/users with limit (default and max 200),
// after, filter and search. Like Okta, it omits DEPROVISIONED users unless
// a filter or search is given.
func (s *Server) listUsers(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := r.URL.Query()
	limit, e := parseLimit(r, 200, 200)
	if e != nil {
		writeError(w, e)
		return
	}
	exprs, e := userExprs(q)
	if e != nil {
		writeError(w, e)
		return
	}
	hideDeprovisioned := len(exprs) == 0
	base := baseURL(r)
	o := s.org
	o.mu.RLock()
	var shownBefore time.Time // the search index's lag
	if lag := time.Duration(s.searchLag.Load()); lag > 0 && q.Get("search") != "" {
		shownBefore = o.now().Add(-lag)
	}
	buf := append(make([]byte, 0, 64+limit*900), '[')
	n, last, next := 0, "", ""
users:
	for _, id := range o.userIDs[pageAfter(o.userIDs, q.Get("after")):] {
		u := o.users[id]
		if hideDeprovisioned && u.status == StatusDeprovisioned || !shownBefore.IsZero() && u.lastUpdated.After(shownBefore) {
			continue
		}
		for _, ex := range exprs {
			if !ex.eval(userAttrs(u)) {
				continue users
			}
		}
		if n == limit {
			next = last
			break
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = appendListed(buf, base, u)
		n, last = n+1, u.id
	}
	o.mu.RUnlock()
	setLinks(w, r, limit, next)
	writeJSON(w, http.StatusOK, append(buf, ']'))
}

// userExprs parses a users listing's filter and search.
func userExprs(q url.Values) ([]expr, *apiError) {
	var exprs []expr
	for _, param := range []struct {
		name string
		spec attrSpec
	}{{"filter", userFilterSpec}, {"search", userSearchSpec}} {
		if src := q.Get(param.name); src != "" {
			ex, err := parseExpr(src, param.spec)
			if err != nil {
				return nil, errBadFilter(param.name + ": " + err.Error())
			}
			exprs = append(exprs, ex)
		}
	}
	return exprs, nil
}

// getUser serves GET /api/v1/users/{id}; id may also be a login.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request, _ *principal) {
	id := r.PathValue("id")
	o := s.org
	o.mu.RLock()
	u := o.lookupUser(id)
	var buf []byte
	if u != nil {
		buf = appendUser(nil, baseURL(r), u, true)
	}
	o.mu.RUnlock()
	if u == nil {
		writeError(w, errNotFound(id, "User"))
		return
	}
	writeJSON(w, http.StatusOK, buf)
}

// userLifecycle serves POST /api/v1/users/{id}/lifecycle/{op}; Okta answers
// 200 with an empty JSON object.
func (s *Server) userLifecycle(w http.ResponseWriter, r *http.Request, p *principal) {
	op := r.PathValue("op")
	switch op {
	case LifecycleSuspend, LifecycleUnsuspend, LifecycleDeactivate, LifecycleActivate:
	default:
		writeError(w, errNotFound(r.URL.Path, "endpoint"))
		return
	}
	if e := s.org.lifecycle(actorOf(p), r.PathValue("id"), op); e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, []byte("{}"))
}

// SetSearchLag sets how long a change to a user stays out of the users
// search (GET /api/v1/users?search=), as Okta's eventually consistent
// search index lags writes; 0 shows every change at once.
func (s *Server) SetSearchLag(d time.Duration) { s.searchLag.Store(int64(d)) }
