package secrets

import (
	"bytes"
	"testing"

	"github.com/99designs/keyring"
)

func TestAuditKeyCreatedOnceAndScoped(t *testing.T) {
	s := New(keyring.NewArrayKeyring(nil))
	if k, created, err := s.AuditKey("", false); k != nil || created || err != nil {
		t.Fatalf("before first use: %v %v", created, err)
	}
	k1, created, err := s.AuditKey("", true)
	if err != nil || !created || k1 == nil {
		t.Fatalf("first use: %v %v", created, err)
	}
	k2, created, err := s.AuditKey("", true)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second use made another key: %v %v", created, err)
	}
	other, _, err := s.AuditKey("a1b2", true)
	if err != nil || bytes.Equal(other, k1) {
		t.Fatalf("another scope shares the key: %v", err)
	}
	if m, err := s.AuditMark(""); m != "" || err != nil {
		t.Fatalf("mark before any: %q %v", m, err)
	}
	if err := s.SetAuditMark("", "2 14 abc"); err != nil {
		t.Fatal(err)
	}
	if m, _ := s.AuditMark(""); m != "2 14 abc" {
		t.Fatalf("mark %q", m)
	}
	if m, _ := s.AuditMark("a1b2"); m != "" {
		t.Fatalf("the mark leaks into another scope: %q", m)
	}
	if s.FileBacked() {
		t.Error("an array keyring reads as the file keyring")
	}
}

func TestAuditKeyInTheFileKeyring(t *testing.T) {
	t.Setenv(EnvPassword, "test-passphrase-long")
	dir := t.TempDir()
	kr, err := OpenKeyring(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	s := New(kr)
	if !s.FileBacked() {
		t.Error("the file keyring does not read as file-backed")
	}
	k1, _, err := s.AuditKey("", true)
	if err != nil {
		t.Fatal(err)
	}
	kr2, err := OpenKeyring(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	k2, created, err := New(kr2).AuditKey("", false)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("the key did not persist: %v %v", created, err)
	}
}
