package cli

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/target/scim/scimtest"
)

// The canary secrets: distinctive values that must never leave the keyring
// (the passphrase: never leave the process) in any encoding.
const (
	canaryAPIToken   = "00CanaryOktaApiTok3n-rolesync-9f8e7d6c5b4a"
	canarySCIMToken  = "CanaryScimBearerT0ken-rolesync-7a6b5c4d3e2f"
	canaryPassphrase = "canary passphrase: violet harbour 7431"
)

// TestCanarySecretsNeverLeak gives rolesync a distinctive Okta API token,
// SCIM token, client and DPoP private keys and keyring passphrase, runs
// every headless command in each Okta auth mode against the local target
// and a SCIM provider, with failing runs (faults in Okta and in the SCIM
// provider, a panic in the middle of an apply), and then looks for the
// secrets, in every encoding canaries knows, in each file of the data
// directory (walked, also while a runtime holds it open), the exports, the
// temporary directory, every command's stdout and stderr, the panic's
// stack trace and the process's environment and command line. Every file
// and directory the app made must be private to its owner (0600, 0700).
func TestCanarySecretsNeverLeak(t *testing.T) {
	defer canaryUmask()()
	t.Setenv(secrets.EnvBackend, "file")
	// Every temporary file, the test's and the app's, goes under tmp, which
	// is scanned whole at the end: the data directories, the exports and
	// whatever else was left there.
	tmp, err := os.MkdirTemp("", "rolesync-canary-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(tmp) })
	for _, v := range []string{"TMPDIR", "TMP", "TEMP"} {
		t.Setenv(v, tmp)
	}

	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	pk8, err := x509.MarshalPKCS8PrivateKey(rsaKey)
	if err != nil {
		t.Fatal(err)
	}
	clientPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pk8})
	ecKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	d, err := ecKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	point, err := ecKey.PublicKey.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	b64 := base64.RawURLEncoding.EncodeToString
	dpopJWK := fmt.Sprintf(`{"kty":"EC","crv":"P-256","alg":"ES256","x":%q,"y":%q,"d":%q}`, b64(point[1:33]), b64(point[33:]), b64(d))

	c := &canaries{}
	c.add("the Okta API token", []byte(canaryAPIToken))
	c.add("the SCIM token", []byte(canarySCIMToken))
	c.add("the keyring passphrase", []byte(canaryPassphrase))
	c.addKey(t, "the client private key", rsaKey, clientPEM)
	c.addKey(t, "the DPoP private key", ecKey, []byte(dpopJWK))

	sim, err := oktasim.Start(context.Background(), oktasim.Options{Users: 300, Groups: 30, Seed: 11, APIToken: canaryAPIToken})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	client, err := keys.ParsePrivate(clientPEM)
	if err != nil {
		t.Fatal(err)
	}
	clientJWK, err := client.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}

	var ran [][]string
	removals := 0
	streams := map[string][]byte{}
	exports := filepath.Join(t.TempDir(), "exports")
	if err := os.Mkdir(exports, 0o700); err != nil {
		t.Fatal(err)
	}
	var found []finding
	var badModes []string
	for _, mode := range []string{"api_token", "scoped", "scoped_dpop"} {
		// Each mode starts with the passphrase in the environment; the
		// first command takes it out.
		t.Setenv(secrets.EnvPassword, canaryPassphrase)
		h := &harness{t: t, dataDir: filepath.Join(t.TempDir(), "data-"+mode), env: map[string]string{"ROLESYNC_LOG": "debug"}}
		r := &canaryRun{t: t, h: h, c: c, mode: mode, streams: streams, ran: &ran, removals: &removals}
		clientID := ""
		if mode != "api_token" {
			clientID, err = sim.CreateServiceApp(oktasim.ServiceApp{Label: "rolesync canary " + mode, DPoP: mode == "scoped_dpop",
				PublicKeys: [][]byte{clientJWK}, Scopes: []string{"okta.groups.read"}, Roles: []string{"READ_ONLY_ADMIN"}})
			if err != nil {
				t.Fatal(err)
			}
		}
		canaryCommands(r, sim, mode, clientID, clientPEM, dpopJWK, exports)
		r.addAuditKey()
		// The file keyring's items are among the files searched.
		if items, _ := filepath.Glob(filepath.Join(h.connDir(), app.KeyringDir, "*")); len(items) < 5 {
			t.Errorf("%s: the file keyring holds %d files, want its record and the secrets", mode, len(items))
		}
		_, m := c.scanTree(t, h.dataDir)
		found = append(found, r.extra...)
		badModes = append(append(badModes, r.modes...), m...)
	}

	// The demo keeps its keys in memory; its directory is scanned and its
	// modes checked all the same.
	t.Setenv(secrets.EnvPassword, canaryPassphrase)
	demo := &harness{t: t, dataDir: filepath.Join(t.TempDir(), "data-demo"), env: map[string]string{"ROLESYNC_LOG": "debug"}}
	dr := &canaryRun{t: t, h: demo, c: c, mode: "demo", streams: streams, ran: &ran}
	dr.run(0, "", "demo", "--no-gui", "--users", "40", "--groups", "6")
	_, m := c.scanTree(t, demo.dataDir)
	badModes = append(badModes, m...)
	_, m = c.scanTree(t, exports)
	badModes = append(badModes, m...)
	// The modes of tmp are the test's own (testing makes its directories
	// 0777 less the umask); its files are searched.
	f, _ := c.scanTree(t, tmp)
	found = append(found, f...)
	// The search reads the PDF export's text: a role name is in it.
	if pdf, err := os.ReadFile(filepath.Join(exports, "api_token.pdf")); err != nil || !strings.Contains(string(pdfStreams(pdf)), "Administrator") {
		t.Errorf("the PDF export's text could not be read (%v): a secret in it would go unseen", err)
	}
	for _, name := range sortedKeys(streams) {
		found = append(found, c.scan(name, streams[name])...)
	}
	// The passphrase leaves the environment once read.
	if v, ok := os.LookupEnv(secrets.EnvPassword); ok {
		t.Errorf("%s is still in the environment after the commands (%d characters)", secrets.EnvPassword, len(v))
	}
	found = append(found, c.scan("the process environment", []byte(strings.Join(os.Environ(), "\n")))...)
	found = append(found, c.scan("the process command line", []byte(strings.Join(os.Args, "\n")))...)
	for _, p := range []string{"/proc/self/environ", "/proc/self/cmdline"} {
		if data, err := os.ReadFile(p); err == nil {
			found = append(found, c.scan(p, data)...)
		}
	}
	reportLeaks(t, found, badModes)

	// Every command of the tree ran at least once.
	for _, p := range commandPaths() {
		if !slices.ContainsFunc(ran, func(args []string) bool { return len(args) >= len(p) && slices.Equal(args[:len(p)], p) }) {
			t.Errorf("the canary test never ran `rolesync %s`: add it to canaryCommands", strings.Join(p, " "))
		}
	}
}

