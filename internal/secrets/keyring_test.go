package secrets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/99designs/keyring"
)

// fileOnly makes OpenKeyring skip the desktop keyring and read no
// passphrase from the environment.
func fileOnly(t *testing.T) {
	t.Setenv(EnvBackend, "file")
	t.Setenv(EnvPassword, "")
}

func prompt(pass string) Prompt {
	return func(PassphraseRequest) (string, error) { return pass, nil }
}

func TestFileKeyringRoundTrip(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	kr, err := OpenKeyring(dir, prompt("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	if err := New(kr).Set(APIToken, []byte(canary)); err != nil {
		t.Fatal(err)
	}
	// The value is encrypted at rest.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(data), canary) {
			t.Fatalf("%s holds the secret in clear", e.Name())
		}
	}
	kr2, err := OpenKeyring(dir, prompt("correct horse"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := New(kr2).Get(APIToken)
	if err != nil || string(got) != canary {
		t.Fatalf("Get from a second keyring = %d bytes, %v", len(got), err)
	}
}

// rightPass opens the keyrings TestWrongPassphrase makes.
const rightPass = "the right fake passphrase"

func TestWrongPassphrase(t *testing.T) {
	fileOnly(t)
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string)
	}{
		{"keyring with secrets", func(t *testing.T, dir string) {
			kr, err := OpenKeyring(dir, prompt(rightPass))
			if err != nil {
				t.Fatal(err)
			}
			if err := New(kr).Set(APIToken, []byte(canary)); err != nil {
				t.Fatal(err)
			}
		}},
		{"keyring with only the check", func(t *testing.T, dir string) {
			if _, err := OpenKeyring(dir, prompt(rightPass)); err != nil {
				t.Fatal(err)
			}
		}},
		{"keyring without the check", func(t *testing.T, dir string) {
			kr, err := OpenKeyring(dir, prompt(rightPass))
			if err != nil {
				t.Fatal(err)
			}
			if err := New(kr).Set(PrivateKey, []byte(canary)); err != nil {
				t.Fatal(err)
			}
			if err := kr.Remove(checkKey); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			tt.setup(t, dir)
			_, err := OpenKeyring(dir, prompt("wrong"))
			if !errors.Is(err, ErrWrongPassphrase) || errors.Is(err, ErrNotSet) {
				t.Fatalf("OpenKeyring with a wrong passphrase = %v; want ErrWrongPassphrase", err)
			}
			if !strings.Contains(err.Error(), "wrong keyring passphrase") || strings.Contains(err.Error(), canary) {
				t.Fatalf("message = %q", err)
			}
			if _, err := OpenKeyring(dir, prompt(rightPass)); err != nil {
				t.Fatalf("the right passphrase no longer opens the keyring: %v", err)
			}
		})
	}
}

func TestGetWithWrongPassphraseIsNotMissing(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	right, err := OpenKeyring(dir, prompt(rightPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := New(right).Set(APIToken, []byte(canary)); err != nil {
		t.Fatal(err)
	}
	// A second file keyring on the same dir, opened without the check.
	wrong, err := fileBackend(dir, "wrong")
	if err != nil {
		t.Fatal(err)
	}
	_, err = New(wrong).Get(APIToken)
	if !errors.Is(err, ErrWrongPassphrase) || errors.Is(err, ErrNotSet) {
		t.Fatalf("Get with a wrong passphrase = %v; want ErrWrongPassphrase", err)
	}
}

func TestPassphraseSources(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	if _, err := OpenKeyring(dir, nil); !errors.Is(err, ErrNoPassphrase) || !strings.Contains(err.Error(), EnvPassword) {
		t.Fatalf("no passphrase source: %v; want ErrNoPassphrase naming %s", err, EnvPassword)
	}
	if _, err := OpenKeyring(dir, prompt("")); !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("empty prompt answer: %v; want ErrNoPassphrase", err)
	}
	cancelled := errors.New("cancelled")
	if _, err := OpenKeyring(dir, func(PassphraseRequest) (string, error) { return "", cancelled }); !errors.Is(err, cancelled) {
		t.Fatalf("cancelled prompt: %v", err)
	}
	const fromEnv = "fake passphrase from the environment"
	t.Setenv(EnvPassword, fromEnv)
	kr, err := OpenKeyring(dir, func(PassphraseRequest) (string, error) {
		t.Fatal("prompted although the environment has the passphrase")
		return "", nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := New(kr).Set(SCIMToken, []byte(canary)); err != nil {
		t.Fatal(err)
	}
	t.Setenv(EnvPassword, "")
	if _, err := OpenKeyring(dir, prompt(fromEnv)); err != nil {
		t.Fatalf("prompted passphrase equal to the env one: %v", err)
	}
}

func TestDisabledBusFallsBackToFile(t *testing.T) {
	t.Setenv(EnvBackend, "")
	t.Setenv(EnvPassword, goodPass)
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "disabled:")
	if desktopBusUsable() {
		t.Fatal("a disabled session bus counts as usable")
	}
	dir := t.TempDir()
	kr, err := OpenKeyring(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := New(kr).Set(APIToken, []byte(canary)); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) == 0 {
		t.Fatal("the file keyring in dir was not used")
	}
}

// openFileUnchecked opens the file backend the way the library does, with
// no passphrase check, as another program sharing the directory might.
func openFileUnchecked(dir, pass string) (keyring.Keyring, error) {
	return keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		FileDir:          dir,
		FilePasswordFunc: func(string) (string, error) { return pass, nil },
	})
}
