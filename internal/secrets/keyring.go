package secrets

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/99designs/keyring"
)

// Environment variables that steer OpenKeyring.
const (
	// EnvPassword holds the file keyring's passphrase on headless machines.
	EnvPassword = "ROLESYNC_KEYRING_PASSWORD"
	// EnvBackend set to "file" skips the desktop keyring.
	EnvBackend = "ROLESYNC_KEYRING_BACKEND"
)

// ServiceName is the keyring service (and collection, folder, prefix) name.
const ServiceName = "rolesync"

// ErrWrongPassphrase is returned when the file keyring's passphrase does not
// decrypt the secrets already stored in it.
var ErrWrongPassphrase = errors.New("wrong keyring passphrase")

// ErrNoPassphrase is returned when the file keyring is needed and neither
// the environment nor a prompt supplies its passphrase.
var ErrNoPassphrase = errors.New("the encrypted file keyring needs a passphrase: set " + EnvPassword)

// DesktopBackends are the desktop keyrings, in the order they are tried.
var DesktopBackends = []keyring.BackendType{
	keyring.SecretServiceBackend, keyring.KWalletBackend, keyring.KeychainBackend, keyring.WinCredBackend,
}

// desktopTimeout bounds how long a desktop keyring may take to open (a
// session bus without a secret service can otherwise stall on activation).
const desktopTimeout = 5 * time.Second

// checkKey names the item that proves the file keyring's passphrase.
const checkKey = "rolesync-keyring-check"

// OpenKeyring opens the desktop keyring (Secret Service, KWallet, macOS
// Keychain or Windows Credential Manager), or, when none is available or
// ROLESYNC_KEYRING_BACKEND=file, the encrypted file keyring in dir. The file
// keyring's passphrase comes from ROLESYNC_KEYRING_PASSWORD, else from
// prompt (the GUI supplies one), else OpenKeyring fails with
// ErrNoPassphrase. The passphrase is checked at once: a wrong one fails with
// ErrWrongPassphrase.
func OpenKeyring(dir string, prompt func(string) (string, error)) (keyring.Keyring, error) {
	if !strings.EqualFold(os.Getenv(EnvBackend), "file") && desktopBusUsable() {
		if kr, err := openDesktop(); err == nil {
			return kr, nil
		}
	}
	return openFile(dir, prompt)
}

// desktopBusUsable is false when the session bus is switched off
// (DBUS_SESSION_BUS_ADDRESS=disabled:), so the desktop keyring is skipped at
// once.
func desktopBusUsable() bool {
	return !strings.HasPrefix(os.Getenv("DBUS_SESSION_BUS_ADDRESS"), "disabled")
}

func openDesktop() (keyring.Keyring, error) {
	type result struct {
		kr  keyring.Keyring
		err error
	}
	ch := make(chan result, 1)
	go func() {
		kr, err := keyring.Open(keyring.Config{
			AllowedBackends: DesktopBackends,
			ServiceName:     ServiceName,
			KWalletAppID:    ServiceName,
			KWalletFolder:   ServiceName,
			WinCredPrefix:   ServiceName,
		})
		ch <- result{kr, err}
	}()
	select {
	case r := <-ch:
		return r.kr, r.err
	case <-time.After(desktopTimeout):
		return nil, fmt.Errorf("desktop keyring did not answer within %v", desktopTimeout)
	}
}

func openFile(dir string, prompt func(string) (string, error)) (keyring.Keyring, error) {
	if dir == "" {
		return nil, errors.New("open file keyring: no directory given")
	}
	pass := os.Getenv(EnvPassword)
	if pass == "" {
		if prompt == nil {
			return nil, ErrNoPassphrase
		}
		p, err := prompt("Passphrase for the rolesync keyring in " + dir)
		if err != nil {
			return nil, fmt.Errorf("keyring passphrase: %w", err)
		}
		if p == "" {
			return nil, ErrNoPassphrase
		}
		pass = p
	}
	kr, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		ServiceName:      ServiceName,
		FileDir:          dir,
		FilePasswordFunc: func(string) (string, error) { return pass, nil },
	})
	if err != nil {
		return nil, fmt.Errorf("open file keyring in %s: %w", dir, err)
	}
	if err := verifyPassphrase(kr); err != nil {
		return nil, fmt.Errorf("open file keyring in %s: %w", dir, err)
	}
	return kr, nil
}

// verifyPassphrase decrypts the check item, or, on a keyring that has none
// yet, any stored secret, and then writes the check item.
func verifyPassphrase(kr keyring.Keyring) error {
	_, err := kr.Get(checkKey)
	if err == nil {
		return nil
	}
	if !errors.Is(err, keyring.ErrKeyNotFound) {
		return classify(err)
	}
	for _, name := range Names() {
		_, err := kr.Get(name)
		if errors.Is(err, keyring.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return classify(err)
		}
		break
	}
	if err := kr.Set(keyring.Item{Key: checkKey, Data: []byte(ServiceName), Label: "rolesync keyring check"}); err != nil {
		return fmt.Errorf("write keyring check: %w", err)
	}
	return nil
}

// classify turns the file backend's decryption failure into
// ErrWrongPassphrase; other errors pass through.
func classify(err error) error {
	var pe *fs.PathError
	switch {
	case errors.Is(err, ErrWrongPassphrase), errors.As(err, &pe):
		return err
	case strings.Contains(err.Error(), "integrity check failed"):
		return ErrWrongPassphrase
	}
	return err
}
