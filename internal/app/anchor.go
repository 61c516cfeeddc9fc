package app

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
)

// The audit chain is anchored by checkpoints signed with an Ed25519 key
// that lives only in the keyring (see secrets.Store.AuditKey). The keyring
// also records the last checkpoint, so that checkpoints deleted from the
// database are noticed.

// auditScope names this data directory's audit items in a keyring that
// several data directories share (the desktop keyring); the file keyring
// belongs to one data directory and needs none.
func (rt *Runtime) auditScope(sec *secrets.Store) string {
	if sec.FileBacked() {
		return ""
	}
	dir := rt.DataDir
	if rt.scopeDir != "" {
		dir = rt.scopeDir
	}
	sum := sha256.Sum256([]byte(dir))
	return hex.EncodeToString(sum[:8])
}

// openedSecrets returns the keyring if it is open already, without asking
// for a passphrase.
func (rt *Runtime) openedSecrets() *secrets.Store {
	rt.krMu.Lock()
	defer rt.krMu.Unlock()
	return rt.secrets
}

// AnchorAudit signs the chain head as the next checkpoint when no
// checkpoint covers it yet, and records it in the keyring. The signing key
// is made on first use, with the first checkpoint: only while neither the
// history nor the keyring holds a checkpoint (an existing history is then
// signed as it stands, an upgrade). It refuses to sign when the keyring's
// record or the latest checkpoint does not match the history, or when the
// history holds no checkpoint but the keyring already holds a key. When
// open is false and the keyring is not open yet, it does nothing.
func (rt *Runtime) AnchorAudit(ctx context.Context, reason string, open bool) (cp store.Checkpoint, signed bool, err error) {
	sec, err := rt.auditSecrets(open)
	if sec == nil || err != nil {
		return store.Checkpoint{}, false, err
	}
	scope := rt.auditScope(sec)
	raw, err := sec.AuditMark(scope)
	if err != nil {
		return store.Checkpoint{}, false, err
	}
	latest, has, err := rt.Store.LatestCheckpoint(ctx)
	if err != nil {
		return store.Checkpoint{}, false, err
	}
	if !has {
		// Nothing to sign yet: the key is made with the first checkpoint.
		if headID, _, err := rt.Store.ChainHead(ctx); err != nil || headID == 0 {
			return store.Checkpoint{}, false, err
		}
	}
	key, created, err := sec.AuditKey(scope, !has && raw == "")
	if err != nil {
		return store.Checkpoint{}, false, err
	}
	if err := checkAnchorTrust(key, created, raw, latest, has); err != nil {
		return store.Checkpoint{}, false, err
	}
	cp, signed, err = rt.Store.Anchor(ctx, key, reason, time.Now())
	if err != nil || !signed {
		return cp, signed, err
	}
	return cp, true, sec.SetAuditMark(scope, cp.Mark().String())
}

// auditSecrets is the keyring for AnchorAudit: the open one, else, when
// open is true, the keyring opened now; nil when it is not open and open
// is false.
func (rt *Runtime) auditSecrets(open bool) (*secrets.Store, error) {
	if sec := rt.openedSecrets(); sec != nil || !open {
		return sec, nil
	}
	return rt.Secrets()
}

// checkAnchorTrust refuses to sign when the keyring's audit key, its
// record raw of the last checkpoint and the history's latest checkpoint
// (has false when there is none) do not agree.
func checkAnchorTrust(key ed25519.PrivateKey, created bool, raw string, latest store.Checkpoint, has bool) error {
	refuse := func(why string) error {
		return fmt.Errorf("will not sign the audit chain: %s; run `rolesync audit verify`", why)
	}
	switch {
	case key == nil:
		return refuse("the history holds signed checkpoints but the keyring has no audit signing key")
	case !has && !created:
		// The key signed checkpoints that are gone, or its first
		// signature failed: either way, not a history to sign afresh.
		return refuse("the keyring's audit signing key has signed before, but the history holds no checkpoint")
	}
	if raw != "" {
		m, err := store.ParseMark(raw)
		if err != nil {
			return err
		}
		if !has || latest.Seq < m.Seq || (latest.Seq == m.Seq && latest.Mark() != m) {
			return refuse(fmt.Sprintf("the keyring recorded checkpoint %d, which the history no longer holds", m.Seq))
		}
	}
	if has && !latest.VerifySignature(key.Public().(ed25519.PublicKey)) {
		return refuse(fmt.Sprintf("checkpoint %d was not signed by the keyring's audit key", latest.Seq))
	}
	return nil
}

// AuditTrust reads what the keyring vouches for: the signing key's public
// half and the last checkpoint recorded. It opens the keyring if needed.
func (rt *Runtime) AuditTrust(ctx context.Context) (store.Trust, error) {
	sec, err := rt.Secrets()
	if err != nil {
		return store.Trust{}, err
	}
	scope := rt.auditScope(sec)
	key, _, err := sec.AuditKey(scope, false)
	if err != nil {
		return store.Trust{}, err
	}
	t := store.Trust{Known: true}
	if key != nil {
		t.Key = key.Public().(ed25519.PublicKey)
	}
	raw, err := sec.AuditMark(scope)
	if err != nil || raw == "" {
		return t, err
	}
	m, err := store.ParseMark(raw)
	if err != nil {
		return store.Trust{}, err
	}
	t.Last = &m
	return t, nil
}

// anchoringRecorder is the store as the engine's recorder, signing the
// chain head after each run that recorded changes.
type anchoringRecorder struct {
	*store.Store
	rt *Runtime
}

// FinishRun records the run's end, then signs the chain head if the run
// moved it. A failure to sign does not fail the run: it is logged, and the
// next run, export or `audit verify` shows the changes not yet covered.
func (a anchoringRecorder) FinishRun(ctx context.Context, r store.Run) error {
	if err := a.Store.FinishRun(ctx, r); err != nil {
		return err
	}
	if _, _, err := a.rt.AnchorAudit(context.WithoutCancel(ctx), store.CheckpointRun, false); err != nil {
		a.rt.Logger.Warn("sign the audit chain after run", "run", r.ID, "err", err)
	}
	return nil
}

// ReportTrust prepares a report: it signs the chain head when no
// checkpoint covers it yet, and returns what the keyring vouches for. A
// keyring that cannot be opened, or a head that cannot be signed, is
// logged; the report then says what it could not check.
func (rt *Runtime) ReportTrust(ctx context.Context) store.Trust {
	if _, _, err := rt.AnchorAudit(ctx, store.CheckpointExport, true); err != nil {
		rt.Logger.Warn("sign the audit chain before the report", "err", err)
	}
	trust, err := rt.AuditTrust(ctx)
	if err != nil {
		rt.Logger.Warn("read the audit key for the report", "err", err)
		return store.Trust{}
	}
	return trust
}
