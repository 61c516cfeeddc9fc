package report

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"html"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/store"
)

// signedFixture is the fixture history with its head signed, and what the
// keyring would vouch for.
func signedFixture(t *testing.T) (*store.Store, store.Trust) {
	t.Helper()
	st := newFixture(t)
	_, key, _ := ed25519.GenerateKey(nil)
	cp, signed, err := st.Anchor(context.Background(), key, store.CheckpointRun, fixedNow)
	if err != nil || !signed {
		t.Fatal(signed, err)
	}
	m := cp.Mark()
	return st, store.Trust{Known: true, Key: key.Public().(ed25519.PublicKey), Last: &m}
}

// jsonlSigned reads the JSON lines header's signed head and audit result.
func jsonlSigned(t *testing.T, b []byte) (head string, sh signedHead, audit auditLine) {
	t.Helper()
	line, _, _ := bytes.Cut(b, []byte("\n"))
	var h struct {
		ChainHead  jsonlHead   `json:"chain_head"`
		SignedHead *signedHead `json:"signed_head"`
		Audit      auditLine   `json:"audit"`
	}
	if err := json.Unmarshal(line, &h); err != nil || h.SignedHead == nil {
		t.Fatalf("header %s: %v", line, err)
	}
	return h.ChainHead.Hash, *h.SignedHead, h.Audit
}

func TestReportSignedHeadVerifiesWithEd25519(t *testing.T) {
	st, trust := signedFixture(t)
	b := export(t, st, Options{Format: FormatJSONL, Trust: trust})
	head, sh, audit := jsonlSigned(t, b)
	if !audit.OK || sh.Hash != head || !strings.Contains(sh.Message, " hash="+head+" ") {
		t.Fatalf("signed head %+v, head %s, audit %+v", sh, head, audit)
	}
	// What an auditor does, with the report alone.
	blk, _ := pem.Decode([]byte(sh.PublicKey))
	if blk == nil || blk.Type != "PUBLIC KEY" {
		t.Fatalf("public key %q", sh.PublicKey)
	}
	k, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := base64.StdEncoding.DecodeString(sh.Signature)
	if err != nil || !ed25519.Verify(k.(ed25519.PublicKey), []byte(sh.Message), sig) {
		t.Fatalf("the report's signature does not verify: %v", err)
	}
	if !bytes.Equal(k.(ed25519.PublicKey), trust.Key) {
		t.Error("the report's public key is not the keyring's")
	}
	for _, f := range []Format{FormatHTML, FormatPDF} {
		out := html.UnescapeString(string(export(t, st, Options{Format: f, Trust: trust})))
		if f == FormatHTML && (!strings.Contains(out, sh.Signature) || !strings.Contains(out, sh.Message) ||
			!strings.Contains(out, "-----BEGIN PUBLIC KEY-----")) {
			t.Errorf("the %s report lacks the signed head", f)
		}
	}
}

func TestReportOfARechainedHistoryFails(t *testing.T) {
	ctx := context.Background()
	st, trust := signedFixture(t)
	if _, err := rawDB(t, st).Exec(`UPDATE changes SET login = 'mallory' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	all, err := st.QueryChanges(ctx, store.ChangeFilter{})
	if err != nil {
		t.Fatal(err)
	}
	prev := store.GenesisHash
	for _, c := range all {
		h := store.ChainHash(prev, c)
		if _, err := rawDB(t, st).Exec(`UPDATE changes SET prev_hash = ?, hash = ? WHERE id = ?`, prev, h, c.ID); err != nil {
			t.Fatal(err)
		}
		prev = h
	}
	if _, err := rawDB(t, st).Exec(`UPDATE chain_head SET last_hash = ?`, prev); err != nil {
		t.Fatal(err)
	}
	_, _, audit := jsonlSigned(t, export(t, st, Options{Format: FormatJSONL, Trust: trust}))
	if audit.OK || !strings.Contains(strings.Join(audit.Problems, " "), "checkpoint 1 no longer matches the history") {
		t.Errorf("JSON lines audit of a re-chained history: %+v", audit)
	}
	page := string(export(t, st, Options{Format: FormatHTML, Trust: trust}))
	if !strings.Contains(page, "Audit verify FAILED: checkpoint 1 no longer matches the history") {
		t.Error("the HTML report of a re-chained history does not say it failed")
	}
}
