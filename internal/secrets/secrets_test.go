package secrets

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/99designs/keyring"
)

const canary = "canary-7f3a9c-not-a-real-token"

func TestSetGetDelete(t *testing.T) {
	s := New(keyring.NewArrayKeyring(nil))
	for _, name := range Names() {
		t.Run(name, func(t *testing.T) {
			if ok, err := s.IsSet(name); ok || err != nil {
				t.Fatalf("IsSet before Set = %v, %v", ok, err)
			}
			if err := s.Set(name, []byte(canary+name)); err != nil {
				t.Fatal(err)
			}
			got, err := s.Get(name)
			if err != nil || string(got) != canary+name {
				t.Fatalf("Get = %d bytes, %v", len(got), err)
			}
			if ok, err := s.IsSet(name); !ok || err != nil {
				t.Fatalf("IsSet after Set = %v, %v", ok, err)
			}
			if err := s.Delete(name); err != nil {
				t.Fatal(err)
			}
			if err := s.Delete(name); err != nil {
				t.Fatalf("second Delete = %v; want nil", err)
			}
			if _, err := s.Get(name); !errors.Is(err, ErrNotSet) {
				t.Fatalf("Get after Delete = %v; want ErrNotSet", err)
			}
		})
	}
}

func TestNotSetNamesTheCommand(t *testing.T) {
	s := New(keyring.NewArrayKeyring(nil))
	tests := []struct{ name, want string }{
		{APIToken, "rolesync secrets set okta-api-token"},
		{SCIMToken, "rolesync secrets set scim-token"},
		{PrivateKey, "rolesync keys generate --for client"},
		{DPoPPrivateKey, "rolesync keys import --for dpop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Get(tt.name)
			if !errors.Is(err, ErrNotSet) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Get = %v; want ErrNotSet naming %q", err, tt.want)
			}
		})
	}
}

func TestUnknownNameListsKnownOnes(t *testing.T) {
	s := New(keyring.NewArrayKeyring(nil))
	calls := map[string]func() error{
		"get":    func() error { _, err := s.Get("okta-token"); return err },
		"set":    func() error { return s.Set("okta-token", []byte("x")) },
		"delete": func() error { return s.Delete("okta-token") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			err := call()
			if !errors.Is(err, ErrUnknownName) {
				t.Fatalf("err = %v; want ErrUnknownName", err)
			}
			for _, n := range Names() {
				if !strings.Contains(err.Error(), n) {
					t.Errorf("error %q does not list %s", err, n)
				}
			}
		})
	}
}

func TestSetRefusesEmptyValue(t *testing.T) {
	s := New(keyring.NewArrayKeyring(nil))
	if err := s.Set(APIToken, nil); err == nil {
		t.Fatal("empty value accepted")
	}
}

// failingKeyring fails every call with an error that carries no secret.
type failingKeyring struct{ keyring.Keyring }

func (failingKeyring) Get(string) (keyring.Item, error) {
	return keyring.Item{}, errors.New("bus closed")
}
func (failingKeyring) Set(keyring.Item) error { return errors.New("bus closed") }

func TestErrorsNeverCarryTheValue(t *testing.T) {
	s := New(failingKeyring{})
	err := s.Set(APIToken, []byte(canary))
	if err == nil || strings.Contains(err.Error(), canary) || !strings.Contains(err.Error(), APIToken) {
		t.Fatalf("Set error = %v; want the name, not the value", err)
	}
	if _, err := s.Get(APIToken); err == nil || errors.Is(err, ErrNotSet) {
		t.Fatalf("Get error = %v; want the backend failure, not ErrNotSet", err)
	}
}

func TestNamespacedStoresKeepTheirItemsApart(t *testing.T) {
	kr := keyring.NewArrayKeyring(nil)
	legacy, a, b := New(kr), NewNamespaced(kr, "contoso"), NewNamespaced(kr, "fabrikam")
	for _, s := range []*Store{legacy, a, b} {
		if err := s.Set(APIToken, []byte("token of "+s.Namespace())); err != nil {
			t.Fatal(err)
		}
	}
	keys, err := kr.Keys()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	want := []string{"connection/contoso/" + APIToken, "connection/fabrikam/" + APIToken, APIToken}
	if !slices.Equal(keys, want) {
		t.Errorf("keyring items %q, want %q", keys, want)
	}
	for _, s := range []*Store{legacy, a, b} {
		got, err := s.Get(APIToken)
		if err != nil || string(got) != "token of "+s.Namespace() {
			t.Errorf("namespace %q reads %q, %v", s.Namespace(), got, err)
		}
	}
	if err := a.Delete(APIToken); err != nil {
		t.Fatal(err)
	}
	if ok, _ := b.IsSet(APIToken); !ok {
		t.Error("deleting contoso's token removed fabrikam's")
	}
	if ok, _ := legacy.IsSet(APIToken); !ok {
		t.Error("deleting contoso's token removed the unnamespaced one")
	}
}
