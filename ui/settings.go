package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/wording"
)

// settingsTab shows the mappings and opens the wizard's screens; it also
// holds the start-at-login option.
type settingsTab struct {
	m         *MainWindow
	content   fyne.CanvasObject
	mappings  *fyne.Container
	interval  *widget.Label
	target    *widget.Label
	autostart *widget.Check
}

func newSettingsTab(m *MainWindow) *settingsTab {
	t := &settingsTab{m: m}
	t.mappings = container.NewVBox()
	t.interval = widget.NewLabel("")
	t.target = widget.NewLabel("")
	editMappings := widget.NewButton("Edit mappings…", func() { t.open(ScreenMappings) })
	editSettings := widget.NewButton("Okta connection and settings…", func() { t.open(ScreenSettings) })
	if m.deps.OpenWizard == nil {
		editMappings.Disable()
		editSettings.Disable()
	}
	t.autostart = widget.NewCheck("Start rolesync when I log in", t.onAutostart)
	if m.deps.Autostart == nil {
		t.autostart.Disable()
	} else {
		t.autostart.Checked = m.deps.Autostart.Enabled()
	}
	mapCard := widget.NewCard("Mappings", "Okta group → portal roles", container.NewVBox(t.mappings, container.NewHBox(editMappings)))
	setCard := widget.NewCard("Settings", "", container.NewVBox(
		container.NewHBox(caption("Sync every"), t.interval),
		container.NewHBox(caption("Target"), t.target),
		t.autostart,
		container.NewHBox(editSettings),
	))
	t.content = container.NewVScroll(container.NewVBox(mapCard, setCard))
	t.reload()
	return t
}

func (t *settingsTab) reload() {
	cfg := t.m.deps.config()
	objs := make([]fyne.CanvasObject, 0, len(cfg.Mappings))
	for _, mp := range cfg.Mappings {
		l := widget.NewLabel(fmt.Sprintf("%s  →  %s", mp.Group, strings.Join(mp.Roles, ", ")))
		l.Truncation = fyne.TextTruncateEllipsis
		objs = append(objs, l)
	}
	if len(objs) == 0 {
		objs = append(objs, widget.NewLabel("No mappings yet. Add one to put an Okta group's members under management."))
	}
	t.mappings.Objects = objs
	t.mappings.Refresh()
	if cfg.Sync.Interval > 0 {
		t.interval.SetText(wording.Interval(cfg.Sync.Interval))
	} else {
		t.interval.SetText("not set")
	}
	t.target.SetText(TargetName(cfg.Target))
}

func (t *settingsTab) open(s Screen) {
	t.m.deps.OpenWizard(t.m.win, s)
}

func (t *settingsTab) onAutostart(on bool) {
	if err := t.m.deps.Autostart.Set(on); err != nil {
		t.m.deps.logger().Warn("settings: start at login", "err", err)
		dialog.ShowError(err, t.m.win)
		t.autostart.OnChanged = nil
		t.autostart.SetChecked(!on)
		t.autostart.OnChanged = t.onAutostart
	}
}

// TargetName names the portal target as an admin knows it.
func TargetName(t config.Target) string {
	switch {
	case t.Kind == config.TargetSCIM && t.Profile == "threatlocker":
		if t.Instance != "" {
			return fmt.Sprintf("ThreatLocker (instance %s), over SCIM", t.Instance)
		}
		return "ThreatLocker, over SCIM"
	case t.Kind == config.TargetSCIM:
		return "SCIM 2.0 service at " + orDash(t.BaseURL)
	case t.Kind == "" || t.Kind == config.TargetLocal:
		return "Local directory"
	}
	return t.Kind
}
