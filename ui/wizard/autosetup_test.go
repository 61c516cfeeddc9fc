package wizard

import (
	"context"
	"net/http"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/internal/setup"
)

// TestAutomaticSetupAgainstSimulator runs the wizard's automatic setup
// against the simulated org, then connects with the app it created.
func TestAutomaticSetupAgainstSimulator(t *testing.T) {
	for _, auth := range []string{config.AuthScopedDPoP, config.AuthScoped} {
		t.Run(auth, func(t *testing.T) {
			ctx := context.Background()
			sim, err := oktasim.Start(ctx, oktasim.Options{Users: 30, Groups: 6, Seed: 7, APIToken: "00simsuperadmintoken0000000000000000000000"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sim.Close() })

			rec := &recorder{}
			deps, _, _, _ := newDeps(t, rec)
			store := memKeyStore{}
			deps.Keys = NewKeyService(store)
			deps.AutoSetup = simAutoSetup{okta.Options{RootCAs: sim.CAPool()}}
			w, win := newTestWizard(t, deps)
			w.st.Auth = auth
			w.show(2)
			radio(t, win, setup.ModeAuto).SetSelected(setup.ModeAuto)
			test.Type(entry(t, win, "https://example.okta.com"), sim.URL())
			test.Type(entry(t, win, "super-admin API token"), "00wrongtoken00000000000000000000000000000")
			test.Tap(button(t, win, "Create the app in Okta"))
			mustLabel(t, win, "the API token is not valid")
			mustLabel(t, win, "Left to do by hand in Okta:")

			test.Type(entry(t, win, "super-admin API token"), sim.APIToken())
			test.Tap(button(t, win, "Create the app in Okta"))
			mustLabel(t, win, "The API Services app is ready.")
			mustLabel(t, win, ", 1 public key") // the client authentication key only
			if hasLabel(win, "1 public keys") {
				t.Fatal("the count of keys is not in the singular")
			}
			next(t, w, win, 4)
			cfg := w.st.Config()
			if cfg.Okta.ClientID == "" || cfg.Okta.KeyID == "" {
				t.Fatalf("config after setup %+v", cfg.Okta)
			}

			// The app works: a token is issued with the wizard's keys and
			// the groups can be read.
			clientKey, err := keys.ParsePrivate(store[UseClient])
			if err != nil {
				t.Fatal(err)
			}
			sc := okta.ScopedConfig{Domain: cfg.Okta.Domain, ClientID: cfg.Okta.ClientID, Key: clientKey.Signer, KeyID: clientKey.KeyID}
			if auth == config.AuthScopedDPoP {
				dpopKey, err := keys.ParsePrivate(store[UseDPoP])
				if err != nil {
					t.Fatal(err)
				}
				sc.DPoPKey = dpopKey.Signer
			}
			client, err := okta.NewClient(okta.Options{Domain: cfg.Okta.Domain, RootCAs: sim.CAPool(), MaxRetries: -1,
				Auth: func(base http.RoundTripper) http.RoundTripper { return okta.ScopedTransport(sc, base) }})
			if err != nil {
				t.Fatal(err)
			}
			groups, err := client.ListGroups(ctx, okta.ListGroupsOptions{})
			if err != nil {
				t.Fatalf("the app the wizard created cannot read groups: %v", err)
			}
			if len(groups) == 0 {
				t.Fatal("no groups read")
			}
		})
	}
}

// simAutoSetup is the automatic setup as the app wires it (ui/shell):
// okta.SetUpApp with each request's org URL and token.
type simAutoSetup struct{ opts okta.Options }

func (a simAutoSetup) Setup(ctx context.Context, req AutoSetupRequest) (AutoSetupResult, error) {
	opts := a.opts
	opts.Domain = req.Domain
	r, err := okta.SetUpApp(ctx, opts, okta.AppSetup{AppName: req.AppName, DPoP: req.Auth == config.AuthScopedDPoP,
		PublicKeys: req.PublicKeys, Token: req.Token})
	if err != nil {
		return AutoSetupResult{}, err
	}
	res := AutoSetupResult{ClientID: r.ClientID}
	for _, st := range r.Steps {
		res.Steps = append(res.Steps, AutoSetupStep(st))
	}
	return res, nil
}
