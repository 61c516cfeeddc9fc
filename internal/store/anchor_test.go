package store

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// anchored returns a store with two runs of changes, each signed, the key
// and what the keyring would vouch for.
func anchored(t *testing.T) (*Store, ed25519.PrivateKey, Trust) {
	t.Helper()
	ctx := context.Background()
	s := openTest(t)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	seedChanges(t, s, 5)
	cp, signed, err := s.Anchor(ctx, key, CheckpointRun, t0)
	if err != nil || !signed || cp.Seq != 1 || cp.LastID != 10 || cp.Reason != CheckpointUpgrade {
		t.Fatalf("first anchor: %+v %v %v", cp, signed, err)
	}
	seedChanges(t, s, 2)
	cp, signed, err = s.Anchor(ctx, key, CheckpointRun, t0.Add(time.Hour))
	if err != nil || !signed || cp.Seq != 2 || cp.LastID != 14 {
		t.Fatalf("second anchor: %+v %v %v", cp, signed, err)
	}
	if _, signed, err := s.Anchor(ctx, key, CheckpointRun, t0); err != nil || signed {
		t.Fatalf("anchoring a signed head again: %v %v", signed, err)
	}
	m := cp.Mark()
	return s, key, Trust{Known: true, Key: key.Public().(ed25519.PublicKey), Last: &m}
}

