package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Mapping maps one Okta group (name or id) to portal roles.
type Mapping struct {
	Group string
	Roles []string
	// GroupID is the Okta group id the mapping was chosen with or first
	// resolved to; empty when not known yet.
	GroupID string
}

// Setting returns the value of a setting; ok is false when it is not set.
func (s *Store) Setting(ctx context.Context, key string) (value string, ok bool, err error) {
	err = s.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&value)
	if errors.Is(err, sql.ErrNoRows) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("setting %q: %w", key, err)
	}
	return value, true, nil
}

// SetSetting stores a setting, replacing any previous value. Settings hold
// non-secret configuration only.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	if strings.TrimSpace(key) == "" {
		return errors.New("set setting: empty key")
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("set setting %q: %w", key, err)
	}
	return nil
}

// DeleteSetting removes a setting; removing a missing one is not an error.
func (s *Store) DeleteSetting(ctx context.Context, key string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM settings WHERE key = ?`, key); err != nil {
		return fmt.Errorf("delete setting %q: %w", key, err)
	}
	return nil
}

// Mappings returns the group-to-role mappings in their saved order.
func (s *Store) Mappings(ctx context.Context) ([]Mapping, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT okta_group, roles, okta_group_id FROM mappings ORDER BY position`)
	if err != nil {
		return nil, fmt.Errorf("mappings: %w", err)
	}
	defer rows.Close()
	var out []Mapping
	for rows.Next() {
		var m Mapping
		var roles string
		if err := rows.Scan(&m.Group, &roles, &m.GroupID); err != nil {
			return nil, fmt.Errorf("mappings: %w", err)
		}
		if err := json.Unmarshal([]byte(roles), &m.Roles); err != nil {
			return nil, fmt.Errorf("mappings: roles of group %q: %w", m.Group, err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("mappings: %w", err)
	}
	return out, nil
}

// SetMappings replaces all mappings with ms, in one transaction.
func (s *Store) SetMappings(ctx context.Context, ms []Mapping) error {
	return s.withTx(ctx, func(tx *sql.Tx) error { return setMappings(ctx, tx, ms) })
}

// SetSettingAndMappings stores a setting and replaces the mappings in one
// transaction, so a saved configuration is never half written.
func (s *Store) SetSettingAndMappings(ctx context.Context, key, value string, ms []Mapping) error {
	if strings.TrimSpace(key) == "" {
		return errors.New("set setting: empty key")
	}
	return s.withTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value); err != nil {
			return fmt.Errorf("set setting %q: %w", key, err)
		}
		return setMappings(ctx, tx, ms)
	})
}

func setMappings(ctx context.Context, tx *sql.Tx, ms []Mapping) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM mappings`); err != nil {
		return fmt.Errorf("set mappings: %w", err)
	}
	for i, m := range ms {
		roles := m.Roles
		if roles == nil {
			roles = []string{}
		}
		doc, err := json.Marshal(roles)
		if err != nil {
			return fmt.Errorf("set mappings: group %q: %w", m.Group, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mappings (position, okta_group, roles, okta_group_id) VALUES (?, ?, ?, ?)`,
			i, m.Group, string(doc), m.GroupID); err != nil {
			return fmt.Errorf("set mappings: group %q: %w", m.Group, err)
		}
	}
	return nil
}

// Stats are counts for a dashboard.
type Stats struct {
	Runs         int64
	FailedRuns   int64
	HeldRuns     int64
	Changes      int64
	PendingHolds int64
	// LastSuccess is the newest succeeded run; zero ID when there is none.
	LastSuccess Run
}

// Stats returns the counts of runs, changes and pending holds.
func (s *Store) Stats(ctx context.Context) (Stats, error) {
	var st Stats
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM runs),
		(SELECT count(*) FROM runs WHERE status = 'failed'),
		(SELECT count(*) FROM runs WHERE status = 'held'),
		(SELECT coalesce(max(id), 0) FROM changes),
		(SELECT count(*) FROM holds WHERE status = 'pending')`).
		Scan(&st.Runs, &st.FailedRuns, &st.HeldRuns, &st.Changes, &st.PendingHolds)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	r, ok, err := s.LastRunWithStatus(ctx, StatusSucceeded)
	if err != nil {
		return Stats{}, fmt.Errorf("stats: %w", err)
	}
	if ok {
		st.LastSuccess = r
	}
	return st, nil
}
