package shell

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"
)

// errNoPassphrase is returned when the admin closes the passphrase prompt.
var errNoPassphrase = errors.New("no keyring passphrase was given: the secrets stay locked until you enter it")

// passphrasePrompt asks for the encrypted file keyring's passphrase in a
// dialog over the main window. It is called off the UI goroutine (by the
// loop or the wizard's background calls) and waits for the answer.
func (s *Shell) passphrasePrompt(message string) (string, error) {
	answer := make(chan string, 1)
	fyne.Do(func() {
		entry := widget.NewPasswordEntry()
		entry.SetPlaceHolder("passphrase")
		items := []*widget.FormItem{widget.NewFormItem("Passphrase", entry)}
		items[0].HintText = message + ". On a new keyring this sets it; keep it safe."
		d := dialog.NewForm("Unlock the rolesync keyring", "Unlock", "Cancel", items, func(ok bool) {
			if ok {
				answer <- entry.Text
			} else {
				answer <- ""
			}
		}, s.win.Window())
		d.Resize(fyne.NewSize(460, 200))
		d.Show()
		s.win.Window().Canvas().Focus(entry)
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
