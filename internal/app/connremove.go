package app

import (
	"context"
	"fmt"
	"time"

	"github.com/rolesync/rolesync/internal/secrets"
)

// Removed says what RemoveConnectionAndSecrets did.
type Removed struct {
	Connection Connection
	// Kept is the directory that keeps its history and audit chain.
	Kept string
	// Forgotten counts the secrets deleted from the desktop keyring; a
	// file keyring moves with the directory. SharedKeyring is false when
	// there is no desktop keyring.
	Forgotten     int
	SharedKeyring bool
}

// RemoveConnectionAndSecrets removes the connection name (or slug) from
// the data directory root (RemoveConnection), then deletes its secrets
// from the desktop keyring several connections share (ForgetSecrets).
// When only the second step fails, the connection is removed and the
// error says which secrets may be left.
func RemoveConnectionAndSecrets(ctx context.Context, root, name string, now time.Time) (Removed, error) {
	conn, dest, err := RemoveConnection(ctx, root, name, now)
	if err != nil {
		return Removed{}, err
	}
	r := Removed{Connection: conn, Kept: dest}
	kr, ok, err := secrets.OpenShared()
	if err == nil && ok {
		r.SharedKeyring = true
		r.Forgotten, err = ForgetSecrets(conn, kr)
	}
	if err != nil {
		return r, fmt.Errorf("connection %q was removed, but its secrets could not all be deleted from the desktop keyring: %w", conn.Name, err)
	}
	return r, nil
}
