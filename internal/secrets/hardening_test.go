package secrets

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/99designs/keyring"
)

// Fake passphrases for these tests; none protects anything real.
const (
	goodPass  = "fake passphrase for tests"
	otherPass = "another fake passphrase"
)

func TestNewKeyringRefusesAShortPassphrase(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	_, err := OpenKeyring(dir, prompt("short pass"))
	if !errors.Is(err, ErrWeakPassphrase) {
		t.Fatalf("a new keyring with a 10-character passphrase: %v; want ErrWeakPassphrase", err)
	}
	if !strings.Contains(err.Error(), "12 characters") || strings.Contains(err.Error(), "short pass") {
		t.Errorf("message = %q", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("a refused passphrase left %d files in the keyring directory", len(entries))
	}
	t.Setenv(EnvPassword, "short pass")
	if _, err := OpenKeyring(t.TempDir(), nil); !errors.Is(err, ErrWeakPassphrase) || !strings.Contains(err.Error(), EnvPassword) {
		t.Fatalf("a short %s for a new keyring: %v; want ErrWeakPassphrase naming the variable", EnvPassword, err)
	}
}

func TestEnvPassphraseLeavesTheEnvironment(t *testing.T) {
	fileOnly(t)
	t.Setenv(EnvPassword, goodPass)
	dir := t.TempDir()
	if _, err := OpenKeyring(dir, nil); err != nil {
		t.Fatal(err)
	}
	if v, ok := os.LookupEnv(EnvPassword); ok {
		t.Fatalf("%s is still in the environment (%d characters)", EnvPassword, len(v))
	}
	// This process still opens the keyring with it, as a retry would.
	if _, err := OpenKeyring(dir, nil); err != nil {
		t.Fatalf("second open after the variable was taken: %v", err)
	}
	// Set to empty, the variable means no passphrase again.
	t.Setenv(EnvPassword, "")
	if _, err := OpenKeyring(dir, nil); !errors.Is(err, ErrNoPassphrase) {
		t.Fatalf("open with the variable emptied: %v; want ErrNoPassphrase", err)
	}
}

// kdfFile reads the keyring's key-derivation record.
func kdfFile(t *testing.T, dir string) map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, kdfFileName))
	if err != nil {
		t.Fatalf("read the key-derivation record: %v", err)
	}
	var m map[string]any
	if err := json.Unmarshal(data, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestNewKeyringStretchesThePassphraseWithArgon2id(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	kr, err := OpenKeyring(dir, prompt(goodPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := New(kr).Set(APIToken, []byte(canary)); err != nil {
		t.Fatal(err)
	}
	rec := kdfFile(t, dir)
	if rec["kdf"] != "argon2id" || rec["salt"] == "" || rec["salt"] == nil {
		t.Fatalf("key-derivation record = %v", rec)
	}
	// The items are not encrypted with the passphrase itself.
	raw, err := openFileUnchecked(dir, goodPass)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Get(APIToken); err == nil {
		t.Fatal("the passphrase alone decrypts an item: it is not stretched")
	}
	keys, err := kr.Keys()
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys {
		if k == kdfFileName {
			t.Errorf("Keys lists the key-derivation record: %q", keys)
		}
	}
	// Another keyring gets another salt.
	dir2 := t.TempDir()
	if _, err := OpenKeyring(dir2, prompt(goodPass)); err != nil {
		t.Fatal(err)
	}
	if kdfFile(t, dir2)["salt"] == rec["salt"] {
		t.Error("two keyrings share a salt")
	}
}

// legacyKeyring writes a keyring the way rolesync did before the
// passphrase was stretched: the file backend keyed by the passphrase.
func legacyKeyring(t *testing.T, dir, pass string) {
	t.Helper()
	kr, err := openFileUnchecked(dir, pass)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range []keyring.Item{
		{Key: checkKey, Data: []byte(ServiceName)},
		{Key: APIToken, Data: []byte(canary)},
		{Key: SCIMToken, Data: []byte(canary + "-scim")},
	} {
		if err := kr.Set(it); err != nil {
			t.Fatal(err)
		}
	}
}

func TestLegacyKeyringIsMigrated(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	const short = "old pw" // passphrases chosen before the minimum still open
	legacyKeyring(t, dir, short)

	if _, err := OpenKeyring(dir, prompt("wrong old pw")); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("legacy keyring with a wrong passphrase: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, kdfFileName)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a wrong passphrase started a migration: %v", err)
	}

	kr, err := OpenKeyring(dir, prompt(short))
	if err != nil {
		t.Fatalf("open a legacy keyring: %v", err)
	}
	for name, want := range map[string]string{APIToken: canary, SCIMToken: canary + "-scim"} {
		if got, err := New(kr).Get(name); err != nil || string(got) != want {
			t.Errorf("%s after migration: %d bytes, %v", name, len(got), err)
		}
	}
	if rec := kdfFile(t, dir); rec["kdf"] != "argon2id" || rec["migrating"] == true {
		t.Fatalf("key-derivation record after migration = %v", rec)
	}
	raw, err := openFileUnchecked(dir, short)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{checkKey, APIToken, SCIMToken} {
		if _, err := raw.Get(name); err == nil {
			t.Errorf("%s is still encrypted with the bare passphrase", name)
		}
	}
	kr2, err := OpenKeyring(dir, prompt(short))
	if err != nil {
		t.Fatalf("reopen the migrated keyring: %v", err)
	}
	if got, err := New(kr2).Get(APIToken); err != nil || string(got) != canary {
		t.Fatalf("Get after reopening: %d bytes, %v", len(got), err)
	}
	if _, err := OpenKeyring(dir, prompt(otherPass)); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("migrated keyring with a wrong passphrase: %v", err)
	}
}

// TestHugeIterationCountIsRefused: an item whose PBES2 count (p2c) is huge
// fails at once instead of spinning a core (CVE-2023-50658).
func TestHugeIterationCountIsRefused(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	kr, err := OpenKeyring(dir, prompt(goodPass))
	if err != nil {
		t.Fatal(err)
	}
	if err := New(kr).Set(APIToken, []byte(canary)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, APIToken)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(string(data), ".")
	head, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(head, &h); err != nil {
		t.Fatal(err)
	}
	h["p2c"] = 2_000_000_000
	head, _ = json.Marshal(h)
	parts[0] = base64.RawURLEncoding.EncodeToString(head)
	if err := os.WriteFile(path, []byte(strings.Join(parts, ".")), 0o600); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { _, err := kr.Get(APIToken); done <- err }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("an item with a tampered p2c decrypted")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("an item with p2c = 2e9 is still being decrypted after 10s")
	}
}

