package wizard

import (
	"context"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/setup"
)

// newTestWizard opens a wizard with synchronous calls in a test app.
func newTestWizard(t *testing.T, deps Deps) (*Wizard, fyne.Window) {
	t.Helper()
	a := test.NewTempApp(t)
	w := New(a, deps)
	w.async = false
	w.now = func() time.Time { return time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC) }
	w.Show()
	t.Cleanup(func() {
		if w.win != nil {
			w.finished = true
			w.win.Close()
		}
	})
	return w, w.Window()
}

func next(t *testing.T, w *Wizard, win fyne.Window, wantStep int) {
	t.Helper()
	test.Tap(button(t, win, "Next"))
	if w.cur != wantStep-1 {
		t.Fatalf("after Next on step %d: on step %d, want %d; message: %q", w.cur+1, w.cur+1, wantStep, w.stepErr.Text)
	}
}

// pickGroup opens the picker of a row, types query and picks the first match.
func pickGroup(t *testing.T, win fyne.Window, rowButton *widget.Button, query string) {
	t.Helper()
	test.Tap(rowButton)
	search := entry(t, win, "Type to search the Okta groups")
	test.Type(search, query)
	list := find(t, win, "group list", func(*widget.List) bool { return true })
	list.Select(0)
}

func chooseRoles(t *testing.T, win fyne.Window, rolesButton *widget.Button, roles ...string) {
	t.Helper()
	test.Tap(rolesButton)
	cg := find(t, win, "role checkboxes", func(*widget.CheckGroup) bool { return true })
	for _, r := range roles {
		check := find(t, win, "role "+r, func(c *widget.Check) bool { return c.Text == r })
		test.Tap(check)
	}
	if !slices.Equal(cg.Selected, roles) {
		t.Fatalf("roles ticked %v, want %v", cg.Selected, roles)
	}
	test.Tap(button(t, win, "Done"))
}

