package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// TestJournalRecordsWhatAKilledRunMade: a note left by a process killed
// between the target's write and its record is recorded by the next run,
// under the killed run, for the changes the target holds, and removed.
func TestJournalRecordsWhatAKilledRunMade(t *testing.T) {
	ctx := context.Background()
	o := newOrg().user("ann", StatusActive, "Eng").user("bob", StatusActive, "Ops")
	m := newMemEnv(t, o, nil, synced("ann", "Administrator"))
	m.eng.opts.LockPath = filepath.Join(t.TempDir(), "sync.lock")
	killed, _ := m.rec.StartRun(ctx, store.TriggerManual, m.now)
	at := m.now
	note := journalNote{RunID: killed, Changes: []store.Change{
		{At: at, User: "ann@example.com", OktaID: "ann", Action: store.ActionGrant, Role: "Administrator", Reason: "member of Eng"},
		{At: at, User: "ann@example.com", OktaID: "ann", Action: store.ActionGrant, Role: "Auditor", Reason: "member of Audit"},
		{At: at, User: "cat@example.com", OktaID: "cat", Action: store.ActionCreate},
	}}
	b, _ := json.Marshal(note)
	path := m.eng.journalPath()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	res, err := m.eng.Run(ctx, RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := m.rec.changes[killed]
	if len(got) != 1 || got[0].Role != "Administrator" || !strings.Contains(got[0].Reason, "recorded by a later run") {
		t.Fatalf("changes recorded for the killed run: %+v; want the grant the target holds", got)
	}
	if len(m.rec.changes[res.RunID]) != 2 { // bob: create and grant
		t.Fatalf("the run's own changes: %+v", m.rec.changes[res.RunID])
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the note is still there after the run: %v", err)
	}

	// A note cut short while written is dropped; nothing is recorded.
	if err := os.WriteFile(path, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	o.user("cat", StatusActive, "Ops")
	before := len(m.rec.changes[killed])
	if _, err := m.eng.Run(ctx, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	if len(m.rec.changes[killed]) != before {
		t.Fatal("a note cut short recorded changes")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the note cut short is still there: %v", err)
	}
}
