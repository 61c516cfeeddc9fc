package app

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/secrets"
)

// OktaClient builds the Okta client for cfg with its credentials from the keyring.
func (rt *Runtime) OktaClient(ctx context.Context, cfg config.Config) (*okta.Client, error) {
	return rt.OktaClientWith(cfg, rt.KeyringGetter())
}

// OktaClientWith builds the Okta client for cfg with credentials from get,
// for a configuration not saved yet (the setup wizard's).
func (rt *Runtime) OktaClientWith(cfg config.Config, get SecretGetter) (*okta.Client, error) {
	auth, err := oktaAuth(cfg, get, rt.DPoPNonces(cfg))
	if err != nil {
		return nil, err
	}
	return okta.NewClient(okta.Options{
		Domain:      cfg.Okta.Domain,
		CAFile:      cfg.Okta.CAFile,
		Auth:        auth,
		Logger:      rt.Logger,
		Concurrency: cfg.Okta.Concurrency,
		RateShare:   float64(cfg.Okta.RateLimitPercent) / 100,
		// 0 leaves the client's default, config.DefaultSearchOverlap.
		SearchOverlap: time.Duration(cfg.Okta.SearchOverlap),
	})
}

func oktaAuth(cfg config.Config, get SecretGetter, nonces okta.NonceCache) (func(http.RoundTripper) http.RoundTripper, error) {
	switch cfg.Okta.Auth {
	case config.AuthAPIToken:
		tok, err := get(secrets.APIToken)
		if err != nil {
			return nil, err
		}
		token := strings.TrimSpace(string(tok))
		return func(base http.RoundTripper) http.RoundTripper { return okta.APITokenTransport(token, base) }, nil
	case config.AuthScoped, config.AuthScopedDPoP:
		client, err := LoadKeyPair(get, secrets.PrivateKey)
		if err != nil {
			return nil, err
		}
		sc := okta.ScopedConfig{Domain: cfg.Okta.Domain, ClientID: cfg.Okta.ClientID, Key: client.Signer, KeyID: client.KeyID, Alg: client.Alg, Scopes: cfg.Okta.Scopes}
		if cfg.Okta.KeyID != "" {
			sc.KeyID = cfg.Okta.KeyID
		}
		if cfg.Okta.Auth == config.AuthScopedDPoP {
			dpop, err := LoadKeyPair(get, secrets.DPoPPrivateKey)
			if err != nil {
				return nil, err
			}
			if err := keys.Distinct(client, dpop); err != nil {
				return nil, err
			}
			sc.DPoPKey, sc.Nonces = dpop.Signer, nonces
		}
		return func(base http.RoundTripper) http.RoundTripper { return okta.ScopedTransport(sc, base) }, nil
	}
	return nil, fmt.Errorf("okta.auth %q is not known: use api_token, scoped or scoped_dpop", cfg.Okta.Auth)
}

// DPoPNonces keeps the DPoP nonce of cfg's Okta org and client in the
// data directory's settings, so that each sync or test of the connection
// starts with the last nonce Okta gave (okta.NonceCache).
func (rt *Runtime) DPoPNonces(cfg config.Config) okta.NonceCache {
	if rt.Store == nil {
		return nil
	}
	return storedNonce{rt: rt, key: "okta.dpop_nonce " + strings.TrimSuffix(strings.TrimSpace(cfg.Okta.Domain), "/") + " " + cfg.Okta.ClientID}
}

// storedNonce is a NonceCache in the store's settings. A nonce that cannot
// be read or saved only costs Okta's nonce retry, so failures are logged.
type storedNonce struct {
	rt  *Runtime
	key string
}

func (n storedNonce) DPoPNonce() string {
	v, _, err := n.rt.Store.Setting(context.Background(), n.key)
	if err != nil {
		n.rt.Logger.Debug("read the saved DPoP nonce", "err", err)
	}
	return v
}

func (n storedNonce) SetDPoPNonce(nonce string) {
	if err := n.rt.Store.SetSetting(context.Background(), n.key, nonce); err != nil {
		n.rt.Logger.Debug("save the DPoP nonce", "err", err)
	}
}

// LoadKeyPair reads the private key name through get and parses it.
func LoadKeyPair(get SecretGetter, name string) (*keys.Pair, error) {
	data, err := get(name)
	if err != nil {
		return nil, err
	}
	p, err := keys.ParsePrivate(data)
	if err != nil {
		return nil, fmt.Errorf("the %s in the keyring is unusable: %w", name, err)
	}
	return p, nil
}

// ConnConfig builds the connection test's settings from cfg and the keyring.
// A secret missing from the keyring fails the test's token step rather than
// stopping it, so the checklist still shows DNS and TLS.
func (rt *Runtime) ConnConfig(cfg config.Config) (okta.ConnConfig, error) {
	return ConnConfigWith(cfg, rt.KeyringGetter())
}

// ConnConfigWith builds the connection test's settings from cfg and get.
func ConnConfigWith(cfg config.Config, get SecretGetter) (okta.ConnConfig, error) {
	cc := okta.ConnConfig{Domain: cfg.Okta.Domain, Auth: cfg.Okta.Auth, ClientID: cfg.Okta.ClientID,
		KeyID: cfg.Okta.KeyID, Scopes: cfg.Okta.Scopes, CAFile: cfg.Okta.CAFile}
	switch cfg.Okta.Auth {
	case config.AuthAPIToken:
		tok, err := get(secrets.APIToken)
		if err != nil && !errors.Is(err, secrets.ErrNotSet) {
			return cc, err
		}
		cc.APIToken = strings.TrimSpace(string(tok))
	case config.AuthScoped, config.AuthScopedDPoP:
		p, err := LoadKeyPair(get, secrets.PrivateKey)
		if err != nil && !errors.Is(err, secrets.ErrNotSet) {
			return cc, err
		}
		if p != nil {
			cc.Key = p.Signer
			if cc.KeyID == "" {
				cc.KeyID = p.KeyID
			}
		}
		if cfg.Okta.Auth == config.AuthScopedDPoP {
			d, err := LoadKeyPair(get, secrets.DPoPPrivateKey)
			if err != nil && !errors.Is(err, secrets.ErrNotSet) {
				return cc, err
			}
			if d != nil {
				cc.DPoPKey = d.Signer
			}
		}
	}
	return cc, nil
}
