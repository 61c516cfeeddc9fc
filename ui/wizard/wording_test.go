package wizard

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/setup"
)

func TestIntroMatchesSettings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		settings bool
		auth     string
		step     Step
		want     string
		not      string
	}{
		{"keys for an API token", false, config.AuthAPIToken, StepKeys, "uses no keys", "private keys"},
		{"keys for DPoP", false, config.AuthScopedDPoP, StepKeys, "private keys stay", "uses no keys"},
		{"review during setup", false, config.AuthScopedDPoP, StepReview, "dry run of the first sync", "next sync"},
		{"review from Settings", true, config.AuthScopedDPoP, StepReview, "dry run of the next sync", "first sync"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			deps, _, _, _ := newDeps(t, rec)
			if tc.settings {
				cfg := settingsConfig()
				deps.Config = &cfg
			}
			w, _ := newTestWizard(t, deps)
			w.st.Auth = tc.auth
			w.show(int(tc.step))
			if !strings.Contains(w.intro.Text, tc.want) || strings.Contains(w.intro.Text, tc.not) {
				t.Fatalf("intro %q: want %q and not %q", w.intro.Text, tc.want, tc.not)
			}
		})
	}
}

func TestReviewListsEachUserOnceALine(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	deps.Preview = func(context.Context, config.Config, Secrets) (Preview, error) {
		return Preview{
			Creates:      []string{"ann@acme.com", "bob@acme.com"},
			Grants:       []Grant{{User: "ann@acme.com", Role: "Auditor"}, {User: "bob@acme.com", Role: "Auditor"}, {User: "bob@acme.com", Role: "Read Only"}, {User: "cat@acme.com", Role: "Auditor"}},
			LosingAccess: []string{"old.admin@acme.com", "older.admin@acme.com"},
		}, nil
	}
	w, win := newTestWizard(t, deps)
	w.show(int(StepReview))
	mustLabel(t, win, "so the next sync revokes their roles")
	for _, want := range []string{
		"old.admin@acme.com\nolder.admin@acme.com",
		"Users to create: 2",
		"ann@acme.com → Auditor\nbob@acme.com → Auditor, Read Only",
		"Roles to grant: 4 (3 to the new users above)",
		"cat@acme.com → Auditor",
	} {
		find(t, win, "label "+want, func(l *widget.Label) bool { return l.Text == want })
	}
}

func TestDomainErrorSitsAboveItsFix(t *testing.T) {
	for _, step := range []Step{StepAPIApp, StepConnect} {
		t.Run(domainStepName(step), func(t *testing.T) {
			rec := &recorder{}
			deps, _, _, _ := newDeps(t, rec)
			w, win := newTestWizard(t, deps)
			w.st.AppMode = setup.ModeAuto
			w.show(int(step))
			typeInto(entry(t, win, "https://example.okta.com"), "acme.okta.com")
			errLabel := find(t, win, "domain error", func(l *widget.Label) bool {
				return l.Visible() && strings.HasPrefix(l.Text, "The Okta domain must start with https://")
			})
			if !strings.Contains(errLabel.Text, "for example https://example.okta.com") {
				t.Fatalf("error %q gives no example", errLabel.Text)
			}
			fix := button(t, win, "Use https://acme.okta.com")
			if errAt, fixAt := order(win, errLabel, fix); errAt < 0 || fixAt < errAt {
				t.Fatalf("the error (at %d) is not above its fix (at %d)", errAt, fixAt)
			}
			test.Tap(fix)
			if w.st.Domain != "https://acme.okta.com" || errLabel.Visible() {
				t.Fatalf("after the fix: domain %q, error shown %v", w.st.Domain, errLabel.Visible())
			}
		})
	}
}

// order finds the container holding a, and returns the index of a and of
// the child holding b in it (-1 when missing).
func order(win fyne.Window, a, b fyne.CanvasObject) (ai, bi int) {
	ai, bi = -1, -1
	walk(win.Content(), func(o fyne.CanvasObject) {
		c, ok := o.(*fyne.Container)
		if !ok || ai >= 0 {
			return
		}
		for i, child := range c.Objects {
			if child == a {
				ai = i
			}
		}
		if ai < 0 {
			return
		}
		for i, child := range c.Objects {
			walk(child, func(o fyne.CanvasObject) {
				if o == b {
					bi = i
				}
			})
		}
	})
	return ai, bi
}

func domainStepName(s Step) string {
	if s == StepAPIApp {
		return "API Services app, automatic"
	}
	return "connection test"
}

