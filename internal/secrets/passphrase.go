package secrets

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unicode/utf8"
)

// MinPassphraseLen is the fewest characters a new file keyring's
// passphrase may have. Keyrings created before the minimum keep opening
// with their passphrase.
const MinPassphraseLen = 12

// ErrWeakPassphrase is returned when a new file keyring's passphrase is
// shorter than MinPassphraseLen.
var ErrWeakPassphrase = errors.New("the keyring passphrase is too short")

// ErrPassphraseMismatch is returned by a prompt when the passphrase and its
// confirmation differ.
var ErrPassphraseMismatch = errors.New("the two passphrases differ")

// PassphraseRequest is what OpenKeyring asks a Prompt for.
type PassphraseRequest struct {
	// Message says which keyring the passphrase is for.
	Message string
	// New is set when the keyring is being created: the prompt asks for
	// the passphrase twice, and it must have MinPassphraseLen characters.
	New bool
}

// Prompt asks the admin for the file keyring's passphrase. An empty answer
// means none was given.
type Prompt func(PassphraseRequest) (string, error)

// CheckNewPassphrase refuses a passphrase too short for a new keyring.
// source names where it came from, for the message. The passphrase itself
// never appears in the error.
func CheckNewPassphrase(pass, source string) error {
	if n := utf8.RuneCountInString(pass); n < MinPassphraseLen {
		return fmt.Errorf("%w: %s has %d characters, and a new keyring needs at least %d characters; choose a longer passphrase, such as four unrelated words",
			ErrWeakPassphrase, source, n, MinPassphraseLen)
	}
	return nil
}

// envPass is the passphrase taken from EnvPassword, kept in this process's
// memory once the variable is removed from the environment.
var envPass struct {
	sync.Mutex
	value string
}

// TakeEnvPassphrase returns the passphrase given in ROLESYNC_KEYRING_PASSWORD
// and removes the variable from the environment, so that no program rolesync
// starts inherits it. The value stays in memory for later opens in this
// process (a retry, another keyring call); setting the variable again
// replaces it, and setting it to the empty string forgets it. Call it early:
// OpenKeyring calls it too.
func TakeEnvPassphrase() string {
	envPass.Lock()
	defer envPass.Unlock()
	v, ok := os.LookupEnv(EnvPassword)
	switch {
	case !ok:
	case v == "":
		envPass.value = ""
	default:
		envPass.value = v
		os.Unsetenv(EnvPassword)
	}
	return envPass.value
}
