package ui

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/store/record"
)

// ExportFunc writes an audit report of the changes f selects to w, in
// format (csv, jsonl, html or pdf), calling progress as rows are written.
type ExportFunc func(ctx context.Context, w io.Writer, format string, f record.ChangeFilter, progress func(done, total int64)) error

// exportFormats are the report formats offered, by label.
var exportFormats = []struct{ label, format, ext string }{
	{"CSV (Excel)", "csv", ".csv"},
	{"JSON lines", "jsonl", ".jsonl"},
	{"HTML report", "html", ".html"},
	{"PDF report", "pdf", ".pdf"},
}

// showExport asks for a format and a scope, then a file, and exports with
// a progress bar the admin can cancel. f is the history's current filter.
func (m *MainWindow) showExport(f record.ChangeFilter) {
	if m.deps.Export == nil {
		return
	}
	format := formatSelect()
	scope := widget.NewCheck("", nil)
	if f.RunID != 0 {
		scope.Text = fmt.Sprintf("Only run %d, with the filters shown", f.RunID)
		scope.Checked = true
	} else {
		scope.Text = "The whole history"
		scope.Disable()
	}
	form := []*widget.FormItem{widget.NewFormItem("Format", format), widget.NewFormItem("Changes", scope)}
	dialog.ShowForm("Export an audit report", "Choose file…", "Cancel", form, func(ok bool) {
		if !ok {
			return
		}
		sel := exportFormats[format.SelectedIndex()]
		filter := record.ChangeFilter{}
		if scope.Checked {
			filter = f
			filter.Limit, filter.AfterID = 0, 0
		}
		save := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
			if err != nil {
				dialog.ShowError(err, m.win)
				return
			}
			if w == nil {
				return // cancelled
			}
			m.runExport(w, sel.format, filter)
		}, m.win)
		name := "rolesync-audit"
		if filter.RunID != 0 {
			name += fmt.Sprintf("-run-%d", filter.RunID)
		}
		save.SetFileName(name + sel.ext)
		save.Show()
	}, m.win)
}

// formatSelect picks a report format, CSV first.
func formatSelect() *widget.Select {
	labels := make([]string, len(exportFormats))
	for i, e := range exportFormats {
		labels[i] = e.label
	}
	format := widget.NewSelect(labels, nil)
	format.SetSelectedIndex(0)
	return format
}

// runExport exports in the background behind a progress dialog.
func (m *MainWindow) runExport(w fyne.URIWriteCloser, format string, f record.ChangeFilter) {
	exporter{win: m.win, export: m.deps.Export}.run(w, format, f)
}

// exporter writes audit reports from a window: the connection's, or all
// of them from the list of connections.
type exporter struct {
	win    fyne.Window
	export ExportFunc
}

// run exports in the background behind a progress dialog the admin can
// cancel, then says where the report went or why it failed.
func (e exporter) run(w fyne.URIWriteCloser, format string, f record.ChangeFilter) {
	bar := widget.NewProgressBar()
	label := widget.NewLabel("Preparing the report…")
	ctx, cancel := context.WithCancel(context.Background())
	cancelBtn := widget.NewButton("Cancel", cancel)
	prog := dialog.NewCustomWithoutButtons("Exporting "+strings.ToUpper(format), container.NewVBox(label, bar, cancelBtn), e.win)
	prog.Resize(fyne.NewSize(420, 160))
	prog.Show()
	spawn(func() {
		defer cancel()
		err := e.write(ctx, w, format, f, func(done, total int64) {
			fyne.Do(func() {
				if total > 0 {
					bar.SetValue(float64(done) / float64(total))
				}
				label.SetText(fmt.Sprintf("%d of %d changes written", done, total))
			})
		})
		fyne.Do(func() {
			prog.Hide()
			if err != nil {
				dialog.ShowError(fmt.Errorf("the export failed and no report was written: %w", err), e.win)
				return
			}
			dialog.ShowInformation("Export finished", "The report was written to "+w.URI().Path()+".", e.win)
		})
	})
}

// write exports to the file the save dialog chose. The dialog has
// already created (or emptied) that file with the default mode, so it is
// closed and the report goes through privatefile: a 0600 file that appears
// only when complete. A failed export removes the empty file the dialog
// made. A location that is not a local file gets the report streamed.
func (e exporter) write(ctx context.Context, w fyne.URIWriteCloser, format string, f record.ChangeFilter, progress func(done, total int64)) error {
	if w.URI().Scheme() != "file" {
		err := e.export(ctx, w, format, f, progress)
		return errors.Join(err, w.Close())
	}
	path := w.URI().Path()
	if err := w.Close(); err != nil {
		return err
	}
	err := privatefile.Write(path, func(out io.Writer) error {
		bw := bufio.NewWriterSize(out, 256<<10)
		if err := e.export(ctx, bw, format, f, progress); err != nil {
			return err
		}
		return bw.Flush()
	})
	if err != nil {
		if fi, serr := os.Stat(path); serr == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
			os.Remove(path)
		}
	}
	return err
}