// canaryCommands runs every headless command in one auth mode: the
// secrets and keys, the local target (with a panic mid-apply, held runs
// approved and rejected, Okta faults and the daemon), then a SCIM provider
// (with its faults), then the read-only and export commands.
func canaryCommands(r *canaryRun, sim *oktasim.Server, mode, clientID string, clientPEM []byte, dpopJWK, exports string) {
	t := r.t
	r.run(0, canaryAPIToken+"\n", "secrets", "set", "okta-api-token")
	r.run(0, canarySCIMToken+"\n", "secrets", "set", "scim-token")
	// A generated key is a secret too: it is read back and searched for.
	r.run(0, "", "keys", "generate", "--for", "client", "--alg", "ES256")
	r.addStoredKey("the generated client key ("+mode+")", secrets.PrivateKey)
	r.run(0, string(clientPEM), "keys", "import", "--for", "client")
	r.run(0, dpopJWK, "keys", "import", "--for", "dpop")
	// Refused input must not be quoted back: a cut key, one key for both
	// uses, a secret piped to a name rolesync does not keep.
	r.run(1, string(clientPEM[:len(clientPEM)*2/3]), "keys", "import", "--for", "client")
	r.run(1, dpopJWK, "keys", "import", "--for", "client")
	r.run(2, canaryAPIToken+"\n", "secrets", "set", "okta-token")
	r.run(0, "", "config", "import", canaryConfig(t, sim, mode, clientID, "", ""))
	for _, role := range []string{"Administrator", "Read Only", "Auditor"} {
		r.run(0, "", "roles", "add", role)
	}
	r.run(0, "", "roles", "list")
	r.run(0, "", "keys", "show", "--for", "client")
	r.run(0, "", "keys", "show", "--for", "dpop")
	r.run(0, "", "doctor")

	r.panicRun()
	r.run(0, "", "plan")
	r.run(0, "", "plan", "--json")
	r.run(0, "", "sync", "--once", "--dry-run")
	if _, st := r.syncStatus(0); st != "succeeded" {
		t.Fatalf("%s: first sync %s", mode, st)
	}
	// Every revocation is held (the thresholds are 0): one held run is
	// approved, the next rejected.
	for _, verb := range []string{"approve", "reject"} {
		restore := r.removeSecurityMember(sim)
		id, st := r.syncStatus(0)
		if st != "held" {
			t.Fatalf("%s: a sync with a revocation is %s, want held\n%s", mode, st, r.c.redact(string(r.streams[mode+": rolesync sync --once --json stdout"])))
		}
		r.run(0, "", verb, strconv.FormatInt(id, 10))
		restore()
	}
	// Okta failing: answering 401 to every group read (the scoped modes
	// ask for a new token), and, in one mode as the retries take seconds,
	// 500s and dropped connections.
	faults := []oktasim.Fault{{PathPrefix: "/api/v1/groups", Status: 401, Count: 1000}}
	if mode == "api_token" {
		faults = append(faults, oktasim.Fault{PathPrefix: "/api/v1/groups", Status: 500, Count: 1000},
			oktasim.Fault{PathPrefix: "/api/v1/groups", Reset: true, Count: 1000})
	}
	for _, f := range faults {
		if err := sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
		if _, st := r.syncStatus(1); st != "failed" {
			t.Errorf("%s: a sync against a failing Okta is %s, want failed", mode, st)
		}
		if f.Status == 401 {
			r.run(-1, "", "doctor") // its checklist explains the failure
		}
		sim.ClearFaults()
	}
	r.daemon()

	// The SCIM target, behind a proxy that accepts only the canary token.
	srv := scimtest.Start(t, scimtest.Options{MaxResults: 50})
	base, ca, echo := scimProxy(t, srv, canarySCIMToken)
	r.run(0, "", "config", "import", canaryConfig(t, sim, mode, clientID, base, ca))
	for _, role := range []string{"Administrator", "Read Only", "Auditor"} {
		r.run(0, "", "roles", "add", role)
	}
	if _, st := r.syncStatus(0); st != "succeeded" {
		t.Fatalf("%s: sync to SCIM %s", mode, st)
	}
	defer r.removeSecurityMember(sim)()
	for _, fault := range []scimtest.Fault{
		func(*http.Request) (int, http.Header, string, bool) {
			return 500, nil, `{"status":"500","detail":"the provider failed"}`, true
		},
		func(*http.Request) (int, http.Header, string, bool) { panic("canary: the SCIM provider crashed") },
	} {
		srv.SetFault(fault)
		if _, st := r.syncStatus(1); st != "failed" {
			t.Errorf("%s: a sync against a failing SCIM provider is %s, want failed", mode, st)
		}
	}
	srv.SetFault(nil)
	// A provider that quotes the token it was sent in its error.
	echo.Store(true)
	if _, st := r.syncStatus(1); st != "failed" {
		t.Errorf("%s: a sync against a SCIM provider refusing the token is %s, want failed", mode, st)
	}
	echo.Store(false)

	r.run(0, "", "history")
	r.run(0, "", "history", "--json")
	r.run(0, "", "directory", "list")
	r.run(0, "", "directory", "list", "--json")
	r.run(0, "", "audit", "verify")
	if hasCommand("audit", "key") {
		r.run(0, "", "audit", "key")
	}
	for _, format := range []string{"csv", "jsonl", "html", "pdf"} {
		r.run(0, "", "export", "--format", format, "--out", filepath.Join(exports, mode+"."+format))
	}
	r.run(0, "", "config", "export")
	r.run(0, "", "config", "export", filepath.Join(exports, mode+".yaml"))
	r.run(0, "", "version")
	r.run(0, "", "version", "--json")
	r.run(0, "", "--version")
	r.run(0, "", "help", "sync")
	r.run(0, "", "completion", "bash")
	r.run(0, "", "sync", "--once", "--all")
	r.run(0, "", "config", "export", "--all")
	r.run(2, "", "connections")
	r.run(0, "", "connections", "add", "Second "+mode)
	r.run(0, "", "connections", "rename", "Second "+mode, "Second")
	r.run(0, "", "connections", "list")
	r.run(0, "", "connections", "list", "--json")
	r.run(0, "", "--connection", "Second", "history")
	r.run(0, "", "connections", "remove", "Second")
}

