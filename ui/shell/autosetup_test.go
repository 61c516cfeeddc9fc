package shell

import (
	"context"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
	"github.com/rolesync/rolesync/ui/wizard"
)

// TestAutoSetupCreatesTheApp runs the wizard's automatic setup as the shell
// wires it against the simulated org: the API token type is refused
// without a request, and a scoped type gets its app, each step reported.
func TestAutoSetupCreatesTheApp(t *testing.T) {
	ctx := context.Background()
	sim, err := oktasim.Start(ctx, oktasim.Options{Users: 10, Groups: 3, Seed: 3, APIToken: "00simsuperadmintoken0000000000000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	setup := autoSetup{okta.Options{RootCAs: sim.CAPool()}}
	before := sim.Requests()
	if _, err := setup.Setup(ctx, wizard.AutoSetupRequest{Domain: sim.URL(), Auth: config.AuthAPIToken, Token: []byte(sim.APIToken())}); err == nil ||
		!strings.Contains(err.Error(), "needs no API Services app") {
		t.Fatalf("setup for the API token type: %v, want a refusal", err)
	}
	if sim.Requests() != before {
		t.Fatal("the refused setup sent requests")
	}
	key, err := keys.Generate(keys.ES256, 0)
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := key.PublicJWK()
	if err != nil {
		t.Fatal(err)
	}
	res, err := setup.Setup(ctx, wizard.AutoSetupRequest{Domain: sim.URL(), AppName: "rolesync", Auth: config.AuthScopedDPoP,
		PublicKeys: []string{string(jwk)}, Token: []byte(sim.APIToken())})
	if err != nil {
		t.Fatal(err)
	}
	if res.ClientID == "" || len(res.Steps) != 4 {
		t.Fatalf("setup = %+v, want a client ID and four steps", res)
	}
	for _, st := range res.Steps {
		if !st.OK {
			t.Fatalf("step %+v failed", st)
		}
	}
	if res.Steps[1].Name != okta.SetupDPoP || res.Steps[1].Detail != "Require DPoP: true" {
		t.Fatalf("DPoP step %+v, want Require DPoP set for scoped_dpop", res.Steps[1])
	}
}
