package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations is the ordered list of schema changes. The schema version kept
// in PRAGMA user_version is the number of migrations applied. Append only:
// never edit or reorder an entry once released. A migration that touches the
// changes table must keep every column the canonical encoding reads (see
// CanonicalChange) and their values, so the audit chain stays valid.
//
// Times are stored as INTEGER nanoseconds since the Unix epoch, UTC; 0 means
// "not set".
var migrations = []string{
	// 1: settings, mappings, runs, changes (hash-chained), holds.
	`
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
CREATE TABLE mappings (
	position   INTEGER PRIMARY KEY,
	okta_group TEXT NOT NULL,
	roles      TEXT NOT NULL -- JSON array of role names
);
CREATE TABLE runs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	trigger     TEXT NOT NULL,
	status      TEXT NOT NULL,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER NOT NULL DEFAULT 0,
	created     INTEGER NOT NULL DEFAULT 0,
	granted     INTEGER NOT NULL DEFAULT 0,
	revoked     INTEGER NOT NULL DEFAULT 0,
	held        INTEGER NOT NULL DEFAULT 0,
	api_calls   INTEGER NOT NULL DEFAULT 0,
	error       TEXT NOT NULL DEFAULT '',
	dry_run     INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE changes (
	id          INTEGER PRIMARY KEY,
	run_id      INTEGER NOT NULL REFERENCES runs(id),
	at          INTEGER NOT NULL,
	login       TEXT NOT NULL,
	okta_id     TEXT NOT NULL DEFAULT '',
	action      TEXT NOT NULL,
	role        TEXT NOT NULL DEFAULT '',
	okta_group  TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	held        INTEGER NOT NULL DEFAULT 0,
	enc_version INTEGER NOT NULL,
	prev_hash   TEXT NOT NULL,
	hash        TEXT NOT NULL
);
CREATE INDEX changes_run    ON changes(run_id, id);
CREATE INDEX changes_login  ON changes(login, id);
CREATE INDEX changes_group  ON changes(okta_group, id);
CREATE INDEX changes_role   ON changes(role, id);
CREATE INDEX changes_action ON changes(action, id);
CREATE INDEX changes_at     ON changes(at, id);
-- The head of the audit chain, updated in the same transaction as the rows,
-- so that rows deleted from or appended to the end are detected too.
CREATE TABLE chain_head (
	singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
	last_id   INTEGER NOT NULL,
	last_hash TEXT NOT NULL
);
CREATE TABLE holds (
	run_id     INTEGER PRIMARY KEY REFERENCES runs(id),
	status     TEXT NOT NULL,
	changes    TEXT NOT NULL, -- JSON array of changes
	created_at INTEGER NOT NULL,
	decided_at INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX holds_status ON holds(status, run_id);
`,
	// 2: filters on a user or a group within one run (the history window)
	// seek straight to their rows instead of scanning the run.
	`
CREATE INDEX changes_run_login ON changes(run_id, login, id);
CREATE INDEX changes_run_group ON changes(run_id, okta_group, id);
`,
	// 3: the Okta group id each mapping was chosen with or first resolved
	// to, so that a group re-created under the same name is noticed.
	`
ALTER TABLE mappings ADD COLUMN okta_group_id TEXT NOT NULL DEFAULT '';
`,
	// 4: the process and host that started each run, so that Open can mark
	// the runs of a process that ended before they finished as interrupted.
	`
ALTER TABLE runs ADD COLUMN pid INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN host TEXT NOT NULL DEFAULT '';
CREATE INDEX runs_status ON runs(status, id);
`,
	// 5: signed checkpoints of the audit chain: each signs the chain head
	// (last_id, last_hash) with the Ed25519 key kept in the keyring. The
	// private key is never stored here; public_key is the signer's public
	// half, base64, for reports. reason says what signed it (run, upgrade,
	// export) and is not signed.
	`
CREATE TABLE checkpoints (
	seq        INTEGER PRIMARY KEY,
	last_id    INTEGER NOT NULL,
	last_hash  TEXT NOT NULL,
	at         INTEGER NOT NULL,
	public_key TEXT NOT NULL,
	signature  TEXT NOT NULL,
	reason     TEXT NOT NULL DEFAULT ''
);
`,
	// 6: how each run read Okta (full, system_log or users_search; empty
	// for runs recorded before, and for runs that read nothing).
	`
ALTER TABLE runs ADD COLUMN feed TEXT NOT NULL DEFAULT '';
`,
}

// latestVersion is the schema version of a fully migrated database.
func latestVersion() int { return len(migrations) }

func (s *Store) migrate(ctx context.Context) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer conn.Close()
	// BEGIN IMMEDIATE takes the write lock before the version is read, so two
	// processes opening a fresh database do not both apply migration 1.
	for {
		done, err := migrateStep(ctx, conn)
		if err != nil {
			return err
		}
		if done {
			return nil
		}
	}
}

// migrateStep applies the next pending migration, if any, in its own
// transaction and reports whether the schema is up to date.
func migrateStep(ctx context.Context, conn *sql.Conn) (bool, error) {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() { _ = tx.Rollback() }()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, fmt.Errorf("migrate: read schema version: %w", err)
	}
	switch {
	case v > latestVersion():
		return false, fmt.Errorf("database schema version %d is newer than this rolesync supports (%d); upgrade rolesync", v, latestVersion())
	case v == latestVersion():
		return true, nil
	}
	if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
		return false, fmt.Errorf("migration %d: %w", v+1, err)
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", v+1)); err != nil {
		return false, fmt.Errorf("migration %d: set schema version: %w", v+1, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("migration %d: commit: %w", v+1, err)
	}
	return false, nil
}

// toNanos converts a time to the stored form: UTC nanoseconds, 0 for zero.
func toNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// fromNanos converts the stored form back to a UTC time.
func fromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
