package secrets

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/99designs/keyring"
	"github.com/mtibben/percent"
	"golang.org/x/crypto/argon2"

	"github.com/rolesync/rolesync/internal/privatefile"
)

// The file backend encrypts each item with PBES2 (PBKDF2-SHA256, 8,192
// iterations) keyed by whatever password it is given: cheap to guess
// offline. rolesync therefore never hands it the passphrase itself, but a
// key stretched from it with argon2id and a salt of the keyring's own, kept
// with the parameters in kdfFileName inside the keyring directory.

// kdfFileName is the key-derivation record in the keyring directory.
const kdfFileName = "kdf.json"

// kdfParams is the key-derivation record.
type kdfParams struct {
	KDF       string `json:"kdf"`
	Time      uint32 `json:"time"`
	MemoryKiB uint32 `json:"memory_kib"`
	Threads   uint8  `json:"threads"`
	Salt      []byte `json:"salt"`
	// Migrating is set while the items of a keyring from before the
	// stretching are re-encrypted; an open finishes the job.
	Migrating bool `json:"migrating,omitempty"`
}

// defaultKDF is what a new keyring uses: RFC 9106's second recommended
// option (3 passes over 64 MiB, 4 lanes). Tests lower it.
var defaultKDF = kdfParams{KDF: "argon2id", Time: 3, MemoryKiB: 64 << 10, Threads: 4}

// UseFastKDFForTests makes the keyrings this process creates from now on
// use a cheap argon2id setting (one pass over 64 KiB), so that test suites
// that create many keyrings stay fast. Only tests may call it: a keyring
// records its own setting, so one created this way stays weak.
func UseFastKDFForTests() {
	defaultKDF = kdfParams{KDF: "argon2id", Time: 1, MemoryKiB: 64, Threads: 1}
}

// newKDF returns defaultKDF with a fresh random salt.
func newKDF() (kdfParams, error) {
	p := defaultKDF
	p.Salt = make([]byte, 16)
	if _, err := rand.Read(p.Salt); err != nil {
		return kdfParams{}, fmt.Errorf("make the keyring salt: %w", err)
	}
	return p, nil
}

// check bounds the parameters, so a damaged or altered record can neither
// weaken the derivation to nothing nor make it take hours.
func (p kdfParams) check() error {
	switch {
	case p.KDF != "argon2id":
		return fmt.Errorf("kdf %q is not argon2id", p.KDF)
	case len(p.Salt) < 16:
		return fmt.Errorf("the salt has %d bytes, fewer than 16", len(p.Salt))
	case p.Time < 1 || p.Time > 16:
		return fmt.Errorf("time %d is outside 1 to 16", p.Time)
	case p.MemoryKiB < 64 || p.MemoryKiB > 1<<20:
		return fmt.Errorf("memory_kib %d is outside 64 to 1048576", p.MemoryKiB)
	case p.Threads < 1 || p.Threads > 64:
		return fmt.Errorf("threads %d is outside 1 to 64", p.Threads)
	}
	return nil
}

// derive stretches the passphrase into the password the file backend uses.
func (p kdfParams) derive(pass string) string {
	key := argon2.IDKey([]byte(pass), p.Salt, p.Time, p.MemoryKiB, p.Threads, 32)
	return base64.RawURLEncoding.EncodeToString(key)
}

// readKDF reads dir's key-derivation record; ok is false when there is none
// (a new keyring, or one from before the stretching).
func readKDF(dir string) (p kdfParams, ok bool, err error) {
	data, err := os.ReadFile(filepath.Join(dir, kdfFileName))
	if errors.Is(err, fs.ErrNotExist) {
		return kdfParams{}, false, nil
	}
	if err != nil {
		return kdfParams{}, false, fmt.Errorf("read the keyring's %s: %w", kdfFileName, err)
	}
	if err = json.Unmarshal(data, &p); err == nil {
		err = p.check()
	}
	if err != nil {
		return kdfParams{}, false, fmt.Errorf("the keyring's %s in %s is damaged (%v); restore the keyring directory from a backup, or remove it and store the secrets again", kdfFileName, dir, err)
	}
	return p, true, nil
}

// writeKDF writes dir's key-derivation record atomically, 0600.
func writeKDF(dir string, p kdfParams) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	if err := privatefile.WriteFile(filepath.Join(dir, kdfFileName), append(data, '\n')); err != nil {
		return fmt.Errorf("save the keyring's key derivation: %w", err)
	}
	return nil
}

// itemFiles lists the items' file names in dir: its regular files other
// than the key-derivation record.
func itemFiles(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read the keyring directory: %w", err)
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() && e.Name() != kdfFileName {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// migrate re-encrypts the items of dir that the bare passphrase (legacy)
// decrypts with the stretched password (current). Items already
// re-encrypted are left alone, so an interrupted migration resumes. The
// check item goes first: when neither password opens it, migrate fails with
// ErrWrongPassphrase before writing anything. Another item neither opens
// was unreadable before and is left as it is. Each item is written to a
// temporary directory and renamed into place, so a crash never leaves an
// item half-written.
func migrate(dir, legacy, current string) error {
	files, err := itemFiles(dir)
	if err != nil {
		return err
	}
	names := []string{checkKey}
	for _, f := range files {
		if name := percent.Decode(f); name != checkKey {
			names = append(names, name)
		}
	}
	tmp, err := os.MkdirTemp(filepath.Dir(dir), "."+filepath.Base(dir)+"-migrate-*")
	if err != nil {
		return fmt.Errorf("migrate the keyring: %w", err)
	}
	defer os.RemoveAll(tmp)
	var kr [3]keyring.Keyring
	for i, c := range []struct{ dir, password string }{{dir, legacy}, {dir, current}, {tmp, current}} {
		if kr[i], err = fileBackend(c.dir, c.password); err != nil {
			return err
		}
	}
	oldKR, newKR, staged := kr[0], kr[1], kr[2]
	for _, name := range names {
		if _, err := newKR.Get(name); err == nil || errors.Is(err, keyring.ErrKeyNotFound) {
			continue
		}
		it, err := oldKR.Get(name)
		if err != nil {
			if name == checkKey {
				return err
			}
			continue
		}
		if err := staged.Set(it); err != nil {
			return fmt.Errorf("migrate the keyring item %s: %w", name, err)
		}
		file := percent.Encode(name, "/")
		if err := os.Rename(filepath.Join(tmp, file), filepath.Join(dir, file)); err != nil {
			return fmt.Errorf("migrate the keyring item %s: %w", name, err)
		}
	}
	return nil
}

// fileBackend is the file backend on dir with password, unchecked; an
// item the password does not decrypt reads as ErrWrongPassphrase.
func fileBackend(dir, password string) (keyring.Keyring, error) {
	kr, err := keyring.Open(keyring.Config{
		AllowedBackends:  []keyring.BackendType{keyring.FileBackend},
		ServiceName:      ServiceName,
		FileDir:          dir,
		FilePasswordFunc: func(string) (string, error) { return password, nil },
	})
	if err != nil {
		return nil, fmt.Errorf("open file keyring in %s: %w", dir, err)
	}
	return passwordChecked{Keyring: kr, dir: dir, password: password}, nil
}

// recordless is the file keyring without the key-derivation record among
// its keys.
type recordless struct {
	keyring.Keyring
}

// Keys lists the items, leaving out the key-derivation record.
func (r recordless) Keys() ([]string, error) {
	keys, err := r.Keyring.Keys()
	out := keys[:0]
	for _, k := range keys {
		if k != kdfFileName {
			out = append(out, k)
		}
	}
	return out, err
}
