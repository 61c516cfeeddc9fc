package logbuffer

import (
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

// Fake secrets, built at run time so no token-like literal sits in the tree.
var (
	fakeSSWS = "00" + strings.Repeat("Zq7", 13) + "x"
	fakeJWT  = "eyJhbGciOiJSUzI1NiJ9." + "eyJzdWIiOiJmYWtlIn0." + "c2lnbmF0dXJl"
)

func TestLogBufferRedactsSecrets(t *testing.T) {
	cases := []struct {
		name   string
		log    func(l *slog.Logger)
		want   string
		secret string
	}{
		{"token attribute", func(l *slog.Logger) { l.Info("set secret", "api_token", fakeSSWS) }, "api_token=[REDACTED]", fakeSSWS},
		{"password attribute", func(l *slog.Logger) { l.Info("keyring", "Password", "hunter2-fake") }, "Password=[REDACTED]", "hunter2-fake"},
		{"private key attribute in a group", func(l *slog.Logger) {
			l.WithGroup("okta").Info("keys", slog.Group("dpop", "private_key", "MC4CAQAwBQYDK2VwBCIEI"))
		}, "okta.dpop.private_key=[REDACTED]", "MC4CAQAwBQYDK2VwBCIEI"},
		{"SSWS header in a message", func(l *slog.Logger) { l.Warn("request failed: Authorization: SSWS " + fakeSSWS) },
			"Authorization: SSWS [REDACTED]", fakeSSWS},
		{"Bearer token in an error value", func(l *slog.Logger) {
			l.Error("okta", "err", fmt.Errorf("retry with Bearer %s failed", fakeJWT))
		}, `err="retry with Bearer [REDACTED] failed"`, fakeJWT},
		{"DPoP token in a With attribute", func(l *slog.Logger) {
			l.With("header", "DPoP "+fakeJWT).Info("call")
		}, `header="DPoP [REDACTED]"`, fakeJWT},
		{"bare JWT", func(l *slog.Logger) { l.Info("assertion built", "value", fakeJWT) }, "value=[REDACTED]", fakeJWT},
		{"PEM private key", func(l *slog.Logger) {
			l.Info("import", "pem", "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIfake\n-----END PRIVATE KEY-----")
		}, "pem=[REDACTED]", "MC4CAQAwBQYDK2VwBCIEIfake"},
		{"ordinary values stay", func(l *slog.Logger) { l.Info("run finished", "run", 4, "api_calls", 12, "auth", "scoped_dpop") },
			"run finished run=4 api_calls=12 auth=scoped_dpop", ""},
		{"the word Bearer alone stays", func(l *slog.Logger) { l.Info("using Bearer tokens") }, "using Bearer tokens", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := New(5, slog.LevelDebug)
			tc.log(slog.New(b.Handler()))
			lines := b.Lines()
			if len(lines) != 1 {
				t.Fatalf("got %d lines, want 1: %q", len(lines), lines)
			}
			if !strings.Contains(lines[0], tc.want) {
				t.Errorf("line %q does not contain %q", lines[0], tc.want)
			}
			if tc.secret != "" && strings.Contains(lines[0], tc.secret) {
				t.Errorf("line %q leaks the secret", lines[0])
			}
		})
	}
}

func TestLogBufferKeepsTheLastLines(t *testing.T) {
	b := New(3, slog.LevelInfo)
	changes := 0
	b.OnChange(func() { changes++ })
	l := slog.New(b.Handler())
	for i := range 5 {
		l.Info(fmt.Sprintf("line %d", i))
	}
	l.Debug("below the level")
	got := b.Lines()
	if len(got) != 3 {
		t.Fatalf("got %d lines, want 3", len(got))
	}
	for i, want := range []string{"line 2", "line 3", "line 4"} {
		if !strings.HasSuffix(got[i], want) {
			t.Errorf("line %d = %q, want it to end in %q", i, got[i], want)
		}
	}
	if changes != 5 {
		t.Errorf("OnChange called %d times, want 5", changes)
	}
}