func TestKeyringDirectoryIsTightened(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are advisory on Windows")
	}
	fileOnly(t)
	dir := filepath.Join(t.TempDir(), "keyring")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeyring(dir, prompt(goodPass)); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	if m := fi.Mode().Perm(); m != 0o700 {
		t.Errorf("keyring directory mode = %o, want 700", m)
	}
}

// productionKDF is defaultKDF as shipped; TestMain lowers defaultKDF so
// that each keyring the tests make does not cost 64 MiB and a second.
var productionKDF = defaultKDF

func TestMain(m *testing.M) {
	UseFastKDFForTests()
	os.Exit(m.Run())
}

func TestShippedKDFIsStrong(t *testing.T) {
	p := productionKDF
	p.Salt = make([]byte, 16)
	if err := p.check(); err != nil {
		t.Fatal(err)
	}
	// RFC 9106 and OWASP ask for at least 19 MiB with 2 passes.
	if p.KDF != "argon2id" || p.MemoryKiB < 19<<10 || p.Time < 2 {
		t.Fatalf("shipped key derivation %+v is weaker than recommended", p)
	}
}

func TestPromptIsToldWhenTheKeyringIsNew(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	var reqs []PassphraseRequest
	ask := func(r PassphraseRequest) (string, error) { reqs = append(reqs, r); return goodPass, nil }
	if _, err := OpenKeyring(dir, ask); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenKeyring(dir, ask); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || !reqs[0].New || reqs[1].New || !strings.Contains(reqs[0].Message, "at least 12 characters") {
		t.Fatalf("requests = %+v; want a new keyring, then an existing one", reqs)
	}
}

// TestInterruptedMigrationResumes: a migration stopped after some items
// were re-encrypted finishes on the next open, and a wrong passphrase
// changes nothing meanwhile.
func TestInterruptedMigrationResumes(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	const pass = "legacy fake passphrase"
	legacyKeyring(t, dir, pass)
	params, err := newKDF()
	if err != nil {
		t.Fatal(err)
	}
	params.Migrating = true
	if err := writeKDF(dir, params); err != nil {
		t.Fatal(err)
	}
	// The API token was re-encrypted before the stop; the rest were not.
	current, err := fileBackend(dir, params.derive(pass))
	if err != nil {
		t.Fatal(err)
	}
	if err := current.Set(keyring.Item{Key: APIToken, Data: []byte(canary)}); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(filepath.Join(dir, SCIMToken))
	if _, err := OpenKeyring(dir, prompt(otherPass)); !errors.Is(err, ErrWrongPassphrase) {
		t.Fatalf("resumed migration with a wrong passphrase: %v", err)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, SCIMToken)); string(after) != string(before) {
		t.Fatal("a wrong passphrase rewrote an item")
	}
	kr, err := OpenKeyring(dir, prompt(pass))
	if err != nil {
		t.Fatalf("resume the migration: %v", err)
	}
	for name, want := range map[string]string{APIToken: canary, SCIMToken: canary + "-scim"} {
		if got, err := New(kr).Get(name); err != nil || string(got) != want {
			t.Errorf("%s after the resumed migration: %d bytes, %v", name, len(got), err)
		}
	}
	if rec := kdfFile(t, dir); rec["migrating"] == true {
		t.Error("the record still says migrating")
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("the migration left %d entries beside the keyring directory", len(entries)-1)
	}
}

func TestDamagedKDFRecordIsExplained(t *testing.T) {
	fileOnly(t)
	dir := t.TempDir()
	if _, err := OpenKeyring(dir, prompt(goodPass)); err != nil {
		t.Fatal(err)
	}
	for _, rec := range []string{`{`, `{"kdf":"argon2id","time":1000,"memory_kib":65536,"threads":4,"salt":"AAAAAAAAAAAAAAAAAAAAAA=="}`} {
		if err := os.WriteFile(filepath.Join(dir, kdfFileName), []byte(rec), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := OpenKeyring(dir, prompt(goodPass))
		if err == nil || !strings.Contains(err.Error(), "damaged") || !strings.Contains(err.Error(), "backup") {
			t.Errorf("record %s: %v", rec, err)
		}
	}
}