func TestWalkThrough(t *testing.T) {
	cases := []struct {
		name string
		auth string
	}{
		{"scoped DPoP with automatic setup", config.AuthScopedDPoP},
		{"scoped by hand with pasted key", config.AuthScoped},
		{"API token", config.AuthAPIToken},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			deps, keys, tester, auto := newDeps(t, rec)
			deps.FetchMetadata = func(context.Context, string) ([]byte, error) {
				return testCertMetadata(t, time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)), nil
			}
			w, win := newTestWizard(t, deps)

			// 1. Before you start: a bad instance is explained, then fixed.
			if got := radio(t, win, setup.ChoiceThreatLocker).Selected; got != setup.ChoiceThreatLocker {
				t.Fatalf("target preselected %q", got)
			}
			inst := entry(t, win, "for example d")
			test.Type(inst, "d-1")
			mustLabel(t, win, "may contain only letters and digits")
			typeInto(inst, "d")
			mustLabel(t, win, "https://portalapi.d.threatlocker.com/portalApi/AuthenticationSAML/AssertionConsumerService")
			test.Tap(button(t, win, "Next"))
			mustLabel(t, win, "Enter the SCIM base URL, for example https://portal.example.com/scim/v2")
			test.Type(entry(t, win, config.ExampleSCIMURL), "tl.example.com/scim/v2")
			mustLabel(t, win, "The SCIM base URL must start with https://")
			typeInto(entry(t, win, config.ExampleSCIMURL), "https://tl.example.com/scim/v2/")
			test.Tap(button(t, win, "Next"))
			mustLabel(t, win, "paste the portal's API token")
			test.Type(entry(t, win, "paste the token"), "scim-secret-token")
			test.Tap(find(t, win, "copy button", func(b *widget.Button) bool { return b.Text == "Copy" }))
			if got := fyne.CurrentApp().Clipboard().Content(); got != setup.SSOURL("d") {
				t.Fatalf("clipboard %q, want the SSO URL", got)
			}
			next(t, w, win, 2)

			// 2. Okta SAML app with the metadata check.
			test.Type(entry(t, win, "https://example.okta.com/app/"), "https://acme.okta.com/app/exk123/sso/saml/metadata")
			test.Tap(button(t, win, "Check metadata"))
			mustLabel(t, win, "Entity ID: http://www.okta.com/exk123")
			mustLabel(t, win, "SSO URL: https://acme.okta.com/app/x/exk123/sso/saml/post")
			mustLabel(t, win, "expires on 8 Dec 2026, in 9 days")
			next(t, w, win, 3)

			// 3. API Services app.
			switch tc.auth {
			case config.AuthScopedDPoP:
				radio(t, win, setup.ModeAuto).SetSelected(setup.ModeAuto)
				test.Tap(button(t, win, "Next"))
				mustLabel(t, win, "select 'Create the app in Okta' first")
				test.Type(entry(t, win, "https://example.okta.com"), "https://acme.okta.com")
				tok := entry(t, win, "super-admin API token")
				test.Type(tok, "00superadmintokenvalue0000000000000000000")
				test.Tap(button(t, win, "Create the app in Okta"))
				if tok.Text != "" || auto.tokenSaw != "00superadmintokenvalue0000000000000000000" {
					t.Fatalf("token entry %q after setup; setup saw %q", tok.Text, auto.tokenSaw)
				}
				if auto.req.Auth != config.AuthScopedDPoP || len(auto.req.PublicKeys) != 1 || w.st.Keys[UseDPoP].Info == nil {
					t.Fatalf("setup request %+v", auto.req)
				}
				mustLabel(t, win, "✓ Assign Read-only Administrator")
				mustLabel(t, win, "The API Services app is ready.")
			case config.AuthScoped:
				test.Tap(button(t, win, "Next"))
				mustLabel(t, win, "enter the Client ID")
				test.Type(entry(t, win, "for example 0oa"), "0oaSCOPED123")
			case config.AuthAPIToken:
				test.Tap(find(t, win, "API token check", func(c *widget.Check) bool { return c.Text != "" && c.Text[0] == 'I' }))
			}
			next(t, w, win, 4)

			// 4. Authentication type.
			r := radio(t, win, authLabel(config.AuthScoped))
			if tc.auth != config.AuthAPIToken && r.Selected != authLabel(config.AuthScopedDPoP) {
				t.Fatalf("preselected %q, want the recommended DPoP type", r.Selected)
			}
			r.SetSelected(authLabel(tc.auth))
			next(t, w, win, 5)

			// 5. Keys.
			switch tc.auth {
			case config.AuthScopedDPoP:
				mustLabel(t, win, "key ID gen-client-1")
				mustLabel(t, win, "key ID gen-dpop-2")
			case config.AuthScoped:
				radio(t, win, setup.KeyPaste).SetSelected(setup.KeyPaste)
				priv := entry(t, win, "-----BEGIN PRIVATE KEY")
				test.Type(priv, "PRIVATE mine 1024")
				mustLabel(t, win, "use at least 2048")
				typeInto(priv, "PRIVATE mine 3072")
				test.Type(entry(t, win, "optional: the public key"), "PUBLIC other")
				mustLabel(t, win, "is not the pair")
				typeInto(entry(t, win, "optional: the public key"), "PUBLIC mine")
				mustLabel(t, win, "RSA 3072-bit, the pair matches")
			case config.AuthAPIToken:
				test.Tap(button(t, win, "Next"))
				mustLabel(t, win, "paste the API token")
				test.Type(entry(t, win, "paste the token"), "00apitokenvalue000000000000000000000000000")
			}
			next(t, w, win, 6)
			if tc.auth == config.AuthScoped && keys.imported[UseClient] != "mine" {
				t.Fatalf("pasted key not imported: %v", keys.imported)
			}

			// 6. Okta domain and connection test.
			dom := entry(t, win, "https://example.okta.com")
			if tc.auth != config.AuthScopedDPoP {
				test.Type(dom, "acme.okta.com")
				mustLabel(t, win, "must start with https://")
				if dom.Text != "acme.okta.com" {
					t.Fatalf("domain changed silently to %q", dom.Text)
				}
				test.Tap(button(t, win, "Use https://acme.okta.com"))
			}
			test.Tap(button(t, win, "Next"))
			mustLabel(t, win, "select 'Test connection'")
			test.Tap(button(t, win, "Test connection"))
			mustLabel(t, win, "The connection works.")
			if w.stepErr.Visible() {
				t.Fatalf("the footer still says %q after a passing test", w.stepErr.Text)
			}
			next(t, w, win, 7)
			if tester.lastCfg.Okta.Domain != "https://acme.okta.com" {
				t.Fatalf("tested domain %q", tester.lastCfg.Okta.Domain)
			}

			// 7. Sync interval: 15 Minutes by default.
			sel := find(t, win, "interval", func(*widget.Select) bool { return true })
			if sel.Selected != "15 Minutes" {
				t.Fatalf("interval default %q", sel.Selected)
			}
			if tc.auth == config.AuthScoped {
				sel.SetSelected("1 Hour")
			}
			next(t, w, win, 8)

			// 8. Mapping: a duplicate is flagged, the last row cannot go.
			if !iconButton(t, win, theme.ContentRemoveIcon()).Disabled() {
				t.Fatal("the only row can be removed")
			}
			pickGroup(t, win, button(t, win, "Choose an Okta group…"), "portal adm")
			mustLabel(t, win, "3 members")
			chooseRoles(t, win, button(t, win, "Choose roles…"), "Administrator")
			test.Tap(iconButton(t, win, theme.ContentAddIcon()))
			pickGroup(t, win, button(t, win, "Choose an Okta group…"), "PORTAL")
			mustLabel(t, win, "already mapped in row 1")
			test.Tap(button(t, win, "Next"))
			if w.cur != 7 {
				t.Fatal("Next allowed a duplicated group")
			}
			typeRow := w.st.Rows[1]
			typeRow.Group = Group{}
			w.fillRows()
			pickGroup(t, win, button(t, win, "Choose an Okta group…"), "help")
			chooseRoles(t, win, button(t, win, "Choose roles…"), "Helpdesk Technician", "Read Only")
			next(t, w, win, 9)

			// 9. Review: Portal Admins is mapped, nobody loses access.
			mustLabel(t, win, "Users to create: 2")
			mustLabel(t, win, "Roles to grant: 3")
			mustLabel(t, win, "No portal admin loses access.")
			test.Type(entry(t, win, "one login a line"), "breakglass@acme.com")
			th := find(t, win, "threshold", func(e *widget.Entry) bool { return e.Text == "10" })
			typeInto(th, "ten")
			mustLabel(t, win, "is not a whole number")
			typeInto(th, "5")
			test.Tap(button(t, win, "Save and start"))

			if len(rec.saved) != 1 || rec.done != 1 {
				t.Fatalf("saved %d configs, done %d", len(rec.saved), rec.done)
			}
			got := rec.saved[0]
			want := config.Config{
				Okta:   config.Okta{Domain: "https://acme.okta.com", Auth: tc.auth},
				Sync:   config.Sync{Interval: 15 * time.Minute},
				Target: config.Target{Kind: config.TargetSCIM, Profile: "threatlocker", Instance: "d", BaseURL: "https://tl.example.com/scim/v2"},
				Mappings: []config.Mapping{
					{Group: "Portal Admins", Roles: []string{"Administrator"}},
					{Group: "Helpdesk", Roles: []string{"Helpdesk Technician", "Read Only"}},
				},
				Safety: config.Safety{ProtectedAccounts: []string{"breakglass@acme.com"}, MaxRevocations: 5},
			}
			switch tc.auth {
			case config.AuthScopedDPoP:
				want.Okta.ClientID = "0oaAUTO123"
				want.Okta.PublicKey, want.Okta.KeyID = `{"kty":"RSA","kid":"gen-client-1"}`, "gen-client-1"
				want.Okta.DPoPPublicKey, want.Okta.DPoPKeyID = `{"kty":"RSA","kid":"gen-dpop-2"}`, "gen-dpop-2"
			case config.AuthScoped:
				want.Okta.ClientID = "0oaSCOPED123"
				want.Okta.PublicKey, want.Okta.KeyID = `{"kty":"RSA","kid":"mine"}`, "mine"
				want.Sync.Interval = time.Hour
			}
			assertConfig(t, got, want)
			wantSecrets := map[string]string{SecretSCIMToken: "scim-secret-token"}
			if tc.auth == config.AuthAPIToken {
				wantSecrets[SecretOktaAPIToken] = "00apitokenvalue000000000000000000000000000"
			}
			if len(rec.secrets) != len(wantSecrets) {
				t.Fatalf("secrets stored %v, want %v", keysOf(rec.secrets), keysOf(wantSecrets))
			}
			for k, v := range wantSecrets {
				if rec.secrets[k] != v {
					t.Fatalf("secret %s not stored as typed", k)
				}
			}
		})
	}
}

