package wizard

import (
	"context"
	"errors"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
)

// connectWidgets are step 6's widgets that validation reports into.
type connectWidgets struct {
	domainErr *widget.Label
	checklist *fyne.Container
}

// viewConnect is step 6: the Okta domain and the connection test.
func (w *Wizard) viewConnect() fyne.CanvasObject {
	cw := &w.connect
	cw.domainErr = newErrLabel()
	cw.checklist = container.NewVBox()
	domain := w.domainEntry(cw.domainErr)
	test := widget.NewButton("Test connection", w.onTest)
	test.Importance = widget.HighImportance
	if w.deps.Tester == nil {
		test.Disable()
	}
	w.showChecks()
	w.onDomain = w.showChecks
	return container.NewVBox(
		labelled("Okta domain", domain, nil),
		note("Your organization's Okta address, including https:// (for example https://example.okta.com). Not the admin address with -admin."),
		container.NewHBox(test),
		cw.checklist,
	)
}

// onTest runs the connection diagnostics.
func (w *Wizard) onTest() {
	st, cw := w.st, &w.connect
	if _, err := config.ValidateDomain(st.Domain); err != nil {
		setErr(cw.domainErr, err)
		return
	}
	cfg, key := st.Config(), st.ConnectionKey()
	secrets := st.CopySecrets()
	var checks []CheckResult
	w.run(func(ctx context.Context) {
		checks = w.deps.Tester.Test(ctx, cfg, secrets)
	}, func() {
		st.Checks, st.Tested = checks, key
		w.showChecks()
		if w.stepErr.Visible() {
			// The footer asked for a test: it now says what the test found.
			w.setStepError(w.validateConnect())
		}
		w.scrollToEnd()
	})
}

// showChecks renders the checklist: each failed line carries its fix.
func (w *Wizard) showChecks() {
	box := w.connect.checklist
	box.RemoveAll()
	if w.st.Tested == "" {
		return
	}
	if w.st.Tested != w.st.ConnectionKey() {
		box.Add(note("The settings changed since the last test: test again."))
		return
	}
	for _, c := range w.st.Checks {
		failed := !c.OK && !c.Skipped
		line := "✓ " + c.Name
		switch {
		case c.Skipped:
			line = "– " + c.Name
		case failed:
			line = "✗ " + c.Name
		}
		if c.Detail != "" {
			line += ": " + c.Detail
		}
		l := note(line)
		if failed {
			l.Importance = widget.DangerImportance
		}
		box.Add(l)
		if failed && c.Fix != "" {
			box.Add(container.NewPadded(note("Fix: " + c.Fix)))
		}
	}
	if checksOK(w.st.Checks) {
		l := note("The connection works.")
		l.Importance = widget.SuccessImportance
		box.Add(l)
	}
}

func checksOK(cs []CheckResult) bool {
	if len(cs) == 0 {
		return false
	}
	for _, c := range cs {
		if !c.OK {
			return false
		}
	}
	return true
}

// validateConnect checks step 6: a valid domain and a passing test.
func (w *Wizard) validateConnect() error {
	st := w.st
	if _, err := config.ValidateDomain(st.Domain); err != nil {
		setErr(w.connect.domainErr, err)
		return err
	}
	if w.deps.Tester == nil {
		return nil
	}
	switch {
	case st.Tested == "" || st.Tested != st.ConnectionKey():
		return errors.New("select 'Test connection' to check these settings")
	case !checksOK(st.Checks):
		return errors.New("the connection test failed: fix the lines marked ✗ and test again")
	}
	return nil
}
