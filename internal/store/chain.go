package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// EncodingVersion is the version of the canonical change encoding used for
// new rows. Each row stores the version it was hashed with, so a later
// encoding can be introduced without invalidating older rows.
const EncodingVersion = 1

// GenesisHash is the PrevHash of the first change row: 64 zeros.
var GenesisHash = strings.Repeat("0", 64)

// CanonicalChange returns the version-1 canonical encoding of a change, the
// bytes its hash covers after the previous row's hash:
//
//	eleven netstrings ("<len>:<bytes>,", len the decimal byte count of the
//	UTF-8 bytes), in this order:
//	  tag       "rolesync-change/1"
//	  id        decimal
//	  run_id    decimal
//	  at        RFC 3339 in UTC with nanoseconds, trailing zeros dropped
//	            (Go layout 2006-01-02T15:04:05.999999999Z07:00)
//	  user      the login, UTF-8 as stored
//	  okta_id
//	  action
//	  role
//	  group
//	  reason
//	  held      "1" or "0"
//
// The hash of a row is hex(SHA-256(prev_hash || encoding)), where prev_hash
// is the previous row's hash as 64 lowercase hex ASCII characters
// (GenesisHash for the first row). The chain is global across runs, in ID
// order. The encoding reads only the logical values of a row, never column
// names or storage types, so schema migrations keep it valid.
func CanonicalChange(c Change) []byte {
	return appendCanonical(nil, EncodingVersion, c)
}

// appendCanonical appends the canonical encoding of c to b.
func appendCanonical(b []byte, version int, c Change) []byte {
	var scratch [64]byte
	field := func(v []byte) {
		b = strconv.AppendInt(b, int64(len(v)), 10)
		b = append(b, ':')
		b = append(b, v...)
		b = append(b, ',')
	}
	str := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
		b = append(b, ',')
	}
	field(strconv.AppendInt(append(scratch[:0], "rolesync-change/"...), int64(version), 10))
	field(strconv.AppendInt(scratch[:0], c.ID, 10))
	field(strconv.AppendInt(scratch[:0], c.RunID, 10))
	field(c.At.UTC().AppendFormat(scratch[:0], time.RFC3339Nano))
	str(c.User)
	str(c.OktaID)
	str(c.Action)
	str(c.Role)
	str(c.Group)
	str(c.Reason)
	if c.Held {
		str("1")
	} else {
		str("0")
	}
	return b
}

// ChainHash returns the hash of c given the previous row's hash, with the
// current encoding version.
func ChainHash(prevHash string, c Change) string {
	return chainHash(EncodingVersion, prevHash, c)
}

func chainHash(version int, prevHash string, c Change) string {
	var h [64]byte
	return string(appendChainHash(h[:0], version, prevHash, c))
}

// appendChainHash appends the hex hash of c to dst, hashing from a stack
// buffer when the row is small.
func appendChainHash(dst []byte, version int, prevHash string, c Change) []byte {
	var buf [512]byte
	b := append(buf[:0], prevHash...)
	b = appendCanonical(b, version, c)
	sum := sha256.Sum256(b)
	return hex.AppendEncode(dst, sum[:])
}

// hashMatches reports whether c, after prevHash, hashes to want.
func hashMatches(version int, prevHash string, c Change, want string) bool {
	var h [64]byte
	return string(appendChainHash(h[:0], version, prevHash, c)) == want
}

type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func chainHead(ctx context.Context, q queryer) (int64, string, error) {
	var id int64
	var hash string
	err := q.QueryRowContext(ctx, `SELECT last_id, last_hash FROM chain_head WHERE singleton = 1`).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, GenesisHash, nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("read chain head: %w", err)
	}
	return id, hash, nil
}

// ChainHead returns the ID and hash of the last change row as recorded when
// it was written (0 and GenesisHash for an empty history).
func (s *Store) ChainHead(ctx context.Context) (id int64, hash string, err error) {
	return chainHead(ctx, s.db)
}

// Tamper kinds reported by VerifyChain.
const (
	TamperEdited    = "edited"
	TamperDeleted   = "deleted"
	TamperInserted  = "inserted"
	TamperReordered = "reordered"
)

// VerifyResult is the outcome of VerifyChain.
type VerifyResult struct {
	OK       bool
	Checked  int64  // rows read
	HeadID   int64  // last row ID read
	HeadHash string // hash of the last row read (GenesisHash when empty)
	// When not OK: the first row found tampered with, how, and a sentence
	// for the admin.
	FirstBadID int64
	Kind       string // edited|deleted|inserted|reordered
	Detail     string
}

// String is a one-line summary.
func (r VerifyResult) String() string {
	if r.OK {
		return fmt.Sprintf("audit chain intact: %d changes, head %d %s", r.Checked, r.HeadID, r.HeadHash)
	}
	return fmt.Sprintf("audit chain broken at change %d (%s): %s", r.FirstBadID, r.Kind, r.Detail)
}
