package ui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/logbuffer"
	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/wording"
)

// dashboardTab shows the connection, the sync's state, the counts under
// management and the chart of the last runs.
type dashboardTab struct {
	m       *MainWindow
	content fyne.CanvasObject

	domain, connection, auth *widget.Label
	state, lastRun, nextRun  *widget.Label
	detailCaption, detail    *widget.Label
	progress                 *widget.ProgressBar
	progressText             *widget.Label
	users, roles, mappings   *widget.Label
	pending                  *widget.Label
	chart                    *runChart

	alert       *widget.Label
	alertAction *widget.Button
	alertBox    *fyne.Container

	syncNow, pause *widget.Button
}

func newDashboardTab(m *MainWindow) *dashboardTab {
	d := &dashboardTab{m: m}
	d.domain = widget.NewLabel("")
	d.domain.Truncation = fyne.TextTruncateEllipsis
	d.connection = widget.NewLabel("")
	d.connection.Truncation = fyne.TextTruncateEllipsis
	d.auth = widget.NewLabel("")
	d.state = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	d.lastRun = widget.NewLabel("")
	d.lastRun.Truncation = fyne.TextTruncateEllipsis
	d.detailCaption = caption("Changes")
	d.detail = widget.NewLabel("")
	d.detail.Wrapping = fyne.TextWrapWord
	d.nextRun = widget.NewLabel("")
	d.progress = widget.NewProgressBar()
	d.progressText = widget.NewLabel("")
	d.users = widget.NewLabel("")
	d.roles = widget.NewLabel("")
	d.mappings = widget.NewLabel("")
	d.pending = widget.NewLabel("")
	d.chart = newRunChart()

	form := func(rows ...fyne.CanvasObject) *fyne.Container { return container.New(layout.NewFormLayout(), rows...) }
	conn := widget.NewCard("Okta connection", "", form(
		caption("Org"), d.domain,
		caption("Status"), d.connection,
		caption("Sign-in"), d.auth,
	))
	// The window's own controls, so that an admin without a tray can sync.
	d.syncNow = widget.NewButtonWithIcon(LabelSyncNow, theme.ViewRefreshIcon(), func() {
		if l := m.deps.Loop; l != nil {
			l.SyncNow()
		}
	})
	d.syncNow.Importance = widget.HighImportance
	d.pause = widget.NewButtonWithIcon(LabelPause, theme.MediaPauseIcon(), d.onPause)
	if m.deps.Loop == nil {
		d.syncNow.Disable()
		d.pause.Disable()
	}
	syncCard := widget.NewCard("Sync", "", container.NewVBox(
		d.state,
		form(caption("Last run"), d.lastRun, d.detailCaption, d.detail, caption("Next run"), d.nextRun),
		d.progress, d.progressText,
		container.NewHBox(d.syncNow, d.pause),
	))
	managed := widget.NewCard("Under management", "", form(
		caption("Users"), d.users,
		caption("Roles"), d.roles,
		caption("Mappings"), d.mappings,
		caption("Approvals"), d.pending,
	))
	chart := widget.NewCard("Last 30 runs", "", d.chart)
	d.alert = widget.NewLabel("")
	d.alert.Wrapping = fyne.TextWrapWord
	d.alertAction = widget.NewButton("Review…", m.showApprovals)
	d.alertBox = container.NewBorder(nil, nil, nil, container.NewCenter(d.alertAction), d.alert)
	top := container.NewVBox(container.NewGridWithColumns(3, conn, syncCard, managed), d.alertBox)
	d.content = container.NewBorder(top, nil, nil, nil, chart)
	d.update(Status{})
	return d
}

// onPause pauses or resumes the scheduled runs, as the tray's item does.
func (d *dashboardTab) onPause() {
	l := d.m.deps.Loop
	if l == nil {
		return
	}
	s := d.m.Status()
	if s.Paused {
		l.Resume()
	} else {
		l.Pause()
	}
	s.Paused = !s.Paused
	d.m.SetStatus(s)
}

// caption is a label naming the value beside it.
func caption(s string) *widget.Label {
	l := widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return l
}

// authName is the seed's name for an authentication type.
func authName(a string) string {
	switch a {
	case config.AuthAPIToken:
		return "Okta API Token"
	case config.AuthScoped:
		return "Scoped Okta Token"
	case config.AuthScopedDPoP:
		return "Scoped DPoP Okta Token"
	case "":
		return "not set up"
	}
	return a
}

// stateLine is the sync's state in a few words.
func stateLine(s Status) string {
	switch {
	case s.Syncing:
		return "Syncing…"
	case s.Pending > 0:
		return "Waiting for approval"
	case s.LastRun != nil && s.LastRun.Status == record.StatusFailed:
		if s.Paused {
			return "Last run failed · paused"
		}
		return "Last run failed"
	case cannotSync(s):
		return "Cannot sync"
	case s.Paused:
		return "Paused"
	case s.NotSetUp:
		return "Not set up yet: open Mappings and Settings"
	case s.LastRun == nil:
		return "No run yet"
	}
	return "Idle, all in line"
}

// lastRunLine describes the last run: its result and time.
func lastRunLine(r *record.Run, now time.Time) string {
	if r == nil {
		return "never"
	}
	return fmt.Sprintf("%s at %s", wording.RunResult(*r), wording.Time(r.FinishedAt, now))
}

