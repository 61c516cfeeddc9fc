package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/keyservice"
	"github.com/rolesync/rolesync/internal/setup"
)

// keyUses lists the key pairs an authentication type needs.
func keyUses(auth string) []string {
	switch auth {
	case config.AuthScoped:
		return []string{UseClient}
	case config.AuthScopedDPoP:
		return []string{UseClient, UseDPoP}
	}
	return nil
}

// viewKeys is step 5: key pairs for the scoped types, the token otherwise.
func (w *Wizard) viewKeys() fyne.CanvasObject {
	st := w.st
	w.keyErrs = map[string]*widget.Label{}
	if st.Auth == config.AuthAPIToken {
		w.tokenErr = newErrLabel()
		tok := widget.NewPasswordEntry()
		tok.SetPlaceHolder(w.tokenPlaceholder())
		tok.SetText(string(st.Secrets[SecretOktaAPIToken]))
		tok.OnChanged = func(v string) {
			st.Secrets[SecretOktaAPIToken] = []byte(strings.TrimSpace(v))
			w.touch()
			if v == "" {
				setErr(w.tokenErr, nil)
				return
			}
			setErr(w.tokenErr, config.ValidateAPIToken(strings.TrimSpace(v)))
		}
		return container.NewVBox(
			numbered(
				"In the Okta Admin Console open Security > API and the 'Tokens' tab, then select 'Create Token'.",
				"Name the token and choose where API calls may come from. 'Any IP' is not recommended; prefer a network zone.",
				"Select 'Create token', sign in again, and copy the Token Value: Okta shows it only once.",
			),
			labelled("API Token", tok, w.tokenErr),
			note("The token is kept in this computer's keyring, never in the configuration file."),
		)
	}
	box := container.NewVBox(numbered(
		"In Okta open the API Services app, and on the 'General' tab select 'Edit' in 'Client Credentials'. Set 'Client authentication' to 'Public key / Private key'.",
		"In 'Public keys' select 'Edit', keep 'Save keys in Okta', select 'Add Key' and paste the public key (JWK) shown below. Then save.",
		dpopNote(st.Auth),
	))
	for _, u := range keyUses(st.Auth) {
		box.Add(w.keySection(u))
	}
	return box
}

func dpopNote(auth string) string {
	if auth == config.AuthScopedDPoP {
		return "Keep 'Require Demonstrating Proof of Possession (DPoP) header in token requests' checked in 'General Settings'. Do not add the DPoP public key to the app: Okta refuses DPoP proofs signed with a key registered for client authentication."
	}
	return "In 'General Settings' select 'Edit' and uncheck 'Require Demonstrating Proof of Possession (DPoP) header in token requests'."
}

