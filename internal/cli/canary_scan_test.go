package cli

import (
	"bytes"
	"compress/zlib"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"html"
	"io"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
)

// A needle is one encoding of one secret: what the canary test looks for.
// Its label names the secret and the encoding, never the value, so that a
// failing test can say what leaked without leaking it again.
type needle struct {
	secret, encoding string
	data             []byte
}

func (n needle) label() string { return n.secret + " as " + n.encoding }

// canaries are the secrets of the canary test in every encoding searched.
type canaries struct {
	needles []needle
	seen    map[string]bool
}

// minNeedle is the shortest encoding searched: shorter ones could match by
// chance in a database page or a PDF stream.
const minNeedle = 12

func (c *canaries) addNeedle(secret, encoding string, data []byte) {
	if len(data) < minNeedle {
		return
	}
	if c.seen == nil {
		c.seen = map[string]bool{}
	}
	if c.seen[string(data)] {
		return
	}
	c.seen[string(data)] = true
	c.needles = append(c.needles, needle{secret, encoding, bytes.Clone(data)})
}

// add registers raw and its encodings: hex (both cases) and base64 in both
// alphabets, padded and not, and, since a secret inside a longer encoded
// value starts at any byte, the characters of each alphabet that depend on
// the secret alone at each of the three alignments.
func (c *canaries) add(secret string, raw []byte) {
	c.addNeedle(secret, "raw", raw)
	c.addNeedle(secret, "hex", []byte(hex.EncodeToString(raw)))
	c.addNeedle(secret, "HEX", []byte(strings.ToUpper(hex.EncodeToString(raw))))
	for _, e := range []struct {
		name       string
		pad, unpad *base64.Encoding
	}{{"base64 std", base64.StdEncoding, base64.RawStdEncoding}, {"base64 url", base64.URLEncoding, base64.RawURLEncoding}} {
		c.addNeedle(secret, e.name+" padded", []byte(e.pad.EncodeToString(raw)))
		c.addNeedle(secret, e.name+" unpadded", []byte(e.unpad.EncodeToString(raw)))
		for shift := 0; shift < 3; shift++ {
			enc := e.unpad.EncodeToString(append(make([]byte, shift), raw...))
			from, to := (8*shift+5)/6, 8*(shift+len(raw))/6
			c.addNeedle(secret, fmt.Sprintf("%s inside a longer value (alignment %d)", e.name, shift), []byte(enc[from:to]))
		}
	}
}

// addPEMBody registers der's PEM body: whole, line by line and by half
// lines, so that a piece of a PEM block cut across its lines is found too.
func (c *canaries) addPEMBody(secret, blockType string, der []byte) {
	c.add(secret+" "+blockType+" DER", der)
	body := pem.EncodeToMemory(&pem.Block{Type: blockType, Bytes: der})
	for i, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "-----") {
			continue
		}
		c.addNeedle(secret, fmt.Sprintf("%s PEM body line %d", blockType, i), []byte(line))
		if half := len(line) / 2; half >= 2*minNeedle {
			c.addNeedle(secret, fmt.Sprintf("%s PEM body line %d, first half", blockType, i), []byte(line[:half]))
			c.addNeedle(secret, fmt.Sprintf("%s PEM body line %d, second half", blockType, i), []byte(line[half:]))
		}
	}
}

// scalar registers one private number of a key: its bytes (minimal, and
// fixed to size when size > 0, as a JWK writes them) in every encoding, and
// its decimal form, as %v prints a *big.Int.
func (c *canaries) scalar(secret, member string, n *big.Int, size int) {
	c.add(secret+" JWK member "+member, n.Bytes())
	if size > 0 {
		c.add(secret+" JWK member "+member, n.FillBytes(make([]byte, size)))
	}
	c.addNeedle(secret, "decimal "+member, []byte(n.String()))
}

// addKey registers a private key: the text it was given in (PEM or JWK),
// its PKCS#8 and PKCS#1 or SEC 1 encodings with their PEM bodies, and its
// private JWK members (d, p, q, dp, dq, qi for RSA; d for EC). A PEM body
// line that only encodes the public key (an RSA modulus starts PKCS#1) is
// left out: the public JWK is printed and kept on purpose.
func (c *canaries) addKey(t *testing.T, secret string, key crypto.Signer, given []byte) {
	t.Helper()
	var priv, pub canaries
	priv.add(secret+" as given", given)
	pk8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	priv.addPEMBody(secret, "PRIVATE KEY", pk8)
	spki, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	pub.add("public", spki)
	switch k := key.(type) {
	case *rsa.PrivateKey:
		priv.addPEMBody(secret, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k))
		pub.add("public", x509.MarshalPKCS1PublicKey(&k.PublicKey))
		pub.add("public", k.N.Bytes())
		k.Precompute()
		for _, m := range []struct {
			name string
			n    *big.Int
		}{{"d", k.D}, {"p", k.Primes[0]}, {"q", k.Primes[1]}, {"dp", k.Precomputed.Dp}, {"dq", k.Precomputed.Dq}, {"qi", k.Precomputed.Qinv}} {
			priv.scalar(secret, m.name, m.n, 0)
		}
	case *ecdsa.PrivateKey:
		sec1, err := x509.MarshalECPrivateKey(k)
		if err != nil {
			t.Fatal(err)
		}
		priv.addPEMBody(secret, "EC PRIVATE KEY", sec1)
		d, err := k.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		priv.scalar(secret, "d", new(big.Int).SetBytes(d), len(d))
		point, err := k.PublicKey.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		pub.add("public", point[1:]) // x and y, after the uncompressed-point tag
	case ed25519.PrivateKey:
		priv.add(secret+" seed", k.Seed())
	default:
		t.Fatalf("%s: unexpected key type %T", secret, key)
	}
	var public []byte
	for _, n := range pub.needles {
		public = append(append(public, n.data...), 0)
	}
	for _, n := range priv.needles {
		if !bytes.Contains(public, n.data) {
			c.addNeedle(n.secret, n.encoding, n.data)
		}
	}
}

