package store

import "github.com/rolesync/rolesync/internal/store/record"

// The history's rows are defined in package record, which links no database
// driver; these aliases keep store.Run and record.Run one type.
type (
	// Run is one sync run and its counts.
	Run = record.Run
	// Change is one change a run made (or held) in the target.
	Change = record.Change
	// ChangeFilter selects changes; see record.ChangeFilter.
	ChangeFilter = record.ChangeFilter
	// Hold is a set of changes a run held back for approval.
	Hold = record.Hold
)

// Run triggers.
const (
	TriggerManual   = record.TriggerManual
	TriggerSchedule = record.TriggerSchedule
	TriggerCLI      = record.TriggerCLI
	TriggerDemo     = record.TriggerDemo
	TriggerApproval = record.TriggerApproval
)

// Run statuses.
const (
	StatusRunning     = record.StatusRunning
	StatusSucceeded   = record.StatusSucceeded
	StatusFailed      = record.StatusFailed
	StatusHeld        = record.StatusHeld
	StatusInterrupted = record.StatusInterrupted
)

// Change actions.
const (
	ActionCreate    = record.ActionCreate
	ActionGrant     = record.ActionGrant
	ActionRevoke    = record.ActionRevoke
	ActionRevokeAll = record.ActionRevokeAll
	ActionUpdate    = record.ActionUpdate
	ActionDisable   = record.ActionDisable
	ActionEnable    = record.ActionEnable
)

// Hold statuses.
const (
	HoldPending  = record.HoldPending
	HoldApproved = record.HoldApproved
	HoldRejected = record.HoldRejected
)
