package oktasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// routes registers the built-in Okta routes.
func (s *Server) routes() {
	for pattern, h := range map[string]func(http.ResponseWriter, *http.Request, *principal){
		"GET /api/v1/groups":                             s.listGroups,
		"POST /api/v1/groups":                            s.createGroup,
		"GET /api/v1/groups/{groupId}":                   s.getGroup,
		"DELETE /api/v1/groups/{groupId}":                s.deleteGroup,
		"GET /api/v1/groups/{groupId}/users":             s.listGroupUsers,
		"PUT /api/v1/groups/{groupId}/users/{userId}":    s.changeMembership,
		"DELETE /api/v1/groups/{groupId}/users/{userId}": s.changeMembership,
		"GET /api/v1/users":                              s.listUsers,
		"GET /api/v1/users/{id}":                         s.getUser,
		"POST /api/v1/users/{id}/lifecycle/{op}":         s.userLifecycle,
		"DELETE /api/v1/users/{id}":                      s.deleteUser,
		"GET /api/v1/logs":                               s.listLogs,
	} {
		s.handle(pattern, routeScopes[pattern], h)
	}
	s.handle("/", "", func(w http.ResponseWriter, r *http.Request, _ *principal) {
		writeError(w, errNotFound(r.URL.Path, "endpoint"))
	})
}

// actorOf names p in System Log events.
func actorOf(p *principal) actor {
	if p == nil || p.superAdmin {
		return systemActor
	}
	return actor{id: p.id, typ: "PublicClientApp", alternateID: p.id, displayName: p.id}
}

var groupTimeAttrs = map[string]bool{"created": true, "lastUpdated": true, "lastMembershipUpdated": true}

// groupFilterSpec allows what Okta's group filter allows.
func groupFilterSpec(attr, op string) (attrKind, error) {
	switch {
	case attr == "id" || attr == "type":
		if op != "eq" {
			return 0, fmt.Errorf("filter on %s supports only eq, not %s", attr, op)
		}
		return kindString, nil
	case attr == "lastUpdated" || attr == "lastMembershipUpdated":
		if op == "sw" || op == "co" || op == "pr" {
			return 0, fmt.Errorf("filter on %s supports eq, gt, ge, lt and le, not %s", attr, op)
		}
		return kindTime, nil
	}
	return 0, fmt.Errorf("filter supports only id, type, lastUpdated and lastMembershipUpdated, not %s; use search for profile attributes", attr)
}

// groupSearchSpec allows what Okta's group search allows.
func groupSearchSpec(attr, op string) (attrKind, error) {
	if op == "co" && attr != "profile.name" && attr != "profile.description" {
		return 0, fmt.Errorf("co works only on profile.name and profile.description, not %s", attr)
	}
	switch {
	case groupTimeAttrs[attr]:
		return kindTime, nil
	case attr == "id" || attr == "type" || strings.HasPrefix(attr, "profile."):
		return kindString, nil
	}
	return 0, fmt.Errorf("search cannot use %s; use id, type, created, lastUpdated, lastMembershipUpdated or profile attributes", attr)
}

func groupAttrs(g *group) func(string) attrValue {
	return func(attr string) attrValue {
		switch attr {
		case "id":
			return attrValue{s: g.id, ok: true}
		case "type":
			return attrValue{s: g.typ, ok: true}
		case "created":
			return attrValue{t: g.created, ok: true}
		case "lastUpdated":
			return attrValue{t: g.lastUpdated, ok: true}
		case "lastMembershipUpdated":
			return attrValue{t: g.lastMembershipUpdated, ok: true}
		case "profile.name":
			return attrValue{s: g.name, ok: true}
		case "profile.description":
			return attrValue{s: g.description, ok: !g.descriptionNull}
		}
		return attrValue{}
	}
}