func keysOf(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func assertConfig(t *testing.T, got, want config.Config) {
	t.Helper()
	if got.Okta.Domain != want.Okta.Domain || got.Okta.Auth != want.Okta.Auth || got.Okta.ClientID != want.Okta.ClientID ||
		got.Okta.PublicKey != want.Okta.PublicKey || got.Okta.KeyID != want.Okta.KeyID ||
		got.Okta.DPoPPublicKey != want.Okta.DPoPPublicKey || got.Okta.DPoPKeyID != want.Okta.DPoPKeyID {
		t.Errorf("okta = %+v\nwant %+v", got.Okta, want.Okta)
	}
	if got.Sync != want.Sync || got.Target != want.Target {
		t.Errorf("sync/target = %+v %+v, want %+v %+v", got.Sync, got.Target, want.Sync, want.Target)
	}
	if !slices.EqualFunc(got.Mappings, want.Mappings, func(a, b config.Mapping) bool {
		return a.Group == b.Group && slices.Equal(a.Roles, b.Roles)
	}) {
		t.Errorf("mappings = %+v, want %+v", got.Mappings, want.Mappings)
	}
	if !slices.Equal(got.Safety.ProtectedAccounts, want.Safety.ProtectedAccounts) || got.Safety.MaxRevocations != want.Safety.MaxRevocations {
		t.Errorf("safety = %+v, want %+v", got.Safety, want.Safety)
	}
}
