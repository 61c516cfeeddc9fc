package wizard

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/setup"
)

// toStep presses Next until step n, tapping Test connection on the way.
func toStep(t *testing.T, w *Wizard, win fyne.Window, n int) {
	t.Helper()
	for w.cur+1 < n {
		if w.cur == 5 {
			test.Tap(button(t, win, "Test connection"))
		}
		next(t, w, win, w.cur+2)
	}
}

func TestSettingsPrefilledAndConfirmLosingAccess(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	if got := entry(t, win, "for example d").Text; got != "d" {
		t.Fatalf("instance prefilled %q", got)
	}
	toStep(t, w, win, 7)
	if got := find(t, win, "interval", func(*widget.Select) bool { return true }).Selected; got != "2 Hours" {
		t.Fatalf("interval prefilled %q", got)
	}
	next(t, w, win, 8)
	mustLabel(t, win, "1,200 members") // Engineering resolved against the org's groups
	next(t, w, win, 9)
	mustLabel(t, win, "1 portal admin will lose access")

	test.Tap(button(t, win, "Save and start"))
	mustLabel(t, win, "old.admin@acme.com")
	test.Tap(button(t, win, "Go back"))
	if len(rec.saved) != 0 {
		t.Fatal("saved although the admin declined")
	}
	test.Tap(button(t, win, "Save and start"))
	test.Tap(button(t, win, "Save and start anyway"))
	if len(rec.saved) != 1 {
		t.Fatalf("saved %d times after confirming", len(rec.saved))
	}
	assertConfig(t, rec.saved[0], cfg)
	if len(rec.secrets) != 0 {
		t.Fatalf("secrets written although none were typed: %v", keysOf(rec.secrets))
	}
}

func TestProtectedAccountKeepsAdmin(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	cfg.Safety.ProtectedAccounts = nil
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	toStep(t, w, win, 9)
	mustLabel(t, win, "1 portal admin will lose access")
	test.Type(entry(t, win, "one login a line"), "OLD.ADMIN@acme.com")
	mustLabel(t, win, "No portal admin loses access.")
	test.Tap(button(t, win, "Save and start"))
	if len(rec.saved) != 1 || rec.saved[0].Safety.ProtectedAccounts[0] != "OLD.ADMIN@acme.com" {
		t.Fatalf("saved %+v", rec.saved)
	}
}

func TestBackAndNextKeepEntries(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	w, win := newTestWizard(t, deps)
	test.Type(entry(t, win, "for example d"), "us1")
	test.Type(entry(t, win, config.ExampleSCIMURL), "https://tl.example.com/scim/v2")
	test.Type(entry(t, win, "paste the token"), "scim-secret")
	next(t, w, win, 2)
	next(t, w, win, 3)
	test.Type(entry(t, win, "for example 0oa"), "0oaKEEP")
	test.Tap(button(t, win, "Back"))
	test.Tap(button(t, win, "Back"))
	if got := entry(t, win, "for example d").Text; got != "us1" {
		t.Fatalf("instance after Back %q", got)
	}
	if got := entry(t, win, "paste the token").Text; got != "scim-secret" {
		t.Fatal("portal token lost after Back")
	}
	next(t, w, win, 2)
	next(t, w, win, 3)
	if got := entry(t, win, "for example 0oa").Text; got != "0oaKEEP" {
		t.Fatalf("client ID after Back and Next %q", got)
	}
}

func TestCloseMidwayOffersDraft(t *testing.T) {
	cases := []struct {
		name   string
		choice string
		drafts int
	}{
		{"keep", "Keep draft", 1},
		{"discard", "Discard", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			deps, _, _, _ := newDeps(t, rec)
			w, win := newTestWizard(t, deps)
			test.Type(entry(t, win, "for example d"), "d")
			test.Type(entry(t, win, "paste the token"), "scim-secret")
			test.Tap(button(t, win, "Close"))
			mustLabel(t, win, "Secrets such as API tokens are not kept")
			test.Tap(button(t, win, tc.choice))
			if len(rec.drafts) != tc.drafts {
				t.Fatalf("%d drafts kept, want %d", len(rec.drafts), tc.drafts)
			}
			if tc.drafts == 1 && rec.drafts[0].Target.Instance != "d" {
				t.Fatalf("draft %+v", rec.drafts[0].Target)
			}
			if len(rec.secrets) != 0 {
				t.Fatal("closing wrote secrets")
			}
			if w.Window() != nil {
				t.Fatal("the wizard window is still open")
			}
		})
	}
}

func TestSameKeyRefusedForBothUses(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	cfg.Okta.PublicKey, cfg.Okta.DPoPPublicKey = "", ""
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	toStep(t, w, win, 5)
	var radios []*widget.RadioGroup
	walk(win.Content(), func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok {
			radios = append(radios, r)
		}
	})
	if len(radios) != 2 {
		t.Fatalf("%d key sections, want 2", len(radios))
	}
	for _, r := range radios {
		r.SetSelected(setup.KeyPaste)
	}
	var privs []*widget.Entry
	walk(win.Content(), func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok && e.PlaceHolder == "-----BEGIN PRIVATE KEY----- … or {\"kty\":\"RSA\", … }" {
			privs = append(privs, e)
		}
	})
	test.Type(privs[0], "PRIVATE shared 2048")
	test.Type(privs[1], "PRIVATE shared 2048")
	mustLabel(t, win, "the same key as the client authentication key")
	test.Tap(button(t, win, "Next"))
	if w.cur != 4 {
		t.Fatal("Next accepted the same key for both uses")
	}
	typeInto(privs[1], "PRIVATE other 2048")
	next(t, w, win, 6)
	c := w.st.Config()
	if c.Okta.KeyID != "shared" || c.Okta.DPoPKeyID != "other" {
		t.Fatalf("key ids %q %q", c.Okta.KeyID, c.Okta.DPoPKeyID)
	}
}

