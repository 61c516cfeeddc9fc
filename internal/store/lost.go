package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// lossActions are the applied actions by which a person loses access.
var lossActions = []string{ActionRevoke, ActionRevokeAll, ActionDisable}

// LostAccess is one person who lost roles or was disabled by an applied
// change of a scope.
type LostAccess struct {
	User    string
	OktaID  string
	Last    time.Time // the last such change
	Changes int64     // how many such changes
	// AllRoles is true when a change revoked all the person's roles;
	// Disabled when one disabled the person.
	AllRoles, Disabled bool
}

// lossCond selects the applied changes by which a person loses access.
func lossCond() string {
	return "held = 0 AND action IN ('" + strings.Join(lossActions, "', '") + "')"
}

// LostAccess lists up to limit people who lost roles or were disabled by an
// applied change of the scope, most recent first, and counts them all.
func (sc *ChangeScope) LostAccess(ctx context.Context, limit int) (total int64, lost []LostAccess, err error) {
	loss := lossCond()
	q, args := sc.query("count(DISTINCT login)", loss, "")
	if err := sc.s.db.QueryRowContext(ctx, q, args...).Scan(&total); err != nil {
		return 0, nil, fmt.Errorf("summarise lost access: %w", err)
	}
	q, args = sc.query("login, max(okta_id), max(at) AS last, count(*), max(action = '"+ActionRevokeAll+
		"'), max(action = '"+ActionDisable+"')", loss, "GROUP BY login ORDER BY last DESC, login LIMIT ?", limit)
	err = sc.rows(ctx, "lost access", q, args, func(r *sql.Rows) error {
		var l LostAccess
		var last int64
		if err := r.Scan(&l.User, &l.OktaID, &last, &l.Changes, &l.AllRoles, &l.Disabled); err != nil {
			return err
		}
		l.Last = time.Unix(0, last).UTC()
		lost = append(lost, l)
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return total, lost, nil
}

// RevokedRoles lists, in order, the roles the scope's applied changes
// revoked from login one by one.
func (sc *ChangeScope) RevokedRoles(ctx context.Context, login string) ([]string, error) {
	// "+action" keeps SQLite on the login index: a user has few changes,
	// while an action can have hundreds of thousands.
	q, args := sc.query("DISTINCT role", "login = ? AND +action = ? AND held = 0 AND role != ''",
		"ORDER BY role", login, ActionRevoke)
	var roles []string
	err := sc.rows(ctx, "lost roles", q, args, func(r *sql.Rows) error {
		var role string
		if err := r.Scan(&role); err != nil {
			return err
		}
		roles = append(roles, role)
		return nil
	})
	return roles, err
}
