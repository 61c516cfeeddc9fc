package shell

import (
	"bytes"
	"context"
	"errors"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/secrets"
)

// answerPrompt types into the passphrase dialog and taps button.
func answerPrompt(t *testing.T, s *Shell, passphrase, button string) {
	t.Helper()
	var top fyne.CanvasObject
	waitFor(t, "the passphrase dialog", func() bool {
		var found bool
		fyne.DoAndWait(func() {
			top = s.desk.Window().Canvas().Overlays().Top()
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

// TestMain keeps the keyrings the tests create cheap to open.
func TestMain(m *testing.M) {
	secrets.UseFastKDFForTests()
	os.Exit(m.Run())
}

func TestKeyringPassphraseIsAskedInTheWindow(t *testing.T) {
	t.Setenv("ROLESYNC_KEYRING_PASSWORD", "")
	t.Setenv("ROLESYNC_KEYRING_BACKEND", "file")
	ctx := context.Background()
	rt, err := app.Open(ctx, t.TempDir(), app.Env{Stderr: &bytes.Buffer{}})
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
	answerPrompt(t, s, "correct horse battery staple", "Create")
	if err := <-done; err != nil {
		t.Fatalf("unlocking with a passphrase: %v", err)
	}
}

// dialogParts returns the passphrase dialog's password entries and its
// buttons by label.
func dialogParts(t *testing.T, s *Shell) ([]*widget.Entry, map[string]*widget.Button) {
	t.Helper()
	var top fyne.CanvasObject
	waitFor(t, "the passphrase dialog", func() bool {
		fyne.DoAndWait(func() { top = s.desk.Window().Canvas().Overlays().Top() })
		return top != nil
	})
	var entries []*widget.Entry
	buttons := map[string]*widget.Button{}
	fyne.DoAndWait(func() {
		for _, o := range test.LaidOutObjects(top) {
			switch w := o.(type) {
			case *widget.Entry:
				if w.Password {
					entries = append(entries, w)
				}
			case *widget.Button:
				buttons[w.Text] = w
			}
		}
	})
	return entries, buttons
}

// TestNewKeyringPassphraseIsConfirmed: creating the keyring asks for the
// passphrase twice, and Create stays disabled until it has 12 characters
// and both entries agree. An existing keyring asks once.
func TestNewKeyringPassphraseIsConfirmed(t *testing.T) {
	t.Setenv("ROLESYNC_KEYRING_PASSWORD", "")
	t.Setenv("ROLESYNC_KEYRING_BACKEND", "file")
	ctx := context.Background()
	dir := t.TempDir()
	rt, err := app.Open(ctx, dir, app.Env{Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt.Close()
	s, _ := newTestShell(t, rt)

	const good = "fake passphrase for tests"
	done := make(chan error, 1)
	go func() { _, err := rt.Secrets(); done <- err }()
	entries, buttons := dialogParts(t, s)
	create := buttons["Create"]
	if len(entries) != 2 || create == nil {
		t.Fatalf("the new keyring's dialog has %d password entries and buttons %v; want 2 and Create", len(entries), buttons)
	}
	for _, tc := range []struct {
		first, second string
		enabled       bool
	}{
		{"short pass", "short pass", false},
		{good, good + "x", false},
		{good, good, true},
	} {
		var disabled bool
		fyne.DoAndWait(func() {
			entries[0].SetText(tc.first)
			entries[1].SetText(tc.second)
			disabled = create.Disabled()
		})
		if disabled == tc.enabled {
			t.Fatalf("with %d and %d characters typed, Create disabled = %v", len(tc.first), len(tc.second), disabled)
		}
	}
	fyne.DoAndWait(func() { test.Tap(create) })
	if err := <-done; err != nil {
		t.Fatalf("creating the keyring: %v", err)
	}

	rt2, err := app.Open(ctx, dir, app.Env{Stderr: &bytes.Buffer{}})
	if err != nil {
		t.Fatal(err)
	}
	defer rt2.Close()
	rt2.Prompt = s.passphrasePrompt
	go func() { _, err := rt2.Secrets(); done <- err }()
	entries, buttons = dialogParts(t, s)
	if len(entries) != 1 || buttons["Unlock"] == nil {
		t.Fatalf("the existing keyring's dialog has %d password entries and buttons %v; want 1 and Unlock", len(entries), buttons)
	}
	fyne.DoAndWait(func() {
		entries[0].SetText(good)
		test.Tap(buttons["Unlock"])
	})
	if err := <-done; err != nil {
		t.Fatalf("unlocking the keyring: %v", err)
	}
}

// Connections that share a passphrase make one prompt: the passphrase
// typed for one keyring is offered first to the next; a keyring that
// refuses it asks again; a new keyring always asks.
func TestSharedPassphraseAsksOnce(t *testing.T) {
	var sp sharedPassphrase
	var asked []string
	var busy, overlap atomic.Int32
	ask := func(req secrets.PassphraseRequest) (string, error) {
		if busy.Add(1) > 1 {
			overlap.Add(1)
		}
		defer busy.Add(-1)
		time.Sleep(time.Millisecond)
		asked = append(asked, req.Message)
		return "pass-for-" + req.Message, nil
	}
	p := sp.wrap(ask)
	unlock := func(dir string) string {
		got, err := p(secrets.PassphraseRequest{Message: dir})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := unlock("a"); got != "pass-for-a" {
		t.Fatalf("first keyring got %q", got)
	}
	if got := unlock("b"); got != "pass-for-a" || len(asked) != 1 {
		t.Fatalf("second keyring got %q after %d prompts, want the first's passphrase without a prompt", got, len(asked))
	}
	if got := unlock("b"); got != "pass-for-b" || len(asked) != 2 {
		t.Fatalf("a keyring that refused the shared passphrase got %q after %d prompts", got, len(asked))
	}
	if got, _ := p(secrets.PassphraseRequest{Message: "c", New: true}); got != "pass-for-c" || len(asked) != 3 {
		t.Fatalf("a new keyring got %q after %d prompts, want its own prompt", got, len(asked))
	}
	var wg sync.WaitGroup
	for _, dir := range []string{"d", "e", "f"} {
		wg.Go(func() { _, _ = p(secrets.PassphraseRequest{Message: dir, New: true}) })
	}
	wg.Wait()
	if overlap.Load() != 0 {
		t.Error("two prompts were open at once")
	}
}
