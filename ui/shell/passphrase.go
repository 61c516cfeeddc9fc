package shell

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/secrets"
)

// errNoPassphrase is returned when the admin closes the passphrase prompt.
var errNoPassphrase = errors.New("no keyring passphrase was given: the secrets stay locked until you enter it")

// passphrasePrompt asks for the encrypted file keyring's passphrase in a
// dialog over the main window: once to unlock an existing keyring; twice,
// with at least secrets.MinPassphraseLen characters, to create one. It is
// called off the UI goroutine (by the loop or the wizard's background
// calls) and waits for the answer.
func (s *Shell) passphrasePrompt(req secrets.PassphraseRequest) (string, error) {
	answer := make(chan string, 1)
	fyne.Do(func() {
		entry := widget.NewPasswordEntry()
		entry.SetPlaceHolder("passphrase")
		// The message names the keyring's directory: a wrapped label keeps
		// a long path inside the dialog.
		about := widget.NewLabel(req.Message + ".")
		about.Wrapping = fyne.TextWrapWord
		items := []*widget.FormItem{widget.NewFormItem("", about), widget.NewFormItem("Passphrase", entry)}
		title, confirm := "Unlock the rolesync keyring", "Unlock"
		if req.New {
			title, confirm = "Create the rolesync keyring", "Create"
			about.SetText(req.Message + ". It protects the Okta and portal credentials; keep it safe: it cannot be recovered.")
			items[1].HintText = fmt.Sprintf("At least %d characters", secrets.MinPassphraseLen)
			repeat := widget.NewPasswordEntry()
			repeat.SetPlaceHolder("the same passphrase again")
			entry.Validator = longEnough
			repeat.Validator = func(v string) error {
				if v != entry.Text {
					return errors.New("the two passphrases differ")
				}
				return nil
			}
			// The repeat's check depends on the first entry too.
			entry.OnChanged = func(string) { _ = repeat.Validate() }
			items = append(items, widget.NewFormItem("Repeat", repeat))
			items[2].HintText = "Type the passphrase again"
		}
		d := dialog.NewForm(title, confirm, "Cancel", items, func(ok bool) {
			if ok {
				answer <- entry.Text
			} else {
				answer <- ""
			}
		}, s.desk.Window())
		d.Resize(fyne.NewSize(520, 300))
		d.Show()
		s.desk.Window().Canvas().Focus(entry)
	})
	select {
	case p := <-answer:
		if p == "" {
			return "", errNoPassphrase
		}
		return p, nil
	case <-s.loopCtx.Done():
		return "", context.Cause(s.loopCtx)
	}
}

// longEnough is the new passphrase's validator.
func longEnough(v string) error {
	if n := utf8.RuneCountInString(v); n < secrets.MinPassphraseLen {
		return fmt.Errorf("%d of at least %d characters", n, secrets.MinPassphraseLen)
	}
	return nil
}

// sharedPassphrase lets the connections of one app share the passphrase
// of their file keyrings: one prompt at a time, and the passphrase that
// was typed last offered first to each keyring being unlocked, so that
// an admin who uses one passphrase for all types it once. A keyring that
// refuses it asks again (its second request) with the dialog.
type sharedPassphrase struct {
	mu      sync.Mutex // one prompt at a time
	last    string
	offered map[string]bool // keyrings offered last, by request message
}

// wrap returns ask, shared.
func (sp *sharedPassphrase) wrap(ask secrets.Prompt) secrets.Prompt {
	return func(req secrets.PassphraseRequest) (string, error) {
		sp.mu.Lock()
		defer sp.mu.Unlock()
		if sp.offered == nil {
			sp.offered = map[string]bool{}
		}
		if !req.New && sp.last != "" && !sp.offered[req.Message] {
			sp.offered[req.Message] = true
			return sp.last, nil
		}
		p, err := ask(req)
		if err == nil && p != "" {
			sp.last = p
			sp.offered[req.Message] = true
		}
		return p, err
	}
}
