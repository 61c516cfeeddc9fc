package wizard

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/setup"
)

// defaultAppName is the name of the API Services app the automatic setup creates.
const defaultAppName = "rolesync"

// apiAppWidgets are step 3's fields that validation reports into.
type apiAppWidgets struct {
	clientErr, domainErr, tokenErr *widget.Label
	token                          *widget.Entry
}

// viewAPIApp is step 3: the API Services app, by hand or automatically.
func (w *Wizard) viewAPIApp() fyne.CanvasObject {
	st := w.st
	aw := &w.apiApp
	aw.clientErr, aw.domainErr, aw.tokenErr = newErrLabel(), newErrLabel(), newErrLabel()

	clientID := widget.NewEntry()
	clientID.SetPlaceHolder("for example 0oa1b2c3d4e5f6g7h8i9")
	clientID.SetText(st.ClientID)
	clientID.OnChanged = func(v string) {
		st.ClientID = v
		w.touch()
		setErr(aw.clientErr, nil)
	}
	useToken := widget.NewCheck("I will use an Okta API token instead (least secure, not recommended)", nil)
	useToken.SetChecked(st.Auth == config.AuthAPIToken)
	useToken.OnChanged = func(on bool) {
		w.touch()
		if on {
			st.Auth = config.AuthAPIToken
		} else if st.Auth == config.AuthAPIToken {
			st.Auth = config.AuthScopedDPoP
		}
		setErr(aw.clientErr, nil)
	}
	byHand := container.NewVBox(
		numbered(
			"In the Okta Admin Console open Applications > Applications and select 'Create App Integration'.",
			"Choose 'API Services' and select 'Next'.",
			"Name the app (for example 'rolesync') and select 'Save'.",
			"On the 'Okta API Scopes' tab, find okta.groups.read, select 'Grant' and then 'Grant Access'.",
			"On the 'Admin roles' tab select 'Edit assignments', choose the role 'Read-only Administrator' and select 'Save Changes'.",
			"Copy the Client ID from 'Client Credentials' on the 'General' tab and paste it below. The keys come on a later screen.",
		),
		labelled("Client ID", clientID, aw.clientErr),
		useToken,
	)

	domain := w.domainEntry(aw.domainErr)
	aw.token = widget.NewPasswordEntry()
	aw.token.SetPlaceHolder("super-admin API token, used once and never stored")
	aw.token.OnChanged = func(string) { setErr(aw.tokenErr, nil) }
	authSel := widget.NewSelect(authLabels(), func(v string) {
		st.Auth = authFromLabel(v)
		useToken.SetChecked(st.Auth == config.AuthAPIToken)
		w.touch()
	})
	authSel.SetSelected(authLabel(st.Auth))
	results := container.NewVBox()
	w.showAutoResult(results)
	create := widget.NewButton("Create the app in Okta", func() { w.onAutoSetup(results) })
	create.Importance = widget.HighImportance
	auto := container.NewVBox(
		note("rolesync generates the key pairs, creates the API Services app with the client authentication public key, sets 'Require DPoP' to match the authentication type, grants okta.groups.read and assigns Read-only Administrator. The token is used for this step only, then forgotten."),
		labelled("Okta domain", domain, nil),
		labelled("Authentication type", authSel, nil),
		labelled("One-time super-admin API token (Security > API > Tokens)", aw.token, aw.tokenErr),
		container.NewHBox(create), results,
	)
	if w.deps.AutoSetup == nil {
		auto = container.NewVBox(note("Automatic setup is not available in this build: create the app by hand."))
	}
	modes := widget.NewRadioGroup([]string{setup.ModeByHand, setup.ModeAuto}, nil)
	update := func() {
		byHand.Hidden, auto.Hidden = st.AppMode != setup.ModeByHand, st.AppMode != setup.ModeAuto
		byHand.Refresh()
		auto.Refresh()
	}
	modes.SetSelected(st.AppMode)
	modes.Required = true
	modes.OnChanged = func(v string) {
		if v != "" {
			st.AppMode = v
			w.touch()
		}
		update()
	}
	update()
	return container.NewVBox(modes, widget.NewSeparator(), byHand, auto)
}

// onAutoSetup runs the automatic setup with the one-time token.
func (w *Wizard) onAutoSetup(results *fyne.Container) {
	st, aw := w.st, &w.apiApp
	_, derr := config.ValidateDomain(st.Domain)
	setErr(aw.domainErr, derr)
	token := []byte(aw.token.Text)
	terr := config.ValidateAPIToken(aw.token.Text)
	setErr(aw.tokenErr, terr)
	if derr != nil || terr != nil {
		return
	}
	aw.token.SetText("") // the token is never kept
	req := AutoSetupRequest{Domain: st.Config().Okta.Domain, AppName: defaultAppName, Auth: st.Auth, Token: token}
	var res AutoSetupResult
	var err error
	var generated map[string]KeyInfo
	w.run(func(ctx context.Context) {
		defer clear(token)
		if generated, req.PublicKeys, err = w.ensureKeys(ctx, req.Auth); err != nil {
			return
		}
		res, err = w.deps.AutoSetup.Setup(ctx, req)
	}, func() {
		for u, info := range generated {
			k := w.st.Keys[u]
			k.Mode, k.Source, k.Info = setup.KeyGenerate, setup.KeyGenerate, &info
		}
		if err != nil && len(res.Steps) == 0 {
			res.Steps = []AutoSetupStep{{Name: "Create the API Services app", Detail: err.Error(),
				ByHand: "Nothing was changed in Okta: fix the problem and run the automatic setup again, or create the app by hand."}}
		}
		st.AutoResult = &res
		st.AutoAuth = req.Auth
		if res.ClientID != "" {
			st.ClientID = res.ClientID
		}
		w.touch()
		w.showAutoResult(results)
		w.scrollToEnd()
	})
}

