package wizard

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/setup"
)

// mappingWidgets are step 8's widgets.
type mappingWidgets struct {
	rows    *fyne.Container
	loadErr *widget.Label
}

// viewMapping is step 8: rows of [Okta group][roles][+][−].
func (w *Wizard) viewMapping() fyne.CanvasObject {
	mw := &w.mapping
	mw.rows = container.NewVBox()
	mw.loadErr = newErrLabel()
	header := container.NewBorder(nil, nil, nil, container.NewHBox(widget.NewLabel("        ")),
		container.NewGridWithColumns(2, bold("Okta group"), bold("Roles")))
	if w.groups != nil && w.roles != nil {
		w.fillRows()
	} else {
		mw.rows.Add(note("Loading the Okta groups and the portal's roles…"))
		w.loadMappingData()
	}
	return container.NewVBox(header, mw.rows, mw.loadErr)
}

// loadMappingData reads the org's groups and the target's roles once.
func (w *Wizard) loadMappingData() {
	cfg, secrets := w.st.Config(), w.st.CopySecrets()
	var groups []Group
	var roles []string
	var gerr, rerr error
	w.run(func(ctx context.Context) {
		if w.deps.Groups != nil {
			groups, gerr = w.deps.Groups.ListGroups(ctx, cfg, secrets)
		}
		if w.deps.Roles != nil {
			roles, rerr = w.deps.Roles(ctx, cfg, secrets)
		}
	}, func() {
		setErr(w.mapping.loadErr, errors.Join(wrapErr("reading the Okta groups failed", gerr), wrapErr("reading the portal's roles failed", rerr)))
		if gerr == nil {
			w.groups = newGroupIndex(groups)
			for _, r := range w.st.Rows {
				if g, ok := w.groups.find(r.Group.Name); ok && r.Group.ID == "" {
					r.Group = g
				}
			}
		}
		if rerr == nil {
			w.roles = roles
			if w.roles == nil {
				w.roles = []string{}
			}
		}
		w.fillRows()
	})
}

func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w; go Back to the connection test, or select Next again", what, err)
}

// fillRows renders every mapping row with its inline messages.
func (w *Wizard) fillRows() {
	box := w.mapping.rows
	box.RemoveAll()
	problems := mappingProblems(w.st.Rows, w.roles, w.strictMap)
	for i, r := range w.st.Rows {
		box.Add(w.mappingRow(i, r, problems[i]))
	}
	box.Refresh()
}

// The widest labels of a mapping row's buttons: with the member count and
// the + and − buttons, a row then fits the wizard's 900-pixel window.
const groupTextWidth, rolesTextWidth = 190, 320

// buttonText is the style of a button's label.
var buttonText = fyne.TextStyle{Bold: true}

func (w *Wizard) mappingRow(i int, r *setup.MappingRow, problem string) fyne.CanvasObject {
	st := w.st
	groupText := "Choose an Okta group…"
	if r.Group.Name != "" {
		groupText = fitText(r.Group.Name, groupTextWidth, buttonText)
	}
	groupBtn := widget.NewButtonWithIcon(groupText, theme.SearchIcon(), func() {
		if w.groups == nil {
			setErr(w.mapping.loadErr, errors.New("the Okta groups could not be read: go Back and test the connection"))
			return
		}
		newGroupPicker(w.groups, func(g Group) {
			r.Group = g
			w.touch()
			w.fillRows()
		}).show(w.canvas())
	})
	groupBtn.Alignment = widget.ButtonAlignLeading
	members := widget.NewLabel("")
	members.Alignment = fyne.TextAlignTrailing
	if r.Group.Name != "" {
		members.SetText(memberText(r.Group.Members))
	}
	membersCol := container.NewGridWrap(fyne.NewSize(150, members.MinSize().Height), members)
	rolesBtn := widget.NewButtonWithIcon(fitText(rolesText(r.Roles), rolesTextWidth, buttonText), theme.MenuDropDownIcon(), nil)
	rolesBtn.Alignment = widget.ButtonAlignLeading
	rolesBtn.OnTapped = func() { w.pickRoles(r) }
	add := widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() {
		st.Rows = slices.Insert(st.Rows, i+1, &setup.MappingRow{})
		w.touch()
		w.fillRows()
	})
	add.Importance = widget.SuccessImportance
	remove := widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() {
		if len(st.Rows) > 1 {
			st.Rows = slices.Delete(st.Rows, i, i+1)
			w.touch()
			w.fillRows()
		}
	})
	remove.Importance = widget.DangerImportance
	if len(st.Rows) == 1 {
		remove.Disable()
	}
	groupCol := container.NewBorder(nil, nil, nil, membersCol, groupBtn)
	line := container.NewBorder(nil, nil, nil, container.NewHBox(add, remove),
		container.NewGridWithColumns(2, groupCol, rolesBtn))
	errLabel := newErrLabel()
	if problem != "" {
		setErr(errLabel, errors.New(problem))
	}
	return container.NewVBox(line, errLabel)
}