// keySection is one key pair: generate it, or paste an existing one.
func (w *Wizard) keySection(use string) fyne.CanvasObject {
	k := w.st.Keys[use]
	title := "JWT key pair (JWT Public Key / JWT Private Key)"
	if use == UseDPoP {
		title = "JWT DPoP key pair (JWT DPoP Public Key / JWT DPoP Private Key)"
	}
	errLabel := newErrLabel()
	w.keyErrs[use] = errLabel

	generated := container.NewVBox()
	var showGenerated func()
	showGenerated = func() {
		generated.RemoveAll()
		if k.Info == nil || k.Source == setup.KeyPaste {
			btn := widget.NewButton("Generate key pair", func() {
				w.onGenerate(use, errLabel, showGenerated)
			})
			btn.Importance = widget.HighImportance
			generated.Add(container.NewHBox(btn))
			return
		}
		info := *k.Info
		generated.Add(note(fmt.Sprintf("%s, key ID %s. The private key is in this computer's keyring.", info.Summary, info.KeyID)))
		caption := "Public key (JWK) for Okta's 'Add a public key'"
		if use == UseDPoP {
			caption = "DPoP public key (JWK), for reference: it is not added in Okta"
		}
		row, _ := w.copyRow(caption, func() string { return info.PublicJWK })
		generated.Add(row)
		if w.deps.Keys != nil {
			buttons := container.NewHBox(widget.NewButton("Generate a new key pair", func() {
				w.onGenerate(use, errLabel, showGenerated)
			}))
			if k.Source == setup.KeyGenerate {
				buttons.Add(widget.NewButton("Export private key…", func() { w.onExport(use) }))
			}
			generated.Add(buttons)
			replaces := "A new key pair replaces this one: add its public key in Okta before the next sync."
			if use == UseDPoP {
				replaces = "A new key pair replaces this one. Nothing changes in Okta: the DPoP key is never added there."
			}
			generated.Add(note(replaces))
		}
	}
	showGenerated()

	status := note("")
	status.Importance = widget.SuccessImportance
	status.Hide()
	priv := widget.NewMultiLineEntry()
	priv.SetPlaceHolder("-----BEGIN PRIVATE KEY----- … or {\"kty\":\"RSA\", … }")
	priv.SetMinRowsVisible(4)
	priv.SetText(k.Priv)
	pub := widget.NewMultiLineEntry()
	pub.SetPlaceHolder("optional: the public key, to check that the pair matches")
	pub.SetMinRowsVisible(3)
	pub.SetText(k.Pub)
	inspect := func() {
		k.Priv, k.Pub = priv.Text, pub.Text
		w.touch()
		err := w.inspectKey(use)
		setErr(errLabel, err)
		if err == nil && k.Inspected != nil {
			status.SetText("✓ " + k.Inspected.Summary + ", the pair matches.")
			status.Show()
		} else {
			status.Hide()
		}
	}
	priv.OnChanged = func(string) { inspect() }
	pub.OnChanged = func(string) { inspect() }
	pasted := container.NewVBox(
		labelled("Private key (PEM or JWK)", priv, nil),
		labelled("Public key (PEM or JWK)", pub, nil),
		status,
	)
	if k.Priv != "" {
		inspect()
	}

	modes := widget.NewRadioGroup([]string{setup.KeyGenerate, setup.KeyPaste}, nil)
	modes.Horizontal = true
	modes.Required = true
	modes.SetSelected(k.Mode)
	update := func() {
		generated.Hidden, pasted.Hidden = k.Mode != setup.KeyGenerate, k.Mode != setup.KeyPaste
		generated.Refresh()
		pasted.Refresh()
	}
	modes.OnChanged = func(v string) {
		if v != "" {
			k.Mode = v
			w.touch()
			setErr(errLabel, nil)
		}
		update()
	}
	update()
	return section(title, modes, generated, pasted, errLabel)
}

// inspectKey validates a pasted key: it parses, the pair matches, the size is
// sufficient, and it differs from the other use's key.
func (w *Wizard) inspectKey(use string) error {
	k := w.st.Keys[use]
	k.Inspected = nil
	if strings.TrimSpace(k.Priv) == "" {
		if strings.TrimSpace(k.Pub) != "" {
			return errors.New("paste the private key too: the public key alone cannot sign requests")
		}
		return nil
	}
	if w.deps.Keys == nil {
		return errors.New("no key service is available to read the key")
	}
	info, err := w.deps.Keys.Inspect(k.Priv, k.Pub)
	if err != nil {
		return fmt.Errorf("the %s key cannot be used: %w", keyName(use), err)
	}
	if err := w.sameKey(use, info); err != nil {
		return err
	}
	k.Inspected = &info
	return nil
}

