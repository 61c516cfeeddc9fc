package app

import (
	"strings"
	"testing"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/target/scim"
)

func TestSCIMOptionsCarryTheConcurrency(t *testing.T) {
	opts, err := scimOptions(config.Target{Kind: config.TargetSCIM, BaseURL: "https://portal.example.com/scim/v2", Concurrency: 8}, "tok")
	if err != nil || opts.Concurrency != 8 {
		t.Fatalf("scimOptions: concurrency %d, %v; want 8", opts.Concurrency, err)
	}
	for _, n := range []int{-1, 17} {
		opts.Concurrency = n
		if _, err := scim.New(opts); err == nil || !strings.Contains(err.Error(), "outside 1 to 16") {
			t.Errorf("New with concurrency %d: %v, want a refusal", n, err)
		}
	}
}

func TestSCIMOptionsNeedSCIMKind(t *testing.T) {
	_, err := scimOptions(config.Target{Kind: config.TargetLocal}, "tok")
	if err == nil || !strings.Contains(err.Error(), `target kind is "local"`) {
		t.Fatalf("error = %v", err)
	}
}
