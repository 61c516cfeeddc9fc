package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
)

// ParsePrivate reads a private key pasted as PEM (PKCS#1 "RSA PRIVATE KEY",
// PKCS#8 "PRIVATE KEY", SEC 1 "EC PRIVATE KEY") or as a JWK, either alone or
// as the only key of a {"keys":[...]} set, as Okta's "Generate new key"
// shows it. The kid and alg a JWK carries are kept; otherwise the kid is the
// key's thumbprint and the alg follows the key type.
func ParsePrivate(data []byte) (*Pair, error) {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return nil, refuse(ErrGarbage, "the private key is empty; paste the whole key, including its BEGIN and END lines or braces.")
	case data[0] == '{':
		return privateFromJWK(data)
	case bytes.Contains(data, []byte("-----BEGIN")):
		return privateFromPEM(data)
	}
	return nil, refuse(ErrGarbage, "this is not a private key; paste a PEM block (-----BEGIN PRIVATE KEY-----) or a JWK ({\"kty\": ...}).")
}

// ParsePublic reads a public key pasted as PEM ("PUBLIC KEY", "RSA PUBLIC
// KEY" or a "CERTIFICATE") or as a JWK, alone or as the only key of a set.
func ParsePublic(data []byte) (*Public, error) {
	data = bytes.TrimSpace(data)
	switch {
	case len(data) == 0:
		return nil, refuse(ErrGarbage, "the public key is empty; paste the whole key, including its BEGIN and END lines or braces.")
	case data[0] == '{':
		return publicFromJWK(data)
	case bytes.Contains(data, []byte("-----BEGIN")):
		return publicFromPEM(data)
	}
	return nil, refuse(ErrGarbage, "this is not a public key; paste a PEM block (-----BEGIN PUBLIC KEY-----) or a JWK ({\"kty\": ...}).")
}

func privateFromPEM(data []byte) (*Pair, error) {
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, refuse(ErrGarbage, "the PEM text holds no private key; paste the block that begins with -----BEGIN PRIVATE KEY----- and ends with its END line.")
		}
		var (
			key any
			err error
		)
		switch block.Type {
		case "EC PARAMETERS":
			continue
		case "RSA PRIVATE KEY":
			key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
		case "PRIVATE KEY":
			key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
		case "EC PRIVATE KEY":
			key, err = x509.ParseECPrivateKey(block.Bytes)
		case "ENCRYPTED PRIVATE KEY":
			return nil, refuse(ErrEncrypted, "the private key is protected by a passphrase; export it unencrypted (openssl pkcs8 -topk8 -nocrypt) and paste that.")
		case "PUBLIC KEY", "RSA PUBLIC KEY", "CERTIFICATE":
			return nil, refuse(ErrPublicGiven, "this is a public key, but a private key belongs here; paste the private key Okta showed once when it generated the pair.")
		default:
			return nil, refuse(ErrGarbage, fmt.Sprintf("a PEM block of type %q is not a private key; paste a PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY block.", block.Type))
		}
		if err != nil {
			return nil, refuse(ErrGarbage, fmt.Sprintf("the %s block is damaged and cannot be read; copy it again in full.", block.Type))
		}
		signer, ok := key.(crypto.Signer)
		if !ok {
			return nil, errUnsupportedType
		}
		return newPair(signer, "", "")
	}
}

func publicFromPEM(data []byte) (*Public, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, refuse(ErrGarbage, "the PEM text holds no public key; paste the block that begins with -----BEGIN PUBLIC KEY----- and ends with its END line.")
	}
	var (
		key any
		err error
	)
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
		return nil, refuse(ErrPrivateGiven, "this is a private key, but the public key belongs here; paste the public key so the private one is not stored in the configuration.")
	default:
		return nil, refuse(ErrGarbage, fmt.Sprintf("a PEM block of type %q is not a public key; paste a PUBLIC KEY block.", block.Type))
	}
	if err != nil {
		return nil, refuse(ErrGarbage, fmt.Sprintf("the %s block is damaged and cannot be read; copy it again in full.", block.Type))
	}
	return newPublic(key, "", "")
}

// jwkFields are the members a pasted JWK is inspected for before parsing.
type jwkFields struct {
	Kty string          `json:"kty"`
	Use string          `json:"use"`
	D   json.RawMessage `json:"d"`
	// Keys is set when a whole key set was pasted.
	Keys []json.RawMessage `json:"keys"`
}

// oneJWK unwraps a {"keys":[...]} set holding exactly one key.
func oneJWK(data []byte) ([]byte, *jwkFields, error) {
	var f jwkFields
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, nil, refuse(ErrGarbage, "the key looks like JSON but is not valid JSON; copy the whole key again, from the opening to the closing brace.")
	}
	if f.Keys != nil {
		if len(f.Keys) != 1 {
			return nil, nil, refuse(ErrAmbiguous, fmt.Sprintf("the key set holds %d keys; paste exactly one key.", len(f.Keys)))
		}
		return oneJWK(f.Keys[0])
	}
	if f.Kty == "" {
		return nil, nil, refuse(ErrGarbage, "the JSON is not a JWK because it has no \"kty\" member; paste the key exactly as Okta shows it.")
	}
	if f.Use != "" && f.Use != "sig" {
		return nil, nil, refuse(ErrUnsupported, fmt.Sprintf("the key is marked \"use\": %q, but Okta client authentication and DPoP need a signing key (\"use\": \"sig\").", f.Use))
	}
	return data, &f, nil
}

