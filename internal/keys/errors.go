package keys

import "errors"

// Kinds of refusal. Every error this package returns for bad input wraps
// exactly one of these, so callers can tell them apart with errors.Is; the
// error's own text is one sentence that says what is wrong and what to do.
var (
	ErrGarbage         = errors.New("not a key")
	ErrPublicGiven     = errors.New("public key where a private key belongs")
	ErrPrivateGiven    = errors.New("private key where a public key belongs")
	ErrWeakRSA         = errors.New("RSA key too short")
	ErrUnsupported     = errors.New("unsupported key type")
	ErrEncrypted       = errors.New("encrypted private key")
	ErrMismatch        = errors.New("public key does not match private key")
	ErrSameKey         = errors.New("same key for client authentication and DPoP")
	ErrAmbiguous       = errors.New("more than one key")
	errUnsupportedType = &refusal{kind: ErrUnsupported, msg: "only RSA (2048 bits or more) and EC P-256/P-384/P-521 keys are supported; generate an RSA or EC key."}
)

// refusal is an input error: one sentence for the admin, one kind for code.
type refusal struct {
	kind error
	msg  string
}

func (r *refusal) Error() string { return r.msg }
func (r *refusal) Unwrap() error { return r.kind }

func refuse(kind error, msg string) error { return &refusal{kind: kind, msg: msg} }