func (s *Server) listGroups(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := r.URL.Query()
	query := q.Has("q")
	def := 10000
	if query {
		def = 300
	}
	limit, e := parseLimit(r, def, 10000)
	if e != nil {
		writeError(w, e)
		return
	}
	var exprs []expr
	for _, param := range []struct {
		name string
		spec attrSpec
	}{{"filter", groupFilterSpec}, {"search", groupSearchSpec}} {
		if src := q.Get(param.name); src != "" {
			ex, err := parseExpr(src, param.spec)
			if err != nil {
				writeError(w, errBadFilter(param.name+": "+err.Error()))
				return
			}
			exprs = append(exprs, ex)
		}
	}
	prefix := strings.ToLower(q.Get("q"))
	stats := wantsStats(r)
	base := baseURL(r)
	o := s.org
	o.mu.RLock()
	buf := make([]byte, 0, 1024)
	buf = append(buf, '[')
	n, last, next := 0, "", ""
groups:
	for _, id := range o.groupIDs[pageAfter(o.groupIDs, q.Get("after")):] {
		g := o.groups[id]
		if query && !strings.HasPrefix(strings.ToLower(g.name), prefix) {
			continue
		}
		for _, ex := range exprs {
			if !ex.eval(groupAttrs(g)) {
				continue groups
			}
		}
		if n == limit {
			next = last
			break
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		buf = appendGroup(buf, base, g)
		if stats {
			buf = appendStats(buf, g)
		}
		n, last = n+1, g.id
	}
	o.mu.RUnlock()
	if query {
		next = "" // Okta does not page a q query
	}
	setLinks(w, r, limit, next)
	writeJSON(w, http.StatusOK, append(buf, ']'))
}

func (s *Server) getGroup(w http.ResponseWriter, r *http.Request, _ *principal) {
	id := r.PathValue("groupId")
	o := s.org
	o.mu.RLock()
	g, ok := o.groups[id]
	var buf []byte
	if ok {
		buf = appendGroup(nil, baseURL(r), g)
		if wantsStats(r) {
			buf = appendStats(buf, g)
		}
	}
	o.mu.RUnlock()
	if !ok {
		writeError(w, errNotFound(id, "UserGroup"))
		return
	}
	writeJSON(w, http.StatusOK, buf)
}

func (s *Server) listGroupUsers(w http.ResponseWriter, r *http.Request, _ *principal) {
	id := r.PathValue("groupId")
	limit, e := parseLimit(r, 1000, 1000)
	if e != nil {
		writeError(w, e)
		return
	}
	base := baseURL(r)
	o := s.org
	o.mu.RLock()
	g, ok := o.groups[id]
	if !ok {
		o.mu.RUnlock()
		writeError(w, errNotFound(id, "UserGroup"))
		return
	}
	start := 0
	if after := r.URL.Query().Get("after"); after != "" {
		var found bool
		if start, found = memberIndex(g.members, after); found {
			start++
		}
	}
	end := min(len(g.members), start+limit)
	page := g.members[start:end]
	pb := getBuf()
	defer putBuf(pb)
	buf := append(*pb, '[')
	for i, u := range page {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendListed(buf, base, u)
	}
	next := ""
	if end < len(g.members) && len(page) > 0 {
		next = page[len(page)-1].id
	}
	o.mu.RUnlock()
	setLinks(w, r, limit, next)
	buf = append(buf, ']')
	writeJSON(w, http.StatusOK, buf)
	*pb = buf
}

func (s *Server) changeMembership(w http.ResponseWriter, r *http.Request, p *principal) {
	gid, uid := r.PathValue("groupId"), r.PathValue("userId")
	var e *apiError
	if r.Method == http.MethodPut {
		e = s.org.addMember(actorOf(p), gid, uid)
	} else {
		e = s.org.removeMember(actorOf(p), gid, uid)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request, p *principal) {
	var body struct {
		Profile struct {
			Name        string  `json:"name"`
			Description *string `json:"description"`
		} `json:"profile"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&body); err != nil {
		writeError(w, errValidation(`the body must be JSON like {"profile": {"name": "...", "description": "..."}}: `+err.Error()))
		return
	}
	desc := ""
	if body.Profile.Description != nil {
		desc = *body.Profile.Description
	}
	view, e := s.org.createGroup(actorOf(p), body.Profile.Name, desc, body.Profile.Description == nil)
	if e != nil {
		writeError(w, e)
		return
	}
	o := s.org
	o.mu.RLock()
	var buf []byte
	if g, ok := o.groups[view.ID]; ok {
		buf = appendGroup(nil, baseURL(r), g)
	}
	o.mu.RUnlock()
	if buf == nil {
		writeError(w, errNotFound(view.ID, "UserGroup"))
		return
	}
	writeJSON(w, http.StatusOK, buf)
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request, p *principal) {
	if e := s.org.deleteGroup(actorOf(p), r.PathValue("groupId")); e != nil {
		writeError(w, e)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
