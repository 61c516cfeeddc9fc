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
)

// listLimit bounds how many names a review list shows.
const listLimit = 25

// viewReview is step 9: the dry-run preview, the safety fields, Save and start.
func (w *Wizard) viewReview() fyne.CanvasObject {
	st := w.st
	previewBox := container.NewVBox()
	previewErr := newErrLabel()

	protected := widget.NewMultiLineEntry()
	protected.SetPlaceHolder("one login a line, e.g. breakglass@example.com")
	protected.SetMinRowsVisible(3)
	protected.SetText(st.Protected)
	thresholdErr := newErrLabel()
	threshold := widget.NewEntry()
	threshold.SetText(st.Threshold)
	threshold.OnChanged = func(v string) {
		st.Threshold = v
		w.touch()
		_, err := config.ParseThreshold(v)
		setErr(thresholdErr, err)
	}
	render := func() { w.renderPreview(previewBox) }
	protectedErr := newErrLabel()
	protected.OnChanged = func(v string) {
		st.Protected = v
		w.touch()
		setErr(protectedErr, config.ValidateAccounts(v))
		render()
	}
	w.protectedErr = protectedErr
	refresh := widget.NewButton("Refresh preview", func() { w.runPreview(previewErr, render) })
	w.thresholdErr = thresholdErr

	w.runPreview(previewErr, render)
	return container.NewVBox(
		previewErr, previewBox, container.NewHBox(refresh), widget.NewSeparator(),
		labelled("Protected accounts (never revoked)", protected, protectedErr),
		labelled("Deletion threshold (users one run may revoke before it stops for review)", container.NewGridWithColumns(3, threshold), thresholdErr),
	)
}

// runPreview asks for a dry run with the current settings.
func (w *Wizard) runPreview(errLabel *widget.Label, done func()) {
	if w.deps.Preview == nil {
		w.st.Preview = &Preview{}
		done()
		return
	}
	cfg, secrets := w.st.Config(), w.st.CopySecrets()
	var p Preview
	var err error
	w.run(func(ctx context.Context) {
		p, err = w.deps.Preview(ctx, cfg, secrets)
	}, func() {
		if err != nil {
			setErr(errLabel, fmt.Errorf("the dry run failed: %w; check the connection and the mapping, then select Refresh preview", err))
			w.st.Preview = nil
		} else {
			setErr(errLabel, nil)
			w.st.Preview = &p
		}
		done()
	})
}

// renderPreview shows first, in red, the admins who will lose access.
func (w *Wizard) renderPreview(box *fyne.Container) {
	box.RemoveAll()
	p := w.st.Preview
	if p == nil {
		return
	}
	if losing := w.st.LosingAccess(); len(losing) > 0 {
		head := bold(fmt.Sprintf("⚠ %s will lose access", plural(len(losing), "portal admin", "portal admins")))
		head.Importance = widget.DangerImportance
		body := note("They are not members of any mapped Okta group, so the " + w.syncName() + " revokes their roles. " +
			"Map a group they belong to, or add them to the protected accounts below.")
		body.Importance = widget.DangerImportance
		names := note(limitLines(losing))
		names.Importance = widget.DangerImportance
		box.Add(head)
		box.Add(body)
		box.Add(names)
	} else {
		box.Add(note("No portal admin loses access."))
	}
	// Each user is listed once: a new user with the roles it will get, an
	// existing one under the roles it gains.
	roles := map[string][]string{}
	var existing []string
	created := map[string]bool{}
	for _, u := range p.Creates {
		created[u] = true
	}
	toNew := 0
	for _, g := range p.Grants {
		if created[g.User] {
			toNew++
		} else if _, seen := roles[g.User]; !seen {
			existing = append(existing, g.User)
		}
		roles[g.User] = append(roles[g.User], g.Role)
	}
	withRoles := func(users []string) string {
		lines := make([]string, len(users))
		for i, u := range users {
			lines[i] = u
			if len(roles[u]) > 0 {
				lines[i] += " → " + strings.Join(roles[u], ", ")
			}
		}
		return limitLines(lines)
	}
	box.Add(bold(fmt.Sprintf("Users to create: %d", len(p.Creates))))
	if len(p.Creates) > 0 {
		box.Add(note(withRoles(p.Creates)))
	}
	grants := fmt.Sprintf("Roles to grant: %d", len(p.Grants))
	switch {
	case toNew > 0 && toNew == len(p.Grants):
		grants += " (all to the new users above)"
	case toNew > 0:
		grants += fmt.Sprintf(" (%d to the new users above)", toNew)
	}
	box.Add(bold(grants))
	if len(existing) > 0 {
		box.Add(note(withRoles(existing)))
	}
	box.Refresh()
}

// onSaveAndStart saves, after a confirmation when anyone loses access.
func (w *Wizard) onSaveAndStart() {
	if _, err := config.ParseThreshold(w.st.Threshold); err != nil {
		setErr(w.thresholdErr, err)
		return
	}
	if err := config.ValidateAccounts(w.st.Protected); err != nil {
		setErr(w.protectedErr, err)
		return
	}
	if w.st.Preview == nil && w.deps.Preview != nil {
		dialog.ShowError(errors.New("there is no dry run to review: select Refresh preview first"), w.parent())
		return
	}
	losing := w.st.LosingAccess()
	if len(losing) == 0 {
		w.save()
		return
	}
	d := dialog.NewConfirm("Admins will lose access",
		fmt.Sprintf("%s will lose access on the %s:\n%s\n\nSave and start anyway?", plural(len(losing), "portal admin", "portal admins"), w.syncName(), limitLines(losing)),
		func(ok bool) {
			if ok {
				w.save()
			}
		}, w.parent())
	d.SetConfirmText("Save and start anyway")
	d.SetDismissText("Go back")
	d.Show()
}

// save writes the secrets to the keyring and the configuration, then closes.
func (w *Wizard) save() {
	st := w.st
	cfg := st.Config()
	if problems := cfg.Problems(false); len(problems) > 0 {
		lines := make([]string, len(problems))
		for i, p := range problems {
			lines[i] = p.Error()
		}
		dialog.ShowError(fmt.Errorf("the configuration was not saved; go back and fix: %s", strings.Join(lines, "; ")), w.parent())
		return
	}
	var err error
	w.run(func(ctx context.Context) {
		for _, name := range st.NeededSecrets() {
			v := st.Secrets[name]
			if len(v) == 0 {
				continue
			}
			if w.deps.SetSecret == nil {
				err = errors.New("no keyring is available to store the secrets")
				return
			}
			if err = w.deps.SetSecret(name, v); err != nil {
				err = fmt.Errorf("storing %s in the keyring: %w", name, err)
				return
			}
		}
		if w.deps.Save != nil {
			err = w.deps.Save(ctx, cfg)
		}
	}, func() {
		if err != nil {
			w.log.Error("saving the configuration failed", "err", err)
			dialog.ShowError(fmt.Errorf("the configuration was not saved: %w", err), w.parent())
			return
		}
		w.log.Info("configuration saved", "auth", cfg.Okta.Auth, "mappings", len(cfg.Mappings))
		w.finished = true
		if w.deps.OnDone != nil {
			w.deps.OnDone(cfg)
		}
		if w.win != nil {
			w.win.Close()
		}
	})
}

// limitLines lists items one a line, at most listLimit of them.
func limitLines(items []string) string {
	if len(items) <= listLimit {
		return strings.Join(items, "\n")
	}
	return strings.Join(items[:listLimit], "\n") + fmt.Sprintf("\nand %d more", len(items)-listLimit)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
