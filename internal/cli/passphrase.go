package cli

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/rolesync/rolesync/internal/secrets"
)

// newPassphraseTries is how often a new keyring's passphrase may be given
// too short or differently the second time before the command gives up.
const newPassphraseTries = 3

// terminalPrompt asks for the file keyring's passphrase on the terminal,
// without echo, writing its questions to stderr. It is nil when standard
// input is not a terminal (a script, a pipe, a test): then the passphrase
// comes from ROLESYNC_KEYRING_PASSWORD alone.
func terminalPrompt(env Env) secrets.Prompt {
	f, ok := env.Stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return nil
	}
	fd, out := int(f.Fd()), stderrOf(env)
	return func(req secrets.PassphraseRequest) (string, error) {
		return askPassphrase(req, out, func() (string, error) {
			b, err := term.ReadPassword(fd)
			fmt.Fprintln(out)
			return string(b), err
		})
	}
}

// askPassphrase asks once for an existing keyring's passphrase. For a new
// keyring it asks for the passphrase and then to repeat it, until one of
// secrets.MinPassphraseLen characters is given twice alike, up to
// newPassphraseTries times. Nothing typed means no passphrase (""); the
// passphrase is never written to out.
func askPassphrase(req secrets.PassphraseRequest, out io.Writer, read func() (string, error)) (string, error) {
	fmt.Fprintf(out, "%s: ", req.Message)
	pass, err := read()
	if err != nil || !req.New || pass == "" {
		return pass, err
	}
	var last error
	for try := 1; ; try++ {
		if last = secrets.CheckNewPassphrase(pass, "the passphrase"); last == nil {
			fmt.Fprint(out, "Repeat the passphrase: ")
			again, err := read()
			if err != nil {
				return "", err
			}
			if again == pass {
				return pass, nil
			}
			last = fmt.Errorf("%w; type the same passphrase twice", secrets.ErrPassphraseMismatch)
		}
		if try == newPassphraseTries {
			return "", last
		}
		fmt.Fprintf(out, "%v.\n%s: ", last, req.Message)
		if pass, err = read(); err != nil || pass == "" {
			return "", err
		}
	}
}
