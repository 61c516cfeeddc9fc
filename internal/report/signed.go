package report

import (
	"context"
	"fmt"
	"strings"

	"github.com/rolesync/rolesync/internal/store"
)

// signedHead is the latest signed checkpoint as a report carries it: enough
// to check the signature with openssl and no other tool. Message is the
// exact signed text (no line end), Signature its Ed25519 signature in
// base64, PublicKey the signer's key as PEM.
type signedHead struct {
	Seq       int64  `json:"seq"`
	Change    int64  `json:"change"`
	Hash      string `json:"hash"`
	At        string `json:"at"`
	Message   string `json:"message"`
	Signature string `json:"signature"`
	PublicKey string `json:"public_key"`
}

// audit verifies the chain (unless chain is false: the export carries every
// hash) and its checkpoints against opts.Trust, and returns the signed head
// to print. The public key printed is the keyring's when it was read, else
// the one stored with the checkpoint.
func (x *exporter) audit(ctx context.Context, chain bool) (store.AuditResult, *signedHead, error) {
	verify := x.st.VerifyAudit
	if !chain {
		verify = x.st.VerifyCheckpoints
	}
	res, err := verify(ctx, x.opts.Trust)
	if err != nil {
		return store.AuditResult{}, nil, err
	}
	if res.Latest == nil {
		return res, nil, nil
	}
	c := *res.Latest
	key := c.PublicKey
	if x.opts.Trust.Key != nil {
		key = x.opts.Trust.Key
	}
	pem, err := store.PublicKeyPEM(key)
	if err != nil {
		pem = "" // a damaged stored key: the verification result says so
	}
	return res, &signedHead{Seq: c.Seq, Change: c.LastID, Hash: c.LastHash, At: rfc3339(c.At),
		Message: string(c.Message()), Signature: c.SignatureBase64(), PublicKey: pem}, nil
}

// auditLine is the JSON lines header's verification result.
type auditLine struct {
	OK       bool     `json:"ok"`
	Result   string   `json:"result"`
	Problems []string `json:"problems,omitempty"`
	Notes    []string `json:"notes,omitempty"`
}

func newAuditLine(r store.AuditResult) auditLine {
	return auditLine{OK: r.OK, Result: r.String(), Problems: r.Problems, Notes: r.Notes}
}

// signedHeadText is how the HTML and PDF reports explain the signed head.
func signedHeadText(h *signedHead) string {
	return fmt.Sprintf("Checkpoint %d signs chain head change %d with the Ed25519 key below, kept in the keyring of the "+
		"machine that ran rolesync. To check it without rolesync: save the signed message below as head.txt "+
		"(one line, no line end), the signature (base64) decoded as sig.bin and the public key as pub.pem, then run "+
		"\"openssl pkeyutl -verify -pubin -inkey pub.pem -rawin -in head.txt -sigfile sig.bin\"; compare the public key "+
		"with the one you keep (rolesync audit key), and the hash with the chain head above.", h.Seq, h.Change)
}

// signedHead closes the PDF with the signed chain head: the problems and
// notes of the verification, the signed message, the signature and the
// public key, each in a fixed-width font on lines of its own.
func (d *pdfDoc) signedHead() {
	_, h := d.GetPageSize()
	if d.GetY() > h-pdfBottom-70 {
		d.AddPage()
	}
	d.Ln(4)
	d.SetFont("Helvetica", "B", 12)
	d.CellFormat(0, 8, d.tr("Signed chain head"), "", 1, "L", false, 0, "")
	d.SetFont("Helvetica", "", 9)
	for _, p := range d.s.Audit.Problems {
		d.MultiCell(0, 5, d.tr("Problem: "+p), "", "L", false)
	}
	for _, n := range d.s.Audit.Notes {
		d.MultiCell(0, 5, d.tr("Note: "+n), "", "L", false)
	}
	sh := d.s.Signed
	if sh == nil {
		d.MultiCell(0, 5, d.tr("No signed checkpoint covers this history yet."), "", "L", false)
		return
	}
	d.MultiCell(0, 5, d.tr(signedHeadText(sh)), "", "L", false)
	block := func(label, text string) {
		d.SetFont("Helvetica", "B", 9)
		d.CellFormat(0, 6, d.tr(label), "", 1, "L", false, 0, "")
		d.SetFont("Courier", "", 8)
		for _, line := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
			d.CellFormat(0, 4, line, "", 1, "L", false, 0, "")
		}
	}
	block("Signed message (head.txt):", sh.Message)
	block("Signature (base64, decode to sig.bin):", sh.Signature)
	block("Public key (pub.pem):", sh.PublicKey)
}
