package ui

import (
	"errors"
	"fmt"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/store"
)

func TestApproveAndRejectFromTheWindow(t *testing.T) {
	cases := []struct {
		name     string
		button   string
		confirm  string
		approved []int64
		rejected []int64
		status   string
	}{
		{"approve", "Approve…", "Approve", []int64{30}, nil, store.HoldApproved},
		{"reject", "Reject…", "Reject", nil, []int64{30}, store.HoldRejected},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			m, h, e := newDemoWindow(t)
			m.tabs.SelectIndex(2)
			test.Tap(findButton(t, m.approvals.content, tc.button))
			dlg := topOverlay(t, m)
			if len(e.approved)+len(e.rejected) != 0 {
				t.Fatal("the engine was called before the admin confirmed")
			}
			test.Tap(findButton(t, dlg, tc.confirm))
			if fmt.Sprint(e.approved) != fmt.Sprint(tc.approved) || fmt.Sprint(e.rejected) != fmt.Sprint(tc.rejected) {
				t.Errorf("approved %v rejected %v, want %v and %v", e.approved, e.rejected, tc.approved, tc.rejected)
			}
			if h.holds[0].Status != tc.status {
				t.Errorf("hold status = %q, want %q", h.holds[0].Status, tc.status)
			}
			if len(m.approvals.holds) != 0 {
				t.Errorf("the approvals tab still lists %d holds", len(m.approvals.holds))
			}
		})
	}
}

func TestApprovalCanBeCancelled(t *testing.T) {
	m, h, e := newDemoWindow(t)
	m.tabs.SelectIndex(2)
	test.Tap(findButton(t, m.approvals.content, "Approve…"))
	test.Tap(findButton(t, topOverlay(t, m), "Cancel"))
	if len(e.approved) != 0 || h.holds[0].Status != store.HoldPending {
		t.Errorf("cancelled approval reached the engine: approved %v, hold %q", e.approved, h.holds[0].Status)
	}
}

func TestApprovalErrorIsShown(t *testing.T) {
	m, h, e := newDemoWindow(t)
	e.err = errors.New("the fresh Okta read failed; nothing was revoked")
	m.tabs.SelectIndex(2)
	test.Tap(findButton(t, m.approvals.content, "Approve…"))
	test.Tap(findButton(t, topOverlay(t, m), "Approve"))
	found := false
	for _, o := range test.LaidOutObjects(topOverlay(t, m)) {
		if l, ok := o.(*widget.Label); ok && contains(l.Text, "the fresh Okta read failed") {
			found = true
		}
	}
	if !found {
		t.Error("the error dialog does not say why the approval failed")
	}
	if h.holds[0].Status != store.HoldPending || len(m.approvals.holds) != 1 {
		t.Error("a failed approval removed the hold")
	}
}
