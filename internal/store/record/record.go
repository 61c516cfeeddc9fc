// Package record defines the rows of rolesync's history as plain values: a
// sync run, a change a run made or held, a hold waiting for approval, and the
// filter that selects changes. It holds no SQL and links no database driver,
// so the window and other readers of the history can use these types
// without the store; package store reads and writes them (and aliases them,
// so store.Run and record.Run are one type).
package record

import "time"

// Run triggers.
const (
	TriggerManual   = "manual"
	TriggerSchedule = "schedule"
	TriggerCLI      = "cli"
	TriggerDemo     = "demo"
	TriggerApproval = "approval"
)

// Run statuses.
const (
	StatusRunning   = "running"
	StatusSucceeded = "succeeded"
	StatusFailed    = "failed"
	StatusHeld      = "held"
	// StatusInterrupted is a run stopped before its end: cancelled (Ctrl-C,
	// a stop signal, quitting the app), or left running by a process that
	// ended (see store.Open). The changes it recorded were made.
	StatusInterrupted = "interrupted"
)

// Run is one sync run and its counts.
type Run struct {
	ID         int64
	Trigger    string // manual|schedule|cli|demo|approval
	Status     string // running|succeeded|failed|held|interrupted
	StartedAt  time.Time
	FinishedAt time.Time
	Created    int
	Granted    int
	Revoked    int
	Held       int
	APICalls   int
	Error      string
	DryRun     bool
	// Feed is how the run read Okta: "full", "system_log" or
	// "users_search" (see okta.Snapshot.Feed); empty when it read nothing
	// or was recorded before feeds were.
	Feed string
}

// Change actions.
const (
	ActionCreate    = "create"
	ActionGrant     = "grant"
	ActionRevoke    = "revoke"
	ActionRevokeAll = "revoke_all"
	ActionUpdate    = "update"
	ActionDisable   = "disable"
	ActionEnable    = "enable"
)

// Change is one change a run made (or held) in the target.
type Change struct {
	ID       int64
	RunID    int64
	At       time.Time
	User     string // login
	OktaID   string
	Action   string // create|grant|revoke|revoke_all|update|disable|enable
	Role     string
	Group    string
	Reason   string
	Held     bool
	PrevHash string // hex SHA-256 chain, set by the store
	Hash     string
}

// ChangeFilter selects changes. Zero fields do not filter. Since is
// inclusive, Until exclusive. Results are in ID order, starting after
// AfterID and ending at MaxID; Limit <= 0 means no limit.
type ChangeFilter struct {
	RunID   int64
	User    string
	Group   string
	Role    string
	Action  string
	Since   time.Time
	Until   time.Time
	Limit   int
	AfterID int64
	MaxID   int64
}

// Hold statuses.
const (
	HoldPending  = "pending"
	HoldApproved = "approved"
	HoldRejected = "rejected"
)

// Hold is a set of changes a run held back for approval.
type Hold struct {
	RunID     int64
	Status    string // pending|approved|rejected
	Changes   []Change
	CreatedAt time.Time
	DecidedAt time.Time
}
