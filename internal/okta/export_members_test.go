package okta

import (
	"encoding/json"
	"io"
)

// DecodeMembersForBenchmark decodes a page of group members as the client
// does, for the benchmark in package okta_test.
func DecodeMembersForBenchmark(r io.Reader) (int, error) {
	var page []memberJSON
	if err := json.NewDecoder(r).Decode(&page); err != nil {
		return 0, err
	}
	users := make([]*User, len(page))
	for i := range page {
		users[i] = page[i].user()
	}
	return len(users), nil
}
