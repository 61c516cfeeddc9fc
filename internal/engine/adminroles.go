package engine

import (
	"fmt"
	"slices"
	"strings"
)

// canonicalAdminRoles returns the configured admin roles spelled as the
// target spells them; roles compare ignoring case. An admin role the target
// does not define is an error that names it and the roles the target has:
// a misspelled admin role would switch off last-admin protection.
func canonicalAdminRoles(admin, roles []string) ([]string, error) {
	out := make([]string, 0, len(admin))
	for _, a := range admin {
		a = strings.TrimSpace(a)
		i := slices.IndexFunc(roles, func(r string) bool { return strings.EqualFold(r, a) })
		if i < 0 {
			quoted := make([]string, len(roles))
			for k, r := range roles {
				quoted[k] = fmt.Sprintf("%q", r)
			}
			return nil, fmt.Errorf("safety.admin_roles: role %q is not a role of the target (its roles: %s); fix the admin role's name; nothing was changed",
				a, strings.Join(quoted, ", "))
		}
		if !slices.Contains(out, roles[i]) {
			out = append(out, roles[i])
		}
	}
	return out, nil
}

// hasRole reports whether roles holds role, ignoring case.
func hasRole(roles []string, role string) bool {
	return slices.ContainsFunc(roles, func(r string) bool { return strings.EqualFold(r, role) })
}
