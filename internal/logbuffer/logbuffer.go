// Package logbuffer keeps the app's last log lines in memory, with secrets
// redacted, for the window's Log tab: a slog.Handler that writes into a ring
// of lines, and Redact, which removes tokens, JWTs and private keys from
// any text shown to the user.
package logbuffer

import (
	"context"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"time"
)

// redacted replaces every secret the log buffer finds.
const redacted = "[REDACTED]"

// secretKeyWords are the parts of attribute keys whose values are secrets.
var secretKeyWords = []string{
	"token", "secret", "password", "passphrase", "authorization", "private",
	"credential", "assertion", "apikey", "api_key", "cookie", "dpop",
}

// secretValue matches secrets written into free text: Okta's SSWS header,
// Bearer and DPoP tokens, JWTs and PEM private keys.
var secretValue = regexp.MustCompile(
	`(?i)\b(SSWS|Bearer|DPoP)\s+[A-Za-z0-9._~+/=-]{12,}` +
		`|eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*` +
		`|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY-----|$)`)

// isSecretKey reports whether an attribute key names a secret.
func isSecretKey(key string) bool {
	k := strings.ToLower(key)
	if k == "key" || strings.HasSuffix(k, "_key") || strings.HasSuffix(k, ".key") {
		return true
	}
	for _, w := range secretKeyWords {
		if strings.Contains(k, w) {
			return true
		}
	}
	return false
}

// Redact removes tokens, JWTs and private keys from s.
func Redact(s string) string {
	return secretValue.ReplaceAllStringFunc(s, func(m string) string {
		for _, scheme := range []string{"SSWS", "Bearer", "DPoP"} {
			if len(m) > len(scheme) && strings.EqualFold(m[:len(scheme)], scheme) {
				return m[:len(scheme)] + " " + redacted
			}
		}
		return redacted
	})
}

// Buffer keeps the app's last log lines, with secrets redacted, for the
// Log tab. Its Handler is a slog.Handler; it is safe for concurrent use.
type Buffer struct {
	mu       sync.Mutex
	lines    []string
	next     int
	full     bool
	level    slog.Leveler
	onChange func()
}

// New returns a buffer holding the last n lines at level or above.
func New(n int, level slog.Leveler) *Buffer {
	if n < 1 {
		n = 1
	}
	if level == nil {
		level = slog.LevelInfo
	}
	return &Buffer{lines: make([]string, n), level: level}
}

// Lines returns the buffered lines, oldest first.
func (b *Buffer) Lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.full {
		return append([]string(nil), b.lines[:b.next]...)
	}
	out := make([]string, 0, len(b.lines))
	out = append(out, b.lines[b.next:]...)
	return append(out, b.lines[:b.next]...)
}

// OnChange sets a func called (from the logging goroutine) after each new
// line.
func (b *Buffer) OnChange(fn func()) {
	b.mu.Lock()
	b.onChange = fn
	b.mu.Unlock()
}

func (b *Buffer) add(line string) {
	b.mu.Lock()
	b.lines[b.next] = line
	b.next++
	if b.next == len(b.lines) {
		b.next, b.full = 0, true
	}
	fn := b.onChange
	b.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// Handler returns a slog.Handler that writes into the buffer.
func (b *Buffer) Handler() slog.Handler { return &bufferHandler{buf: b} }

type bufferHandler struct {
	buf    *Buffer
	prefix string // rendered attributes from WithAttrs
	group  string // dotted group prefix for later attributes
}

func (h *bufferHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.buf.level.Level()
}

func (h *bufferHandler) Handle(_ context.Context, r slog.Record) error {
	var sb strings.Builder
	t := r.Time
	if t.IsZero() {
		t = time.Now()
	}
	fmt.Fprintf(&sb, "%s %-5s %s", t.Format("15:04:05"), r.Level.String(), Redact(r.Message))
	sb.WriteString(h.prefix)
	r.Attrs(func(a slog.Attr) bool {
		writeAttr(&sb, h.group, a)
		return true
	})
	h.buf.add(sb.String())
	return nil
}

func (h *bufferHandler) WithAttrs(as []slog.Attr) slog.Handler {
	var sb strings.Builder
	sb.WriteString(h.prefix)
	for _, a := range as {
		writeAttr(&sb, h.group, a)
	}
	return &bufferHandler{buf: h.buf, prefix: sb.String(), group: h.group}
}

func (h *bufferHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &bufferHandler{buf: h.buf, prefix: h.prefix, group: h.group + name + "."}
}

func writeAttr(sb *strings.Builder, group string, a slog.Attr) {
	a.Value = a.Value.Resolve()
	if a.Equal(slog.Attr{}) {
		return
	}
	if a.Value.Kind() == slog.KindGroup {
		g := group
		if a.Key != "" {
			g += a.Key + "."
		}
		for _, ga := range a.Value.Group() {
			writeAttr(sb, g, ga)
		}
		return
	}
	key := group + a.Key
	val := a.Value.String()
	if isSecretKey(a.Key) {
		val = redacted
	} else {
		val = Redact(val)
	}
	if strings.ContainsAny(val, " \t\n\"=") {
		val = fmt.Sprintf("%q", val)
	}
	fmt.Fprintf(sb, " %s=%s", key, val)
}
