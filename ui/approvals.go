package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/store/record"
	"github.com/rolesync/rolesync/internal/wording"
)

// holdListMax is how many revocations a hold's card lists before it sums up
// the rest.
const holdListMax = 100

// approvalsTab lists the held runs, each with its revocations and Approve
// and Reject buttons.
type approvalsTab struct {
	m       *MainWindow
	content fyne.CanvasObject
	list    *fyne.Container
	holds   []record.Hold
}

func newApprovalsTab(m *MainWindow) *approvalsTab {
	t := &approvalsTab{m: m}
	t.list = container.NewVBox()
	t.content = container.NewVScroll(t.list)
	t.render()
	return t
}

func (t *approvalsTab) reload() {
	src := t.m.deps.History
	if src == nil {
		return
	}
	t.m.background(func(ctx context.Context) {
		holds, err := src.PendingHolds(ctx)
		fyne.Do(func() {
			if err != nil {
				t.m.deps.logger().Warn("approvals: read holds", "err", err)
				t.list.Objects = []fyne.CanvasObject{widget.NewLabel("Could not read the runs waiting for approval: " + err.Error())}
				t.list.Refresh()
				return
			}
			t.holds = holds
			t.render()
		})
	})
}

func (t *approvalsTab) render() {
	if len(t.holds) == 0 {
		empty := widget.NewLabel("Nothing is waiting for approval.\n\n" +
			"When a run would revoke more users than the safety threshold allows, " +
			"or a mapped Okta group has disappeared, its revocations wait here until you approve or reject them. " +
			"Grants and new users are applied at once.")
		empty.Wrapping = fyne.TextWrapWord
		t.list.Objects = []fyne.CanvasObject{empty}
		t.list.Refresh()
		return
	}
	objs := make([]fyne.CanvasObject, 0, len(t.holds))
	for _, h := range t.holds {
		objs = append(objs, t.holdCard(h))
	}
	t.list.Objects = objs
	t.list.Refresh()
}

func (t *approvalsTab) holdCard(h record.Hold) fyne.CanvasObject {
	now := t.m.deps.now()
	lines := container.NewVBox()
	for i, c := range h.Changes {
		if i == holdListMax {
			lines.Add(widget.NewLabel(fmt.Sprintf("… and %d more", len(h.Changes)-holdListMax)))
			break
		}
		l := widget.NewLabel(changeText(c))
		l.Truncation = fyne.TextTruncateEllipsis
		lines.Add(l)
	}
	approve := widget.NewButton("Approve…", func() { t.confirm(h, true) })
	approve.Importance = widget.HighImportance
	reject := widget.NewButton("Reject…", func() { t.confirm(h, false) })
	if t.m.deps.Approver == nil {
		approve.Disable()
		reject.Disable()
	}
	sub := fmt.Sprintf("%s held at %s", wording.Plural(len(h.Changes), "revocation", "revocations"), wording.Time(h.CreatedAt, now))
	buttons := container.NewHBox(layout.NewSpacer(), reject, approve)
	// The decision comes first, so a long list never pushes it off screen.
	return widget.NewCard(fmt.Sprintf("Run %d", h.RunID), sub, container.NewVBox(buttons, lines))
}

// confirm asks before approving or rejecting h, then tells the engine.
func (t *approvalsTab) confirm(h record.Hold, approve bool) {
	title, verb := "Reject held revocations", "Reject"
	msg := fmt.Sprintf("Reject the %s held by run %d? The users keep their roles; the next run will hold them again if they are still due.",
		wording.Plural(len(h.Changes), "revocation", "revocations"), h.RunID)
	if approve {
		title, verb = "Approve held revocations", "Approve"
		msg = fmt.Sprintf("Approve the %s held by run %d? They are checked against a fresh read of Okta, then applied.",
			wording.Plural(len(h.Changes), "revocation", "revocations"), h.RunID)
	}
	d := dialog.NewConfirm(title, msg, func(ok bool) {
		if ok {
			t.decide(h.RunID, approve)
		}
	}, t.m.win)
	d.SetConfirmText(verb)
	d.SetDismissText("Cancel")
	d.Show()
}

func (t *approvalsTab) decide(runID int64, approve bool) {
	eng := t.m.deps.Approver
	t.m.background(func(ctx context.Context) {
		var err error
		if approve {
			err = eng.Approve(ctx, runID)
		} else {
			err = eng.Reject(ctx, runID)
		}
		fyne.Do(func() {
			if err != nil {
				t.m.deps.logger().Warn("approvals: decide", "run", runID, "approve", approve, "err", err)
				dialog.ShowError(fmt.Errorf("run %d: %w", runID, err), t.m.win)
			}
			t.m.reload()
		})
	})
}

// changeText describes a held change in one line.
func changeText(c record.Change) string {
	what := c.Action
	switch c.Action {
	case record.ActionRevokeAll:
		what = "revoke all roles and disable"
	case record.ActionRevoke:
		what = "revoke " + c.Role
	case record.ActionDisable:
		what = "disable"
	}
	if c.Reason == "" {
		return fmt.Sprintf("%s: %s", c.User, what)
	}
	return fmt.Sprintf("%s: %s (%s)", c.User, what, c.Reason)
}