// sameKey refuses a key that is already the other use's key.
func (w *Wizard) sameKey(use string, info KeyInfo) error {
	other := UseDPoP
	if use == UseDPoP {
		other = UseClient
	}
	if w.st.Auth != config.AuthScopedDPoP {
		return nil
	}
	o := w.st.Keys[other]
	for _, oi := range []*KeyInfo{o.Info, o.Inspected} {
		if oi != nil && (oi.Thumbprint != "" && oi.Thumbprint == info.Thumbprint || oi.PublicJWK == info.PublicJWK) {
			return errors.New("this is the same key as the " + keyName(other) + " key: Okta requires the DPoP key to differ from the client authentication key, so generate or paste a different key pair")
		}
	}
	return nil
}

// onGenerate generates a key pair for use.
func (w *Wizard) onGenerate(use string, errLabel *widget.Label, done func()) {
	if w.deps.Keys == nil {
		setErr(errLabel, errors.New("no key service is available: paste an existing key instead"))
		return
	}
	var info KeyInfo
	var err error
	w.run(func(ctx context.Context) {
		info, err = w.deps.Keys.Generate(ctx, use)
	}, func() {
		if err != nil {
			setErr(errLabel, fmt.Errorf("generating the %s key pair failed: %w", keyName(use), err))
			return
		}
		setErr(errLabel, nil)
		k := w.st.Keys[use]
		k.Info, k.Source = &info, setup.KeyGenerate
		w.touch()
		done()
	})
}

// onExport shows a private key after an explicit confirmation.
func (w *Wizard) onExport(use string) {
	dialog.ShowConfirm("Export the private key?",
		"Anyone who has the private key can act as rolesync in Okta.\nShow it only to store it somewhere safe.", func(ok bool) {
			if !ok {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			pem, err := w.deps.Keys.Export(ctx, use)
			if err != nil {
				dialog.ShowError(fmt.Errorf("the private key could not be exported: %w", err), w.parent())
				return
			}
			e := widget.NewMultiLineEntry()
			e.SetText(pem)
			e.SetMinRowsVisible(8)
			d := dialog.NewCustom("Private key ("+keyName(use)+")", "Close", e, w.parent())
			d.Resize(fyne.NewSize(640, 360))
			d.Show()
		}, w.parent())
}

// validateKeys checks step 5 and stores pasted keys through the key service.
func (w *Wizard) validateKeys() error {
	st := w.st
	if st.Auth == config.AuthAPIToken {
		tok := string(st.Secrets[SecretOktaAPIToken])
		if tok == "" && w.deps.Config != nil && w.deps.Config.Okta.Auth == config.AuthAPIToken {
			return nil // keep the saved token
		}
		err := config.ValidateAPIToken(tok)
		setErr(w.tokenErr, err)
		return err
	}
	for _, u := range keyUses(st.Auth) {
		if err := w.validateKey(u); err != nil {
			setErr(w.keyErrs[u], err)
			return err
		}
	}
	return nil
}

func (w *Wizard) validateKey(use string) error {
	k := w.st.Keys[use]
	if k.Mode == setup.KeyGenerate {
		if k.Info == nil || k.Source == setup.KeyPaste {
			return fmt.Errorf("select 'Generate key pair' for the %s key, or paste an existing key", keyName(use))
		}
		return nil
	}
	if strings.TrimSpace(k.Priv) == "" {
		return fmt.Errorf("paste the %s private key (PEM or JWK), or choose to generate one", keyName(use))
	}
	if err := w.inspectKey(use); err != nil {
		return err
	}
	if k.Imported == k.Priv && k.Info != nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
	defer cancel()
	info, err := w.deps.Keys.Import(ctx, use, k.Priv)
	if err != nil {
		return fmt.Errorf("the %s key could not be stored in the keyring: %w", keyName(use), err)
	}
	k.Info, k.Source, k.Imported = &info, setup.KeyPaste, k.Priv
	return nil
}

// NewKeyService returns a KeyService that generates key pairs (RSA 2048-bit
// RS256 for client authentication, EC P-256 ES256 for DPoP), reads pasted
// PEM or JWK keys, and keeps private halves in store.
func NewKeyService(store KeyStore) KeyService { return keyservice.New(store) }
