package report

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// t0 is the start of the fixture's history.
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// fixedNow is the generation time of every golden report.
var fixedNow = time.Date(2026, 3, 6, 8, 0, 0, 0, time.UTC)

// fixtureRun is one run of the fixture and the changes it made.
type fixtureRun struct {
	at      time.Time
	status  string
	changes []store.Change
}

// fixtureRuns is a small history with the cases an auditor meets: new users,
// grants, revocations, held changes, a deactivated user, non-ASCII names,
// cells a spreadsheet would run as formulas, and markup in names.
func fixtureRuns() []fixtureRun {
	at := func(d, h, m int) time.Time {
		return t0.Add(time.Duration(d)*24*time.Hour + time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
	}
	return []fixtureRun{
		{at(0, 0, 0), store.StatusSucceeded, []store.Change{
			{At: at(0, 0, 1), User: "alice@example.com", OktaID: "00u1alice", Action: store.ActionCreate, Group: "IT Admins", Reason: "member of IT Admins"},
			{At: at(0, 0, 1), User: "alice@example.com", OktaID: "00u1alice", Action: store.ActionGrant, Role: "Administrator", Group: "IT Admins", Reason: "member of IT Admins"},
			{At: at(0, 0, 2), User: "jose.muller@example.com", OktaID: "00u2jose", Action: store.ActionCreate, Group: "Engineering", Reason: "José Müller joined Engineering"},
			{At: at(0, 0, 2), User: "jose.muller@example.com", OktaID: "00u2jose", Action: store.ActionGrant, Role: "Read Only", Group: "Engineering", Reason: "José Müller joined Engineering"},
			{At: at(0, 0, 3), User: "bob@example.com", OktaID: "00u3bob", Action: store.ActionGrant, Role: "Auditor", Group: "Finance", Reason: "member of Finance"},
		}},
		{at(1, 0, 0), store.StatusSucceeded, []store.Change{
			{At: at(1, 0, 1), User: "bob@example.com", OktaID: "00u3bob", Action: store.ActionRevoke, Role: "Auditor", Group: "Finance", Reason: "left Finance"},
			{At: at(1, 0, 2), User: "=HYPERLINK(\"http://evil.example\",\"x\")", OktaID: "00u4evil", Action: store.ActionCreate, Group: "+Contractors", Reason: "-1+2"},
			{At: at(1, 0, 2), User: "@mallory", OktaID: "00u5mal", Action: store.ActionGrant, Role: "@SUM(A1)", Group: "<script>alert(1)</script>", Reason: "\tcmd|' /C calc'!A0"},
			{At: at(1, 0, 3), User: "eve@example.com", OktaID: "00u6eve", Action: store.ActionGrant, Role: "Read Only", Group: "Engineering", Reason: "said \"hi\", then left\r\nsecond line"},
		}},
		{at(2, 0, 0), store.StatusHeld, []store.Change{
			{At: at(2, 0, 1), User: "carol@example.com", OktaID: "00u7carol", Action: store.ActionRevokeAll, Group: "IT Admins", Reason: "left IT Admins", Held: true},
			{At: at(2, 0, 1), User: "carol@example.com", OktaID: "00u7carol", Action: store.ActionDisable, Reason: "no mapped group", Held: true},
		}},
		{at(3, 1, 30), store.StatusSucceeded, []store.Change{
			{At: at(3, 1, 31).Add(250 * time.Millisecond), User: "dave@example.com", OktaID: "00u8dave", Action: store.ActionRevokeAll, Group: "Engineering", Reason: "deactivated in Okta"},
			{At: at(3, 1, 31).Add(250 * time.Millisecond), User: "dave@example.com", OktaID: "00u8dave", Action: store.ActionDisable, Reason: "deactivated in Okta"},
			{At: at(3, 1, 32), User: "jose.muller@example.com", OktaID: "00u2jose", Action: store.ActionRevoke, Role: "Read Only", Group: "Engineering", Reason: "left Engineering"},
			{At: at(3, 1, 33), User: "alice@example.com", OktaID: "00u1alice", Action: store.ActionUpdate, Group: "IT Admins", Reason: "name changed to Alice Ødegård"},
		}},
		{at(3, 3, 0), store.StatusFailed, nil},
	}
}

// openStore opens an empty store in the test's temporary directory.
func openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newFixture returns a store holding fixtureRuns.
func newFixture(t testing.TB) *store.Store {
	t.Helper()
	ctx := context.Background()
	st := openStore(t)
	for _, r := range fixtureRuns() {
		id, err := st.StartRun(ctx, store.TriggerSchedule, r.at)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.AddChanges(ctx, id, r.changes); err != nil {
			t.Fatal(err)
		}
		if err := st.FinishRun(ctx, store.Run{ID: id, Status: r.status, FinishedAt: r.at.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// export runs Export into a buffer and fails the test on error.
func export(t testing.TB, st *store.Store, opts Options) []byte {
	t.Helper()
	if opts.Now.IsZero() {
		opts.Now = fixedNow
	}
	var buf bytes.Buffer
	if err := Export(context.Background(), st, &buf, opts); err != nil {
		t.Fatalf("export %s: %v", opts.Format, err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (run go test -update to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file; run go test -update and review the diff.\n got:\n%s", name, got)
	}
}
