package report

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/rolesync/rolesync/internal/store"
)

// jsonlVersion names the layout of the JSON lines export.
const jsonlVersion = "rolesync-changes/1"

// jsonlHeader is the first line of a JSON lines export.
type jsonlHeader struct {
	Type      string      `json:"type"` // "header"
	Format    string      `json:"format"`
	Generated string      `json:"generated"`
	Filter    jsonlFilter `json:"filter"`
	Count     int64       `json:"count"`
	ChainHead jsonlHead   `json:"chain_head"`
	// SignedHead is the latest signed checkpoint; Audit the result of
	// checking the chain and the checkpoints.
	SignedHead *signedHead `json:"signed_head"`
	Audit      auditLine   `json:"audit"`
}

type jsonlFilter struct {
	Run     int64  `json:"run,omitempty"`
	User    string `json:"user,omitempty"`
	Group   string `json:"group,omitempty"`
	Role    string `json:"role,omitempty"`
	Action  string `json:"action,omitempty"`
	Since   string `json:"since,omitempty"`
	Until   string `json:"until,omitempty"`
	AfterID int64  `json:"after_id,omitempty"`
	Limit   int    `json:"limit,omitempty"`
}

type jsonlHead struct {
	ID   int64  `json:"id"`
	Hash string `json:"hash"`
}

// jsonlChange is one change line. It carries every field the chain hash
// covers, and the previous hash, so the chain can be recomputed from the
// export (see store.CanonicalChange).
type jsonlChange struct {
	Type     string `json:"type"` // "change"
	ID       int64  `json:"id"`
	At       string `json:"at"`
	Run      int64  `json:"run"`
	User     string `json:"user"`
	OktaID   string `json:"okta_id"`
	Action   string `json:"action"`
	Role     string `json:"role"`
	Group    string `json:"group"`
	Reason   string `json:"reason"`
	Held     bool   `json:"held"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// jsonl writes a header line (the filter, the generation time, the number
// of changes, the chain head, the signed head and the verification result),
// then one line per change.
func (x *exporter) jsonl(ctx context.Context, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	// The lines carry every hash: the chain is left to whoever reads them.
	res, signed, err := x.audit(ctx, false)
	if err != nil {
		return err
	}
	f := x.opts.Filter
	h := jsonlHeader{
		Type: "header", Format: jsonlVersion, Generated: rfc3339(x.opts.Now), Count: x.total,
		Filter: jsonlFilter{Run: f.RunID, User: f.User, Group: f.Group, Role: f.Role, Action: f.Action,
			Since: rfc3339(f.Since), Until: rfc3339(f.Until), AfterID: f.AfterID, Limit: f.Limit},
		ChainHead:  jsonlHead{ID: x.scope.HeadID, Hash: x.scope.HeadHash},
		SignedHead: signed, Audit: newAuditLine(res),
	}
	if err := enc.Encode(h); err != nil {
		return fmt.Errorf("write header: %w", err)
	}
	line := make([]byte, 0, 512)
	err = x.each(ctx, func(c store.Change) error {
		line = appendJSONLChange(line[:0], c)
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("write jsonl: %w", err)
	}
	return nil
}

// appendJSONLChange appends one change line, the fields of jsonlChange in
// its order, written by hand: it is the hot loop of a large export.
func appendJSONLChange(b []byte, c store.Change) []byte {
	b = append(b, `{"type":"change"`...)
	return appendJSONLFields(b, c)
}

// appendJSONLFields appends the fields of a change line after its type,
// from the id to the end of the line.
func appendJSONLFields(b []byte, c store.Change) []byte {
	b = append(b, `,"id":`...)
	b = strconv.AppendInt(b, c.ID, 10)
	b = append(b, `,"at":"`...)
	b = c.At.UTC().AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","run":`...)
	b = strconv.AppendInt(b, c.RunID, 10)
	for _, f := range [...]struct{ key, v string }{
		{`,"user":`, c.User}, {`,"okta_id":`, c.OktaID}, {`,"action":`, c.Action},
		{`,"role":`, c.Role}, {`,"group":`, c.Group}, {`,"reason":`, c.Reason},
	} {
		b = append(b, f.key...)
		b = appendJSONString(b, f.v)
	}
	b = append(b, `,"held":`...)
	b = strconv.AppendBool(b, c.Held)
	b = append(b, `,"prev_hash":`...)
	b = appendJSONString(b, c.PrevHash)
	b = append(b, `,"hash":`...)
	b = appendJSONString(b, c.Hash)
	return append(b, "}\n"...)
}
