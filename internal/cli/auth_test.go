package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// importModeConfig imports a configuration for sim in the given auth mode.
func (h *harness) importModeConfig(sim *oktasim.Server, auth, clientID string) {
	h.t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "okta:\n  domain: %s\n  auth: %s\n  ca_file: %s\n", sim.URL(), auth, sim.CAFile())
	if clientID != "" {
		fmt.Fprintf(&b, "  client_id: %s\n", clientID)
	}
	b.WriteString("mappings:\n  - group: IT Admins\n    roles: [Administrator]\n  - group: Security\n    roles: [Auditor, Read Only]\n")
	path := filepath.Join(h.t.TempDir(), "rolesync.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		h.t.Fatal(err)
	}
	h.mustRun("", "config", "import", path)
	for _, r := range []string{"Administrator", "Read Only", "Auditor"} {
		h.mustRun("", "roles", "add", r)
	}
}

// summary lists the directory as "okta id: roles" lines, sorted.
func (h *harness) summary() string {
	_, all := h.directory()
	var lines []string
	for _, u := range all {
		lines = append(lines, fmt.Sprintf("%s %v %s", u.OktaID, u.Active, strings.Join(u.Roles, ",")))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// TestAuthModesSyncTheSame syncs one simulated org in the three modes and
// checks that the secrets of each never reach the database, the exported
// configuration, the output or the history.
func TestAuthModesSyncTheSame(t *testing.T) {
	const canaryToken = "CANARY-00aBcDeFgHiJkLmNoPqRsTuVwXyZ"
	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: 400, Groups: 30, Seed: 3, APIToken: canaryToken})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	results := map[string]string{}
	calls := map[string]int{}
	for _, mode := range []string{"api_token", "scoped", "scoped_dpop"} {
		t.Run(mode, func(t *testing.T) {
			h := newHarness(t)
			var canaries []string
			var output bytes.Buffer
			clientID := ""
			switch mode {
			case "api_token":
				h.mustRun(canaryToken+"\n", "secrets", "set", "okta-api-token")
				canaries = append(canaries, canaryToken)
			default:
				var jwks [][]byte
				uses := []string{"client"}
				if mode == "scoped_dpop" {
					uses = append(uses, "dpop")
				}
				for _, use := range uses {
					jwk := h.mustRun("", "keys", "generate", "--for", use, "--alg", "ES256")
					output.WriteString(jwk)
					if use == "client" {
						jwks = append(jwks, []byte(strings.TrimSpace(jwk)))
					}
					canaries = append(canaries, h.privateKeyMaterial(use)...)
				}
				clientID, err = sim.CreateServiceApp(oktasim.ServiceApp{Label: "rolesync " + mode, DPoP: mode == "scoped_dpop",
					PublicKeys: jwks, Scopes: []string{"okta.groups.read"}, Roles: []string{"READ_ONLY_ADMIN"}})
				if err != nil {
					t.Fatal(err)
				}
			}
			h.importModeConfig(sim, mode, clientID)
			code, out, errs := h.run("", "doctor")
			output.WriteString(out + errs)
			if code != 0 {
				t.Fatalf("doctor failed in %s mode:\n%s%s", mode, out, errs)
			}
			code, res, errs := h.syncJSON()
			output.WriteString(errs)
			if code != 0 || res.Status != "succeeded" || res.Created == 0 {
				t.Fatalf("sync in %s mode: exit %d, %+v, %s", mode, code, res, errs)
			}
			results[mode], calls[mode] = h.summary(), res.APICalls
			output.WriteString(h.mustRun("", "history", "--json"))
			output.WriteString(h.mustRun("", "config", "export"))
			output.WriteString(h.mustRun("", "plan"))
			db, err := os.ReadFile(filepath.Join(h.connDir(), app.StoreFile))
			if err != nil {
				t.Fatal(err)
			}
			wal, _ := os.ReadFile(filepath.Join(h.connDir(), app.StoreFile+"-wal"))
			for _, c := range canaries {
				for what, data := range map[string][]byte{"the database": db, "the database WAL": wal, "the output": output.Bytes()} {
					if bytes.Contains(data, []byte(c)) {
						t.Errorf("a secret of the %s mode is in %s", mode, what)
					}
				}
			}
		})
	}
	// A scoped mode adds its one token request; DPoP starts with the nonce
	// the connection test saved, so Okta's nonce challenge costs no call.
	if calls["scoped"] != calls["api_token"]+1 || calls["scoped_dpop"] != calls["scoped"] {
		t.Errorf("API calls of the first sync: %v; want the API token's plus one token request in both scoped modes", calls)
	}
	if results["api_token"] == "" || results["api_token"] != results["scoped"] || results["scoped"] != results["scoped_dpop"] {
		t.Errorf("the three modes synced to different results:\napi_token:\n%s\nscoped:\n%s\nscoped_dpop:\n%s",
			results["api_token"], results["scoped"], results["scoped_dpop"])
	}
}

// privateKeyMaterial returns the base64 lines of the private key stored for
// use, the part of it that must never leave the keyring.
func (h *harness) privateKeyMaterial(use string) []string {
	h.t.Helper()
	rt, err := openRuntime(context.Background(), h.dataDir, Env{})
	if err != nil {
		h.t.Fatal(err)
	}
	defer rt.Close()
	sec, err := rt.Secrets()
	if err != nil {
		h.t.Fatal(err)
	}
	name := "okta-private-key"
	if use == "dpop" {
		name = "okta-dpop-private-key"
	}
	pem, err := sec.Get(name)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(string(pem), "\n") {
		if len(line) > 20 && !strings.HasPrefix(line, "-----") {
			out = append(out, line)
		}
	}
	if len(out) == 0 {
		h.t.Fatal("the stored private key has no base64 body")
	}
	return out
}
