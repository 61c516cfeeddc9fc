package okta_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/keys"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/oktasim"
)

// TestSetUpAppAgainstSimulator creates the API Services app in the
// simulated org, first with a wrong token, then with the super-admin's,
// and reads groups with the app it created.
func TestSetUpAppAgainstSimulator(t *testing.T) {
	for _, dpop := range []bool{true, false} {
		t.Run(map[bool]string{true: "dpop", false: "bearer"}[dpop], func(t *testing.T) {
			ctx := context.Background()
			sim, err := oktasim.Start(ctx, oktasim.Options{Users: 30, Groups: 6, Seed: 7, APIToken: "00simsuperadmintoken0000000000000000000000"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = sim.Close() })
			clientKey, err := keys.Generate(keys.ES256, 0)
			if err != nil {
				t.Fatal(err)
			}
			jwk, err := clientKey.PublicJWK()
			if err != nil {
				t.Fatal(err)
			}
			req := okta.AppSetup{AppName: "rolesync", DPoP: dpop, PublicKeys: []string{string(jwk)},
				Token: []byte("00wrongtoken00000000000000000000000000000")}
			opts := okta.Options{Domain: sim.URL(), RootCAs: sim.CAPool()}

			res, err := okta.SetUpApp(ctx, opts, req)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Steps) != 1 || res.Steps[0].OK || res.ClientID != "" {
				t.Fatalf("setup with a wrong token = %+v, want the creation step failed alone", res)
			}
			if s := res.Steps[0]; !strings.Contains(s.Detail, "the API token is not valid") || s.ByHand == "" {
				t.Fatalf("failed creation step %+v, want the token hint and what to do by hand", s)
			}

			req.Token = []byte(sim.APIToken())
			res, err = okta.SetUpApp(ctx, opts, req)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{okta.SetupCreateApp, okta.SetupDPoP, okta.SetupGrantScope, okta.SetupAssignRole}
			if len(res.Steps) != len(want) || res.ClientID == "" {
				t.Fatalf("setup = %+v, want the four steps and a client ID", res)
			}
			for i, s := range res.Steps {
				if s.Name != want[i] || !s.OK || s.ByHand != "" {
					t.Fatalf("step %d = %+v, want %q done", i, s, want[i])
				}
			}
			if d := res.Steps[0].Detail; !strings.HasSuffix(d, ", 1 public key") {
				t.Fatalf("creation detail %q, want the one key counted in the singular", d)
			}

			sc := okta.ScopedConfig{Domain: sim.URL(), ClientID: res.ClientID, Key: clientKey.Signer, KeyID: clientKey.KeyID}
			if dpop {
				dpopKey, err := keys.Generate(keys.ES256, 0)
				if err != nil {
					t.Fatal(err)
				}
				sc.DPoPKey = dpopKey.Signer
			}
			client, err := okta.NewClient(okta.Options{Domain: sim.URL(), RootCAs: sim.CAPool(), MaxRetries: -1,
				Auth: func(base http.RoundTripper) http.RoundTripper { return okta.ScopedTransport(sc, base) }})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(client.Close)
			groups, err := client.ListGroups(ctx, okta.ListGroupsOptions{})
			if err != nil {
				t.Fatalf("the app the setup created cannot read groups: %v", err)
			}
			if len(groups) == 0 {
				t.Fatal("no groups read")
			}
		})
	}
}

// TestSetUpAppSendsWritesOnce checks that a failed creation is not sent
// again (a retry could make a second app), and that the setup refuses
// options that authenticate otherwise than with its token.
func TestSetUpAppSendsWritesOnce(t *testing.T) {
	ctx := context.Background()
	sim, err := oktasim.Start(ctx, oktasim.Options{Users: 5, Groups: 2, Seed: 7, APIToken: "00simsuperadmintoken0000000000000000000000"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = sim.Close() })
	if err := sim.InjectFault(oktasim.Fault{PathPrefix: "/api/v1/apps", Status: http.StatusServiceUnavailable, Count: 1}); err != nil {
		t.Fatal(err)
	}
	opts := okta.Options{Domain: sim.URL(), RootCAs: sim.CAPool()}
	before := sim.Requests()
	res, err := okta.SetUpApp(ctx, opts, okta.AppSetup{AppName: "rolesync", Token: []byte(sim.APIToken())})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Steps) != 1 || res.Steps[0].OK || !strings.HasPrefix(res.Steps[0].Detail, "HTTP 503") {
		t.Fatalf("setup = %+v, want the creation step failed with the 503", res)
	}
	if n := sim.Requests() - before; n != 1 {
		t.Fatalf("the simulator saw %d requests, want the creation sent once", n)
	}

	opts.Transport = http.DefaultTransport
	if _, err := okta.SetUpApp(ctx, opts, okta.AppSetup{Token: []byte(sim.APIToken())}); err == nil {
		t.Fatal("SetUpApp with a Transport of its own: no error")
	}
}
