package oktasim

import (
	"net/http"
	"strconv"
)

// wantsStats reports whether the request asks for group statistics, as
// Okta's expand=stats on the groups routes does.
func wantsStats(r *http.Request) bool { return r.URL.Query().Get("expand") == "stats" }

// appendStats adds _embedded.stats to a group just rendered by appendGroup
// (which ends with the object's closing brace), with the group's user count.
func appendStats(b []byte, g *group) []byte {
	b = b[:len(b)-1]
	b = append(b, `,"_embedded":{"stats":{"usersCount":`...)
	b = strconv.AppendInt(b, int64(len(g.members)), 10)
	b = append(b, `,"appsCount":0,"groupPushMappingsCount":0,"hasAdminPrivilege":false}}}`...)
	return b
}
