package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/report"
	"github.com/rolesync/rolesync/internal/store"
)

// exportOptions are the flags of `rolesync export`.
type exportOptions struct {
	format, out, since, until string
	filter                    store.ChangeFilter
	// all reports on every connection, removed ones included.
	all bool
}

func exportCmd(c *call) *cobra.Command {
	var o exportOptions
	cmd := &cobra.Command{
		Use:   "export --format csv|jsonl|html|pdf --out FILE",
		Short: "write an audit report of the change log",
		Long: `Export writes an audit report of the connection's change log. With --all it
reports on every connection, removed ones included (marked removed), in any
format, with the connection named in every row; each connection's audit
chain is its own, so the JSON lines, HTML and PDF carry each one's signed
head.`,
		Example: `  rolesync export --format pdf --out audit.pdf --since 2026-01-01
  rolesync export --format jsonl --action revoke --out revocations.jsonl
  rolesync export --all --format csv --out all.csv --since 2026-01-01`,
		Args: maxArgs(0),
		RunE: func(cmd *cobra.Command, _ []string) error { return runExport(cmd.Context(), c, o) },
	}
	fs, f := cmd.Flags(), &o.filter
	fs.StringVar(&o.format, "format", "", "csv, jsonl, html or pdf")
	fs.StringVar(&o.out, "out", "", "the file to write")
	fs.StringVar(&o.since, "since", "", "changes from this date or time (e.g. 2026-01-31)")
	fs.StringVar(&o.until, "until", "", "changes up to this date (inclusive) or time")
	fs.StringVar(&f.User, "user", "", "only this user (login)")
	fs.StringVar(&f.Group, "group", "", "only changes caused by this Okta group")
	fs.StringVar(&f.Role, "role", "", "only this role")
	fs.StringVar(&f.Action, "action", "", "only this action (create, grant, revoke, revoke_all, …)")
	fs.Int64Var(&f.RunID, "run", 0, "only this run")
	fs.BoolVar(&o.all, "all", false, "report on every connection, removed ones included")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions([]cobra.Completion{"csv", "jsonl", "html", "pdf"}, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// runExport writes an audit report of the change log. The file appears
// only when the export is complete: it is written beside the target and
// renamed into place.
func runExport(ctx context.Context, c *call, o exportOptions) error {
	format, out, since, until, f := o.format, o.out, o.since, o.until, o.filter
	fm, err := report.ParseFormat(format)
	if err != nil {
		return usagef("export: %v", err)
	}
	if out == "" {
		return usagef("export: say where to write the report with --out FILE")
	}
	if f.Since, err = report.ParseTime(since); err != nil {
		return usagef("export: --since: %v", err)
	}
	if f.Until, err = report.ParseUntil(until); err != nil {
		return usagef("export: --until: %v", err)
	}
	if o.all {
		return runExportAll(ctx, c, fm, out, f)
	}
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		n, err := writeReport(out, report.Options{Format: fm, Filter: f, Trust: rt.ReportTrust(ctx)},
			func(w io.Writer, opts report.Options) error { return report.Export(ctx, rt.Store, w, opts) })
		if err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "%s report of %d changes written to %s\n", fm, n, out)
		return nil
	})
}

// writeReport runs export into path through privatefile: a 0600 file that
// appears only when complete, so a failed export leaves no half-written
// report. It returns the number of changes written.
func writeReport(path string, opts report.Options, export func(io.Writer, report.Options) error) (int64, error) {
	var written int64
	prev := opts.Progress
	opts.Progress = func(done, total int64) {
		written = done
		if prev != nil {
			prev(done, total)
		}
	}
	err := privatefile.Write(path, func(f io.Writer) error {
		w := bufio.NewWriterSize(f, 256<<10)
		if err := export(w, opts); err != nil {
			return err
		}
		return w.Flush()
	})
	if err != nil {
		return 0, errors.Join(errors.New("export failed, no report written"), err)
	}
	return written, nil
}
