package secrets

import (
	"bytes"
	"crypto/aes"
	"crypto/pbkdf2"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/99designs/keyring"
	"github.com/mtibben/percent"
)

// The file backend encrypts each item as a JWE whose content key is
// wrapped with a key derived from the password (PBES2-HS256+A128KW). A
// wrong password fails the key wrap's integrity check (RFC 3394), which
// the JOSE library reports only as text; passwordChecked tells it apart
// by doing that check itself.
const (
	pbes2Alg = "PBES2-HS256+A128KW"
	// maxPBES2Iterations bounds the work a tampered item can ask for; it
	// is the JOSE library's own limit.
	maxPBES2Iterations = 1310000
	// kwIV is the RFC 3394 default initial value a correct unwrap yields.
	kwIV = 0xA6A6A6A6A6A6A6A6
)

// passwordChecked is the file backend on dir: an item it cannot decrypt
// because the password does not unwrap its key is ErrWrongPassphrase.
type passwordChecked struct {
	keyring.Keyring
	dir, password string
}

// Get reads an item; see passwordChecked.
func (k passwordChecked) Get(key string) (keyring.Item, error) {
	it, err := k.Keyring.Get(key)
	var pe *fs.PathError
	if err == nil || errors.Is(err, keyring.ErrKeyNotFound) || errors.As(err, &pe) {
		return it, err
	}
	token, rerr := os.ReadFile(filepath.Join(k.dir, percent.Encode(key, "/")))
	if rerr == nil && passwordFails(token, k.password) {
		return keyring.Item{}, ErrWrongPassphrase
	}
	return it, err
}

// pbes2Header is the part of a JWE header that derives the wrapping key.
type pbes2Header struct {
	Alg string `json:"alg"`
	P2S string `json:"p2s"`
	P2C int    `json:"p2c"`
}

// passwordFails reports whether password fails to unwrap the content key
// of token, a compact PBES2-HS256+A128KW JWE. A token it cannot read is
// not judged: false.
func passwordFails(token []byte, password string) bool {
	parts := strings.Split(strings.TrimSpace(string(token)), ".")
	if len(parts) != 5 {
		return false
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[0])
	var h pbes2Header
	if err != nil || json.Unmarshal(raw, &h) != nil || h.Alg != pbes2Alg || h.P2C < 1 || h.P2C > maxPBES2Iterations {
		return false
	}
	salt, err1 := base64.RawURLEncoding.DecodeString(h.P2S)
	wrapped, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	if err1 != nil || err2 != nil || len(wrapped) < 24 || len(wrapped)%8 != 0 {
		return false
	}
	kek, err := pbkdf2.Key(sha256.New, password, append(append([]byte(h.Alg), 0), salt...), h.P2C, 16)
	if err != nil {
		return false
	}
	return !unwrapsCleanly(kek, wrapped)
}

// unwrapsCleanly runs the RFC 3394 key unwrap of wrapped with kek and
// reports whether its integrity check holds.
func unwrapsCleanly(kek, wrapped []byte) bool {
	block, err := aes.NewCipher(kek)
	if err != nil {
		return false
	}
	n := len(wrapped)/8 - 1
	a := binary.BigEndian.Uint64(wrapped[:8])
	r := bytes.Clone(wrapped[8:])
	var buf [16]byte
	for j := 5; j >= 0; j-- {
		for i := n; i >= 1; i-- {
			binary.BigEndian.PutUint64(buf[:8], a^uint64(n*j+i))
			copy(buf[8:], r[(i-1)*8:i*8])
			block.Decrypt(buf[:], buf[:])
			a = binary.BigEndian.Uint64(buf[:8])
			copy(r[(i-1)*8:i*8], buf[8:])
		}
	}
	return a == kwIV
}
