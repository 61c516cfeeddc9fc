package store

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// Trust is what the keyring vouches for, read outside the database.
type Trust struct {
	// Known is set when the keyring was read. When it was not, the
	// checkpoints are checked against the public key they carry, which
	// proves nothing against someone who rewrote the database.
	Known bool
	// Key is the public half of the keyring's signing key; nil when the
	// keyring holds none.
	Key ed25519.PublicKey
	// Last is the last checkpoint the keyring recorded; nil when none.
	Last *Mark
}

// AuditResult is the outcome of VerifyAudit: the hash chain, then the
// signed checkpoints that anchor it.
type AuditResult struct {
	OK bool
	// Chain is the hash chain's verification; zero when ChainSkipped.
	Chain        VerifyResult
	ChainSkipped bool
	Checkpoints  int
	// Latest is the newest checkpoint (the signed head); nil when none.
	Latest *Checkpoint
	// Problems are failures, each a sentence; Notes are facts an auditor
	// should know that are not failures.
	Problems []string
	Notes    []string
}

// String is a one-line summary: the first problem, or the intact chain and
// its signed head.
func (r AuditResult) String() string {
	if !r.OK {
		s := r.Problems[0]
		if n := len(r.Problems) - 1; n > 0 {
			s += fmt.Sprintf(" (and %d more problem(s))", n)
		}
		return s
	}
	s := r.Chain.String()
	if r.ChainSkipped {
		s = "the signed checkpoints match the history (the hash chain was not recomputed)"
	}
	if r.Latest != nil {
		s += fmt.Sprintf("; signed checkpoint %d covers change %d", r.Latest.Seq, r.Latest.LastID)
	}
	return s
}

// VerifyAudit checks the hash chain (VerifyChain), then every checkpoint:
// its signature with the keyring's key, its sequence number, and that the
// change it signed still has the hash it signed. It checks the head against
// the latest checkpoint and the latest against the one the keyring
// recorded, so that a database edited and re-chained, or stripped of its
// checkpoints, by someone without the keyring fails. Errors are I/O only.
func (s *Store) VerifyAudit(ctx context.Context, trust Trust) (AuditResult, error) {
	chain, err := s.VerifyChain(ctx)
	if err != nil {
		return AuditResult{}, err
	}
	return s.verifyAudit(ctx, trust, chain, false)
}

// VerifyCheckpoints is VerifyAudit without recomputing the hash chain: it
// checks the checkpoints against the stored hashes of the changes they
// signed, the head and the keyring's record. It serves exports that carry
// every hash, from which the chain can be recomputed.
func (s *Store) VerifyCheckpoints(ctx context.Context, trust Trust) (AuditResult, error) {
	return s.verifyAudit(ctx, trust, VerifyResult{OK: true}, true)
}

func (s *Store) verifyAudit(ctx context.Context, trust Trust, chain VerifyResult, skipped bool) (AuditResult, error) {
	cps, err := s.Checkpoints(ctx)
	if err != nil {
		return AuditResult{}, err
	}
	r := AuditResult{Chain: chain, ChainSkipped: skipped, Checkpoints: len(cps)}
	if !chain.OK {
		r.Problems = append(r.Problems, chain.String())
	}
	if len(cps) > 0 {
		r.Latest = &cps[len(cps)-1]
	}
	headID, headHash, err := s.ChainHead(ctx)
	if err != nil {
		return AuditResult{}, err
	}
	if err := s.checkCheckpoints(ctx, &r, cps, trust); err != nil {
		return AuditResult{}, err
	}
	r.checkMark(cps, trust)
	r.checkCoverage(cps, trust, headID, headHash)
	r.OK = len(r.Problems) == 0
	return r, nil
}

