package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// csvHeader names the CSV columns.
var csvHeader = []string{"Change ID", "Time (UTC)", "Run", "User", "Okta ID", "Action", "Role", "Group", "Reason", "Held", "Hash"}

// timeLayout is how change times are written: RFC 3339 in UTC, with the
// fraction of a second when there is one.
const timeLayout = time.RFC3339Nano

// csv writes a UTF-8 BOM (so Excel reads the file as UTF-8), then a header
// row and one row per change, with CRLF line ends.
func (x *exporter) csv(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	if _, err := bw.WriteString("\uFEFF"); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	rec := make([]string, len(csvHeader))
	err := x.each(ctx, func(c store.Change) error {
		rec[0] = strconv.FormatInt(c.ID, 10)
		rec[1] = c.At.UTC().Format(timeLayout)
		rec[2] = strconv.FormatInt(c.RunID, 10)
		rec[3] = neutralise(c.User)
		rec[4] = neutralise(c.OktaID)
		rec[5] = neutralise(c.Action)
		rec[6] = neutralise(c.Role)
		rec[7] = neutralise(c.Group)
		rec[8] = neutralise(c.Reason)
		rec[9] = yesNo(c.Held)
		rec[10] = neutralise(c.Hash)
		return cw.Write(rec)
	})
	if err != nil {
		return err
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// neutralise keeps a spreadsheet from reading a cell as a formula: a cell
// that begins with = + - @, a tab or a carriage return gets a leading
// apostrophe, which Excel and LibreOffice show as text and do not evaluate.
func neutralise(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
