package secrets

import (
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/99designs/keyring"
)

// Keyring items of the audit chain's anchor. They are not among Names: no
// command sets them by hand. A scope (see AuditScope) tells apart the
// histories of several data directories sharing one desktop keyring.
const (
	auditKeyItem  = "rolesync-audit-signing-key"
	auditMarkItem = "rolesync-audit-checkpoint"
)

func scoped(item, scope string) string {
	if scope == "" {
		return item
	}
	return item + " " + scope
}

// FileBacked reports whether the keyring is the encrypted file keyring,
// which lives in one data directory and so needs no audit scope.
func (s *Store) FileBacked() bool {
	_, ok := s.kr.(recordless)
	return ok
}

// AuditKey returns the Ed25519 key that signs the audit chain's checkpoints
// for scope. When the keyring holds none, create decides: true makes and
// stores a new key (created is then true), false returns a nil key and no
// error. The key never leaves the keyring except in memory.
func (s *Store) AuditKey(scope string, create bool) (key ed25519.PrivateKey, created bool, err error) {
	name := scoped(auditKeyItem, scope)
	it, err := s.kr.Get(name)
	switch {
	case err == nil && len(it.Data) == ed25519.SeedSize:
		return ed25519.NewKeyFromSeed(it.Data), false, nil
	case err == nil:
		return nil, false, errors.New("the audit signing key in the keyring is damaged (not an Ed25519 seed)")
	case !errors.Is(err, keyring.ErrKeyNotFound):
		return nil, false, fmt.Errorf("read the audit signing key from the keyring: %w", err)
	case !create:
		return nil, false, nil
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, false, fmt.Errorf("make the audit signing key: %w", err)
	}
	if err := s.kr.Set(keyring.Item{Key: name, Data: seed, Label: "rolesync audit signing key",
		Description: "signs the checkpoints of rolesync's audit chain"}); err != nil {
		return nil, false, fmt.Errorf("store the audit signing key in the keyring: %w", err)
	}
	return ed25519.NewKeyFromSeed(seed), true, nil
}

// AuditMark returns the last checkpoint recorded for scope in the form
// store.Mark.String writes; "" when none.
func (s *Store) AuditMark(scope string) (string, error) {
	it, err := s.kr.Get(scoped(auditMarkItem, scope))
	if errors.Is(err, keyring.ErrKeyNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read the recorded audit checkpoint from the keyring: %w", err)
	}
	return string(it.Data), nil
}

// SetAuditMark records the last checkpoint for scope.
func (s *Store) SetAuditMark(scope, mark string) error {
	err := s.kr.Set(keyring.Item{Key: scoped(auditMarkItem, scope), Data: []byte(mark), Label: "rolesync audit checkpoint",
		Description: "the last signed checkpoint of rolesync's audit chain"})
	if err != nil {
		return fmt.Errorf("record the audit checkpoint in the keyring: %w", err)
	}
	return nil
}
