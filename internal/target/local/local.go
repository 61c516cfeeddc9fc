// Package local is a portal directory kept in its own SQLite file: users,
// the roles the admin defines, and which user holds which role. It
// implements target.Target, so the engine can sync Okta groups into it
// without a real portal, and it backs `rolesync demo` and the tests. It
// opens its file with the "sqlite" driver that internal/store/sqlitedriver
// registers.
package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rolesync/rolesync/internal/target"
)

const schema = `
CREATE TABLE IF NOT EXISTS users (
	id          INTEGER PRIMARY KEY,
	external_id TEXT UNIQUE,
	login       TEXT NOT NULL UNIQUE COLLATE NOCASE,
	email       TEXT NOT NULL DEFAULT '',
	first_name  TEXT NOT NULL DEFAULT '',
	last_name   TEXT NOT NULL DEFAULT '',
	active      INTEGER NOT NULL DEFAULT 1,
	created_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS users_email ON users (email COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS roles (
	name       TEXT PRIMARY KEY,
	created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS user_roles (
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role    TEXT NOT NULL REFERENCES roles (name),
	PRIMARY KEY (user_id, role)
);
-- users_version changes with every write to users or their roles, from any
-- process, so the engine can tell that nothing changed without a listing.
CREATE TABLE IF NOT EXISTS meta (
	key   TEXT PRIMARY KEY,
	value INTEGER NOT NULL
);
INSERT OR IGNORE INTO meta (key, value) VALUES ('users_version', 0);
CREATE TRIGGER IF NOT EXISTS users_version_ins AFTER INSERT ON users BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'users_version'; END;
CREATE TRIGGER IF NOT EXISTS users_version_upd AFTER UPDATE ON users BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'users_version'; END;
CREATE TRIGGER IF NOT EXISTS users_version_del AFTER DELETE ON users BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'users_version'; END;
CREATE TRIGGER IF NOT EXISTS user_roles_version_ins AFTER INSERT ON user_roles BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'users_version'; END;
CREATE TRIGGER IF NOT EXISTS user_roles_version_del AFTER DELETE ON user_roles BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'users_version'; END;
CREATE TRIGGER IF NOT EXISTS user_roles_version_upd AFTER UPDATE ON user_roles BEGIN
	UPDATE meta SET value = value + 1 WHERE key = 'users_version'; END;
`

// Directory is a local portal directory. It is safe for concurrent use.
type Directory struct {
	db  *sql.DB
	now func() time.Time
}

var _ target.Target = (*Directory)(nil)

// Open opens (creating if needed) the directory in the SQLite file at path.
func Open(ctx context.Context, path string) (*Directory, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("open local directory: empty path; give the file the directory lives in, e.g. DATA_DIR/directory.db")
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("open local directory: path %q contains '?' or '#'; choose a path without them", path)
	}
	// Create the file owner-only: it names every portal user and role.
	if f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600); err == nil {
		f.Close()
	} else if !errors.Is(err, fs.ErrExist) {
		return nil, fmt.Errorf("open local directory: %w", err)
	}
	if !slices.Contains(sql.Drivers(), "sqlite") {
		return nil, fmt.Errorf("open local directory %s: no SQLite driver is registered as \"sqlite\"; the program must import github.com/rolesync/rolesync/internal/store/sqlitedriver", path)
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open local directory %s: %w", path, err)
	}
	// One connection: writes are serialised and pragmas hold for every query.
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("open local directory %s: create schema: %w", path, err)
	}
	return &Directory{db: db, now: time.Now}, nil
}

// UsersVersion returns a number that changes with every write to the
// directory's users or their roles, by this process or another.
func (d *Directory) UsersVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := d.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = 'users_version'`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read the local directory's version: %w", err)
	}
	return v, nil
}

// Close closes the database.
func (d *Directory) Close() error { return d.db.Close() }

func (d *Directory) stamp() string { return d.now().UTC().Format(time.RFC3339Nano) }

// ListUsers returns every user with its roles, ordered by login.
func (d *Directory) ListUsers(ctx context.Context) ([]target.User, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, COALESCE(external_id, ''), login, email,
		first_name, last_name, active FROM users ORDER BY login`)
	if err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	defer rows.Close()
	var users []target.User
	index := map[int64]int{}
	for rows.Next() {
		var (
			id int64
			u  target.User
		)
		if err := rows.Scan(&id, &u.ExternalID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &u.Active); err != nil {
			return nil, fmt.Errorf("list users: %w", err)
		}
		u.ID = strconv.FormatInt(id, 10)
		index[id] = len(users)
		users = append(users, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list users: %w", err)
	}
	rows.Close()
	rrows, err := d.db.QueryContext(ctx, `SELECT user_id, role FROM user_roles ORDER BY user_id, role`)
	if err != nil {
		return nil, fmt.Errorf("list users: roles: %w", err)
	}
	defer rrows.Close()
	for rrows.Next() {
		var (
			id   int64
			role string
		)
		if err := rrows.Scan(&id, &role); err != nil {
			return nil, fmt.Errorf("list users: roles: %w", err)
		}
		if i, ok := index[id]; ok {
			users[i].Roles = append(users[i].Roles, role)
		}
	}
	if err := rrows.Err(); err != nil {
		return nil, fmt.Errorf("list users: roles: %w", err)
	}
	return users, nil
}

