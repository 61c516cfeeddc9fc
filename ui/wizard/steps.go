package wizard

import (
	"fyne.io/fyne/v2"

	"github.com/rolesync/rolesync/internal/config"
)

// step is one screen of the wizard.
type step struct {
	Title string
	Intro string
	// IntroFor, when set, words the intro for the current settings.
	IntroFor func(w *Wizard) string
	View     func(w *Wizard) fyne.CanvasObject
	Validate func(w *Wizard) error
}

// steps is the table of the nine screens, in order.
func steps() []step {
	return []step{
		{
			Title:    "Before you start",
			Intro:    "rolesync keeps your portal's users and roles in line with Okta groups. Choose the portal to keep in line, and check that its SAML integration exists.",
			View:     (*Wizard).viewStart,
			Validate: (*Wizard).validateStart,
		},
		{
			Title:    "Okta SAML app",
			Intro:    "Users sign in to the portal through a SAML 2.0 app in Okta. Create it with the values below, or check the one you have.",
			View:     (*Wizard).viewSAML,
			Validate: (*Wizard).validateSAML,
		},
		{
			Title:    "API Services app",
			Intro:    "rolesync reads Okta groups through an API Services app. Create it by hand, or let rolesync create it with a one-time super-admin API token.",
			View:     (*Wizard).viewAPIApp,
			Validate: (*Wizard).validateAPIApp,
		},
		{
			Title:    "Authentication type",
			Intro:    "How rolesync proves who it is to Okta. The scoped types use OAuth 2.0 with key pairs and only the permissions you grant.",
			View:     (*Wizard).viewAuth,
			Validate: (*Wizard).validateAuth,
		},
		{
			Title:    "Keys",
			Intro:    "The private keys stay in this computer's keyring. Okta is given only the client authentication public key.",
			IntroFor: (*Wizard).keysIntro,
			View:     (*Wizard).viewKeys,
			Validate: (*Wizard).validateKeys,
		},
		{
			Title:    "Okta domain and connection test",
			Intro:    "Enter your organization's Okta domain, then test the connection. Each failed check says how to fix it.",
			View:     (*Wizard).viewConnect,
			Validate: (*Wizard).validateConnect,
		},
		{
			Title: "Sync interval",
			Intro: "How often rolesync reads Okta and updates the portal.",
			View:  (*Wizard).viewInterval,
		},
		{
			Title:    "Group → roles mapping",
			Intro:    "Members of each Okta group get the roles of its row. A user in several groups gets all their roles.",
			View:     (*Wizard).viewMapping,
			Validate: (*Wizard).validateMapping,
		},
		{
			Title: "Review",
			Intro: "A dry run of the first sync: nothing changes until you select Save and start.",
			IntroFor: func(w *Wizard) string {
				return "A dry run of the " + w.syncName() + ": nothing changes until you select Save and start."
			},
			View: (*Wizard).viewReview,
		},
	}
}

// keysIntro words the keys step for the chosen authentication type: the
// API token type has no keys.
func (w *Wizard) keysIntro() string {
	if w.st.Auth == config.AuthAPIToken {
		return "The Okta API Token type uses no keys: paste the token below. It stays in this computer's keyring."
	}
	return "The private keys stay in this computer's keyring. Okta is given only the client authentication public key."
}

// syncName names the sync the review previews: the first one during setup,
// the next one when Settings changes a working configuration.
func (w *Wizard) syncName() string {
	if w.deps.Config != nil {
		return "next sync"
	}
	return "first sync"
}
