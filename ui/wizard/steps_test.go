package wizard

import (
	"context"
	"fmt"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/setup"
)

// settingsConfig is a saved configuration, as Settings opens it.
func settingsConfig() config.Config {
	return config.Config{
		Okta: config.Okta{Domain: "https://acme.okta.com", Auth: config.AuthScopedDPoP, ClientID: "0oaAUTO123",
			PublicKey: `{"kty":"RSA","kid":"k1"}`, KeyID: "k1", DPoPPublicKey: `{"kty":"EC","kid":"k2"}`, DPoPKeyID: "k2"},
		Sync:     config.Sync{Interval: 2 * time.Hour},
		Target:   config.Target{Kind: config.TargetSCIM, Profile: "threatlocker", Instance: "d", BaseURL: "https://tl.example.com/scim/v2"},
		Mappings: []config.Mapping{{Group: "Helpdesk", Roles: []string{"Helpdesk Technician"}}, {Group: "Engineering", Roles: []string{"Auditor", "Read Only"}}},
		Safety:   config.Safety{ProtectedAccounts: []string{"breakglass@acme.com"}, MaxRevocations: 7},
	}
}

// eachStep shows every step of a wizard set up to show its interesting
// parts, and calls check with the step number.
func eachStep(t *testing.T, check func(n int, win fyne.Window)) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	deps.FetchMetadata = func(context.Context, string) ([]byte, error) {
		return testCertMetadata(t, time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)), nil
	}
	deps.AutoSetup = &fakeAuto{failAt: "Assign Read-only Administrator"}
	w, win := newTestWizard(t, deps)
	win.Resize(fyne.NewSize(900, 650))
	for i := range w.steps {
		w.show(i)
		switch i {
		case 1:
			test.Type(entry(t, win, "https://example.okta.com/app/"), "https://acme.okta.com/app/exk123/sso/saml/metadata")
			test.Tap(button(t, win, "Check metadata"))
		case 2:
			radio(t, win, setup.ModeAuto).SetSelected(setup.ModeAuto)
			test.Type(entry(t, win, "super-admin API token"), "00superadmintokenvalue0000000000000000000")
			test.Tap(button(t, win, "Create the app in Okta"))
		case 5:
			test.Tap(button(t, win, "Test connection"))
		}
		check(i+1, win)
	}
}

func TestStepMarkup(t *testing.T) {
	eachStep(t, func(n int, win fyne.Window) {
		test.AssertRendersToMarkup(t, fmt.Sprintf("step%d.xml", n), win.Canvas())
	})
}

// extraStates shows the states worth a look besides each step's own:
// errors, the group picker, the roles pop-up and a failed connection test.
func extraStates(t *testing.T, shot func(name string, win fyne.Window)) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	deps.Groups = newFakeGroups(20000)
	w, win := newTestWizard(t, deps)
	win.Resize(fyne.NewSize(900, 650))
	test.Type(entry(t, win, "for example d"), "portalapi.d")
	test.Tap(button(t, win, "Next"))
	shot("step1-errors", win)

	w.st.Instance, w.st.ClientID, w.st.Domain = "d", "0oaX", "acme.okta.com"
	w.show(5)
	shot("step6-missing-scheme", win)
	w.st.Domain = "https://wrong.okta.com"
	w.show(5)
	test.Tap(button(t, win, "Test connection"))
	shot("step6-failed-checks", win)

	w.show(7)
	test.Tap(button(t, win, "Choose an Okta group…"))
	test.Type(entry(t, win, "Type to search the Okta groups"), "team 01")
	shot("step8-group-picker", win)
	find(t, win, "group list", func(*widget.List) bool { return true }).Select(0)
	test.Tap(button(t, win, "Choose roles…"))
	test.Tap(find(t, win, "role", func(c *widget.Check) bool { return c.Text == "Auditor" }))
	shot("step8-roles", win)
	test.Tap(button(t, win, "Done"))
	test.Tap(iconButton(t, win, theme.ContentAddIcon()))
	test.Tap(button(t, win, "Choose an Okta group…"))
	test.Type(entry(t, win, "Type to search the Okta groups"), "team 010000")
	find(t, win, "group list", func(*widget.List) bool { return true }).Select(0)
	test.Tap(button(t, win, "Next"))
	shot("step8-duplicate", win)

	w.st.Rows = []*setup.MappingRow{{Group: Group{Name: "Helpdesk", Members: 12}, Roles: []string{"Auditor"}}}
	w.show(8)
	test.Tap(button(t, win, "Save and start"))
	shot("step9-confirm", win)
}

// TestScreenshots writes a PNG of every step to $WIZARD_SHOTS.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("WIZARD_SHOTS")
	if dir == "" {
		t.Skip("set WIZARD_SHOTS to a directory to write screenshots")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	shot := func(name string, win fyne.Window) {
		fyne.CurrentApp().Settings().SetTheme(lightTheme{theme.DefaultTheme()})
		img := win.Canvas().Capture()
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = f.Close() }()
		if err := png.Encode(f, img); err != nil {
			t.Fatal(err)
		}
	}
	eachStep(t, func(n int, win fyne.Window) { shot(fmt.Sprintf("step%d", n), win) })
	extraStates(t, shot)
}

// lightTheme is the default theme in its light variant, for screenshots.
type lightTheme struct{ fyne.Theme }

func (l lightTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return l.Theme.Color(n, theme.VariantLight)
}

// With several connections the wizard says which one it sets up.
func TestWizardNamesTheConnection(t *testing.T) {
	deps, _, _, _ := newDeps(t, &recorder{})
	deps.Connection = "Tailspin → ThreatLocker AU1"
	w, win := newTestWizard(t, deps)
	if got := w.progress.Text; got != "Tailspin → ThreatLocker AU1  ·  Step 1 of 9" {
		t.Errorf("step line = %q", got)
	}
	if got := win.Title(); got != "Set up rolesync: Tailspin → ThreatLocker AU1" {
		t.Errorf("window title = %q", got)
	}
}
