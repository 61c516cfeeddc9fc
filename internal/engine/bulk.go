package engine

import (
	"context"

	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/internal/target"
)

// BulkCreator is a target that creates many users at once: all of them, or
// none and an error. The engine creates the new users of a run through it
// in groups of up to bulkCreateMax, which for a database costs one commit
// per group instead of one per user.
type BulkCreator interface {
	CreateUsers(ctx context.Context, users []target.User) error
}

// bulkCreateMax bounds the users created at once, so that progress and the
// history's records keep up with a large first run.
const bulkCreateMax = 500

// bulkCreate creates, through a BulkCreator, the new users whose changes
// start at user index u of ordered (bounds as from groupByUser), up to
// bulkCreateMax of them. On success next is the user index after the last
// one created. Otherwise next is u: the target cannot create in bulk, fewer
// than two users to create start at u, or the bulk creation failed; then
// end is the user index after the group it tried (u when it tried none),
// and those users are created one by one, which names the one that fails.
func (e *Engine) bulkCreate(ctx context.Context, ordered []PlannedChange, bounds []int, u int, p *Plan) (next, end int) {
	bc, ok := e.opts.Target.(BulkCreator)
	if !ok {
		return u, u
	}
	var users []target.User
	j := u
	for j+1 < len(bounds) && len(users) < bulkCreateMax && ordered[bounds[j]].Action == store.ActionCreate {
		users = append(users, newTargetUser(ordered[bounds[j]:bounds[j+1]], p))
		j++
	}
	if len(users) < 2 {
		return u, u
	}
	if err := bc.CreateUsers(ctx, users); err != nil {
		e.log.Debug("bulk creation failed; creating the users one by one", "users", len(users), "err", err)
		return u, j
	}
	return j, j
}