// addStoredKey reads the private key kept as name and adds it to the canaries.
func (r *canaryRun) addStoredKey(label, name string) {
	r.t.Helper()
	rt, err := openRuntime(context.Background(), r.h.dataDir, Env{})
	if err != nil {
		r.t.Fatal(err)
	}
	defer rt.Close()
	sec, err := rt.Secrets()
	if err != nil {
		r.t.Fatal(err)
	}
	data, err := sec.Get(name)
	if err != nil {
		r.t.Fatal(err)
	}
	p, err := keys.ParsePrivate(data)
	if err != nil {
		r.t.Fatal(err)
	}
	r.c.addKey(r.t, label, p.Signer, data)
}

// addAuditKey adds the key that signs the audit chain, when the keyring
// holds one, to the canaries.
func (r *canaryRun) addAuditKey() {
	r.t.Helper()
	rt, err := openRuntime(context.Background(), r.h.dataDir, Env{})
	if err != nil {
		r.t.Fatal(err)
	}
	defer rt.Close()
	sec, err := rt.Secrets()
	if err != nil {
		r.t.Fatal(err)
	}
	key, _, err := sec.AuditKey("", false)
	if err != nil {
		r.t.Fatal(err)
	}
	if key != nil {
		r.c.addKey(r.t, "the audit signing key ("+r.mode+")", key, key.Seed())
	}
}

// hasCommand reports whether the command tree has the command path.
func hasCommand(path ...string) bool {
	return slices.ContainsFunc(commandPaths(), func(p []string) bool { return slices.Equal(p, path) })
}

// canaryConfig writes the configuration of one mode: the local target, or
// the SCIM provider at scimURL. Every revocation is held for approval.
func canaryConfig(t *testing.T, sim *oktasim.Server, auth, clientID, scimURL, scimCA string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "okta:\n  domain: %s\n  auth: %s\n  ca_file: %q\n", sim.URL(), auth, sim.CAFile())
	if clientID != "" {
		fmt.Fprintf(&b, "  client_id: %s\n", clientID)
	}
	b.WriteString("sync:\n  interval: 15m\n")
	if scimURL != "" {
		fmt.Fprintf(&b, "target:\n  kind: scim\n  base_url: %s\n  role_mode: groups\n  ca_file: %q\n", scimURL, scimCA)
	}
	b.WriteString("mappings:\n  - group: IT Admins\n    roles: [Administrator]\n  - group: Security\n    roles: [Auditor, Read Only]\n")
	b.WriteString("safety:\n  max_revocations: 0\n  max_revocation_percent: 0\n")
	path := filepath.Join(t.TempDir(), "rolesync.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
