package store

import (
	"context"
	"testing"
)

// rehash recomputes the stored hash of one row from its own fields and
// PrevHash, as someone covering their tracks would.
func rehash(t *testing.T, s *Store, id int64) {
	t.Helper()
	ctx := context.Background()
	c, err := scanChange(s.db.QueryRowContext(ctx, `SELECT `+changeColumns+` FROM changes WHERE id = ?`, id))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE changes SET hash = ? WHERE id = ?`,
		ChainHash(c.PrevHash, c.Change), id); err != nil {
		t.Fatal(err)
	}
}

func TestVerifyChainDetectsTampering(t *testing.T) {
	const insertRow = `INSERT INTO changes (id, run_id, at, login, okta_id, action, role, okta_group, reason,
		held, enc_version, prev_hash, hash) VALUES (?, 1, 1, 'mallory', '', 'grant', 'Administrator', '', '', 0, 1, ?, ?)`
	// shift moves rows with id >= from by delta without unique-key clashes.
	// shift[1] adds its argument to the ids moved by shift[0].
	shift := []string{`UPDATE changes SET id = id + 1000000 WHERE id >= ?`, `UPDATE changes SET id = id - 1000000 + ? WHERE id >= 1000000`}
	tests := []struct {
		name   string
		tamper func(t *testing.T, s *Store, all []Change)
		wantID int64
		kind   string
	}{
		{"edit a role", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `UPDATE changes SET role = 'Auditor' WHERE id = 4`)
		}, 4, TamperEdited},
		{"edit the held flag", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `UPDATE changes SET held = 1 - held WHERE id = 2`)
		}, 2, TamperEdited},
		{"edit and recompute the hash", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `UPDATE changes SET login = 'someone-else' WHERE id = 4`)
			rehash(t, s, 4)
		}, 4, TamperEdited},
		{"edit the last row and recompute its hash", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `UPDATE changes SET reason = 'nothing to see' WHERE id = 10`)
			rehash(t, s, 10)
		}, 10, TamperEdited},
		{"delete a middle row", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `DELETE FROM changes WHERE id = 4`)
		}, 4, TamperDeleted},
		{"delete the first row", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `DELETE FROM changes WHERE id = 1`)
		}, 1, TamperDeleted},
		{"delete the last rows", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `DELETE FROM changes WHERE id >= 9`)
		}, 9, TamperDeleted},
		{"delete a row and renumber the rest", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `DELETE FROM changes WHERE id = 4`)
			exec(t, s, shift[0], 5)
			exec(t, s, shift[1], -1)
		}, 4, TamperDeleted},
		{"delete the chain head record", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `DELETE FROM chain_head`)
		}, 10, TamperDeleted},
		{"append a row with a made-up hash", func(t *testing.T, s *Store, all []Change) {
			exec(t, s, insertRow, 11, all[9].Hash, "ffff")
		}, 11, TamperInserted},
		{"append a row with a valid hash", func(t *testing.T, s *Store, all []Change) {
			c := Change{ID: 11, RunID: 1, At: fromNanos(1), User: "mallory", Action: "grant", Role: "Administrator"}
			exec(t, s, insertRow, 11, all[9].Hash, ChainHash(all[9].Hash, c))
		}, 11, TamperInserted},
		{"insert a row in the middle", func(t *testing.T, s *Store, all []Change) {
			exec(t, s, shift[0], 5)
			exec(t, s, shift[1], 1)
			exec(t, s, insertRow, 5, all[3].Hash, "ffff")
		}, 5, TamperInserted},
		{"insert a row with a valid hash in the middle", func(t *testing.T, s *Store, all []Change) {
			exec(t, s, shift[0], 5)
			exec(t, s, shift[1], 1)
			c := Change{ID: 5, RunID: 1, At: fromNanos(1), User: "mallory", Action: "grant", Role: "Administrator"}
			exec(t, s, insertRow, 5, all[3].Hash, ChainHash(all[3].Hash, c))
		}, 5, TamperInserted},
		{"swap two rows", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `UPDATE changes SET id = 0 WHERE id = 4`)
			exec(t, s, `UPDATE changes SET id = 4 WHERE id = 5`)
			exec(t, s, `UPDATE changes SET id = 5 WHERE id = 0`)
		}, 4, TamperReordered},
		{"swap rows of different runs", func(t *testing.T, s *Store, _ []Change) {
			exec(t, s, `UPDATE changes SET id = 0 WHERE id = 2`)
			exec(t, s, `UPDATE changes SET id = 2 WHERE id = 9`)
			exec(t, s, `UPDATE changes SET id = 9 WHERE id = 0`)
		}, 2, TamperReordered},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			s := openTest(t)
			all := seedChanges(t, s, 5)
			if res, err := s.VerifyChain(ctx); err != nil || !res.OK {
				t.Fatalf("before tampering: %v, %v", res, err)
			}
			tt.tamper(t, s, all)
			res, err := s.VerifyChain(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK || res.FirstBadID != tt.wantID || res.Kind != tt.kind || res.Detail == "" {
				t.Fatalf("VerifyChain = %+v; want change %d %s", res, tt.wantID, tt.kind)
			}
			t.Log(res)
		})
	}
}

func TestVerifyChainEmpty(t *testing.T) {
	s := openTest(t)
	res, err := s.VerifyChain(context.Background())
	if err != nil || !res.OK || res.Checked != 0 || res.HeadHash != GenesisHash {
		t.Fatalf("VerifyChain on empty store = %+v, %v", res, err)
	}
}

func TestChainContinuesAcrossReopen(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	all := seedChanges(t, s, 2)
	id, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	cs := []Change{{At: t0, User: "x", Action: ActionDisable, Reason: "left Okta"}}
	if err := s.AddChanges(ctx, id, cs); err != nil {
		t.Fatal(err)
	}
	if cs[0].ID != int64(len(all)+1) || cs[0].PrevHash != all[len(all)-1].Hash {
		t.Fatalf("new change does not continue the chain: %+v", cs[0])
	}
	if res, err := s.VerifyChain(ctx); err != nil || !res.OK {
		t.Fatalf("VerifyChain = %v, %v", res, err)
	}
}

func exec(t *testing.T, s *Store, q string, args ...any) {
	t.Helper()
	if _, err := s.db.ExecContext(context.Background(), q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}
