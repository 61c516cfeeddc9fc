package keys

// Match checks that pub is the public half of priv.
func Match(priv *Pair, pub *Public) error {
	if priv == nil || pub == nil {
		return refuse(ErrMismatch, "both the private and the public key are needed; paste the missing one.")
	}
	if !sameKey(priv.Signer.Public(), pub.Key) {
		return refuse(ErrMismatch, "the public key does not belong to this private key; paste the public key Okta generated together with it.")
	}
	return nil
}

// Distinct checks that the client-authentication key and the DPoP key are
// different keys, as Okta requires.
func Distinct(client, dpop *Pair) error {
	if client == nil || dpop == nil {
		return nil
	}
	if sameKey(client.Signer.Public(), dpop.Signer.Public()) {
		return refuse(ErrSameKey, "the DPoP key is the same as the client authentication key; generate a second key pair in Okta for DPoP.")
	}
	return nil
}
