package wizard

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

func TestFitText(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		width      float32
		shortened  bool
	}{
		{"short text is kept", "IT Admins", 190, false},
		{"long text is cut", "APP-ThreatLocker-Portal-Administrators-Production-EMEA", 190, true},
		{"nothing fits", "Security", 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := fitText(tc.text, tc.width, buttonText)
			if !tc.shortened {
				if got != tc.text {
					t.Fatalf("%q became %q", tc.text, got)
				}
				return
			}
			if !strings.HasSuffix(got, "…") || !strings.HasPrefix(tc.text, strings.TrimSuffix(got, "…")) {
				t.Fatalf("%q became %q, want a prefix and an ellipsis", tc.text, got)
			}
			if w := fyne.MeasureText(got, theme.TextSize(), buttonText).Width; w > tc.width && got != "…" {
				t.Fatalf("%q is %.0f wide, more than %.0f", got, w, tc.width)
			}
		})
	}
}

func TestLongGroupNameKeepsTheWindowWidth(t *testing.T) {
	rec := &recorder{}
	deps, _, _, _ := newDeps(t, rec)
	cfg := settingsConfig()
	deps.Config = &cfg
	w, win := newTestWizard(t, deps)
	long := "APP-ThreatLocker-Portal-Administrators-Production-EMEA"
	w.st.Rows[0].Group = Group{Name: long, Members: 1200}
	w.st.Rows[0].Roles = []string{"Administrator", "Auditor", "Read Only", "Helpdesk Technician", "Global Approver"}
	w.show(int(StepMapping))
	if got := win.Content().MinSize().Width; got > 900 {
		t.Fatalf("the mapping needs %.0f pixels, more than the wizard's 900", got)
	}
	find(t, win, "shortened group button", func(b *widget.Button) bool {
		return strings.HasSuffix(b.Text, "…") && strings.HasPrefix(long, strings.TrimSuffix(b.Text, "…"))
	})
	mustLabel(t, win, "1,200 members")
}
