package store

import (
	"context"
	"database/sql"
	"fmt"
)

// reorderWindow is how far from its position VerifyChain looks for the ID a
// moved row was hashed with.
const reorderWindow = 1000

// VerifyChain recomputes the whole audit chain in ID order, reading row by
// row, and compares its end with the chain head recorded at write time. It
// reports the first row that was edited, deleted, inserted or reordered. A
// broken chain is a result (OK false), not an error; errors are I/O only.
func (s *Store) VerifyChain(ctx context.Context) (VerifyResult, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return VerifyResult{}, fmt.Errorf("verify chain: %w", err)
	}
	defer func() { _ = tx.Rollback() }()

	head, err := readRecordedHead(ctx, tx)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("verify chain: read chain head: %w", err)
	}

	rows, err := tx.QueryContext(ctx, `SELECT `+changeColumns+` FROM changes ORDER BY id`)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("verify chain: %w", err)
	}
	defer rows.Close()

	v := verifier{prevHash: GenesisHash}
	res, broken, err := v.walk(rows, head)
	if err != nil {
		return VerifyResult{}, fmt.Errorf("verify chain: %w", err)
	}
	if broken {
		return res, nil
	}
	return v.end(head), nil
}

// recordedHead is the chain head recorded at write time; ok is false when
// none was recorded.
type recordedHead struct {
	id   int64
	hash string
	ok   bool
}

// readRecordedHead reads the recorded chain head.
func readRecordedHead(ctx context.Context, tx *sql.Tx) (recordedHead, error) {
	var h recordedHead
	err := tx.QueryRowContext(ctx, `SELECT last_id, last_hash FROM chain_head WHERE singleton = 1`).Scan(&h.id, &h.hash)
	if err == sql.ErrNoRows {
		return h, nil
	}
	h.ok = err == nil
	return h, err
}

// walk checks the rows in ID order against the chain and the recorded head.
// broken is true, with the result, at the first row that breaks either.
func (v *verifier) walk(rows *sql.Rows, head recordedHead) (res VerifyResult, broken bool, err error) {
	next := func() (*storedChange, error) {
		if !rows.Next() {
			return nil, rows.Err()
		}
		c, err := scanChange(rows)
		if err != nil {
			return nil, err
		}
		return &c, nil
	}
	for {
		r, err := next()
		if err != nil {
			return VerifyResult{}, false, err
		}
		if r == nil {
			break
		}
		res, bad := v.check(r, next)
		if head.ok && r.ID > head.id && (!bad || res.FirstBadID > head.id) {
			return v.fail(r.ID, TamperInserted, fmt.Sprintf(
				"change %d lies beyond the recorded chain head (change %d)", r.ID, head.id)), true, nil
		}
		if bad {
			return res, true, nil
		}
	}
	return VerifyResult{}, false, rows.Err()
}

// end compares the end of a walked chain with the recorded head.
func (v *verifier) end(head recordedHead) VerifyResult {
	switch {
	case !head.ok && v.checked > 0:
		return v.fail(v.prevID, TamperDeleted, "the recorded chain head is missing")
	case head.ok && v.prevID < head.id:
		return v.fail(v.prevID+1, TamperDeleted, rangeText(v.prevID+1, head.id, "is", "are")+" missing from the end of the history")
	case head.ok && v.prevHash != head.hash:
		return v.fail(v.prevID, TamperEdited, fmt.Sprintf(
			"change %d does not match the recorded chain head; it was rewritten and its hash recomputed", v.prevID))
	}
	return VerifyResult{OK: true, Checked: v.checked, HeadID: v.prevID, HeadHash: v.prevHash}
}

// verifier walks the chain, remembering the last two rows.
type verifier struct {
	checked      int64
	prevID       int64
	prevHash     string
	prevPrevHash string
}

func (v *verifier) fail(id int64, kind, detail string) VerifyResult {
	return VerifyResult{Checked: v.checked, HeadID: v.prevID, HeadHash: v.prevHash,
		FirstBadID: id, Kind: kind, Detail: detail}
}

// selfConsistent reports whether r's stored hash matches its fields and
// stored PrevHash, were it at position id.
func selfConsistent(r *storedChange, id int64) bool {
	if r.version != EncodingVersion {
		return false
	}
	c := r.Change
	c.ID = id
	return hashMatches(r.version, r.PrevHash, c, r.Hash)
}

// check verifies r against the previous row and, when it does not fit,
// classifies the damage, reading at most one row ahead through next.
func (v *verifier) check(r *storedChange, next func() (*storedChange, error)) (VerifyResult, bool) {
	expected := v.prevID + 1
	if r.ID > expected {
		return v.fail(expected, TamperDeleted, rangeText(expected, r.ID-1, "is", "are")+" missing"), true
	}
	self := selfConsistent(r, r.ID)
	if self && r.PrevHash == v.prevHash {
		v.checked++
		v.prevPrevHash, v.prevHash, v.prevID = v.prevHash, r.Hash, r.ID
		return VerifyResult{}, false
	}
	if v.prevID > 0 && r.PrevHash == v.prevPrevHash {
		return v.fail(v.prevID, TamperInserted, fmt.Sprintf(
			"change %d was inserted: change %d links to change %d", v.prevID, r.ID, v.prevID-1)), true
	}
	if self {
		if v.prevID == 0 {
			return v.fail(1, TamperDeleted, fmt.Sprintf(
				"change %d does not start the chain: earlier changes were deleted and the rest renumbered", r.ID)), true
		}
		return v.fail(v.prevID, TamperEdited, fmt.Sprintf(
			"change %d was rewritten and its hash recomputed: change %d no longer links to it", v.prevID, r.ID)), true
	}
	if r.version != EncodingVersion {
		return v.fail(r.ID, TamperEdited, fmt.Sprintf("change %d has unknown encoding version %d", r.ID, r.version)), true
	}
	if j, ok := hashedAs(r); ok {
		n, _ := next()
		if j > r.ID && (n == nil || selfConsistent(n, n.ID+(j-r.ID))) {
			return v.fail(r.ID, TamperDeleted, rangeText(r.ID, j-1, "was", "were")+" deleted and the later changes renumbered"), true
		}
		return v.fail(r.ID, TamperReordered, fmt.Sprintf(
			"change %d holds what was recorded as change %d", r.ID, j)), true
	}
	if n, _ := next(); n != nil && n.PrevHash == v.prevHash {
		return v.fail(r.ID, TamperInserted, fmt.Sprintf(
			"change %d was inserted: change %d links to change %d", r.ID, n.ID, v.prevID)), true
	}
	return v.fail(r.ID, TamperEdited, fmt.Sprintf(
		"change %d was edited: its fields no longer match its hash", r.ID)), true
}

// hashedAs finds the ID, near r's position, that r's fields were hashed with.
func hashedAs(r *storedChange) (int64, bool) {
	for d := int64(1); d <= reorderWindow; d++ {
		for _, j := range []int64{r.ID + d, r.ID - d} {
			if j > 0 && selfConsistent(r, j) {
				return j, true
			}
		}
	}
	return 0, false
}

// rangeText names the changes from a to b with a verb: "change 4 is",
// "changes 4 to 6 are".
func rangeText(a, b int64, singular, plural string) string {
	if a == b {
		return fmt.Sprintf("change %d %s", a, singular)
	}
	return fmt.Sprintf("changes %d to %d %s", a, b, plural)
}
