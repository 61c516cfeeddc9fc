package wizard

import (
	"context"
	"errors"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/okta"
)

// oktaAutoSetup creates the API Services app with okta.SetUpApp.
type oktaAutoSetup struct{ opts okta.Options }

// NewOktaAutoSetup returns an AutoSetuper that sets the app up with
// okta.SetUpApp. opts carries the transport settings (CAFile, RootCAs,
// Timeout); each request gives the org URL and its one-time token.
func NewOktaAutoSetup(opts okta.Options) AutoSetuper {
	return oktaAutoSetup{opts: opts}
}

// Setup creates the app, then grants the scope and assigns the role (see
// okta.SetUpApp).
func (s oktaAutoSetup) Setup(ctx context.Context, req AutoSetupRequest) (AutoSetupResult, error) {
	if req.Auth == config.AuthAPIToken {
		return AutoSetupResult{}, errors.New("the Okta API Token type needs no API Services app: create the API token by hand on the Keys screen")
	}
	opts := s.opts
	opts.Domain = req.Domain
	r, err := okta.SetUpApp(ctx, opts, okta.AppSetup{AppName: req.AppName, DPoP: req.Auth == config.AuthScopedDPoP,
		PublicKeys: req.PublicKeys, Token: req.Token})
	if err != nil {
		return AutoSetupResult{}, err
	}
	res := AutoSetupResult{ClientID: r.ClientID, Steps: make([]AutoSetupStep, len(r.Steps))}
	for i, st := range r.Steps {
		res.Steps[i] = AutoSetupStep(st)
	}
	return res, nil
}
