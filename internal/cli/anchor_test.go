package cli

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"html"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
)

// syncedHarness is a data directory after one sync that recorded changes.
func syncedHarness(t *testing.T) *harness {
	t.Helper()
	sim := startSim(t, 120, 20)
	h := newHarness(t)
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	if code, res, errs := h.syncJSON(); code != 0 || res.Created == 0 {
		t.Fatalf("sync: %d %+v %s", code, res, errs)
	}
	return h
}

// openStore opens the data directory's database behind rolesync's back.
func (h *harness) openStore() *store.Store {
	h.t.Helper()
	st, err := store.Open(context.Background(), filepath.Join(h.connDir(), app.StoreFile))
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { st.Close() })
	return st
}

// sqlExec runs statements on the data directory's database.
func (h *harness) sqlExec(stmts ...string) {
	h.t.Helper()
	st := h.openStore()
	for _, q := range stmts {
		if _, err := rawDB(h.t, st).Exec(q); err != nil {
			h.t.Fatalf("%s: %v", q, err)
		}
	}
	st.Close()
}

// rechain edits change id and recomputes every hash and the chain head with
// the store's own algorithm: what someone with write access to the database
// but not the keyring can do.
func (h *harness) rechain(id int64) {
	h.t.Helper()
	ctx := context.Background()
	st := h.openStore()
	db := rawDB(h.t, st)
	if _, err := db.Exec(`UPDATE changes SET role = 'Administrator', login = 'mallory' WHERE id = ?`, id); err != nil {
		h.t.Fatal(err)
	}
	all, err := st.QueryChanges(ctx, store.ChangeFilter{})
	if err != nil {
		h.t.Fatal(err)
	}
	prev := store.GenesisHash
	for _, c := range all {
		hash := store.ChainHash(prev, c)
		if _, err := db.Exec(`UPDATE changes SET prev_hash = ?, hash = ? WHERE id = ?`, prev, hash, c.ID); err != nil {
			h.t.Fatal(err)
		}
		prev = hash
	}
	if _, err := db.Exec(`UPDATE chain_head SET last_hash = ?`, prev); err != nil {
		h.t.Fatal(err)
	}
	if res, err := st.VerifyChain(ctx); err != nil || !res.OK {
		h.t.Fatalf("the re-chained history should pass the bare chain check: %v %v", res, err)
	}
	st.Close()
}

func (h *harness) verifyFails(want string) {
	h.t.Helper()
	code, out, errs := h.run("", "audit", "verify")
	if code != 1 || !strings.Contains(errs, want) {
		h.t.Errorf("audit verify: exit %d, want 1 and %q\nstdout: %s\nstderr: %s", code, want, out, errs)
	}
}

func TestAuditVerifyCleanHistoryIsSigned(t *testing.T) {
	h := syncedHarness(t)
	out := h.mustRun("", "audit", "verify")
	if !strings.Contains(out, "intact") || !strings.Contains(out, "signed checkpoint 1 covers change") || strings.Contains(out, "note:") {
		t.Errorf("audit verify of a signed history: %q", out)
	}
	key := h.mustRun("", "audit", "key")
	if !strings.HasPrefix(key, "-----BEGIN PUBLIC KEY-----\n") {
		t.Errorf("audit key: %q", key)
	}
	// The private key is in the keyring only: not in the database.
	data, err := os.ReadFile(filepath.Join(h.connDir(), app.StoreFile))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "PRIVATE KEY") {
		t.Error("the database holds a private key")
	}
}

func TestAuditVerifyRechainedHistoryFails(t *testing.T) {
	h := syncedHarness(t)
	h.rechain(3)
	h.verifyFails("checkpoint 1 no longer matches the history")
	// The next run does not sign the rewritten history.
	h.syncJSON()
	h.verifyFails("checkpoint 1 no longer matches the history")
}