func TestAutomaticSetupPartialFailure(t *testing.T) {
	rec := &recorder{}
	deps, _, _, auto := newDeps(t, rec)
	auto.failAt = "Grant okta.groups.read"
	w, win := newTestWizard(t, deps)
	test.Type(entry(t, win, "for example d"), "d")
	test.Type(entry(t, win, config.ExampleSCIMURL), "https://tl.example.com/scim/v2")
	test.Type(entry(t, win, "paste the token"), "scim-secret")
	next(t, w, win, 2)
	next(t, w, win, 3)
	radio(t, win, setup.ModeAuto).SetSelected(setup.ModeAuto)
	find(t, win, "auth select", func(*widget.Select) bool { return true }).SetSelected(authLabel(config.AuthScoped))
	test.Type(entry(t, win, "https://example.okta.com"), "acme.okta.com")
	test.Tap(button(t, win, "Use https://acme.okta.com"))
	test.Tap(button(t, win, "Create the app in Okta"))
	mustLabel(t, win, "Paste the API token")
	test.Type(entry(t, win, "super-admin API token"), "00superadmintokenvalue0000000000000000000")
	test.Tap(button(t, win, "Create the app in Okta"))
	mustLabel(t, win, "✗ Grant okta.groups.read: 403 E0000006")
	mustLabel(t, win, "Left to do by hand in Okta:")
	mustLabel(t, win, "On the 'Okta API Scopes' tab, grant okta.groups.read.")
	if hasLabel(win, "The API Services app is ready.") {
		t.Fatal("a partial failure was reported as ready")
	}
	if auto.req.Auth != config.AuthScoped || len(auto.req.PublicKeys) != 1 {
		t.Fatalf("request %+v", auto.req)
	}
	next(t, w, win, 4)
	if got := radio(t, win, authLabel(config.AuthScoped)).Selected; got != authLabel(config.AuthScoped) {
		t.Fatalf("auth type on step 4 %q", got)
	}
}

func TestConnectionFailureShowsFixAndBlocks(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	cfg.Okta.Domain = "https://wrong.okta.com"
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	toStep(t, w, win, 6)
	test.Tap(button(t, win, "Test connection"))
	mustLabel(t, win, "✗ Okta domain answers over HTTPS")
	mustLabel(t, win, "Fix: check the spelling of the Okta domain")
	test.Tap(button(t, win, "Next"))
	mustLabel(t, win, "the connection test failed")
	typeInto(entry(t, win, "https://example.okta.com"), "https://acme.okta.com")
	mustLabel(t, win, "The settings changed since the last test")
	test.Tap(button(t, win, "Test connection"))
	next(t, w, win, 7)
}

func TestMappingRowsRules(t *testing.T) {
	roles := []string{"Administrator", "Auditor"}
	rows := []*setup.MappingRow{
		{Group: Group{Name: "Helpdesk"}, Roles: []string{"Auditor"}},
		{Group: Group{Name: "helpdesk"}, Roles: []string{"Administrator"}},
		{Group: Group{Name: "Engineering"}},
		{Group: Group{Name: "Ops"}, Roles: []string{"Owner"}},
		{},
	}
	got := mappingProblems(rows, roles, true)
	want := []string{"", "already mapped in row 1", "choose at least one role", `the role "Owner" does not exist`, "choose an Okta group"}
	for i := range want {
		if want[i] == "" && got[i] != "" || want[i] != "" && !contains(got[i], want[i]) {
			t.Errorf("row %d: %q, want %q", i+1, got[i], want[i])
		}
	}
	if lenient := mappingProblems(rows, roles, false); lenient[2] != "" || lenient[4] != "" {
		t.Errorf("incomplete rows flagged before Next: %q", lenient)
	}
}

func contains(s, sub string) bool { return len(sub) == 0 || len(s) >= len(sub) && indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestDraftPrefillsNewSetup(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	draft := config.Config{Target: config.Target{Kind: config.TargetSCIM, Profile: "threatlocker", Instance: "us1", BaseURL: "https://tl.example.com/scim/v2"}}
	deps.Draft = &draft
	w, win := newTestWizard(t, deps)
	if win.Title() != "Set up rolesync" {
		t.Fatalf("title %q", win.Title())
	}
	if got := entry(t, win, "for example d").Text; got != "us1" {
		t.Fatalf("instance from the draft %q", got)
	}
	test.Tap(button(t, win, "Next"))
	if w.cur != 0 {
		t.Fatal("a draft skipped the portal token, which drafts never hold")
	}
	mustLabel(t, win, "Paste the portal's API token")
}

func TestProtectedAccountsInlineError(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	toStep(t, w, win, 9)
	typeInto(entry(t, win, "one login a line"), "alice@acme.com bob@acme.com")
	mustLabel(t, win, "is not one login: put each login on its own line")
	test.Tap(button(t, win, "Save and start"))
	if hasLabel(win, "Admins will lose access") || len(rec.saved) != 0 {
		t.Fatal("saved with a malformed protected account")
	}
}

func TestShowAtMapping(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	w.ShowAt(StepMapping)
	if win.Title() != "rolesync settings" || w.heading.Text != "Group → roles mapping" {
		t.Fatalf("title %q, heading %q", win.Title(), w.heading.Text)
	}
	mustLabel(t, win, "12 members")
	button(t, win, "Auditor, Read Only")
	next(t, w, win, 9)
	mustLabel(t, win, "Users to create: 2")
}
