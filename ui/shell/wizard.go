package shell

import (
	"context"
	"errors"
	"sort"
	"time"

	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/engine"
	"github.com/rolesync/rolesync/internal/okta"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/store"
	"github.com/rolesync/rolesync/ui"
	"github.com/rolesync/rolesync/ui/wizard"
)

// draftKey is the setting that keeps an unfinished setup (never secrets).
const draftKey = "wizard.draft"

// openWizard opens the wizard's screens over the saved configuration.
func (s *Shell) openWizard(_ fyne.Window, screen ui.Screen) {
	cfg, ok, err := app.ConfigFromStore(s.loopCtx, s.rt.Store)
	if err != nil {
		s.log.Warn("read the configuration", "err", err)
	}
	var saved *config.Config
	if ok {
		saved = &cfg
	}
	w := s.newWizard(saved)
	if screen == ui.ScreenMappings && saved != nil {
		w.ShowAt(wizard.StepMapping)
		return
	}
	w.Show()
}

// newWizard builds the wizard over the real packages: keys in the keyring,
// the connection test, the Okta group list, the target's roles and a
// dry-run plan of the first sync.
func (s *Shell) newWizard(saved *config.Config) *wizard.Wizard {
	st := s.rt.Store
	deps := wizard.Deps{
		Config: saved,
		Save: func(ctx context.Context, cfg config.Config) error {
			if err := app.SaveConfig(ctx, st, cfg); err != nil {
				return err
			}
			return st.DeleteSetting(ctx, draftKey)
		},
		SaveDraft: func(ctx context.Context, cfg config.Config) error {
			data, err := cfg.Marshal()
			if err != nil {
				return err
			}
			return st.SetSetting(ctx, draftKey, string(data))
		},
		SetSecret: func(name string, value []byte) error {
			sec, err := s.rt.Secrets()
			if err != nil {
				return err
			}
			return sec.Set(name, value)
		},
		Keys:      wizard.NewKeyService(keyStore{s.rt}),
		Tester:    tester{s.rt},
		Groups:    groupLister{s.rt},
		Roles:     s.targetRoles,
		Preview:   s.preview,
		AutoSetup: autoSetup{setupOptions(saved)},
		OnDone: func(cfg config.Config) {
			s.desk.Reload(s.slug)
			if s.onSaved != nil {
				s.onSaved(cfg)
			}
			s.desk.Rename(s.info())
			go func() {
				// A new setup syncs at once; a changed one on its schedule.
				if err := s.startLoop(saved == nil); err != nil {
					s.log.Error("cannot start the sync loop", "err", err)
					s.setError(err)
				}
			}()
		},
	}
	if s.named {
		deps.Connection = s.rt.Connection.Name
	}
	if saved == nil {
		if text, ok, err := st.Setting(s.loopCtx, draftKey); err == nil && ok {
			if draft, err := config.Parse([]byte(text)); err == nil {
				deps.Draft = &draft
			}
		}
	}
	return wizard.New(s.app, deps)
}

// getter reads the wizard's typed secrets first, then the keyring.
func (s *Shell) getter(typed wizard.Secrets) app.SecretGetter {
	return withTyped(typed, s.rt.KeyringGetter())
}

func withTyped(typed wizard.Secrets, next app.SecretGetter) app.SecretGetter {
	return func(name string) ([]byte, error) {
		if v, ok := typed[name]; ok && len(v) > 0 {
			return v, nil
		}
		return next(name)
	}
}

func (s *Shell) targetRoles(ctx context.Context, cfg config.Config, typed wizard.Secrets) ([]string, error) {
	tgt, err := s.rt.TargetWith(ctx, cfg, s.getter(typed))
	if err != nil {
		return nil, err
	}
	return tgt.ListRoles(ctx)
}

// preview plans the first sync of cfg without applying or recording it.
func (s *Shell) preview(ctx context.Context, cfg config.Config, typed wizard.Secrets) (wizard.Preview, error) {
	eng, err := s.rt.EngineFor(ctx, cfg, s.getter(typed), nil)
	if err != nil {
		return wizard.Preview{}, err
	}
	p, err := eng.Plan(ctx)
	if err != nil {
		return wizard.Preview{}, err
	}
	return toPreview(p), nil
}

// toPreview sums a plan up as the review step shows it.
func toPreview(p *engine.Plan) wizard.Preview {
	var out wizard.Preview
	losing := map[string]bool{}
	for _, ch := range append(append([]engine.PlannedChange{}, p.Changes...), p.Held...) {
		switch ch.Action {
		case store.ActionCreate:
			out.Creates = append(out.Creates, ch.User)
		case store.ActionGrant:
			out.Grants = append(out.Grants, wizard.Grant{User: ch.User, Role: ch.Role})
		case store.ActionRevoke, store.ActionRevokeAll:
			if ch.Admin && !losing[ch.User] {
				losing[ch.User] = true
				out.LosingAccess = append(out.LosingAccess, ch.User)
			}
		}
	}
	sort.Strings(out.LosingAccess)
	return out
}