// checkCheckpoints checks each checkpoint's signature, numbering and
// agreement with the chain.
func (s *Store) checkCheckpoints(ctx context.Context, r *AuditResult, cps []Checkpoint, trust Trust) error {
	fail := func(format string, a ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, a...)) }
	if trust.Known && trust.Key == nil && len(cps) > 0 {
		fail("the history holds %d signed checkpoint(s) but the keyring has no audit signing key: the keyring was replaced or the checkpoints were forged", len(cps))
	}
	if !trust.Known && len(cps) > 0 {
		r.Notes = append(r.Notes, "the keyring was not read: the checkpoints were checked against the public key stored with them, which does not prove who signed them")
	}
	var prevID int64
	for i, c := range cps {
		switch {
		case c.Seq != int64(i+1):
			fail("checkpoint %d is missing: the next one kept is checkpoint %d", i+1, c.Seq)
			return nil
		case trust.Key != nil && !bytes.Equal(c.PublicKey, trust.Key):
			fail("checkpoint %d (change %d) was not signed by the keyring's audit key: it was forged", c.Seq, c.LastID)
			continue
		case !c.VerifySignature(signerKey(c, trust)):
			fail("checkpoint %d (change %d) has a signature that does not verify: it was forged or altered", c.Seq, c.LastID)
			continue
		case c.LastID < prevID:
			fail("checkpoint %d covers change %d, before checkpoint %d's change %d", c.Seq, c.LastID, c.Seq-1, prevID)
		}
		prevID = c.LastID
		var h string
		err := s.db.QueryRowContext(ctx, `SELECT hash FROM changes WHERE id = ?`, c.LastID).Scan(&h)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			fail("checkpoint %d no longer matches the history: change %d, which it signed at %s, is missing",
				c.Seq, c.LastID, c.At.Format("2006-01-02 15:04:05Z07:00"))
		case err != nil:
			return fmt.Errorf("verify checkpoint %d: %w", c.Seq, err)
		case h != c.LastHash:
			fail("checkpoint %d no longer matches the history: change %d hashes to %s, but the checkpoint signed at %s holds %s; the changes up to %d were rewritten and re-chained",
				c.Seq, c.LastID, short(h), c.At.Format("2006-01-02 15:04:05Z07:00"), short(c.LastHash), c.LastID)
		}
	}
	return nil
}

// signerKey is the key a checkpoint is checked with: the keyring's, else
// the one stored with it.
func signerKey(c Checkpoint, trust Trust) ed25519.PublicKey {
	if trust.Key != nil {
		return trust.Key
	}
	return c.PublicKey
}

// checkMark compares the checkpoints with the last one the keyring recorded.
func (r *AuditResult) checkMark(cps []Checkpoint, trust Trust) {
	m := trust.Last
	if m == nil || m.Seq == 0 {
		return
	}
	if int64(len(cps)) < m.Seq {
		n := "none is kept"
		if len(cps) > 0 {
			n = fmt.Sprintf("the last kept is checkpoint %d", cps[len(cps)-1].Seq)
		}
		r.Problems = append(r.Problems, fmt.Sprintf(
			"the keyring recorded checkpoint %d (change %d), but %s: signed checkpoints were deleted", m.Seq, m.LastID, n))
		return
	}
	if c := cps[m.Seq-1]; c.Seq == m.Seq && (c.LastID != m.LastID || c.LastHash != m.Hash) {
		r.Problems = append(r.Problems, fmt.Sprintf(
			"checkpoint %d does not match the one the keyring recorded (change %d, hash %s): it was replaced", m.Seq, m.LastID, short(m.Hash)))
	}
}

// checkCoverage says which changes no checkpoint covers.
func (r *AuditResult) checkCoverage(cps []Checkpoint, trust Trust, headID int64, headHash string) {
	if headID == 0 {
		return
	}
	if len(cps) == 0 {
		msg := fmt.Sprintf("no signed checkpoint covers changes 1 to %d", headID)
		if trust.Known && (trust.Key != nil || trust.Last != nil) {
			r.Problems = append(r.Problems, msg+", although the keyring holds an audit signing key: the checkpoints were deleted")
			return
		}
		r.Notes = append(r.Notes, msg+" yet: the next run signs the chain head")
		return
	}
	first, last := cps[0], cps[len(cps)-1]
	if first.Reason == CheckpointUpgrade && first.LastID > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf(
			"changes 1 to %d were recorded before this history was signed; checkpoint 1 anchors them from %s on, not before",
			first.LastID, first.At.Format("2006-01-02 15:04:05Z07:00")))
	}
	switch {
	case last.LastID > headID:
		r.Problems = append(r.Problems, fmt.Sprintf(
			"checkpoint %d covers change %d, beyond the chain head %d: changes were deleted from the end", last.Seq, last.LastID, headID))
	case last.LastID == headID && last.LastHash != headHash:
		r.Problems = append(r.Problems, fmt.Sprintf(
			"the chain head (change %d) does not match checkpoint %d: the history was rewritten", headID, last.Seq))
	case last.LastID < headID:
		r.Notes = append(r.Notes, fmt.Sprintf(
			"no signed checkpoint covers %s yet (recorded after checkpoint %d): the next run signs them",
			strings.TrimSuffix(rangeText(last.LastID+1, headID, "", ""), " "), last.Seq))
	}
}

// short abbreviates a hash for messages.
func short(h string) string {
	if len(h) > 16 {
		return h[:16] + "…"
	}
	return h
}
