package secrets

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/99designs/keyring"
	"github.com/mtibben/percent"
)

// TestPasswordFails: the key unwrap check tells the item's password from
// another, and leaves a file that is no such item unjudged.
func TestPasswordFails(t *testing.T) {
	dir := t.TempDir()
	kr, err := fileBackend(dir, "right password")
	if err != nil {
		t.Fatal(err)
	}
	if err := kr.Set(keyring.Item{Key: "some/item", Data: []byte("fake-token-value")}); err != nil {
		t.Fatal(err)
	}
	token, err := os.ReadFile(filepath.Join(dir, percent.Encode("some/item", "/")))
	if err != nil {
		t.Fatal(err)
	}
	if passwordFails(token, "right password") {
		t.Error("the right password fails the unwrap")
	}
	if !passwordFails(token, "wrong password") {
		t.Error("a wrong password passes the unwrap")
	}
	for _, junk := range []string{"", "not a token", "a.b.c.d.e", string(token[:len(token)/2])} {
		if passwordFails([]byte(junk), "wrong password") {
			t.Errorf("passwordFails(%q) judged a file that is no item", junk)
		}
	}
}
