package report

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// Source is one connection's history in a report across connections.
type Source struct {
	// Name is the connection's display name, printed in every row.
	Name string
	// Removed marks a removed connection, whose history was kept; its
	// rows name it "NAME (removed)".
	Removed bool
	Store   *store.Store
	// Trust is what the connection's keyring vouches for (see Options.Trust).
	Trust store.Trust
}

// label is the connection's name as the rows print it.
func (s Source) label() string {
	if s.Removed {
		return s.Name + " (removed)"
	}
	return s.Name
}

// jsonlAllVersion names the layout of the JSON lines export across connections.
const jsonlAllVersion = "rolesync-changes-all/1"

// ExportAll writes the changes opts.Filter selects in every source, one
// connection after another in the order given, to w: a CSV whose first
// column names the connection, an HTML page with a section per connection
// (its summary, its rows with a first cell naming it, its signed head), a
// PDF laid out the same way, or JSON lines where a "connection" line
// (the connection's own chain head, signed head and verification result:
// each connection's audit chain is its own) comes before that connection's
// change lines, each naming the connection. opts.Trust is not used: each
// source carries its own. A run number means nothing across connections,
// so a filter by run is refused.
func ExportAll(ctx context.Context, sources []Source, w io.Writer, opts Options) error {
	xs, err := startAll(ctx, sources, w, opts)
	if err != nil {
		return err
	}
	switch opts.Format {
	case FormatCSV:
		err = csvAll(ctx, xs, w)
	case FormatJSONL:
		err = jsonlAll(ctx, xs, w)
	case FormatHTML:
		err = htmlAll(ctx, xs, w)
	case FormatPDF:
		err = pdfAll(ctx, xs, w)
	}
	if err != nil {
		return fmt.Errorf("export %s: %w", opts.Format, err)
	}
	return nil
}

// sourceExport is one source's exporter and the label of its rows.
type sourceExport struct {
	*exporter
	src Source
}

