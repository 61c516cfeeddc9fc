package oktasim

import (
	"net/http"
	"slices"
	"strings"
)

// deleteUser serves DELETE /api/v1/users/{id}. As in Okta, a user who is
// not DEPROVISIONED is deactivated by a first call; a second deletes it.
// Okta answers 204 either way.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request, p *principal) {
	if e := s.org.deleteUser(actorOf(p), r.PathValue("id")); e != nil {
		writeError(w, e)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// deleteUser deactivates the user, or deletes a deactivated one: it leaves
// every group (whose lastMembershipUpdated moves), GET /api/v1/users/{id}
// answers 404, and the System Log gets user.lifecycle.delete.initiated.
func (o *Org) deleteUser(a actor, userID string) *apiError {
	o.mu.RLock()
	u := o.users[userID]
	deactivated := u != nil && u.status == StatusDeprovisioned
	o.mu.RUnlock()
	if u == nil {
		return errNotFound(userID, "User")
	}
	if !deactivated {
		return o.lifecycle(a, userID, LifecycleDeactivate)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.users[userID] != u || u.status != StatusDeprovisioned {
		return errNotFound(userID, "User")
	}
	t := o.tick()
	for _, g := range o.groups {
		if i, ok := memberIndex(g.members, u.id); ok {
			g.members = slices.Delete(g.members, i, i+1)
			g.lastMembershipUpdated = t
		}
	}
	delete(o.users, u.id)
	delete(o.byLogin, strings.ToLower(u.login))
	o.userIDs, _ = removeSorted(o.userIDs, u.id)
	o.record(t, a, "user.lifecycle.delete.initiated", "Delete Okta user", "core.user.config.user_deletion.initiated", userTarget(u))
	return nil
}

// DeleteUser deletes a user as DELETE /api/v1/users/{id} does: a user not
// yet DEPROVISIONED is deactivated, a deactivated one deleted.
func (o *Org) DeleteUser(userID string) error {
	return asError(o.deleteUser(systemActor, userID))
}