// User returns the user with the given id.
func (d *Directory) User(ctx context.Context, id string) (target.User, error) {
	n, err := parseID(id)
	if err != nil {
		return target.User{}, err
	}
	u := target.User{ID: id}
	err = d.db.QueryRowContext(ctx, `SELECT COALESCE(external_id, ''), login, email, first_name, last_name, active
		FROM users WHERE id = ?`, n).Scan(&u.ExternalID, &u.Login, &u.Email, &u.FirstName, &u.LastName, &u.Active)
	if errors.Is(err, sql.ErrNoRows) {
		return target.User{}, fmt.Errorf("user %s: %w", id, target.ErrNotFound)
	}
	if err != nil {
		return target.User{}, fmt.Errorf("user %s: %w", id, err)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT role FROM user_roles WHERE user_id = ? ORDER BY role`, n)
	if err != nil {
		return target.User{}, fmt.Errorf("user %s: roles: %w", id, err)
	}
	defer rows.Close()
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return target.User{}, fmt.Errorf("user %s: roles: %w", id, err)
		}
		u.Roles = append(u.Roles, r)
	}
	return u, rows.Err()
}

// AddUser adds a portal user by hand, as an admin would in the portal: the
// sync has never seen it, so its ExternalID is usually empty. It is the same
// operation as CreateUser.
func (d *Directory) AddUser(ctx context.Context, u target.User) (target.User, error) {
	return d.CreateUser(ctx, u)
}

// UpdateProfile changes the login, email, names and external id of u.ID.
func (d *Directory) UpdateProfile(ctx context.Context, u target.User) error {
	id, err := parseID(u.ID)
	if err != nil {
		return err
	}
	u.Login = strings.TrimSpace(u.Login)
	if u.Login == "" {
		return fmt.Errorf("update user %s: empty login; every portal user needs a login", u.ID)
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	defer tx.Rollback()
	if err := checkUnique(ctx, tx, id, u); err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	res, err := tx.ExecContext(ctx, `UPDATE users SET external_id = ?, login = ?, email = ?, first_name = ?,
		last_name = ?, updated_at = ? WHERE id = ?`,
		nullable(u.ExternalID), u.Login, u.Email, u.FirstName, u.LastName, d.stamp(), id)
	if err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("update user %s: %w", u.ID, target.ErrNotFound)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("update user %s: %w", u.ID, err)
	}
	return nil
}

// SetRoles gives the user exactly roles; a non-empty set also reactivates it.
func (d *Directory) SetRoles(ctx context.Context, userID string, roles []string) error {
	id, err := parseID(userID)
	if err != nil {
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set roles of user %s: %w", userID, err)
	}
	defer tx.Rollback()
	clean, err := checkRoles(ctx, tx, roles)
	if err != nil {
		return fmt.Errorf("set roles of user %s: %w", userID, err)
	}
	q := `UPDATE users SET updated_at = ? WHERE id = ?`
	if len(clean) > 0 {
		q = `UPDATE users SET active = 1, updated_at = ? WHERE id = ?`
	}
	if err := touch(ctx, tx, q, d.stamp(), id, userID); err != nil {
		return fmt.Errorf("set roles of user %s: %w", userID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("set roles of user %s: %w", userID, err)
	}
	if err := insertRoles(ctx, tx, id, clean); err != nil {
		return fmt.Errorf("set roles of user %s: %w", userID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set roles of user %s: %w", userID, err)
	}
	return nil
}

// RevokeAll removes every role of the user and disables it.
func (d *Directory) RevokeAll(ctx context.Context, userID string) error {
	id, err := parseID(userID)
	if err != nil {
		return err
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("revoke user %s: %w", userID, err)
	}
	defer tx.Rollback()
	if err := touch(ctx, tx, `UPDATE users SET active = 0, updated_at = ? WHERE id = ?`, d.stamp(), id, userID); err != nil {
		return fmt.Errorf("revoke user %s: %w", userID, err)
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM user_roles WHERE user_id = ?`, id); err != nil {
		return fmt.Errorf("revoke user %s: %w", userID, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("revoke user %s: %w", userID, err)
	}
	return nil
}

func touch(ctx context.Context, tx *sql.Tx, q, stamp string, id int64, userID string) error {
	res, err := tx.ExecContext(ctx, q, stamp, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("no user with id %s: %w", userID, target.ErrNotFound)
	}
	return nil
}

// checkUnique reports a clear error when another user (not self) already has
// u's login or external id.
func checkUnique(ctx context.Context, tx *sql.Tx, self int64, u target.User) error {
	var other int64
	err := tx.QueryRowContext(ctx, `SELECT id FROM users WHERE login = ? AND id <> ?`, u.Login, self).Scan(&other)
	if err == nil {
		return fmt.Errorf("login %q is already taken by user %d; logins are unique (case-insensitive)", u.Login, other)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if u.ExternalID == "" {
		return nil
	}
	err = tx.QueryRowContext(ctx, `SELECT id FROM users WHERE external_id = ? AND id <> ?`, u.ExternalID, self).Scan(&other)
	if err == nil {
		return fmt.Errorf("the Okta user %s is already matched to user %d; one portal user per Okta user", u.ExternalID, other)
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	return nil
}

func insertRoles(ctx context.Context, tx *sql.Tx, id int64, roles []string) error {
	for _, r := range roles {
		if _, err := tx.ExecContext(ctx, `INSERT INTO user_roles (user_id, role) VALUES (?, ?)`, id, r); err != nil {
			return fmt.Errorf("grant %q: %w", r, err)
		}
	}
	return nil
}

func parseID(id string) (int64, error) {
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("user id %q: %w: local directory ids are positive integers (see rolesync directory list)", id, target.ErrNotFound)
	}
	return n, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
