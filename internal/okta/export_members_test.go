package okta

import (
	"encoding/json"
	"io"
)

// DecodeMembersForBenchmark decodes a page of group members as the client
// does, for the benchmark in package okta_test.
func DecodeMembersForBenchmark(r io.Reader) (int, error) {
	body, err := io.ReadAll(r)
	if err != nil {
		return 0, err
	}
	page, err := decodeMembers(body)
	if err != nil {
		return 0, err
	}
	users := make([]*User, len(page))
	for i := range page {
		users[i] = page[i].user()
	}
	return len(users), nil
}

// DecodeMembersStdlibForBenchmark decodes a page of group members with
// encoding/json, for comparison.
func DecodeMembersStdlibForBenchmark(body []byte) (int, error) {
	var page []memberJSON
	if err := json.Unmarshal(body, &page); err != nil {
		return 0, err
	}
	return len(page), nil
}
