package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
)

// groupMembersKey is the setting that holds how many members each mapped
// group last read with.
const groupMembersKey = "mapped_group_members"

// SetMappingGroupIDs records the Okta group id of the mappings whose group
// reference is a key of ids. With replace false only mappings with no id
// yet get one; with replace true the given ids replace the known ones.
// References no mapping has are ignored.
func (s *Store) SetMappingGroupIDs(ctx context.Context, ids map[string]string, replace bool) error {
	if len(ids) == 0 {
		return nil
	}
	q := `UPDATE mappings SET okta_group_id = ? WHERE okta_group = ? AND okta_group_id = ''`
	if replace {
		q = `UPDATE mappings SET okta_group_id = ? WHERE okta_group = ?`
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		for ref, id := range ids {
			if _, err := tx.ExecContext(ctx, q, id, ref); err != nil {
				return fmt.Errorf("set the Okta group id of mapping %q: %w", ref, err)
			}
		}
		return nil
	})
}

// GroupMembers returns how many members each mapped group (by its mapping
// reference) last read with; empty when nothing was recorded yet.
func (s *Store) GroupMembers(ctx context.Context) (map[string]int, error) {
	doc, ok, err := s.Setting(ctx, groupMembersKey)
	if err != nil || !ok {
		return map[string]int{}, err
	}
	out := map[string]int{}
	if err := json.Unmarshal([]byte(doc), &out); err != nil {
		return nil, fmt.Errorf("setting %q: %w", groupMembersKey, err)
	}
	return out, nil
}

// SetGroupMembers replaces the member counts GroupMembers returns.
func (s *Store) SetGroupMembers(ctx context.Context, members map[string]int) error {
	doc, err := json.Marshal(members)
	if err != nil {
		return fmt.Errorf("setting %q: %w", groupMembersKey, err)
	}
	return s.SetSetting(ctx, groupMembersKey, string(doc))
}
