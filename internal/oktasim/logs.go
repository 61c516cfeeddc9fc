package oktasim

import (
	"crypto/rand"
	"fmt"
	"time"
)

// logEvent is a System Log event in Okta's LogEvent shape.
type logEvent struct {
	seq             int
	Actor           logActor       `json:"actor"`
	Client          logClient      `json:"client"`
	DisplayMessage  string         `json:"displayMessage"`
	EventType       string         `json:"eventType"`
	LegacyEventType string         `json:"legacyEventType"`
	Outcome         logOutcome     `json:"outcome"`
	Published       string         `json:"published"`
	Severity        string         `json:"severity"`
	Target          []logTarget    `json:"target"`
	Transaction     logTransaction `json:"transaction"`
	UUID            string         `json:"uuid"`
	Version         string         `json:"version"`
	published       time.Time
}

type logActor struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

type logTarget struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	AlternateID string `json:"alternateId"`
	DisplayName string `json:"displayName"`
}

type logClient struct {
	IPAddress string `json:"ipAddress"`
	UserAgent struct {
		RawUserAgent string `json:"rawUserAgent"`
	} `json:"userAgent"`
}

type logOutcome struct {
	Result string `json:"result"`
}

type logTransaction struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

// record appends an event published at t; o.mu must be held for writing.
func (o *Org) record(t time.Time, a actor, eventType, message, legacy string, targets ...logTarget) {
	seq := len(o.logs) + 1
	ev := logEvent{
		seq:             seq,
		Actor:           logActor{ID: a.id, Type: a.typ, AlternateID: a.alternateID, DisplayName: a.displayName},
		DisplayMessage:  message,
		EventType:       eventType,
		LegacyEventType: legacy,
		Outcome:         logOutcome{Result: "SUCCESS"},
		Published:       formatTime(t),
		Severity:        "INFO",
		Target:          targets,
		Transaction:     logTransaction{Type: "WEB", ID: randomID(27)},
		UUID:            eventUUID(),
		Version:         "0",
		published:       t,
	}
	ev.Client.IPAddress = "127.0.0.1"
	ev.Client.UserAgent.RawUserAgent = "oktasim"
	o.logs = append(o.logs, ev)
}

// eventUUID returns a random version 4 UUID.
func eventUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// Events returns the System Log event types recorded so far, oldest first.
func (o *Org) Events() []string {
	o.mu.RLock()
	defer o.mu.RUnlock()
	out := make([]string, len(o.logs))
	for i, ev := range o.logs {
		out[i] = ev.EventType
	}
	return out
}
