package wizard

import (
	"errors"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/setup"
)

// viewStart is step 1: the target, the ThreatLocker instance and its SAML values.
func (w *Wizard) viewStart() fyne.CanvasObject {
	st := w.st
	instErr := newErrLabel()
	instance := widget.NewEntry()
	instance.SetPlaceHolder("for example d")
	instance.SetText(st.Instance)
	ssoRow, refreshSSO := w.pendingCopyRow("Single sign-on URL", "Enter the instance above: the URL is made from it.", func() string {
		if config.ValidateInstance(st.Instance) != nil {
			return ""
		}
		return setup.SSOURL(strings.TrimSpace(st.Instance))
	})
	audRow, _ := w.copyRow("Audience URI (SP Entity ID)", func() string { return setup.AudienceURI })
	instance.OnChanged = func(v string) {
		st.Instance = v
		w.touch()
		setErr(instErr, config.ValidateInstance(v))
		refreshSSO()
	}
	if st.Instance != "" {
		setErr(instErr, config.ValidateInstance(st.Instance))
	}
	tl := container.NewVBox(
		labelled("ThreatLocker instance", instance, instErr),
		note("In the portal, select Help (top right) and look at 'ThreatLocker Access': the instance is the letters or digits in parentheses."),
		ssoRow, audRow,
	)

	urlErr := newErrLabel()
	scimURL := widget.NewEntry()
	scimURL.SetPlaceHolder(config.ExampleSCIMURL)
	scimURL.SetText(st.SCIMURL)
	scimURL.OnChanged = func(v string) {
		st.SCIMURL = v
		w.touch()
		_, err := config.ValidateHTTPSURL("SCIM base URL", config.ExampleSCIMURL, v)
		setErr(urlErr, err)
	}
	scim := container.NewVBox(labelled("SCIM base URL (the portal's SCIM 2.0 service address)", scimURL, urlErr))

	tokErr := newErrLabel()
	token := widget.NewPasswordEntry()
	token.SetPlaceHolder(w.tokenPlaceholder())
	token.SetText(string(st.Secrets[SecretSCIMToken]))
	token.OnChanged = func(v string) {
		st.Secrets[SecretSCIMToken] = []byte(strings.TrimSpace(v))
		w.touch()
		setErr(tokErr, nil)
	}
	portalToken := labelled("Portal API token (bearer token for the SCIM API)", token, tokErr)

	local := note("A local directory kept in rolesync's own database: use it to try the sync before pointing it at a portal.")
	samlNote := note("The portal must already have its SAML integration (in ThreatLocker: Manage > Integrations > SAML). rolesync creates users; they sign in through SAML.")

	targets := widget.NewRadioGroup([]string{setup.ChoiceThreatLocker, setup.ChoiceSCIM, setup.ChoiceLocal}, nil)
	update := func(v string) {
		tl.Hidden, scim.Hidden, local.Hidden = v != setup.ChoiceThreatLocker, v == setup.ChoiceLocal, v != setup.ChoiceLocal
		portalToken.(*fyne.Container).Hidden = v == setup.ChoiceLocal
		samlNote.Hidden = v == setup.ChoiceLocal
		for _, o := range []fyne.CanvasObject{tl, scim, local, portalToken, samlNote} {
			o.Refresh()
		}
	}
	targets.SetSelected(st.Target)
	targets.OnChanged = func(v string) {
		if v == "" {
			targets.SetSelected(st.Target)
			return
		}
		st.Target = v
		w.touch()
		update(v)
	}
	targets.Required = true
	update(st.Target)
	w.startErrs = startErrs{instance: instErr, url: urlErr, token: tokErr}
	return container.NewVBox(
		bold("Portal to keep in line with Okta"), targets, widget.NewSeparator(),
		samlNote, tl, scim, portalToken, local,
	)
}

// startErrs are step 1's inline messages, set again by validateStart.
type startErrs struct{ instance, url, token *widget.Label }

func (w *Wizard) tokenPlaceholder() string {
	if w.deps.Config != nil {
		return "leave empty to keep the saved token"
	}
	return "paste the token"
}

// validateStart checks step 1.
func (w *Wizard) validateStart() error {
	st, e := w.st, w.startErrs
	var err error
	switch st.Target {
	case setup.ChoiceThreatLocker:
		err = config.ValidateInstance(st.Instance)
		setErr(e.instance, err)
	}
	if err != nil {
		return err
	}
	if st.Target != setup.ChoiceLocal {
		_, err = config.ValidateHTTPSURL("SCIM base URL", config.ExampleSCIMURL, st.SCIMURL)
		setErr(e.url, err)
		if err != nil {
			return err
		}
	}
	if st.Target != setup.ChoiceLocal && len(st.Secrets[SecretSCIMToken]) == 0 && w.deps.Config == nil {
		err = errors.New("paste the portal's API token: rolesync needs it to read the portal's roles and create users")
		setErr(e.token, err)
	}
	return err
}
