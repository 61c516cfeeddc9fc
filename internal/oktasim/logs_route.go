package oktasim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// logFilterSpec allows filters on the event fields a sync needs.
func logFilterSpec(attr, _ string) (attrKind, error) {
	switch attr {
	case "published":
		return kindTime, nil
	case "eventType", "uuid", "severity", "outcome.result", "actor.id", "actor.type",
		"target.id", "target.type", "target.alternateId":
		return kindString, nil
	}
	return 0, fmt.Errorf("cannot filter System Log events on %s; use eventType, target.id, actor.id or published", attr)
}

// logAttrs reads ev's attributes, taking target.* from target t.
func logAttrs(ev *logEvent, t logTarget) func(string) attrValue {
	return func(attr string) attrValue {
		switch attr {
		case "published":
			return attrValue{t: ev.published, ok: true}
		case "eventType":
			return attrValue{s: ev.EventType, ok: true}
		case "uuid":
			return attrValue{s: ev.UUID, ok: true}
		case "severity":
			return attrValue{s: ev.Severity, ok: true}
		case "outcome.result":
			return attrValue{s: ev.Outcome.Result, ok: true}
		case "actor.id":
			return attrValue{s: ev.Actor.ID, ok: true}
		case "actor.type":
			return attrValue{s: ev.Actor.Type, ok: true}
		case "target.id":
			return attrValue{s: t.ID, ok: t.ID != ""}
		case "target.type":
			return attrValue{s: t.Type, ok: t.Type != ""}
		case "target.alternateId":
			return attrValue{s: t.AlternateID, ok: t.AlternateID != ""}
		}
		return attrValue{}
	}
}

func parseLogTime(name, v string, def time.Time) (time.Time, *apiError) {
	if v == "" {
		return def, nil
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, errValidation(name + ": " + strconv.Quote(v) + ` is not an ISO 8601 timestamp such as "2025-01-01T00:00:00.000Z"`)
	}
	return t, nil
}

// listLogs serves GET /api/v1/logs: events published in [since, until),
// oldest first, limit default 100 and max 1000. As in Okta, a bounded query
// (with until) has a next link until its last page, and a polling query
// (without until) always has one, to poll for events still to come.
func (s *Server) listLogs(w http.ResponseWriter, r *http.Request, _ *principal) {
	q := r.URL.Query()
	limit, e := parseLimit(r, 100, 1000)
	if e != nil {
		writeError(w, e)
		return
	}
	now := s.org.now()
	until, e := parseLogTime("until", q.Get("until"), now)
	if e != nil {
		writeError(w, e)
		return
	}
	since, e := parseLogTime("since", q.Get("since"), until.Add(-7*24*time.Hour))
	if e != nil {
		writeError(w, e)
		return
	}
	var filter expr
	if src := q.Get("filter"); src != "" {
		var err error
		if filter, err = parseExpr(src, logFilterSpec); err != nil {
			writeError(w, errBadFilter("filter: "+err.Error()))
			return
		}
	}
	after := 0
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "e"))
		if err != nil || n < 0 {
			writeError(w, errValidation("after: "+strconv.Quote(v)+" is not a cursor this org issued; follow the next link"))
			return
		}
		after = n
	}
	o := s.org
	delay := time.Duration(s.logDelay.Load())
	o.mu.RLock()
	var page []logEvent
	last, more := after, false
	for i := after; i < len(o.logs); i++ {
		ev := &o.logs[i]
		if ev.published.Before(since) || !ev.published.Before(until) || !matchEvent(filter, ev) ||
			delay > 0 && now.Before(visibleAt(ev, delay)) {
			continue
		}
		if len(page) == limit {
			more = true
			break
		}
		page = append(page, *ev)
		last = ev.seq
	}
	o.mu.RUnlock()
	next := ""
	if more || !q.Has("until") {
		next = "e" + strconv.Itoa(last)
	}
	setLinks(w, r, limit, next)
	if page == nil {
		page = []logEvent{}
	}
	body, err := json.Marshal(page)
	if err != nil {
		writeError(w, errForStatus(http.StatusInternalServerError))
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// visibleAt is when ev shows in the System Log with a delay of up to
// delay: between a tenth of it and all of it after publication, varying
// from event to event, so that a later event may show first.
func visibleAt(ev *logEvent, delay time.Duration) time.Time {
	frac := 10 + (ev.seq*37)%91 // 10..100 percent
	return ev.published.Add(delay * time.Duration(frac) / 100)
}

// SetLogDelay sets the System Log's delay (see Options.LogDelay); 0 shows
// every event once published.
func (s *Server) SetLogDelay(d time.Duration) { s.logDelay.Store(int64(d)) }

func matchEvent(filter expr, ev *logEvent) bool {
	if filter == nil {
		return true
	}
	for _, t := range ev.Target {
		if filter.eval(logAttrs(ev, t)) {
			return true
		}
	}
	return len(ev.Target) == 0 && filter.eval(logAttrs(ev, logTarget{}))
}
