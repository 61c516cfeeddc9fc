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
	now := s.org.now()
	lq, e := parseLogQuery(r, now)
	if e != nil {
		writeError(w, e)
		return
	}
	page, last, more := s.logPage(lq, now)
	next := ""
	if more || !q.Has("until") {
		next = "e" + strconv.Itoa(last)
	}
	setLinks(w, r, lq.limit, next)
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

// logQuery is a System Log query: events published in [since, until) that
// match filter, after the cursor after, at most limit.
type logQuery struct {
	limit        int
	since, until time.Time
	filter       expr
	after        int
}

// parseLogQuery reads a System Log query's parameters as Okta does: until
// defaults to now, since to a week before until.
func parseLogQuery(r *http.Request, now time.Time) (logQuery, *apiError) {
	q := r.URL.Query()
	var lq logQuery
	var e *apiError
	if lq.limit, e = parseLimit(r, 100, 1000); e != nil {
		return lq, e
	}
	if lq.until, e = parseLogTime("until", q.Get("until"), now); e != nil {
		return lq, e
	}
	if lq.since, e = parseLogTime("since", q.Get("since"), lq.until.Add(-7*24*time.Hour)); e != nil {
		return lq, e
	}
	if src := q.Get("filter"); src != "" {
		var err error
		if lq.filter, err = parseExpr(src, logFilterSpec); err != nil {
			return lq, errBadFilter("filter: " + err.Error())
		}
	}
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "e"))
		if err != nil || n < 0 {
			return lq, errValidation("after: " + strconv.Quote(v) + " is not a cursor this org issued; follow the next link")
		}
		lq.after = n
	}
	return lq, nil
}

// logPage returns the events of lq visible at now, the cursor of the last,
// and whether more follow.
func (s *Server) logPage(lq logQuery, now time.Time) (page []logEvent, last int, more bool) {
	o := s.org
	delay := time.Duration(s.logDelay.Load())
	o.mu.RLock()
	defer o.mu.RUnlock()
	last = lq.after
	for i := lq.after; i < len(o.logs); i++ {
		ev := &o.logs[i]
		if ev.published.Before(lq.since) || !ev.published.Before(lq.until) || !matchEvent(lq.filter, ev) ||
			delay > 0 && now.Before(visibleAt(ev, delay)) {
			continue
		}
		if len(page) == lq.limit {
			return page, last, true
		}
		page = append(page, *ev)
		last = ev.seq
	}
	return page, last, false
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
