package store

import (
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// CheckpointTag starts every signed checkpoint message (see Checkpoint.Message).
const CheckpointTag = "rolesync-checkpoint/1"

// Checkpoint reasons: what signed the chain head.
const (
	CheckpointRun     = "run"     // after a run that added changes
	CheckpointUpgrade = "upgrade" // the first signature, over the changes of earlier runs
	CheckpointExport  = "export"  // before a report, when the head was not signed yet
)

// Checkpoint is a signed chain head: Ed25519 over Message(), with the key
// kept in the keyring. Seq numbers checkpoints 1, 2, 3… without gaps.
type Checkpoint struct {
	Seq       int64
	LastID    int64  // the chain head's change ID
	LastHash  string // the chain head's hash
	At        time.Time
	PublicKey ed25519.PublicKey // the signer's public key, as stored
	Signature []byte
	Reason    string // run|upgrade|export; not signed
}

// Message is the exact text the signature covers, one line of ASCII
// without a line end:
//
//	rolesync-checkpoint/1 seq=<seq> change=<last id> hash=<last hash> at=<RFC 3339 UTC>
//
// with the time in Go's RFC3339Nano layout (trailing zeros dropped).
func (c Checkpoint) Message() []byte {
	b := append([]byte(CheckpointTag), " seq="...)
	b = strconv.AppendInt(b, c.Seq, 10)
	b = append(b, " change="...)
	b = strconv.AppendInt(b, c.LastID, 10)
	b = append(b, " hash="...)
	b = append(b, c.LastHash...)
	b = append(b, " at="...)
	return c.At.UTC().AppendFormat(b, time.RFC3339Nano)
}

// SignatureBase64 is the signature in standard base64.
func (c Checkpoint) SignatureBase64() string { return base64.StdEncoding.EncodeToString(c.Signature) }

// VerifySignature reports whether the checkpoint's signature over Message
// verifies with key.
func (c Checkpoint) VerifySignature(key ed25519.PublicKey) bool {
	return len(key) == ed25519.PublicKeySize && len(c.Signature) == ed25519.SignatureSize &&
		ed25519.Verify(key, c.Message(), c.Signature)
}

// Mark is the last checkpoint as recorded outside the database (in the
// keyring), so that deleting checkpoints is noticed.
type Mark struct {
	Seq    int64
	LastID int64
	Hash   string
}

// String is the stored form of a mark: "seq id hash".
func (m Mark) String() string { return fmt.Sprintf("%d %d %s", m.Seq, m.LastID, m.Hash) }

// ParseMark reads the form String writes.
func ParseMark(s string) (Mark, error) {
	var m Mark
	if _, err := fmt.Sscanf(s, "%d %d %s", &m.Seq, &m.LastID, &m.Hash); err != nil {
		return Mark{}, fmt.Errorf("read the recorded checkpoint %q: %w", s, err)
	}
	return m, nil
}

// Mark returns the mark of c.
func (c Checkpoint) Mark() Mark { return Mark{Seq: c.Seq, LastID: c.LastID, Hash: c.LastHash} }

const checkpointColumns = `seq, last_id, last_hash, at, public_key, signature, reason`

func scanCheckpoint(sc rowScanner) (Checkpoint, error) {
	var c Checkpoint
	var at int64
	var pub, sig string
	if err := sc.Scan(&c.Seq, &c.LastID, &c.LastHash, &at, &pub, &sig, &c.Reason); err != nil {
		return Checkpoint{}, err
	}
	c.At = fromNanos(at)
	// A value that does not decode stays empty and fails verification.
	if k, err := base64.StdEncoding.DecodeString(pub); err == nil {
		c.PublicKey = k
	}
	c.Signature, _ = base64.StdEncoding.DecodeString(sig)
	return c, nil
}

// Checkpoints returns every checkpoint in sequence order.
func (s *Store) Checkpoints(ctx context.Context) ([]Checkpoint, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY seq`)
	if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	defer rows.Close()
	var out []Checkpoint
	for rows.Next() {
		c, err := scanCheckpoint(rows)
		if err != nil {
			return nil, fmt.Errorf("read checkpoints: %w", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	return out, nil
}

// LatestCheckpoint returns the newest checkpoint; ok is false when none.
func (s *Store) LatestCheckpoint(ctx context.Context) (c Checkpoint, ok bool, err error) {
	return latestCheckpoint(ctx, s.db)
}

func latestCheckpoint(ctx context.Context, q queryer) (Checkpoint, bool, error) {
	c, err := scanCheckpoint(q.QueryRowContext(ctx, `SELECT `+checkpointColumns+` FROM checkpoints ORDER BY seq DESC LIMIT 1`))
	if errors.Is(err, sql.ErrNoRows) {
		return Checkpoint{}, false, nil
	}
	if err != nil {
		return Checkpoint{}, false, fmt.Errorf("read the latest checkpoint: %w", err)
	}
	return c, true, nil
}

// HasCheckpoints reports whether any checkpoint was ever signed here.
func (s *Store) HasCheckpoints(ctx context.Context) (bool, error) {
	_, ok, err := s.LatestCheckpoint(ctx)
	return ok, err
}

// Anchor signs the chain head with key and records it as the next
// checkpoint, unless the latest checkpoint already covers the head (then it
// returns that one and signed false) or the history is empty. Before
// signing, it checks that the changes since the latest checkpoint (all of
// them for the first) link to it and to the head, and refuses to sign a
// chain that does not. reason is CheckpointRun, CheckpointUpgrade or
// CheckpointExport; a first checkpoint over the changes of more than one run
// (a history kept before checkpoints, or whose first signature was missed)
// is recorded as CheckpointUpgrade whatever reason says.
func (s *Store) Anchor(ctx context.Context, key ed25519.PrivateKey, reason string, now time.Time) (cp Checkpoint, signed bool, err error) {
	if len(key) != ed25519.PrivateKeySize {
		return Checkpoint{}, false, errors.New("sign the audit chain: the signing key is not an Ed25519 key")
	}
	err = s.withTx(ctx, func(tx *sql.Tx) error {
		headID, headHash, err := chainHead(ctx, tx)
		if err != nil {
			return err
		}
		latest, ok, err := latestCheckpoint(ctx, tx)
		if err != nil {
			return err
		}
		if ok && latest.LastID == headID && latest.LastHash == headHash {
			cp = latest
			return nil
		}
		if headID == 0 {
			return nil
		}
		from, fromHash := int64(0), GenesisHash
		if ok {
			from, fromHash = latest.LastID, latest.LastHash
		} else {
			// The first checkpoint of a fresh history signs the changes of
			// the one run that made them; over the changes of several runs,
			// it signs a history kept before checkpoints existed.
			var runs int64
			if err := tx.QueryRowContext(ctx, `SELECT count(DISTINCT run_id) FROM changes`).Scan(&runs); err != nil {
				return fmt.Errorf("sign the audit chain: %w", err)
			}
			if runs > 1 {
				reason = CheckpointUpgrade
			}
		}
		if err := checkTail(ctx, tx, from, fromHash, headID, headHash); err != nil {
			return fmt.Errorf("sign the audit chain: %w", err)
		}
		cp = Checkpoint{Seq: latest.Seq + 1, LastID: headID, LastHash: headHash, At: now.UTC(),
			PublicKey: key.Public().(ed25519.PublicKey), Reason: reason}
		cp.Signature = ed25519.Sign(key, cp.Message())
		if _, err := tx.ExecContext(ctx, `INSERT INTO checkpoints (`+checkpointColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			cp.Seq, cp.LastID, cp.LastHash, toNanos(cp.At), base64.StdEncoding.EncodeToString(cp.PublicKey),
			cp.SignatureBase64(), cp.Reason); err != nil {
			return fmt.Errorf("record checkpoint %d: %w", cp.Seq, err)
		}
		signed = true
		return nil
	})
	return cp, signed, err
}

// checkTail checks that the changes after from link, row by row, from
// fromHash to the head, so that a checkpoint never signs a broken chain.
func checkTail(ctx context.Context, tx *sql.Tx, from int64, fromHash string, headID int64, headHash string) error {
	if from > 0 {
		var h string
		err := tx.QueryRowContext(ctx, `SELECT hash FROM changes WHERE id = ?`, from).Scan(&h)
		if err != nil || h != fromHash {
			return fmt.Errorf("change %d no longer matches the latest checkpoint; run `rolesync audit verify`", from)
		}
	}
	rows, err := tx.QueryContext(ctx, `SELECT `+changeColumns+` FROM changes WHERE id > ? ORDER BY id`, from)
	if err != nil {
		return err
	}
	defer rows.Close()
	id, prev := from, fromHash
	for rows.Next() {
		r, err := scanChange(rows)
		if err != nil {
			return err
		}
		if r.ID != id+1 || r.PrevHash != prev || !selfConsistent(&r, r.ID) {
			return fmt.Errorf("change %d does not link to the chain; run `rolesync audit verify`", r.ID)
		}
		id, prev = r.ID, r.Hash
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if id != headID || prev != headHash {
		return fmt.Errorf("the changes end at %d, not at the recorded chain head %d; run `rolesync audit verify`", id, headID)
	}
	return nil
}

// PublicKeyPEM encodes an Ed25519 public key as a PEM "PUBLIC KEY" block
// (SubjectPublicKeyInfo), the form openssl reads with -pubin.
func PublicKeyPEM(key ed25519.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", fmt.Errorf("encode the audit public key: %w", err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}