// startAll checks an export across connections and opens each source's
// scope, with a Progress that counts across them all.
func startAll(ctx context.Context, sources []Source, w io.Writer, opts Options) ([]sourceExport, error) {
	switch {
	case len(sources) == 0:
		return nil, errors.New("export: no connection to report on")
	case opts.Filter.RunID != 0:
		return nil, errors.New("export: run numbers are per connection; filter by run on one connection (--connection), or by time across all")
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	opts.Now = opts.Now.UTC()
	xs := make([]sourceExport, 0, len(sources))
	var total int64
	for _, src := range sources {
		if err := checkExport(ctx, src.Store, w, opts); err != nil {
			return nil, fmt.Errorf("%s: %w", src.label(), err)
		}
		sc, err := src.Store.Scope(ctx, opts.Filter)
		if err != nil {
			return nil, fmt.Errorf("export %s: %s: %w", opts.Format, src.label(), err)
		}
		n, err := sc.Count(ctx)
		if err != nil {
			return nil, fmt.Errorf("export %s: %s: %w", opts.Format, src.label(), err)
		}
		o := opts
		o.Trust = src.Trust
		xs = append(xs, sourceExport{&exporter{st: src.Store, opts: o, scope: sc, total: n}, src})
		total += n
	}
	shareProgress(xs, opts.Progress, total)
	return xs, nil
}

// shareProgress makes each source's progress count on from the sources
// before it, against the total of them all.
func shareProgress(xs []sourceExport, progress func(done, total int64), total int64) {
	if progress == nil {
		return
	}
	progress(0, total)
	var before int64
	for _, x := range xs {
		base := before
		x.opts.Progress = func(done, _ int64) { progress(base+done, total) }
		before += x.total
	}
}

// csvAll writes the CSV across connections: the BOM, a header row with
// "Connection" first, and each source's rows as csv writes them, with the
// connection's label first.
func csvAll(ctx context.Context, xs []sourceExport, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	row := append([]byte("\uFEFF"), "Connection"...)
	for _, h := range csvHeader {
		row = append(row, ',')
		row = appendCSVField(row, h)
	}
	row = append(row, '\r', '\n')
	if _, err := bw.Write(row); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	for _, x := range xs {
		label := appendCSVField(nil, neutralise(x.src.label()))
		err := x.each(ctx, func(c store.Change) error {
			row = append(append(row[:0], label...), ',')
			row = appendCSVRow(row, c)
			_, err := bw.Write(row)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", x.src.label(), err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// jsonlAllHeader is the first line of a JSON lines export across connections.
type jsonlAllHeader struct {
	Type        string      `json:"type"` // "header"
	Format      string      `json:"format"`
	Generated   string      `json:"generated"`
	Filter      jsonlFilter `json:"filter"`
	Count       int64       `json:"count"`
	Connections int         `json:"connections"`
}

// jsonlConnection heads one connection's change lines.
type jsonlConnection struct {
	Type       string      `json:"type"` // "connection"
	Connection string      `json:"connection"`
	Removed    bool        `json:"removed"`
	Count      int64       `json:"count"`
	ChainHead  jsonlHead   `json:"chain_head"`
	SignedHead *signedHead `json:"signed_head"`
	Audit      auditLine   `json:"audit"`
}

// jsonlAll writes the JSON lines across connections.
func jsonlAll(ctx context.Context, xs []sourceExport, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	f, total := xs[0].opts.Filter, int64(0)
	for _, x := range xs {
		total += x.total
	}
	h := jsonlAllHeader{Type: "header", Format: jsonlAllVersion, Generated: rfc3339(xs[0].opts.Now), Count: total,
		Filter: jsonlFilter{User: f.User, Group: f.Group, Role: f.Role, Action: f.Action,
			Since: rfc3339(f.Since), Until: rfc3339(f.Until), AfterID: f.AfterID, Limit: f.Limit},
		Connections: len(xs)}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	for _, x := range xs {
		if err := x.jsonlConnection(ctx, enc, bw); err != nil {
			return fmt.Errorf("%s: %w", x.src.label(), err)
		}
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write jsonl: %w", err)
	}
	return nil
}

// jsonlConnection writes one connection's line and its change lines.
func (x sourceExport) jsonlConnection(ctx context.Context, enc *json.Encoder, bw io.Writer) error {
	res, signed, err := x.audit(ctx, false)
	if err != nil {
		return err
	}
	if err := enc.Encode(jsonlConnection{Type: "connection", Connection: x.src.Name, Removed: x.src.Removed,
		Count: x.total, ChainHead: jsonlHead{ID: x.scope.HeadID, Hash: x.scope.HeadHash},
		SignedHead: signed, Audit: newAuditLine(res)}); err != nil {
		return err
	}
	prefix := appendJSONString([]byte(`{"type":"change","connection":`), x.src.Name)
	line := make([]byte, 0, 512)
	return x.each(ctx, func(c store.Change) error {
		line = appendJSONLFields(append(line[:0], prefix...), c)
		_, err := bw.Write(line)
		return err
	})
}

// htmlAll writes one page: the document head once, then each connection's
// section as the report of one connection has it, headed by its name.
func htmlAll(ctx context.Context, xs []sourceExport, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	buf := make([]byte, 0, 1024)
	for i, x := range xs {
		s, err := x.summarise(ctx)
		if err != nil {
			return fmt.Errorf("%s: %w", x.src.label(), err)
		}
		d := htmlData{S: s, Period: s.periodText(), Verify: s.verifyText(), Chart: s.Chart.layout(880, 230, 11),
			Title: s.Chart.title(), Conn: x.src.label(), All: true}
		if i == 0 {
			if err := htmlTemplate.ExecuteTemplate(bw, "doc", d); err != nil {
				return fmt.Errorf("write html: %w", err)
			}
		}
		if err := htmlTemplate.ExecuteTemplate(bw, "section", d); err != nil {
			return fmt.Errorf("write html: %w", err)
		}
		err = x.each(ctx, func(c store.Change) error {
			buf = htmlRow(buf[:0], d.Conn, c)
			_, err := bw.Write(buf)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", x.src.label(), err)
		}
		if err := htmlTemplate.ExecuteTemplate(bw, "sectail", d); err != nil {
			return fmt.Errorf("write html: %w", err)
		}
	}
	if err := htmlTemplate.ExecuteTemplate(bw, "docend", nil); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write html: %w", err)
	}
	return nil
}