func TestAuditVerifyDeletedCheckpointsFail(t *testing.T) {
	h := syncedHarness(t)
	h.sqlExec(`DELETE FROM checkpoints`)
	h.verifyFails("signed checkpoints were deleted")
	// A later run refuses to sign afresh over the stripped history.
	h.syncJSON()
	h.verifyFails("signed checkpoints were deleted")

	// The keyring's record deleted too: its key still tells.
	kr, err := secrets.OpenKeyring(filepath.Join(h.connDir(), app.KeyringDir), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := kr.Remove("rolesync-audit-checkpoint"); err != nil {
		t.Fatal(err)
	}
	h.verifyFails("although the keyring holds an audit signing key: the checkpoints were deleted")
	h.syncJSON()
	h.verifyFails("although the keyring holds an audit signing key: the checkpoints were deleted")
}

func TestAuditVerifyForgedCheckpointFails(t *testing.T) {
	h := syncedHarness(t)
	h.rechain(2)
	// The forger signs the new head with a key of their own.
	_, forger, _ := ed25519.GenerateKey(nil)
	st := h.openStore()
	if _, err := rawDB(h.t, st).Exec(`DELETE FROM checkpoints`); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Anchor(context.Background(), forger, store.CheckpointRun, time.Now()); err != nil {
		t.Fatal(err)
	}
	st.Close()
	h.verifyFails("checkpoint 1 (change")
	h.verifyFails("was not signed by the keyring's audit key")
}

func TestUpgradedHistoryIsSignedByTheFirstRun(t *testing.T) {
	sim := startSim(t, 60, 10)
	h := newHarness(t)
	// A history recorded before checkpoints: changes, no key, no checkpoint.
	ctx := context.Background()
	st := h.openStore()
	run, err := st.StartRun(ctx, store.TriggerCLI, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := st.AddChanges(ctx, run, []store.Change{{At: time.Now(), User: "old@example.com", Action: store.ActionGrant, Role: "Auditor"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishRun(ctx, store.Run{ID: run, Status: store.StatusSucceeded, FinishedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	if out := h.mustRun("", "audit", "verify"); !strings.Contains(out, "note: no signed checkpoint covers change") {
		t.Errorf("before the first run: %q", out)
	}
	h.importConfig(sim)
	h.mustRun(sim.APIToken()+"\n", "secrets", "set", "okta-api-token")
	if code, _, errs := h.syncJSON(); code != 0 {
		t.Fatalf("sync: %s", errs)
	}
	out := h.mustRun("", "audit", "verify")
	if !strings.Contains(out, "note: changes 1 to") || !strings.Contains(out, "were recorded before this history was signed") ||
		!strings.Contains(out, "signed checkpoint 1") {
		t.Errorf("after the first run: %q", out)
	}
}

// signedFromJSONL reads the signed head from a JSON lines report's header.
func signedFromJSONL(t *testing.T, path string) (msg, sig, pub, headHash string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadBytes('\n')
	var h struct {
		ChainHead struct{ Hash string } `json:"chain_head"`
		Signed    struct {
			Hash, Message, Signature string
			PublicKey                string `json:"public_key"`
		} `json:"signed_head"`
		Audit struct{ OK bool }
	}
	if err := json.Unmarshal(line, &h); err != nil {
		t.Fatal(err)
	}
	if !h.Audit.OK || h.Signed.Hash != h.ChainHead.Hash {
		t.Errorf("the report's signed head %s is not its chain head %s, or the audit failed", h.Signed.Hash, h.ChainHead.Hash)
	}
	return h.Signed.Message, h.Signed.Signature, h.Signed.PublicKey, h.ChainHead.Hash
}

// signedFromHTML reads the signed head from an HTML report's <pre> blocks.
func signedFromHTML(t *testing.T, path string) (msg, sig, pub string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	get := func(id string) string {
		m := regexp.MustCompile(`(?s)<pre class="mono" id="` + id + `">(.*?)</pre>`).FindStringSubmatch(string(data))
		if m == nil {
			t.Fatalf("the HTML report has no %s", id)
		}
		return html.UnescapeString(m[1])
	}
	return get("signed-message"), get("signature"), get("public-key")
}

// checkSigned verifies a report's signed head with crypto/ed25519 alone.
func checkSigned(t *testing.T, msg, sig64, pubPEM, headHash string) {
	t.Helper()
	blk, _ := pem.Decode([]byte(pubPEM))
	if blk == nil {
		t.Fatalf("no PEM public key in %q", pubPEM)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub, ok := k.(ed25519.PublicKey)
	sig, err := base64.StdEncoding.DecodeString(sig64)
	if !ok || err != nil || !ed25519.Verify(pub, []byte(msg), sig) {
		t.Fatalf("the report's signature does not verify (%T, %v) over %q", k, err, msg)
	}
	if !strings.Contains(msg, " hash="+headHash+" ") {
		t.Errorf("the signed message %q does not name the head %s", msg, headHash)
	}
	if ed25519.Verify(pub, []byte(strings.Replace(msg, "change=", "change=9", 1)), sig) {
		t.Error("the signature verifies an altered message")
	}
}

func TestReportSignatureVerifies(t *testing.T) {
	h := syncedHarness(t)
	dir := t.TempDir()
	jsonl, page := filepath.Join(dir, "audit.jsonl"), filepath.Join(dir, "audit.html")
	h.mustRun("", "export", "--format", "jsonl", "--out", jsonl)
	h.mustRun("", "export", "--format", "html", "--out", page)
	msg, sig, pub, head := signedFromJSONL(t, jsonl)
	checkSigned(t, msg, sig, pub, head)
	hmsg, hsig, hpub := signedFromHTML(t, page)
	if hmsg != msg || hsig != sig || hpub != pub {
		t.Errorf("the HTML and JSON lines reports carry different signed heads")
	}
	if pub != h.mustRun("", "audit", "key") {
		t.Error("the report's public key is not the one `audit key` prints")
	}
	openssl(t, dir, msg, sig, pub)
}

// openssl checks the signature with the commands the README gives, when
// openssl is installed.
func openssl(t *testing.T, dir, msg, sig, pub string) {
	t.Helper()
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl not installed; the README's commands were not run")
		return
	}
	if err := os.WriteFile(filepath.Join(dir, "sig.b64"), []byte(sig+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pub.pem"), []byte(pub), 0o600); err != nil {
		t.Fatal(err)
	}
	sh := func(script string) (string, error) {
		cmd := exec.Command("sh", "-c", script)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "MSG="+msg)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	// The README's steps: head.txt from the message, sig.bin from base64.
	if out, err := sh(`printf '%s' "$MSG" > head.txt && openssl base64 -d -A -in sig.b64 -out sig.bin`); err != nil {
		t.Fatalf("prepare: %v %s", err, out)
	}
	verify := `openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in head.txt -sigfile sig.bin`
	if out, err := sh(verify); err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("openssl: %v %s", err, out)
	}
	if out, err := sh(`printf '%s' "$MSG" | sed 's/seq=/seq=9/' > head.txt && ` + verify); err == nil {
		t.Errorf("openssl verified an altered message: %s", out)
	}
}
