package wizard

import (
	"context"
	"fmt"
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// callTimeout bounds each call the wizard makes through Deps.
const callTimeout = 60 * time.Second

// build makes the frame around the steps.
func (w *Wizard) build() {
	w.heading = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	w.heading.SizeName = theme.SizeNameSubHeadingText
	w.intro = widget.NewLabel("")
	w.intro.Wrapping = fyne.TextWrapWord
	w.progress = widget.NewLabel("")
	w.stepErr = widget.NewLabel("")
	w.stepErr.Wrapping = fyne.TextWrapWord
	w.stepErr.Importance = widget.DangerImportance
	w.stepErr.Hide()
	w.back = widget.NewButton("Back", w.onBack)
	w.next = widget.NewButton("Next", w.onNext)
	w.next.Importance = widget.HighImportance
	w.finish = widget.NewButton("Save and start", func() { w.onSaveAndStart() })
	w.finish.Importance = widget.HighImportance
	cancel := widget.NewButton("Close", w.onClose)
	w.body = container.NewStack()
	// the inset keeps the scroll bar off the fields' right edge
	inset := canvas.NewRectangle(color.Transparent)
	inset.SetMinSize(fyne.NewSize(theme.Padding()*3, 0))
	w.scroll = container.NewVScroll(container.NewBorder(nil, nil, nil, inset, w.body))
	top := container.NewVBox(container.NewBorder(nil, nil, nil, w.progress, w.heading), w.intro, widget.NewSeparator())
	buttons := container.NewBorder(nil, nil, cancel, container.NewHBox(w.back, w.next, w.finish))
	bottom := container.NewVBox(widget.NewSeparator(), w.stepErr, buttons)
	w.content = container.NewPadded(container.NewBorder(top, bottom, nil, nil, w.scroll))
	w.show(0)
}

// show renders step i from the state.
func (w *Wizard) show(i int) {
	w.cur = i
	s := w.steps[i]
	w.heading.SetText(s.Title)
	intro := s.Intro
	if s.IntroFor != nil {
		intro = s.IntroFor(w)
	}
	w.intro.SetText(intro)
	progress := fmt.Sprintf("Step %d of %d", i+1, len(w.steps))
	if c := w.deps.Connection; c != "" {
		progress = c + "  ·  " + progress
	}
	w.progress.SetText(progress)
	w.setStepError(nil)
	w.onDomain = nil
	if i == 0 {
		w.back.Disable()
	} else {
		w.back.Enable()
	}
	if i == len(w.steps)-1 {
		w.next.Hide()
		w.finish.Show()
	} else {
		w.next.Show()
		w.finish.Hide()
	}
	w.log.Debug("wizard step", "step", i+1, "title", s.Title)
	// The view may start a call, which disables the buttons until it ends.
	w.body.Objects = []fyne.CanvasObject{s.View(w)}
	w.body.Refresh()
	w.scroll.ScrollToTop()
}

func (w *Wizard) setStepError(err error) {
	if err == nil {
		w.stepErr.SetText("")
		w.stepErr.Hide()
		return
	}
	w.stepErr.SetText("Before going on: " + err.Error())
	w.stepErr.Show()
}

func (w *Wizard) onBack() {
	if w.cur > 0 && !w.busy {
		w.show(w.cur - 1)
	}
}

func (w *Wizard) onNext() {
	if w.busy || w.cur >= len(w.steps)-1 {
		return
	}
	if v := w.steps[w.cur].Validate; v != nil {
		if err := v(w); err != nil {
			w.setStepError(err)
			return
		}
	}
	w.show(w.cur + 1)
}

// touch marks the wizard as holding unsaved input. The footer's message was
// about the input before this change, so it goes; the fields' inline
// messages stay current, and Next checks the step again.
func (w *Wizard) touch() {
	w.dirty = true
	if w.stepErr.Visible() {
		w.setStepError(nil)
	}
}

// onClose asks whether to keep a draft when the wizard closes midway.
func (w *Wizard) onClose() {
	closeWin := func() {
		if w.win != nil {
			w.win.Close()
		}
	}
	if w.finished || !w.dirty || w.deps.SaveDraft == nil || w.win == nil {
		closeWin()
		return
	}
	msg := widget.NewLabel("The setup is not finished. Keep what you entered as a draft, so that\nthe wizard opens with it next time? Secrets such as API tokens are not kept.")
	dialog.NewCustomConfirm("Keep the draft?", "Keep draft", "Discard", msg, func(keep bool) {
		if keep {
			ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
			defer cancel()
			if err := w.deps.SaveDraft(ctx, w.st.Config()); err != nil {
				dialog.ShowError(fmt.Errorf("the draft could not be kept: %w", err), w.win)
				return
			}
		}
		closeWin()
	}, w.win).Show()
}

// run does work off the UI goroutine, then done on it. While it runs the
// navigation buttons are disabled.
func (w *Wizard) run(work func(ctx context.Context), done func()) {
	if w.busy {
		return // one call at a time; the buttons are disabled meanwhile
	}
	w.busy = true
	w.back.Disable()
	w.next.Disable()
	w.finish.Disable()
	finish := func() {
		w.busy = false
		if w.cur > 0 {
			w.back.Enable()
		}
		w.next.Enable()
		w.finish.Enable()
		done()
	}
	call := func() {
		ctx, cancel := context.WithTimeout(context.Background(), callTimeout)
		defer cancel()
		work(ctx)
	}
	if !w.async {
		call()
		finish()
		return
	}
	go func() {
		call()
		fyne.Do(finish)
	}()
}

// parent is the window dialogs open over.
func (w *Wizard) parent() fyne.Window {
	if w.win != nil {
		return w.win
	}
	return w.app.Driver().AllWindows()[0]
}

// scrollToEnd shows the end of the step, where results appear.
func (w *Wizard) scrollToEnd() {
	// Wrapped labels settle their height once laid out at their width, so
	// lay out and scroll twice.
	for range 2 {
		w.scroll.Refresh()
		w.scroll.ScrollToBottom()
	}
}