// pickRoles opens the role multi-select: one checkbox per target role.
func (w *Wizard) pickRoles(r *setup.MappingRow) {
	if w.roles == nil {
		setErr(w.mapping.loadErr, errors.New("the portal's roles could not be read: go Back and check the portal settings"))
		return
	}
	checks := widget.NewCheckGroup(w.roles, nil)
	checks.SetSelected(slices.Clone(r.Roles))
	checks.OnChanged = func(sel []string) {
		r.Roles = slices.Clone(sel)
		slices.Sort(r.Roles)
		w.touch()
	}
	var pop *widget.PopUp
	done := widget.NewButton("Done", func() {
		pop.Hide()
		w.fillRows()
	})
	done.Importance = widget.HighImportance
	var body fyne.CanvasObject = checks
	if len(w.roles) == 0 {
		body = note("The portal has no roles yet: create them in the portal first.")
	}
	content := container.NewBorder(bold("Portal roles"), container.NewHBox(done), nil, nil, container.NewVScroll(body))
	c := w.canvas()
	pop = widget.NewModalPopUp(content, c)
	want := body.MinSize().Height + done.MinSize().Height + bold("").MinSize().Height + 4*theme.Padding()
	pop.Resize(fyne.NewSize(min(420, c.Size().Width-40), min(want, 420, c.Size().Height-40)))
	pop.Show()
}

func rolesText(roles []string) string {
	if len(roles) == 0 {
		return "Choose roles…"
	}
	return strings.Join(roles, ", ")
}

// canvas is the canvas pop-ups open over.
func (w *Wizard) canvas() fyne.Canvas {
	return w.parent().Canvas()
}

// mappingProblems returns a message per row, "" where the row is fine. With
// strict, incomplete rows are reported too.
func mappingProblems(rows []*setup.MappingRow, roles []string, strict bool) []string {
	out := make([]string, len(rows))
	first := map[string]int{}
	for i, r := range rows {
		name := strings.ToLower(r.Group.Name)
		switch {
		case name == "" && (strict || len(r.Roles) > 0):
			out[i] = "choose an Okta group for this row, or remove the row with −"
			if len(rows) == 1 {
				// the last row cannot be removed
				out[i] = "choose the Okta group whose members get these roles: select 'Choose an Okta group…' and type part of its name"
			}
		case name != "":
			if j, dup := first[name]; dup {
				out[i] = fmt.Sprintf("the group %s is already mapped in row %d: add these roles to that row and remove this one", r.Group.Name, j+1)
				continue
			}
			first[name] = i
			if strict && len(r.Roles) == 0 {
				out[i] = "choose at least one role for " + r.Group.Name
			}
		}
		if out[i] == "" && roles != nil {
			for _, role := range r.Roles {
				if !slices.Contains(roles, role) {
					out[i] = fmt.Sprintf("the role %q does not exist in the portal: open the roles and untick it", role)
					break
				}
			}
		}
	}
	return out
}

// validateMapping checks step 8.
func (w *Wizard) validateMapping() error {
	if w.groups == nil || w.roles == nil {
		w.loadMappingData()
		return errors.New("the Okta groups and the portal's roles are needed for the mapping: they are being read again")
	}
	w.strictMap = true
	problems := mappingProblems(w.st.Rows, w.roles, true)
	w.fillRows()
	for i, p := range problems {
		if p != "" {
			return fmt.Errorf("row %d: %s", i+1, p)
		}
	}
	return nil
}
