// Package secrets keeps rolesync's secrets (the Okta API token, the private
// keys for client authentication and DPoP, the SCIM token) in an injected
// keyring.Keyring: the desktop keyring, or the encrypted file backend when
// there is none. Secret values never appear in errors or logs.
package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/99designs/keyring"
)

// Secret names.
const (
	APIToken       = "okta-api-token"
	PrivateKey     = "okta-private-key"
	DPoPPrivateKey = "okta-dpop-private-key"
	SCIMToken      = "scim-token"
)

// names lists the known secrets, with the command that sets each.
var names = []struct{ name, setBy string }{
	{APIToken, "`rolesync secrets set okta-api-token`"},
	{PrivateKey, "`rolesync keys generate --for client` or `rolesync keys import --for client`"},
	{DPoPPrivateKey, "`rolesync keys generate --for dpop` or `rolesync keys import --for dpop`"},
	{SCIMToken, "`rolesync secrets set scim-token`"},
}

// Names returns the known secret names.
func Names() []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = n.name
	}
	return out
}

// ErrNotSet is returned (wrapped, with the command that sets the secret) by
// Get when a secret was never set.
var ErrNotSet = errors.New("secret not set")

// ErrUnknownName is returned for a name that is not one of Names.
var ErrUnknownName = errors.New("unknown secret name")

// Store reads and writes rolesync's secrets in a keyring.
type Store struct {
	kr keyring.Keyring
	// ns names the connection whose secrets these are; "" keeps the item
	// names of a data directory with one connection (see ItemKey).
	ns string
}

// New wraps a keyring; tests pass keyring.NewArrayKeyring(nil).
func New(kr keyring.Keyring) *Store {
	return &Store{kr: kr}
}

// NewNamespaced wraps a keyring holding the secrets of the connection ns
// among others': the desktop keyring is one for every connection, so each
// item's name carries the connection (see ItemKey).
func NewNamespaced(kr keyring.Keyring, ns string) *Store {
	return &Store{kr: kr, ns: ns}
}

// ItemKey is the keyring item that holds the secret name of the connection
// ns: "connection/NS/NAME", or the bare name when ns is "" (the names a data
// directory used before it held several connections).
func ItemKey(ns, name string) string {
	if ns == "" {
		return name
	}
	return "connection/" + ns + "/" + name
}

// Namespace returns the connection the store's item names carry.
func (s *Store) Namespace() string { return s.ns }

func check(name string) error {
	if !slices.Contains(Names(), name) {
		return fmt.Errorf("%w %q; use one of %s", ErrUnknownName, name, strings.Join(Names(), ", "))
	}
	return nil
}

// SetBy returns the command that sets a secret.
func SetBy(name string) string {
	for _, n := range names {
		if n.name == name {
			return n.setBy
		}
	}
	return "`rolesync secrets set " + name + "`"
}

// Get returns a secret's value. A secret never set gives an error wrapping
// ErrNotSet that names the command to set it; a wrong file-keyring
// passphrase gives one wrapping ErrWrongPassphrase.
func (s *Store) Get(name string) ([]byte, error) {
	if err := check(name); err != nil {
		return nil, err
	}
	it, err := s.kr.Get(ItemKey(s.ns, name))
	switch {
	case errors.Is(err, keyring.ErrKeyNotFound):
		return nil, fmt.Errorf("%w: %s; set it with %s", ErrNotSet, name, SetBy(name))
	case err != nil:
		return nil, fmt.Errorf("read %s from the keyring: %w", name, err)
	case len(it.Data) == 0:
		return nil, fmt.Errorf("%w: %s is empty; set it with %s", ErrNotSet, name, SetBy(name))
	}
	return it.Data, nil
}

// IsSet reports whether a secret holds a value.
func (s *Store) IsSet(name string) (bool, error) {
	_, err := s.Get(name)
	if errors.Is(err, ErrNotSet) {
		return false, nil
	}
	return err == nil, err
}

// Set stores a secret, replacing any previous value.
func (s *Store) Set(name string, value []byte) error {
	if err := check(name); err != nil {
		return err
	}
	if len(value) == 0 {
		return fmt.Errorf("secret %s: the value is empty; give the value on standard input", name)
	}
	label := name
	if s.ns != "" {
		label = s.ns + " " + name
	}
	err := s.kr.Set(keyring.Item{
		Key:         ItemKey(s.ns, name),
		Data:        value,
		Label:       "rolesync " + label,
		Description: "rolesync secret " + label,
	})
	if err != nil {
		return fmt.Errorf("store %s in the keyring: %w", name, err)
	}
	return nil
}

// Delete removes a secret; removing one that is not set is not an error.
func (s *Store) Delete(name string) error {
	if err := check(name); err != nil {
		return err
	}
	err := s.kr.Remove(ItemKey(s.ns, name))
	if err == nil || errors.Is(err, keyring.ErrKeyNotFound) || errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return fmt.Errorf("delete %s from the keyring: %w", name, err)
}
