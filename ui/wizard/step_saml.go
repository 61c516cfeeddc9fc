package wizard

import (
	"context"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/samlmeta"
	"github.com/rolesync/rolesync/internal/setup"
)

// exampleMetadataURL is the example in the metadata URL field's messages.
const exampleMetadataURL = "https://example.okta.com/app/exk…/sso/saml/metadata"

// viewSAML is step 2: the SAML app in Okta and the optional metadata check.
func (w *Wizard) viewSAML() fyne.CanvasObject {
	st := w.st
	sso, aud := setup.SSOURL(strings.TrimSpace(st.Instance)), setup.AudienceURI
	if st.Target != setup.ChoiceThreatLocker {
		sso, aud = "the portal's Assertion Consumer Service URL", "the portal's SP entity ID"
	}
	steps := numbered(
		"In the Okta Admin Console open Applications > Applications and select 'Create App Integration'.",
		"Choose 'SAML 2.0' and select 'Next'.",
		"In 'General Settings' enter an 'App name' (for example 'Portal SAML') and select 'Next'.",
		"In 'SAML Settings' paste the Single sign-on URL and the Audience URI (SP Entity ID) below. 'Default RelayState', 'Name ID format', 'Application username' and 'Update application username on' can stay at their defaults.",
		"Select 'Next', answer the 'Feedback' questions if you like, and select 'Finish'.",
	)
	var values fyne.CanvasObject = container.NewVBox()
	if st.Target == setup.ChoiceThreatLocker {
		ssoRow, _ := w.copyRow("Single sign-on URL", func() string { return sso })
		audRow, _ := w.copyRow("Audience URI (SP Entity ID)", func() string { return aud })
		values = container.NewVBox(ssoRow, audRow)
	} else {
		values = note(fmt.Sprintf("Single sign-on URL: %s. Audience URI: %s.", sso, aud))
	}

	mdErr := newErrLabel()
	result := container.NewVBox()
	mdURL := widget.NewEntry()
	mdURL.SetPlaceHolder("https://example.okta.com/app/exk.../sso/saml/metadata")
	mdURL.SetText(st.MetadataURL)
	mdURL.OnChanged = func(v string) {
		st.MetadataURL = v
		w.touch()
		setErr(mdErr, nil)
	}
	check := widget.NewButton("Check metadata", nil)
	check.OnTapped = func() { w.checkMetadata(mdErr, result) }
	w.samlErr = mdErr
	return container.NewVBox(
		steps, values, widget.NewSeparator(),
		bold("Optional: check the app's IdP metadata"),
		note("On the Okta app's Sign On tab, copy the 'Metadata URL' and paste it here."),
		container.NewBorder(nil, nil, nil, check, mdURL), mdErr, result,
	)
}

// checkMetadata fetches, parses and shows the IdP metadata.
func (w *Wizard) checkMetadata(errLabel *widget.Label, result *fyne.Container) {
	u := strings.TrimSpace(w.st.MetadataURL)
	if _, err := config.ValidateHTTPSURL("metadata URL", exampleMetadataURL, u); err != nil {
		setErr(errLabel, err)
		return
	}
	fetch := w.deps.FetchMetadata
	if fetch == nil {
		fetch = samlmeta.Fetch
	}
	var md samlmeta.IdP
	var err error
	w.run(func(ctx context.Context) {
		var data []byte
		if data, err = fetch(ctx, u); err == nil {
			md, err = samlmeta.Parse(data)
		}
	}, func() {
		setErr(errLabel, err)
		result.RemoveAll()
		if err != nil {
			return
		}
		result.Add(note("✓ Entity ID: " + md.EntityID))
		result.Add(note("✓ SSO URL: " + md.SSOURL))
		result.Add(note("✓ Signing certificate valid until " + md.CertNotAfter.Format("2 Jan 2006")))
		for _, warn := range md.Warnings(w.now()) {
			l := note("⚠ " + warn)
			l.Importance = widget.WarningImportance
			result.Add(l)
		}
		w.scrollToEnd()
	})
}

// validateSAML checks step 2: the metadata URL is optional but must be HTTPS.
func (w *Wizard) validateSAML() error {
	if strings.TrimSpace(w.st.MetadataURL) == "" {
		return nil
	}
	_, err := config.ValidateHTTPSURL("metadata URL", exampleMetadataURL, w.st.MetadataURL)
	setErr(w.samlErr, err)
	if err != nil {
		return fmt.Errorf("%w, or clear the field to skip the check", err)
	}
	return nil
}
