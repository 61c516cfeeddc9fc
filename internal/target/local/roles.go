package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rolesync/rolesync/internal/target"
)

// AddRole defines a role that mappings can grant. Adding a role that already
// exists does nothing.
func (d *Directory) AddRole(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	if name == "" {
		return errors.New("add role: empty name; give the role's name, e.g. rolesync roles add Administrator")
	}
	if _, err := d.db.ExecContext(ctx,
		`INSERT INTO roles (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`, name, d.stamp()); err != nil {
		return fmt.Errorf("add role %q: %w", name, err)
	}
	return nil
}

// RemoveRole removes a role no user holds. A role still held is refused, so
// that no user loses access as a side effect.
func (d *Directory) RemoveRole(ctx context.Context, name string) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("remove role %q: %w", name, err)
	}
	defer tx.Rollback()
	var holders int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_roles WHERE role = ?`, name).Scan(&holders); err != nil {
		return fmt.Errorf("remove role %q: %w", name, err)
	}
	if holders > 0 {
		return fmt.Errorf("remove role %q: %d user(s) still hold it; remove it from their mappings and sync first", name, holders)
	}
	res, err := tx.ExecContext(ctx, `DELETE FROM roles WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("remove role %q: %w", name, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("remove role %q: %w; see rolesync roles list", name, target.ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("remove role %q: %w", name, err)
	}
	return nil
}

// ListRoles returns the defined roles, sorted.
func (d *Directory) ListRoles(ctx context.Context) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT name FROM roles ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	defer rows.Close()
	roles := []string{}
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, fmt.Errorf("list roles: %w", err)
		}
		roles = append(roles, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list roles: %w", err)
	}
	return roles, nil
}

// checkRoles returns roles sorted and deduplicated, or ErrUnknownRole naming
// the first role the directory does not define.
func checkRoles(ctx context.Context, tx *sql.Tx, roles []string) ([]string, error) {
	clean := cleanRoles(roles)
	for _, r := range clean {
		var one int
		err := tx.QueryRowContext(ctx, `SELECT 1 FROM roles WHERE name = ?`, r).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("%w %q: define it with: rolesync roles add %q", target.ErrUnknownRole, r, r)
		}
		if err != nil {
			return nil, err
		}
	}
	return clean, nil
}

// cleanRoles returns roles sorted, without repeats, never nil.
func cleanRoles(roles []string) []string {
	clean := slices.Clone(roles)
	slices.Sort(clean)
	clean = slices.Compact(clean)
	if clean == nil {
		clean = []string{}
	}
	return clean
}