// finding is one secret found somewhere: where, which needle, at what offset.
type finding struct {
	where  string
	needle needle
	offset int
	count  int
}

func (f finding) String() string {
	return fmt.Sprintf("%s holds %s at offset %d (%d times)", f.where, f.needle.label(), f.offset, f.count)
}

// scan looks for every needle in data.
func (c *canaries) scan(where string, data []byte) []finding {
	var out []finding
	for _, n := range c.needles {
		if i := bytes.Index(data, n.data); i >= 0 {
			out = append(out, finding{where: where, needle: n, offset: i, count: bytes.Count(data, n.data)})
		}
	}
	return out
}

// redact replaces every needle in s by its label, for test messages.
func (c *canaries) redact(s string) string {
	ns := append([]needle(nil), c.needles...)
	sort.SliceStable(ns, func(i, j int) bool { return len(ns[i].data) > len(ns[j].data) })
	for _, n := range ns {
		s = strings.ReplaceAll(s, string(n.data), "[redacted: "+n.label()+"]")
	}
	return s
}

// scanFile scans a file as it is and, for the exports whose text is
// encoded, as a reader sees it: a PDF's inflated streams, HTML unescaped.
func (c *canaries) scanFile(name string, data []byte) []finding {
	found := c.scan(name, data)
	switch strings.ToLower(filepath.Ext(name)) {
	case ".pdf":
		found = append(found, c.scan(name+" (inflated streams)", pdfStreams(data))...)
	case ".html", ".htm":
		found = append(found, c.scan(name+" (unescaped)", []byte(html.UnescapeString(string(data))))...)
	}
	return found
}

// pdfStreams returns the streams of a PDF, inflated when they are
// compressed (fpdf compresses its pages), one after the other.
func pdfStreams(data []byte) []byte {
	var out []byte
	for rest := data; ; {
		i := bytes.Index(rest, []byte("stream"))
		if i < 0 {
			return out
		}
		rest = rest[i+len("stream"):]
		if bytes.HasPrefix(rest, []byte("\r")) {
			rest = rest[1:]
		}
		if !bytes.HasPrefix(rest, []byte("\n")) {
			continue // "endstream", or the word in a text
		}
		rest = rest[1:]
		end := bytes.Index(rest, []byte("endstream"))
		if end < 0 {
			return out
		}
		body := rest[:end]
		if zr, err := zlib.NewReader(bytes.NewReader(body)); err == nil {
			inflated, _ := io.ReadAll(zr)
			body = inflated
		}
		out = append(append(out, body...), '\n')
		rest = rest[end+len("endstream"):]
	}
}

// scanTree reads every file under root and checks its mode: files 0600,
// directories 0700 (not on Windows, where modes are advisory). It returns
// the secrets found and the modes that are wrong.
func (c *canaries) scanTree(t *testing.T, root string) (found []finding, modes []string) {
	t.Helper()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil // a temporary file gone since the listing
			}
			return err
		}
		rel, _ := filepath.Rel(filepath.Dir(root), path)
		fi, err := os.Lstat(path)
		if os.IsNotExist(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if runtime.GOOS != "windows" {
			want := fs.FileMode(0o600)
			if fi.IsDir() {
				want = 0o700
			}
			if got := fi.Mode().Perm(); got != want || !fi.IsDir() && !fi.Mode().IsRegular() {
				modes = append(modes, fmt.Sprintf("%s: mode %v, want %v", rel, fi.Mode(), want|fi.Mode().Type()))
			}
		}
		if fi.Mode().IsRegular() {
			data, err := os.ReadFile(path)
			if os.IsNotExist(err) {
				return nil
			}
			if err != nil {
				return err
			}
			found = append(found, c.scanFile(rel, data)...)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return found, modes
}

// reportLeaks fails t for each finding and wrong mode, naming the place and the
// secret's label, never its value.
func reportLeaks(t *testing.T, found []finding, modes []string) {
	t.Helper()
	for i, f := range found {
		if i == 40 {
			t.Errorf("… and %d more secrets found", len(found)-i)
			break
		}
		t.Errorf("secret leaked: %s", f)
	}
	for _, m := range modes {
		t.Errorf("wrong mode: %s", m)
	}
}
