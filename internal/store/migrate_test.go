package store

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

// TestChainSurvivesMigration rebuilds the changes table the way a later
// migration might (new column, different column order, copied rows) and
// checks that the chain still verifies and keeps growing.
func TestChainSurvivesMigration(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolesync.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	seedChanges(t, s, 4)
	s.Close()

	saved := migrations
	t.Cleanup(func() { migrations = saved })
	migrations = append(append([]string{}, saved...), `
CREATE TABLE changes_new (
	id INTEGER PRIMARY KEY, hash TEXT NOT NULL, prev_hash TEXT NOT NULL, enc_version INTEGER NOT NULL,
	run_id INTEGER NOT NULL REFERENCES runs(id), login TEXT NOT NULL, okta_id TEXT NOT NULL DEFAULT '',
	action TEXT NOT NULL, role TEXT NOT NULL DEFAULT '', okta_group TEXT NOT NULL DEFAULT '',
	reason TEXT NOT NULL DEFAULT '', held INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL,
	target_id TEXT NOT NULL DEFAULT ''
);
INSERT INTO changes_new (id, hash, prev_hash, enc_version, run_id, login, okta_id, action, role, okta_group, reason, held, at)
	SELECT id, hash, prev_hash, enc_version, run_id, login, okta_id, action, role, okta_group, reason, held, at FROM changes;
DROP TABLE changes;
ALTER TABLE changes_new RENAME TO changes;
CREATE INDEX changes_run ON changes(run_id, id);
CREATE INDEX changes_login ON changes(login, id);
`)
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v, _ := s.SchemaVersion(ctx); v != len(saved)+1 {
		t.Fatalf("schema version = %d; want %d", v, len(saved)+1)
	}
	if res, err := s.VerifyChain(ctx); err != nil || !res.OK || res.Checked != 8 {
		t.Fatalf("after migration: %v, %v", res, err)
	}
	id, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddChanges(ctx, id, []Change{{At: t0, User: "a", Action: ActionGrant, Role: "Auditor"}}); err != nil {
		t.Fatal(err)
	}
	if res, err := s.VerifyChain(ctx); err != nil || !res.OK || res.Checked != 9 {
		t.Fatalf("after a new change: %v, %v", res, err)
	}
}

// TestConcurrentWritersKeepOneChain has two handles on one file, as the GUI
// and the daemon would, record changes at the same time.
func TestConcurrentWritersKeepOneChain(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rolesync.db")
	const writers, batches, perBatch = 2, 10, 20
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := 0; b < batches; b++ {
				id, err := s.StartRun(ctx, TriggerSchedule, t0)
				if err != nil {
					errs <- err
					return
				}
				cs := make([]Change, perBatch)
				for i := range cs {
					cs[i] = Change{At: t0.Add(time.Duration(i)), User: fmt.Sprintf("w%d-%d", w, i), Action: ActionGrant}
				}
				if err := s.AddChanges(ctx, id, cs); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := s.VerifyChain(ctx)
	if err != nil || !res.OK || res.Checked != writers*batches*perBatch {
		t.Fatalf("VerifyChain = %v, %v", res, err)
	}
}