func TestSSOURLWaitsForTheInstance(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	w, win := newTestWizard(t, deps)
	w.st.Target = setup.ChoiceThreatLocker
	w.show(int(StepStart))
	copyButtons := func() []*widget.Button {
		var out []*widget.Button
		walk(win.Content(), func(o fyne.CanvasObject) {
			if b, ok := o.(*widget.Button); ok && b.Text == "Copy" {
				out = append(out, b)
			}
		})
		return out
	}
	sso := copyButtons()[0]
	mustLabel(t, win, "Enter the instance above")
	if !sso.Disabled() {
		t.Fatal("the Single sign-on URL can be copied before the instance is known")
	}
	fyne.CurrentApp().Clipboard().SetContent("unchanged")
	test.Tap(sso)
	if got := fyne.CurrentApp().Clipboard().Content(); got != "unchanged" {
		t.Fatalf("copied %q without an instance", got)
	}
	typeInto(entry(t, win, "for example d"), "us1")
	if sso.Disabled() || hasLabel(win, "Enter the instance above") {
		t.Fatal("the URL is still pending after a valid instance")
	}
	mustLabel(t, win, setup.SSOURL("us1"))
	test.Tap(sso)
	if got := fyne.CurrentApp().Clipboard().Content(); got != setup.SSOURL("us1") {
		t.Fatalf("copied %q", got)
	}
}

func TestCopyButtonKeepsItsHeightBesideLongValues(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	w, win := newTestWizard(t, deps)
	long := strings.Repeat("0123456789abcdef", 60) // a JWK-sized value, many lines
	row, _ := w.copyRow("Public key", func() string { return long })
	win.SetContent(row)
	win.Resize(fyne.NewSize(600, 600))
	btn := button(t, win, "Copy")
	if h, min := btn.Size().Height, btn.MinSize().Height; h > min+1 {
		t.Fatalf("the Copy button is %.0f high beside a long value, want its own %.0f", h, min)
	}
}

// listTester answers every connection test with the same lines.
type listTester []CheckResult

func (l listTester) Test(context.Context, config.Config, Secrets) []CheckResult { return l }

func TestSkippedCheckIsNotShownAsAFailure(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	deps.Tester = listTester{
		{Name: "Admin role in effect", Detail: "HTTP 403", Fix: "assign Read-only Administrator"},
		{Name: "DPoP binding as configured", Detail: "not checked until the items above pass", Fix: "never shown", Skipped: true},
	}
	w, win := newTestWizard(t, deps)
	w.show(int(StepConnect))
	test.Tap(button(t, win, "Test connection"))
	failed := find(t, win, "failed line", func(l *widget.Label) bool { return l.Text == "✗ Admin role in effect: HTTP 403" })
	skipped := find(t, win, "skipped line", func(l *widget.Label) bool {
		return l.Text == "– DPoP binding as configured: not checked until the items above pass"
	})
	if failed.Importance != widget.DangerImportance || skipped.Importance == widget.DangerImportance {
		t.Fatalf("importance: failed %v, skipped %v", failed.Importance, skipped.Importance)
	}
	mustLabel(t, win, "Fix: assign Read-only Administrator")
	if hasLabel(win, "never shown") {
		t.Fatal("a skipped line shows a fix")
	}
	if err := w.validateConnect(); err == nil {
		t.Fatal("a skipped line counted as passed")
	}
}

func TestOnlyRowIsNotToldToRemoveItself(t *testing.T) {
	for _, tc := range []struct {
		name string
		rows []*setup.MappingRow
		want string
		not  string
	}{
		{"the only row", []*setup.MappingRow{{}}, "type part of its name", "remove the row"},
		{"one of two rows", []*setup.MappingRow{{Group: Group{Name: "Helpdesk"}, Roles: []string{"Auditor"}}, {}}, "or remove the row with −", "type part of its name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := mappingProblems(tc.rows, []string{"Auditor"}, true)
			last := got[len(got)-1]
			if !strings.Contains(last, tc.want) || strings.Contains(last, tc.not) {
				t.Fatalf("%q: want %q and not %q", last, tc.want, tc.not)
			}
		})
	}
}

func TestFooterErrorGoesWhenTheInputChanges(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	w.show(int(StepMapping))
	n := len(w.st.Rows)
	test.Tap(iconButton(t, win, theme.ContentAddIcon()))
	test.Tap(button(t, win, "Next"))
	if w.cur != int(StepMapping) || !w.stepErr.Visible() {
		t.Fatal("Next went on with an empty mapping row")
	}
	var removes []*widget.Button
	walk(win.Content(), func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Icon != nil && b.Icon.Name() == theme.ContentRemoveIcon().Name() {
			removes = append(removes, b)
		}
	})
	test.Tap(removes[1]) // the + of row 1 inserted row 2
	if len(w.st.Rows) != n {
		t.Fatalf("%d rows after removing the new one, want %d", len(w.st.Rows), n)
	}
	if w.stepErr.Visible() {
		t.Fatalf("the footer still says %q after the row went", w.stepErr.Text)
	}
	test.Tap(button(t, win, "Next"))
	if w.cur != int(StepReview) {
		t.Fatalf("at step %d after fixing the mapping: %s", w.cur+1, w.stepErr.Text)
	}
}