func parseJWK(data []byte) (*jose.JSONWebKey, error) {
	var k jose.JSONWebKey
	if err := k.UnmarshalJSON(data); err != nil {
		return nil, refuse(ErrGarbage, "the JWK cannot be read because a member is missing or malformed; copy the whole key again exactly as Okta shows it.")
	}
	return &k, nil
}

func privateFromJWK(data []byte) (*Pair, error) {
	data, f, err := oneJWK(data)
	if err != nil {
		return nil, err
	}
	if f.Kty != "RSA" && f.Kty != "EC" {
		return nil, errUnsupportedType
	}
	if len(f.D) == 0 {
		return nil, refuse(ErrPublicGiven, "this is a public key, but a private key belongs here; paste the private key Okta showed once when it generated the pair.")
	}
	k, err := parseJWK(data)
	if err != nil {
		return nil, err
	}
	signer, ok := k.Key.(crypto.Signer)
	if !ok {
		return nil, errUnsupportedType
	}
	return newPair(signer, k.KeyID, k.Algorithm)
}

func publicFromJWK(data []byte) (*Public, error) {
	data, f, err := oneJWK(data)
	if err != nil {
		return nil, err
	}
	if f.Kty != "RSA" && f.Kty != "EC" {
		return nil, errUnsupportedType
	}
	if len(f.D) != 0 {
		return nil, refuse(ErrPrivateGiven, "this is a private key, but the public key belongs here; paste the public key so the private one is not stored in the configuration.")
	}
	k, err := parseJWK(data)
	if err != nil {
		return nil, err
	}
	return newPublic(k.Key, k.KeyID, k.Algorithm)
}

// newPair checks a private key and fills in kid and alg.
func newPair(signer crypto.Signer, kid, alg string) (*Pair, error) {
	pub, err := newPublic(signer.Public(), kid, alg)
	if err != nil {
		return nil, err
	}
	switch k := signer.(type) {
	case *rsa.PrivateKey:
		if k.Validate() != nil {
			return nil, refuse(ErrMismatch, "the RSA private key is inconsistent (its parts do not belong together); copy it again in full or generate a new pair.")
		}
	case *ecdsa.PrivateKey:
		if !ecConsistent(k) {
			return nil, refuse(ErrMismatch, "the EC private key is inconsistent (its private part \"d\" does not give its public point \"x\", \"y\"); copy the whole key again from one place, or generate a new pair.")
		}
	}
	return &Pair{Signer: signer, KeyID: pub.KeyID, Alg: pub.Alg}, nil
}

// ecConsistent reports whether d·G is the key's public point (x, y). A JWK
// carries both, and nothing else ties them together.
func ecConsistent(k *ecdsa.PrivateKey) bool {
	priv, err := k.ECDH()
	if err != nil {
		return false
	}
	pub, err := k.PublicKey.ECDH()
	if err != nil {
		return false
	}
	return priv.PublicKey().Equal(pub)
}

// newPublic checks a public key's type and size and fills in kid and alg.
func newPublic(key any, kid, alg string) (*Public, error) {
	if err := checkStrength(key); err != nil {
		return nil, err
	}
	want, err := defaultAlg(key)
	if err != nil {
		return nil, err
	}
	switch {
	case alg == "":
		alg = want
	case !algFits(key, alg):
		return nil, refuse(ErrUnsupported, fmt.Sprintf("the key says \"alg\": %q, which does not fit a %s key; use %s or remove the alg member.", alg, keyKind(key), want))
	}
	if kid == "" {
		if kid, err = Thumbprint(key); err != nil {
			return nil, err
		}
	}
	return &Public{Key: key, KeyID: kid, Alg: alg}, nil
}

func checkStrength(key any) error {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if bits := k.N.BitLen(); bits < MinRSABits {
			return refuse(ErrWeakRSA, fmt.Sprintf("the RSA key is %d bits, but at least %d are required; generate a new 2048- or 3072-bit key.", bits, MinRSABits))
		}
		return nil
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
	}
	return errUnsupportedType
}

func algFits(key any, alg string) bool {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return alg == "RS256" || alg == "RS384" || alg == "RS512"
	case *ecdsa.PublicKey:
		want, _ := defaultAlg(k)
		return alg == want
	}
	return false
}

func keyKind(key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		return "RSA"
	case *ecdsa.PublicKey:
		return "EC " + strings.TrimSpace(k.Curve.Params().Name)
	}
	return "unknown"
}
