package local

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/rolesync/rolesync/internal/target"
)

// CreateUser creates an active user with u's profile and roles.
func (d *Directory) CreateUser(ctx context.Context, u target.User) (target.User, error) {
	u.Login = strings.TrimSpace(u.Login)
	if u.Login == "" {
		return target.User{}, errors.New("create user: empty login; every portal user needs a login")
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return target.User{}, fmt.Errorf("create user %s: %w", u.Login, err)
	}
	defer tx.Rollback()
	out, err := d.create(ctx, tx, u, d.stamp())
	if err != nil {
		return target.User{}, err
	}
	if err := tx.Commit(); err != nil {
		return target.User{}, fmt.Errorf("create user %s: %w", u.Login, err)
	}
	return out, nil
}

// CreateUsers creates users, each as CreateUser would, in one transaction:
// all of them, or none and the error of the first that failed.
func (d *Directory) CreateUsers(ctx context.Context, users []target.User) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create %d users: %w", len(users), err)
	}
	defer tx.Rollback()
	now := d.stamp()
	for _, u := range users {
		u.Login = strings.TrimSpace(u.Login)
		if u.Login == "" {
			return errors.New("create user: empty login; every portal user needs a login")
		}
		if _, err := d.create(ctx, tx, u, now); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create %d users: %w", len(users), err)
	}
	return nil
}

// create inserts u (its login trimmed and not empty) and its roles in tx.
// The schema refuses a taken login or Okta id and an unknown role; the
// checks that name the reason run only when it does, so a first sync of
// many users spends two statements per user, not five.
func (d *Directory) create(ctx context.Context, tx *sql.Tx, u target.User, now string) (target.User, error) {
	roles := cleanRoles(u.Roles)
	res, err := tx.ExecContext(ctx, `INSERT INTO users (external_id, login, email, first_name, last_name, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, 1, ?, ?)`, nullable(u.ExternalID), u.Login, u.Email, u.FirstName, u.LastName, now, now)
	if err != nil {
		if why := checkUnique(ctx, tx, 0, u); why != nil && isConstraint(err) {
			err = why
		}
		return target.User{}, fmt.Errorf("create user %s: %w", u.Login, err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return target.User{}, fmt.Errorf("create user %s: %w", u.Login, err)
	}
	if err := insertRoles(ctx, tx, id, roles); err != nil {
		if _, why := checkRoles(ctx, tx, roles); why != nil && isConstraint(err) {
			err = why
		}
		return target.User{}, fmt.Errorf("create user %s: %w", u.Login, err)
	}
	u.ID = strconv.FormatInt(id, 10)
	u.Active = true
	u.Roles = roles
	return u, nil
}

// sqliteConstraint is SQLite's primary result code SQLITE_CONSTRAINT.
const sqliteConstraint = 19

// resultCoder is an error that carries SQLite's (extended) result code, as
// the driver's errors do (see internal/store/sqlitedriver). Matching on the
// method keeps this package free of the driver.
type resultCoder interface{ Code() int }

// isConstraint reports an error of a statement the schema refused (a UNIQUE
// or FOREIGN KEY constraint): SQLite's primary result code, the low byte
// of an extended one such as SQLITE_CONSTRAINT_UNIQUE, is SQLITE_CONSTRAINT.
func isConstraint(err error) bool {
	var rc resultCoder
	return errors.As(err, &rc) && rc.Code()&0xff == sqliteConstraint
}
