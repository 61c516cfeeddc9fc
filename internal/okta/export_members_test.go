package okta

import "encoding/json"

// DecodeMembersForBenchmark decodes a page of group members as the client
// does, for the benchmark in package okta_test.
func DecodeMembersForBenchmark(body []byte) (int, error) {
	page, err := decodeMembers(body)
	if err != nil {
		return 0, err
	}
	return len(page), nil
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
