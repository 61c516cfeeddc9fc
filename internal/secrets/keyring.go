package secrets

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/99designs/keyring"

	"github.com/rolesync/rolesync/internal/privatefile"
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
// keyring's passphrase comes from ROLESYNC_KEYRING_PASSWORD (taken out of
// the environment, see TakeEnvPassphrase), else from prompt (the GUI and an
// interactive CLI supply one), else OpenKeyring fails with ErrNoPassphrase.
// A new keyring's passphrase must have MinPassphraseLen characters. The
// passphrase is checked at once: a wrong one fails with ErrWrongPassphrase.
// The file keyring is keyed by the passphrase stretched with argon2id; a
// keyring written before that is re-encrypted when it is opened.
func OpenKeyring(dir string, prompt Prompt) (keyring.Keyring, error) {
	if !strings.EqualFold(os.Getenv(EnvBackend), "file") && desktopBusUsable() {
		if kr, err := openDesktop(); err == nil {
			return kr, nil
		}
	}
	return openFile(dir, prompt)
}

// OpenShared opens the desktop keyring when OpenKeyring would use it, the
// one keyring every connection's secrets share; ok is false when OpenKeyring
// would use a file keyring, which belongs to one connection's directory.
func OpenShared() (kr keyring.Keyring, ok bool, err error) {
	if strings.EqualFold(os.Getenv(EnvBackend), "file") || !desktopBusUsable() {
		return nil, false, nil
	}
	kr, err = openDesktop()
	if err != nil {
		// OpenKeyring would fall back to the file keyring.
		return nil, false, nil
	}
	return kr, true, nil
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

func openFile(dir string, prompt Prompt) (keyring.Keyring, error) {
	if err := prepareFileDir(dir); err != nil {
		return nil, err
	}
	params, ok, err := readKDF(dir)
	if err != nil {
		return nil, err
	}
	files, err := itemFiles(dir)
	if err != nil {
		return nil, err
	}
	isNew := len(files) == 0
	pass, err := filePassphrase(dir, prompt, isNew)
	if err != nil {
		return nil, err
	}
	if !ok {
		if params, err = startStretching(dir, pass, isNew); err != nil {
			return nil, err
		}
	}
	key := params.derive(pass)
	if params.Migrating {
		if err := finishStretching(dir, pass, key, params); err != nil {
			return nil, err
		}
	}
	kr, err := fileBackend(dir, key)
	if err != nil {
		return nil, err
	}
	if err := verifyPassphrase(kr); err != nil {
		return nil, fmt.Errorf("open file keyring in %s: %w", dir, err)
	}
	return recordless{kr}, nil
}

// prepareFileDir makes the file keyring's directory, private.
func prepareFileDir(dir string) error {
	if dir == "" {
		return errors.New("open file keyring: no directory given")
	}
	if err := os.MkdirAll(dir, privatefile.DirMode); err != nil {
		return fmt.Errorf("open file keyring: %w", err)
	}
	return privatefile.TightenDir(dir)
}

// filePassphrase returns the file keyring's passphrase; a new keyring's
// must be long enough.
func filePassphrase(dir string, prompt Prompt, isNew bool) (string, error) {
	pass, source, err := passphrase(dir, prompt, isNew)
	if err != nil {
		return "", err
	}
	if isNew {
		if err := CheckNewPassphrase(pass, source); err != nil {
			return "", err
		}
	}
	return pass, nil
}

// startStretching writes the key-derivation record of a keyring that has
// none: a new one, or one from before the stretching, whose passphrase is
// first proved the old way and which finishStretching then re-encrypts.
func startStretching(dir, pass string, isNew bool) (kdfParams, error) {
	if !isNew {
		legacy, err := fileBackend(dir, pass)
		if err != nil {
			return kdfParams{}, err
		}
		if err := verifyPassphrase(legacy); err != nil {
			return kdfParams{}, fmt.Errorf("open file keyring in %s: %w", dir, err)
		}
	}
	params, err := newKDF()
	if err != nil {
		return kdfParams{}, err
	}
	params.Migrating = !isNew
	if err := writeKDF(dir, params); err != nil {
		return kdfParams{}, err
	}
	return params, nil
}

// finishStretching re-encrypts the items with the stretched key and marks
// the record done.
func finishStretching(dir, pass, key string, params kdfParams) error {
	if err := migrate(dir, pass, key); err != nil {
		return fmt.Errorf("open file keyring in %s: %w", dir, err)
	}
	params.Migrating = false
	return writeKDF(dir, params)
}

// passphrase returns the file keyring's passphrase and where it came from.
func passphrase(dir string, prompt Prompt, isNew bool) (pass, source string, err error) {
	if p := TakeEnvPassphrase(); p != "" {
		return p, EnvPassword, nil
	}
	if prompt == nil {
		return "", "", ErrNoPassphrase
	}
	req := PassphraseRequest{Message: "Passphrase for the rolesync keyring in " + dir, New: isNew}
	if isNew {
		req.Message = fmt.Sprintf("Choose a passphrase of at least %d characters for the new rolesync keyring in %s", MinPassphraseLen, dir)
	}
	p, err := prompt(req)
	if err != nil {
		return "", "", fmt.Errorf("keyring passphrase: %w", err)
	}
	if p == "" {
		return "", "", ErrNoPassphrase
	}
	return p, "the passphrase", nil
}

// verifyPassphrase decrypts the check item, or, on a keyring that has none
// yet, any stored secret, and then writes the check item.
func verifyPassphrase(kr keyring.Keyring) error {
	_, err := kr.Get(checkKey)
	if err == nil {
		return nil
	}
	if !errors.Is(err, keyring.ErrKeyNotFound) {
		return err
	}
	for _, name := range Names() {
		_, err := kr.Get(name)
		if errors.Is(err, keyring.ErrKeyNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		break
	}
	if err := kr.Set(keyring.Item{Key: checkKey, Data: []byte(ServiceName), Label: "rolesync keyring check"}); err != nil {
		return fmt.Errorf("write keyring check: %w", err)
	}
	return nil
}
