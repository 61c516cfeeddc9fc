package shell

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/cli"
)

// answerPrompt types into the passphrase dialog and taps button.
func answerPrompt(t *testing.T, s *Shell, passphrase, button string) {
	t.Helper()
	var top fyne.CanvasObject
	waitFor(t, "the passphrase dialog", func() bool {
		var found bool
		fyne.DoAndWait(func() {
			top = s.win.Window().Canvas().Overlays().Top()
			found = top != nil
		})
		return found
	})
	fyne.DoAndWait(func() {
		for _, o := range test.LaidOutObjects(top) {
			if e, ok := o.(*widget.Entry); ok && e.Password && passphrase != "" {
				test.Type(e, passphrase)
			}
		}
		for _, o := range test.LaidOutObjects(top) {
			if b, ok := o.(*widget.Button); ok && b.Text == button {
				test.Tap(b)
			}
		}
	})
}

func TestKeyringPassphraseIsAskedInTheWindow(t *testing.T) {
	t.Setenv("ROLESYNC_KEYRING_PASSWORD", "")
	t.Setenv("ROLESYNC_KEYRING_BACKEND", "file")
	ctx := context.Background()
	rt, err := cli.Open(ctx, t.TempDir(), cli.Env{Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	s, _ := newTestShell(t, rt)

	// Cancelled: the secrets stay locked, and the next use asks again.
	done := make(chan error, 1)
	go func() { _, err := rt.Secrets(); done <- err }()
	answerPrompt(t, s, "", "Cancel")
	if err := <-done; !errors.Is(err, errNoPassphrase) {
		t.Fatalf("a cancelled prompt gave %v", err)
	}

	go func() {
		sec, err := rt.Secrets()
		if err == nil {
			err = sec.Set("okta-api-token", []byte("fake-token-for-test"))
		}
		done <- err
	}()
	answerPrompt(t, s, "correct horse battery staple", "Unlock")
	if err := <-done; err != nil {
		t.Fatalf("unlocking with a passphrase: %v", err)
	}
}
