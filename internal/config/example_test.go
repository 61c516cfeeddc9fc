package config_test

import (
	"errors"
	"fmt"

	"github.com/rolesync/rolesync/internal/config"
)

func ExampleConfig_Validate() {
	cfg := config.Default()
	cfg.Okta.Domain = "example.okta.com"
	cfg.Mappings = []config.Mapping{{Group: "Engineering", Roles: []string{"Read Only"}}}
	err := cfg.Validate()
	var ve *config.ValidationError
	if errors.As(err, &ve) {
		for _, fe := range ve.Errors {
			fmt.Println(fe)
		}
	}
	// Output:
	// okta.domain: "example.okta.com" has no scheme; use "https://example.okta.com"
	// okta.client_id: is required for auth scoped_dpop; copy the Client ID from the General tab of the API Services app in the Okta Admin Console
}

func ExampleConfig_Marshal() {
	cfg := config.Default()
	cfg.Okta.Domain = "https://example.okta.com"
	cfg.Okta.ClientID = "0oa1example"
	cfg.Mappings = []config.Mapping{{Group: "Engineering", Roles: []string{"Administrator", "Read Only"}}}
	data, err := cfg.Marshal()
	if err != nil {
		panic(err)
	}
	fmt.Print(string(data))
	// Output:
	// okta:
	//   domain: https://example.okta.com
	//   auth: scoped_dpop
	//   client_id: 0oa1example
	// sync:
	//   interval: 15m
	// target:
	//   kind: local
	// mappings:
	//   - group: Engineering
	//     roles:
	//       - Administrator
	//       - Read Only
	// safety:
	//   max_revocations: 10
	//   max_revocation_percent: 20
}
