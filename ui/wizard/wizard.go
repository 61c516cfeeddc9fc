// Package wizard is rolesync's setup wizard: nine screens that take an admin
// from nothing to a previewed sync. It walks through the portal's SAML app in
// Okta, the API Services app (by hand or automatically), the authentication
// type, the key pairs, the Okta domain and a connection test, the sync
// interval, the group-to-role mapping and a dry-run review. Settings opens
// the same screens prefilled from a saved configuration.
//
// The wizard takes a fyne.App and the small interfaces in Deps; it never
// creates the app and imports no package that talks to Okta or the portal.
// What has been entered lives in an internal/setup State, and each field is
// checked by internal/config; this package holds only the screens.
package wizard

import (
	"context"
	"log/slog"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/keyservice"
	"github.com/rolesync/rolesync/internal/setup"
)

// Secret names under which the wizard hands secrets to Deps.SetSecret.
const (
	SecretOktaAPIToken = setup.SecretOktaAPIToken
	SecretSCIMToken    = setup.SecretSCIMToken
)

// The plain data the wizard exchanges through Deps: setup defines them.
type (
	Secrets          = setup.Secrets
	KeyInfo          = setup.KeyInfo
	CheckResult      = setup.CheckResult
	Group            = setup.Group
	Grant            = setup.Grant
	Preview          = setup.Preview
	AutoSetupRequest = setup.AutoSetupRequest
	AutoSetupStep    = setup.AutoSetupStep
	AutoSetupResult  = setup.AutoSetupResult
)

// Key uses: the client-authentication key pair and the DPoP key pair.
const (
	UseClient = keyservice.UseClient
	UseDPoP   = keyservice.UseDPoP
)

// KeyStore keeps private keys as PEM by use (UseClient, UseDPoP). The app
// backs it with the keyring.
type KeyStore = keyservice.KeyStore

// KeyService generates and imports key pairs. Private halves stay in the
// keyring; only Export hands one out, on the admin's explicit request.
type KeyService interface {
	// Generate makes a new key pair for use (UseClient or UseDPoP) and keeps
	// its private half.
	Generate(ctx context.Context, use string) (KeyInfo, error)
	// Inspect parses a pasted private key (PEM or JWK) and, when publicText
	// is not empty, checks that the public key is its pair. It checks the key
	// size and stores nothing.
	Inspect(privateText, publicText string) (KeyInfo, error)
	// Import stores a pasted private key (PEM or JWK) for use.
	Import(ctx context.Context, use, privateText string) (KeyInfo, error)
	// Export returns the private key for use as PEM.
	Export(ctx context.Context, use string) (string, error)
}

// Tester runs the connection diagnostics against Okta.
type Tester interface {
	Test(ctx context.Context, cfg config.Config, secrets Secrets) []CheckResult
}

// GroupLister lists every group of the Okta org.
type GroupLister interface {
	ListGroups(ctx context.Context, cfg config.Config, secrets Secrets) ([]Group, error)
}

// AutoSetuper creates and configures the API Services app in Okta.
type AutoSetuper interface {
	Setup(ctx context.Context, req AutoSetupRequest) (AutoSetupResult, error)
}

// Deps is everything the wizard needs from the rest of the app. Nil
// functions and interfaces switch the matching feature off.
type Deps struct {
	// Connection names the connection set up, when there are several; the
	// window's title and the step line show it.
	Connection string
	// Config is the saved configuration: Settings opens the screens
	// prefilled from it, and secrets left empty keep their saved values.
	Config *config.Config
	// Draft, when Config is nil, prefills a new setup from a kept draft.
	Draft *config.Config
	// Save stores the finished configuration.
	Save func(ctx context.Context, cfg config.Config) error
	// SaveDraft keeps an unfinished configuration when the admin closes
	// the wizard midway. It never receives secrets.
	SaveDraft func(ctx context.Context, cfg config.Config) error
	// SetSecret writes a secret to the keyring.
	SetSecret func(name string, value []byte) error
	Keys      KeyService
	Tester    Tester
	Groups    GroupLister
	// Roles lists the target's roles, sorted.
	Roles func(ctx context.Context, cfg config.Config, secrets Secrets) ([]string, error)
	// Preview plans the first sync without applying it.
	Preview   func(ctx context.Context, cfg config.Config, secrets Secrets) (Preview, error)
	AutoSetup AutoSetuper
	// FetchMetadata downloads the Okta app's IdP metadata; nil uses HTTPS.
	FetchMetadata func(ctx context.Context, url string) ([]byte, error)
	// OnDone runs after "Save and start" saved the configuration.
	OnDone func(cfg config.Config)
}

// Wizard is the setup wizard window.
type Wizard struct {
	app  fyne.App
	deps Deps
	st   *setup.State
	win  fyne.Window

	steps []step
	cur   int

	heading  *widget.Label
	intro    *widget.Label
	progress *widget.Label
	body     *fyne.Container
	stepErr  *widget.Label
	back     *widget.Button
	next     *widget.Button
	finish   *widget.Button
	scroll   *container.Scroll
	content  fyne.CanvasObject

	dirty    bool
	finished bool
	busy     bool

	// async runs calls through Deps off the UI goroutine; tests switch it off.
	async bool
	now   func() time.Time
	log   *slog.Logger
	// widgets that validation reports into, set by the views
	startErrs    startErrs
	samlErr      *widget.Label
	apiApp       apiAppWidgets
	authErr      *widget.Label
	tokenErr     *widget.Label
	keyErrs      map[string]*widget.Label
	connect      connectWidgets
	mapping      mappingWidgets
	thresholdErr *widget.Label
	protectedErr *widget.Label
	onDomain     func() // the current step's reaction to a domain change
	strictMap    bool   // report incomplete mapping rows once Next was tried

	// groups and roles are loaded once per wizard.
	groups *groupIndex
	roles  []string
}

// New makes the wizard for app a. It shows nothing until Show.
func New(a fyne.App, deps Deps) *Wizard {
	prefill := deps.Config
	if prefill == nil {
		prefill = deps.Draft
	}
	w := &Wizard{app: a, deps: deps, st: setup.New(prefill), async: true, now: time.Now,
		log: slog.Default().With("component", "wizard")}
	w.steps = steps()
	w.build()
	return w
}

// Show opens the wizard in its own window.
func (w *Wizard) Show() {
	if w.win == nil {
		title := "Set up rolesync"
		if w.deps.Config != nil {
			title = "rolesync settings"
		}
		if c := w.deps.Connection; c != "" {
			title += ": " + c
		}
		w.win = w.app.NewWindow(title)
		w.win.SetContent(w.content)
		w.win.Resize(fyne.NewSize(900, 650))
		w.win.SetCloseIntercept(w.onClose)
		w.win.SetOnClosed(func() { w.win = nil })
	}
	w.win.Show()
}

// Step names a screen of the wizard, in order.
type Step int

// The nine screens.
const (
	StepStart Step = iota
	StepSAML
	StepAPIApp
	StepAuth
	StepKeys
	StepConnect
	StepInterval
	StepMapping
	StepReview
)

// ShowAt opens the wizard at screen s, for example StepMapping from
// Settings. Screens before s are not validated again.
func (w *Wizard) ShowAt(s Step) {
	w.Show()
	if s >= StepStart && int(s) < len(w.steps) {
		w.show(int(s))
	}
}

// Window is the wizard's window while it is open, else nil.
func (w *Wizard) Window() fyne.Window { return w.win }