// rechain edits change id, then recomputes every hash and the chain head
// with the store's own algorithm, as someone with write access but without
// the keyring would.
func rechain(t *testing.T, s *Store, id int64) {
	t.Helper()
	ctx := context.Background()
	exec(t, s, `UPDATE changes SET role = 'Administrator', login = 'mallory' WHERE id = ?`, id)
	all, err := s.QueryChanges(ctx, ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	prev := GenesisHash
	for _, c := range all {
		h := ChainHash(prev, c)
		exec(t, s, `UPDATE changes SET prev_hash = ?, hash = ? WHERE id = ?`, prev, h, c.ID)
		prev = h
	}
	exec(t, s, `UPDATE chain_head SET last_hash = ?`, prev)
	if res, err := s.VerifyChain(ctx); err != nil || !res.OK {
		t.Fatalf("the re-chained history should pass the bare chain check: %v %v", res, err)
	}
}

func verify(t *testing.T, s *Store, trust Trust) AuditResult {
	t.Helper()
	res, err := s.VerifyAudit(context.Background(), trust)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestVerifyAuditCleanHistoryPasses(t *testing.T) {
	s, _, trust := anchored(t)
	res := verify(t, s, trust)
	if !res.OK || res.Checkpoints != 2 || res.Latest == nil || res.Latest.LastID != 14 {
		t.Fatalf("clean history: %+v", res)
	}
	if len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "changes 1 to 10 were recorded before") {
		t.Errorf("the upgrade note: %q", res.Notes)
	}
	if !strings.Contains(res.String(), "signed checkpoint 2 covers change 14") {
		t.Errorf("summary: %s", res)
	}
}

func TestVerifyAuditRechainedHistoryFails(t *testing.T) {
	for _, id := range []int64{3, 12} {
		s, _, trust := anchored(t)
		rechain(t, s, id)
		res := verify(t, s, trust)
		if res.OK {
			t.Fatalf("re-chained at %d: passed", id)
		}
		want := "checkpoint 1 no longer matches the history: change 10"
		if id > 10 {
			want = "checkpoint 2 no longer matches the history: change 14"
		}
		if !strings.Contains(res.Problems[0], want) {
			t.Errorf("re-chained at %d: %q, want %q", id, res.Problems, want)
		}
	}
}

func TestVerifyAuditDeletedCheckpoints(t *testing.T) {
	for _, tc := range []struct{ name, sql, want string }{
		{"all", `DELETE FROM checkpoints`, "the keyring recorded checkpoint 2 (change 14), but none is kept"},
		{"the last", `DELETE FROM checkpoints WHERE seq = 2`, "but the last kept is checkpoint 1"},
		{"the first", `DELETE FROM checkpoints WHERE seq = 1`, "checkpoint 1 is missing"},
	} {
		s, _, trust := anchored(t)
		exec(t, s, tc.sql)
		res := verify(t, s, trust)
		if res.OK || !strings.Contains(strings.Join(res.Problems, "\n"), tc.want) {
			t.Errorf("deleting %s checkpoint(s): %+v, want %q", tc.name, res.Problems, tc.want)
		}
	}
	// Without the keyring's record, a key alone still tells that there
	// were checkpoints.
	s, _, trust := anchored(t)
	exec(t, s, `DELETE FROM checkpoints`)
	trust.Last = nil
	if res := verify(t, s, trust); res.OK || !strings.Contains(res.Problems[0], "no signed checkpoint covers changes 1 to 14") {
		t.Errorf("deleted checkpoints, key only: %+v", res)
	}
}

func TestVerifyAuditForgedCheckpointFails(t *testing.T) {
	ctx := context.Background()
	s, _, trust := anchored(t)
	rechain(t, s, 3)
	// The forger signs the re-chained head with a key of their own and
	// replaces the checkpoints.
	_, forger, _ := ed25519.GenerateKey(rand.Reader)
	exec(t, s, `DELETE FROM checkpoints`)
	if _, _, err := s.Anchor(ctx, forger, CheckpointRun, t0); err != nil {
		t.Fatal(err)
	}
	exec(t, s, `UPDATE checkpoints SET seq = 2`)
	exec(t, s, `INSERT INTO checkpoints SELECT 1, 10, (SELECT hash FROM changes WHERE id = 10), at, public_key, signature, 'run' FROM checkpoints`)
	res := verify(t, s, trust)
	if res.OK || !strings.Contains(strings.Join(res.Problems, "\n"), "was not signed by the keyring's audit key") {
		t.Fatalf("forged with another key: %+v", res.Problems)
	}
	// A signature copied from the old checkpoint onto the new head fails too.
	s, _, trust = anchored(t)
	rechain(t, s, 3)
	exec(t, s, `UPDATE checkpoints SET last_hash = (SELECT hash FROM changes WHERE id = last_id)`)
	res = verify(t, s, trust)
	if res.OK || !strings.Contains(res.Problems[0], "checkpoint 1 (change 10) has a signature that does not verify") {
		t.Fatalf("altered checkpoint: %+v", res.Problems)
	}
	// Without the keyring, a self-consistent forgery is only a note away.
	s, _, _ = anchored(t)
	if res := verify(t, s, Trust{}); !res.OK || !strings.Contains(strings.Join(res.Notes, "\n"), "keyring was not read") {
		t.Errorf("without the keyring: %+v", res)
	}
}

func TestAnchorRefusesABrokenTail(t *testing.T) {
	ctx := context.Background()
	s, key, _ := anchored(t)
	seedChanges(t, s, 1)
	exec(t, s, `UPDATE changes SET login = 'mallory' WHERE id = 15`)
	if _, _, err := s.Anchor(ctx, key, CheckpointRun, t0); err == nil || !strings.Contains(err.Error(), "change 15") {
		t.Fatalf("signing an edited tail: %v", err)
	}
}

func TestVerifyAuditUnsignedHistory(t *testing.T) {
	s := openTest(t)
	seedChanges(t, s, 2)
	res := verify(t, s, Trust{Known: true})
	if !res.OK || len(res.Notes) != 1 || !strings.Contains(res.Notes[0], "no signed checkpoint covers changes 1 to 4 yet") {
		t.Fatalf("unsigned history from before checkpoints: %+v", res)
	}
}

func TestCheckpointMessageAndSignature(t *testing.T) {
	s, key, _ := anchored(t)
	cp, ok, err := s.LatestCheckpoint(context.Background())
	if err != nil || !ok {
		t.Fatal(ok, err)
	}
	want := "rolesync-checkpoint/1 seq=2 change=14 hash=" + cp.LastHash + " at=2026-11-28T10:00:00.123456789Z"
	if got := string(cp.Message()); got != want {
		t.Errorf("message %q", got)
	}
	sig, _ := base64.StdEncoding.DecodeString(cp.SignatureBase64())
	if !ed25519.Verify(key.Public().(ed25519.PublicKey), cp.Message(), sig) {
		t.Error("the stored signature does not verify")
	}
	m, err := ParseMark(cp.Mark().String())
	if err != nil || m != cp.Mark() {
		t.Errorf("mark round trip: %+v %v", m, err)
	}
}

func TestFirstCheckpointOfAFreshHistoryIsNoUpgrade(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	run, err := s.StartRun(ctx, TriggerCLI, t0)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddChanges(ctx, run, []Change{{At: t0, User: "a", Action: ActionGrant, Role: "r"}}); err != nil {
		t.Fatal(err)
	}
	cp, signed, err := s.Anchor(ctx, key, CheckpointRun, t0)
	if err != nil || !signed || cp.Reason != CheckpointRun {
		t.Fatalf("first checkpoint of a fresh history: %+v %v %v", cp, signed, err)
	}
	m := cp.Mark()
	res := verify(t, s, Trust{Known: true, Key: key.Public().(ed25519.PublicKey), Last: &m})
	if !res.OK || len(res.Notes) != 0 {
		t.Errorf("fresh signed history: %+v", res)
	}
}
