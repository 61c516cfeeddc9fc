package wizard

import (
	"context"
	"errors"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/setup"
)

// memKeyStore is a KeyStore in memory.
type memKeyStore map[string][]byte

func (m memKeyStore) PutKey(_ context.Context, use string, p []byte) error {
	m[use] = p
	return nil
}

func (m memKeyStore) GetKey(_ context.Context, use string) ([]byte, error) {
	p, ok := m[use]
	if !ok {
		return nil, errors.New("no such key")
	}
	return p, nil
}

func pemPair(t *testing.T) (priv, pub string) {
	t.Helper()
	p, err := keys.Generate(keys.ES256, 0)
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.PrivatePEM()
	if err != nil {
		t.Fatal(err)
	}
	b, err := p.PublicPEM()
	if err != nil {
		t.Fatal(err)
	}
	return string(a), string(b)
}

// TestPastedRealKeys pastes real PEM keys into the Keys step: a mismatched
// public key and the same key for both uses are refused.
func TestPastedRealKeys(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	store := memKeyStore{}
	deps.Keys = NewKeyService(store)
	cfg := settingsConfig()
	cfg.Okta.PublicKey, cfg.Okta.DPoPPublicKey = "", ""
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	toStep(t, w, win, 5)
	var radios []*widget.RadioGroup
	var privs, pubs []*widget.Entry
	walk(win.Content(), func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			radios = append(radios, r)
		}
	})
	for _, r := range radios {
		r.SetSelected(setup.KeyPaste)
	}
	walk(win.Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "-----BEGIN") {
			privs = append(privs, e)
		}
		if e, ok := o.(*widget.Entry); ok && strings.HasPrefix(e.PlaceHolder, "optional") {
			pubs = append(pubs, e)
		}
	})
	priv1, pub1 := pemPair(t)
	priv2, _ := pemPair(t)
	_, otherPub := pemPair(t)
	privs[0].SetText(priv1)
	pubs[0].SetText(otherPub)
	mustLabel(t, win, "does not belong to this private key")
	pubs[0].SetText(pub1)
	mustLabel(t, win, "EC P-256 (ES256), the pair matches")
	privs[1].SetText(priv1)
	mustLabel(t, win, "the same key as the client authentication key")
	privs[1].SetText(priv2)
	next(t, w, win, 6)
	if len(store) != 2 {
		t.Fatalf("%d keys stored, want 2", len(store))
	}
	test.Tap(button(t, win, "Back"))
	mustLabel(t, win, "EC P-256 (ES256), the pair matches")
}

func TestExportPrivateKeyOnlyOnRequest(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	store := memKeyStore{}
	deps.Keys = NewKeyService(store)
	cfg := settingsConfig()
	cfg.Okta.PublicKey, cfg.Okta.DPoPPublicKey = "", ""
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	w.show(int(StepKeys))
	var generate []*widget.Button
	walk(win.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Generate key pair" {
			generate = append(generate, b)
		}
	})
	if len(generate) != 2 {
		t.Fatalf("%d generate buttons, want 2", len(generate))
	}
	test.Tap(generate[0])
	if hasLabel(win, "BEGIN PRIVATE KEY") {
		t.Fatal("the private key is shown without an export")
	}
	test.Tap(button(t, win, "Export private key…"))
	mustLabel(t, win, "Anyone who has the private key can act as rolesync in Okta")
	test.Tap(button(t, win, "Yes"))
	shown := find(t, win, "exported key", func(e *widget.Entry) bool { return strings.Contains(e.Text, "BEGIN PRIVATE KEY") })
	if shown.Text != string(store[UseClient]) {
		t.Fatal("the exported key is not the stored one")
	}
}