// keyStore keeps the wizard's private keys in the keyring.
type keyStore struct{ rt *app.Runtime }

func keyName(use string) string {
	if use == wizard.UseDPoP {
		return secrets.DPoPPrivateKey
	}
	return secrets.PrivateKey
}

func (k keyStore) PutKey(_ context.Context, use string, pem []byte) error {
	sec, err := k.rt.Secrets()
	if err != nil {
		return err
	}
	return sec.Set(keyName(use), pem)
}

func (k keyStore) GetKey(_ context.Context, use string) ([]byte, error) {
	sec, err := k.rt.Secrets()
	if err != nil {
		return nil, err
	}
	return sec.Get(keyName(use))
}

// tester runs the shared connection checklist.
type tester struct{ rt *app.Runtime }

func (t tester) Test(ctx context.Context, cfg config.Config, typed wizard.Secrets) []wizard.CheckResult {
	cc, err := app.ConnConfigWith(cfg, withTyped(typed, t.rt.KeyringGetter()))
	if err != nil {
		return []wizard.CheckResult{{Name: "Read the credentials", Detail: err.Error(),
			Fix: "Unlock the keyring, or enter the token or keys again on the previous screens."}}
	}
	cc.Nonces = t.rt.DPoPNonces(cfg)
	checks := okta.TestConnection(ctx, cc)
	out := make([]wizard.CheckResult, 0, len(checks))
	for _, c := range checks {
		out = append(out, wizard.CheckResult{Name: c.Name, OK: c.Status == okta.Pass, Skipped: c.Status == okta.Skip, Detail: c.Detail, Fix: c.Fix})
	}
	return out
}

// groupLister lists the org's groups for the picker.
type groupLister struct{ rt *app.Runtime }

func (g groupLister) ListGroups(ctx context.Context, cfg config.Config, typed wizard.Secrets) ([]wizard.Group, error) {
	client, err := g.rt.OktaClientWith(cfg, withTyped(typed, g.rt.KeyringGetter()))
	if err != nil {
		return nil, err
	}
	groups, err := client.ListGroups(ctx, okta.ListGroupsOptions{All: true})
	if err != nil {
		return nil, err
	}
	out := make([]wizard.Group, 0, len(groups))
	for _, gr := range groups {
		out = append(out, wizard.Group{ID: gr.ID, Name: gr.Name, Members: gr.Members})
	}
	return out, nil
}

// autoSetup is the wizard's automatic setup: okta.SetUpApp, with the
// transport settings opts (CA bundle, timeout) and each request's org URL
// and one-time token.
type autoSetup struct{ opts okta.Options }

func (a autoSetup) Setup(ctx context.Context, req wizard.AutoSetupRequest) (wizard.AutoSetupResult, error) {
	return runAutoSetup(ctx, a.opts, req)
}

// runAutoSetup sets the API Services app up with okta.SetUpApp.
func runAutoSetup(ctx context.Context, opts okta.Options, req wizard.AutoSetupRequest) (wizard.AutoSetupResult, error) {
	if req.Auth == config.AuthAPIToken {
		return wizard.AutoSetupResult{}, errors.New("the Okta API Token type needs no API Services app: create the API token by hand on the Keys screen")
	}
	opts.Domain = req.Domain
	r, err := okta.SetUpApp(ctx, opts, okta.AppSetup{AppName: req.AppName, DPoP: req.Auth == config.AuthScopedDPoP,
		PublicKeys: req.PublicKeys, Token: req.Token})
	if err != nil {
		return wizard.AutoSetupResult{}, err
	}
	res := wizard.AutoSetupResult{ClientID: r.ClientID, Steps: make([]wizard.AutoSetupStep, len(r.Steps))}
	for i, st := range r.Steps {
		res.Steps[i] = wizard.AutoSetupStep(st)
	}
	return res, nil
}

// setupOptions are the automatic setup's transport settings: the
// configured CA bundle trusted besides the system's roots.
func setupOptions(saved *config.Config) okta.Options {
	opts := okta.Options{Timeout: 30 * time.Second}
	if saved != nil {
		opts.CAFile = saved.Okta.CAFile
	}
	if _, err := okta.NewBaseTransport(opts.CAFile, nil); err != nil {
		// An unreadable bundle: the system's roots, and the setup's own
		// TLS error says what is wrong.
		opts.CAFile = ""
	}
	return opts
}