// runDetail is the caption and text of the line under the last run: its
// counts, or the reason it failed.
func runDetail(r *record.Run) (string, string) {
	switch {
	case r == nil:
		return "Changes", "–"
	case r.Status == record.StatusFailed:
		return "Reason", orDash(logbuffer.Redact(r.Error))
	}
	// Only the counts that are not zero, held first, so that a narrow
	// window still shows what matters.
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{r.Held, "held"}, {r.Created, "created"}, {r.Granted, "granted"}, {r.Revoked, "revoked"}} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	if len(parts) == 0 {
		return "Changes", "none: all in line"
	}
	return "Changes", strings.Join(parts, ", ")
}

// progressLine says how far the run has got.
func progressLine(p Progress) string {
	var parts []string
	if p.GroupsTotal > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d groups read", p.GroupsRead, p.GroupsTotal))
	}
	if p.ChangesTotal > 0 {
		parts = append(parts, fmt.Sprintf("%d of %d changes applied", p.ChangesApplied, p.ChangesTotal))
	} else if p.ChangesApplied > 0 {
		parts = append(parts, fmt.Sprintf("%d changes applied", p.ChangesApplied))
	}
	if p.ChangesPerSecond > 0 {
		parts = append(parts, fmt.Sprintf("%.0f changes/s", p.ChangesPerSecond))
	}
	if len(parts) == 0 {
		return "starting"
	}
	return strings.Join(parts, ", ")
}

// progressFraction is the run's progress from 0 to 1: reading the groups is
// the first half, applying the changes the second.
func progressFraction(p Progress) float64 {
	f := 0.0
	if p.GroupsTotal > 0 {
		f += 0.5 * float64(p.GroupsRead) / float64(p.GroupsTotal)
	}
	if p.ChangesTotal > 0 {
		f += 0.5 * float64(p.ChangesApplied) / float64(p.ChangesTotal)
	} else if p.GroupsTotal > 0 && p.GroupsRead == p.GroupsTotal && p.ChangesApplied > 0 {
		f = 1
	}
	return min(f, 1)
}

func (d *dashboardTab) update(s Status) {
	now := d.m.deps.now()
	cfg := d.m.deps.config()
	d.domain.SetText(orDash(cfg.Okta.Domain))
	switch {
	case s.Connected:
		d.connection.SetText("Connected")
	case s.ConnectionError != "":
		d.connection.SetText("Not connected: " + logbuffer.Redact(s.ConnectionError))
	default:
		d.connection.SetText("Not checked yet")
	}
	d.auth.SetText(authName(cfg.Okta.Auth))
	d.state.SetText(stateLine(s))
	d.lastRun.SetText(lastRunLine(s.LastRun, now))
	dc, dt := runDetail(s.LastRun)
	d.detailCaption.SetText(dc)
	d.detail.SetText(dt)
	switch {
	case s.Paused:
		d.nextRun.SetText("paused")
	default:
		d.nextRun.SetText(wording.Until(s.NextRun, now))
	}
	if s.Syncing {
		d.progress.SetValue(progressFraction(s.Progress))
		d.progressText.SetText(progressLine(s.Progress))
		d.progress.Show()
		d.progressText.Show()
	} else {
		d.progress.Hide()
		d.progressText.Hide()
	}
	if d.m.deps.Loop != nil {
		if s.Syncing || s.NotSetUp {
			d.syncNow.Disable()
		} else {
			d.syncNow.Enable()
		}
		// Nothing to pause before the setup is saved.
		if s.NotSetUp {
			d.pause.Disable()
		} else {
			d.pause.Enable()
		}
	}
	if s.Paused {
		d.pause.SetText(LabelResume)
		d.pause.SetIcon(theme.MediaPlayIcon())
	} else {
		d.pause.SetText(LabelPause)
		d.pause.SetIcon(theme.MediaPauseIcon())
	}
	d.users.SetText(fmt.Sprint(s.UsersManaged))
	d.roles.SetText(fmt.Sprint(s.RolesManaged))
	d.mappings.SetText(fmt.Sprint(len(cfg.Mappings)))
	d.pending.SetText(fmt.Sprintf("%d waiting", s.Pending))
	d.updateAlert(s)
}

// updateAlert shows, across the window, what needs the admin: a failed
// run's full reason, or revocations waiting for approval.
func (d *dashboardTab) updateAlert(s Status) {
	switch {
	case s.Pending > 0:
		d.alert.Importance = widget.WarningImportance
		if s.Pending == 1 {
			d.alert.SetText("1 run waits for your approval before its revocations are applied.")
		} else {
			d.alert.SetText(fmt.Sprintf("%d runs wait for your approval before their revocations are applied.", s.Pending))
		}
		d.alertAction.Show()
		d.alertBox.Show()
	case s.LastRun != nil && s.LastRun.Status == record.StatusFailed:
		d.alert.Importance = widget.DangerImportance
		r := s.LastRun
		d.alert.SetText(fmt.Sprintf("Run %d failed: %s.%s", r.ID, orDash(logbuffer.Redact(r.Error)), appliedBefore(*r)))
		d.alertAction.Hide()
		d.alertBox.Show()
	case !s.Connected && s.ConnectionError != "":
		d.alert.Importance = widget.DangerImportance
		d.alert.SetText("rolesync cannot sync: " + logbuffer.Redact(s.ConnectionError))
		d.alertAction.Hide()
		d.alertBox.Show()
	default:
		d.alertBox.Hide()
	}
}

// reload reads the runs for the chart.
func (d *dashboardTab) reload() {
	h := d.m.deps.History
	if h == nil {
		return
	}
	d.m.background(func(ctx context.Context) {
		runs, err := h.Runs(ctx, chartRuns, 0)
		if err != nil {
			d.m.deps.logger().Warn("dashboard: read runs", "err", err)
			return
		}
		fyne.Do(func() { d.chart.setRuns(runs) })
	})
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}
