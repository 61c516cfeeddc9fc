package cli

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/secrets"
)

// TestMain keeps the keyrings the tests create cheap to open.
func TestMain(m *testing.M) {
	secrets.UseFastKDFForTests()
	os.Exit(m.Run())
}

// TestShortPassphraseForANewKeyringIsRefused: the passphrase given in the
// environment for a keyring that does not exist yet must be long enough.
func TestShortPassphraseForANewKeyringIsRefused(t *testing.T) {
	h := newHarness(t)
	t.Setenv(secrets.EnvPassword, "short pw")
	code, _, errs := h.run("fake-token-for-test\n", "secrets", "set", "okta-api-token")
	if code == 0 {
		t.Fatal("a new keyring was created with an 8-character passphrase")
	}
	if !strings.Contains(errs, "at least 12 characters") || strings.Contains(errs, "short pw") {
		t.Errorf("stderr = %q", errs)
	}
}

// TestPassphraseLeavesTheEnvironment: once read, the keyring passphrase is
// no longer in the environment that programs rolesync starts inherit, and
// the process still opens the keyring with it.
func TestPassphraseLeavesTheEnvironment(t *testing.T) {
	h := newHarness(t)
	h.mustRun("fake-token-for-test\n", "secrets", "set", "okta-api-token")
	if _, ok := os.LookupEnv(secrets.EnvPassword); ok {
		t.Fatalf("%s is still in the environment", secrets.EnvPassword)
	}
	h.mustRun("fake-scim-token-for-test\n", "secrets", "set", "scim-token")
}

// typed answers a prompt with each line in turn.
func typed(lines ...string) func() (string, error) {
	return func() (string, error) {
		if len(lines) == 0 {
			return "", errors.New("no more input")
		}
		l := lines[0]
		lines = lines[1:]
		return l, nil
	}
}

func TestAskPassphrase(t *testing.T) {
	const good = "fake passphrase for tests"
	for _, tc := range []struct {
		name    string
		isNew   bool
		lines   []string
		want    string
		wantErr error
		asked   int
	}{
		{"existing keyring asks once", false, []string{"short"}, "short", nil, 1},
		{"new keyring asks twice", true, []string{good, good}, good, nil, 2},
		{"too short, then good", true, []string{"short", good, good}, good, nil, 3},
		{"differ, then alike", true, []string{good, good + "x", good, good}, good, nil, 4},
		{"always different", true, []string{good, "a" + good, good, "b" + good, good, "c" + good}, "", secrets.ErrPassphraseMismatch, 6},
		{"always short", true, []string{"a", "b", "c"}, "", secrets.ErrWeakPassphrase, 3},
		{"nothing typed", true, []string{""}, "", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			lines := append([]string(nil), tc.lines...)
			asked := 0
			read := typed(lines...)
			got, err := askPassphrase(secrets.PassphraseRequest{Message: "Passphrase for the keyring", New: tc.isNew}, &out, func() (string, error) {
				asked++
				return read()
			})
			if got != tc.want || !errors.Is(err, tc.wantErr) || asked != tc.asked {
				t.Fatalf("askPassphrase = %q, %v after %d reads; want %q, %v after %d", got, err, asked, tc.want, tc.wantErr, tc.asked)
			}
			if strings.Contains(out.String(), good) {
				t.Error("the prompt echoed the passphrase")
			}
			if tc.isNew && tc.want != "" && !strings.Contains(out.String(), "Repeat") {
				t.Errorf("no confirmation asked: %q", out.String())
			}
		})
	}
}