// ensureKeys generates the key pairs the type needs that are not there yet,
// and returns them with the public JWKs to register in the app. It runs off
// the UI goroutine and changes no state.
func (w *Wizard) ensureKeys(ctx context.Context, auth string) (map[string]KeyInfo, []string, error) {
	generated := map[string]KeyInfo{}
	var jwks []string
	for _, u := range keyUses(auth) {
		info := w.st.Keys[u].Info
		if info == nil {
			if w.deps.Keys == nil {
				return nil, nil, errors.New("no key service is available to generate the keys")
			}
			g, err := w.deps.Keys.Generate(ctx, u)
			if err != nil {
				return nil, nil, fmt.Errorf("generating the %s key pair: %w", keyName(u), err)
			}
			generated[u], info = g, &g
		}
		if u == UseClient {
			// Only the client key is registered: Okta refuses DPoP proofs
			// signed with a key registered for client authentication.
			jwks = append(jwks, info.PublicJWK)
		}
	}
	return generated, jwks, nil
}

// showAutoResult lists each automatic setup step, and what is left by hand.
func (w *Wizard) showAutoResult(box *fyne.Container) {
	box.RemoveAll()
	res := w.st.AutoResult
	if res == nil {
		return
	}
	var left []string
	for _, s := range res.Steps {
		line := "✓ " + s.Name
		if !s.OK {
			line = "✗ " + s.Name
		}
		if s.Detail != "" {
			line += ": " + s.Detail
		}
		l := note(line)
		if !s.OK {
			l.Importance = widget.DangerImportance
			if s.ByHand != "" {
				left = append(left, s.ByHand)
			}
		}
		box.Add(l)
	}
	if res.ClientID != "" {
		row, _ := w.copyRow("Client ID of the new app", func() string { return res.ClientID })
		box.Add(row)
	}
	if len(left) > 0 {
		box.Add(bold("Left to do by hand in Okta:"))
		box.Add(numbered(left...))
	} else if autoOK(res) {
		box.Add(note("The API Services app is ready."))
	}
}

func autoOK(res *AutoSetupResult) bool {
	if res == nil || res.ClientID == "" || len(res.Steps) == 0 {
		return false
	}
	for _, s := range res.Steps {
		if !s.OK {
			return false
		}
	}
	return true
}

// validateAPIApp checks step 3.
func (w *Wizard) validateAPIApp() error {
	st := w.st
	if st.AppMode == setup.ModeAuto && st.AutoResult == nil {
		return errors.New("select 'Create the app in Okta' first, or choose to create it by hand")
	}
	if st.Auth == config.AuthAPIToken {
		return nil
	}
	err := config.ValidateClientID(st.ClientID)
	if err != nil && st.AppMode == setup.ModeAuto {
		err = errors.New("the automatic setup did not create the app: do the steps listed by hand, or run it again")
	}
	if w.apiApp.clientErr != nil {
		setErr(w.apiApp.clientErr, err)
	}
	return err
}

// domainEntry is the Okta domain field with its inline error, shared by
// steps 3 and 6. A missing scheme is offered as a fix under the error, never
// added silently.
func (w *Wizard) domainEntry(errLabel *widget.Label) fyne.CanvasObject {
	e := widget.NewEntry()
	e.SetPlaceHolder("https://example.okta.com")
	e.SetText(w.st.Domain)
	fix := widget.NewButton("", nil)
	fix.Hide()
	check := func(v string) {
		f, err := config.ValidateDomain(v)
		if strings.TrimSpace(v) == "" {
			err = nil
		}
		setErr(errLabel, err)
		if f != "" && err != nil {
			fix.SetText("Use " + f)
			fix.OnTapped = func() { e.SetText(f) }
			fix.Show()
		} else {
			fix.Hide()
		}
	}
	e.OnChanged = func(v string) {
		w.st.Domain = v
		w.touch()
		check(v)
		if w.onDomain != nil {
			w.onDomain()
		}
	}
	check(w.st.Domain)
	return container.NewVBox(e, errLabel, container.NewHBox(fix))
}

// keyName names a key use for messages.
func keyName(use string) string {
	if use == UseDPoP {
		return "DPoP"
	}
	return "client authentication"
}
