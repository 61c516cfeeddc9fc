package wizard

import (
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
)

// authOption is one authentication type as the seed describes it.
type authOption struct {
	value, label, note string
}

// authOptions are the seed's three types, the recommended one first.
var authOptions = []authOption{
	{config.AuthScopedDPoP, "Scoped DPoP Okta Token (recommended)",
		"The most secure method, using OAuth 2.0. Two separate public/private key pairs are used, and specific permissions can be assigned to the token. A stolen token is useless without the DPoP private key. This is the default setting in Okta."},
	{config.AuthScoped, "Scoped Okta Token",
		"A more secure method that uses OAuth 2.0. One public/private key pair is used, and specific permissions can be assigned to the token."},
	{config.AuthAPIToken, "Okta API Token (not recommended)",
		"The least secure method. An API token inherits the permissions of the admin who created it: a token made by a super admin has super admin permissions, and it does not expire while in use."},
}

func authLabels() []string {
	out := make([]string, len(authOptions))
	for i, o := range authOptions {
		out[i] = o.label
	}
	return out
}

func authLabel(value string) string {
	for _, o := range authOptions {
		if o.value == value {
			return o.label
		}
	}
	return ""
}

func authFromLabel(label string) string {
	for _, o := range authOptions {
		if o.label == label {
			return o.value
		}
	}
	return config.AuthScopedDPoP
}

// viewAuth is step 4: the three authentication types with their notes.
func (w *Wizard) viewAuth() fyne.CanvasObject {
	st := w.st
	mismatch := note("")
	mismatch.Importance = widget.WarningImportance
	showMismatch := func() {
		mismatch.Hidden = st.AutoAuth == "" || st.AutoAuth == st.Auth
		if st.AutoAuth == config.AuthScopedDPoP || st.AutoAuth == config.AuthScoped {
			mismatch.SetText("The automatic setup created the app for '" + authLabel(st.AutoAuth) +
				"'. With this choice, change 'Require Demonstrating Proof of Possession (DPoP) header in token requests' in the app's General Settings in Okta to match, or go Back and run the setup again.")
		}
		mismatch.Refresh()
	}
	radio := widget.NewRadioGroup(authLabels(), nil)
	radio.Required = true
	radio.SetSelected(authLabel(st.Auth))
	radio.OnChanged = func(v string) {
		if v == "" {
			return
		}
		st.Auth = authFromLabel(v)
		w.touch()
		showMismatch()
		setErr(w.authErr, nil)
	}
	w.authErr = newErrLabel()
	showMismatch()
	notes := container.NewVBox()
	for _, o := range authOptions {
		l := note(o.note)
		notes.Add(container.NewVBox(bold(o.label), l))
	}
	return container.NewVBox(radio, w.authErr, mismatch, widget.NewSeparator(), notes)
}

// validateAuth checks step 4: the scoped types need the Client ID of step 3.
func (w *Wizard) validateAuth() error {
	if w.st.Auth == config.AuthAPIToken || config.ValidateClientID(w.st.ClientID) == nil {
		return nil
	}
	err := errors.New("the scoped types need the Client ID of the API Services app: go Back and enter it, or choose Okta API Token")
	setErr(w.authErr, err)
	return err
}
