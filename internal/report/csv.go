package report

import (
	"bufio"
	"context"
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
	row := make([]byte, 0, 512)
	row = append(row, "\uFEFF"...)
	for i, h := range csvHeader {
		if i > 0 {
			row = append(row, ',')
		}
		row = appendCSVField(row, h)
	}
	row = append(row, '\r', '\n')
	if _, err := bw.Write(row); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	err := x.each(ctx, func(c store.Change) error {
		row = appendCSVRow(row[:0], c)
		_, err := bw.Write(row)
		return err
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write csv: %w", err)
	}
	return nil
}

// appendCSVRow appends the cells of one change and the line end.
func appendCSVRow(row []byte, c store.Change) []byte {
	row = strconv.AppendInt(row, c.ID, 10)
	row = append(row, ',')
	row = c.At.UTC().AppendFormat(row, timeLayout)
	row = append(row, ',')
	row = strconv.AppendInt(row, c.RunID, 10)
	for _, f := range [...]string{c.User, c.OktaID, c.Action, c.Role, c.Group, c.Reason, yesNo(c.Held), c.Hash} {
		row = append(row, ',')
		row = appendCSVField(row, neutralise(f))
	}
	return append(row, '\r', '\n')
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
