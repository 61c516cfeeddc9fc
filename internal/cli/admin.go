package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rolesync/rolesync/internal/config"
	"github.com/rolesync/rolesync/internal/privatefile"
	"github.com/rolesync/rolesync/internal/secrets"
	"github.com/rolesync/rolesync/internal/target"
)

func runConfig(ctx context.Context, c *call) error {
	if len(c.args) == 0 {
		return usagef("config: say import FILE or export [FILE]")
	}
	sub := *c
	sub.args = c.args[1:]
	switch c.args[0] {
	case "import":
		args, err := sub.flags("config import", nil, 1)
		if err != nil {
			return err
		}
		if len(args) != 1 {
			return usagef("config import: name the YAML file to import")
		}
		data, err := os.ReadFile(args[0])
		if err != nil {
			return fmt.Errorf("config import: %w", err)
		}
		cfg, err := config.Parse(data)
		if err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("%s: %w", args[0], err)
		}
		return c.withRuntime(ctx, func(rt *Runtime) error {
			if err := config.Save(ctx, rt.Store, cfg); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout(), "configuration imported: %s, %d mappings, every %s\n", cfg.Okta.Domain, len(cfg.Mappings), cfg.Sync.Interval)
			return nil
		})
	case "export":
		args, err := sub.flags("config export", nil, 1)
		if err != nil {
			return err
		}
		return c.withRuntime(ctx, func(rt *Runtime) error {
			cfg, err := rt.Config(ctx)
			if err != nil {
				return err
			}
			data, err := cfg.Marshal()
			if err != nil {
				return err
			}
			if len(args) == 0 {
				_, err = c.stdout().Write(data)
				return err
			}
			return privatefile.WriteFile(args[0], data)
		})
	}
	return usagef("config: unknown subcommand %q; say import FILE or export [FILE]", c.args[0])
}

// readSecret reads a secret from stdin, trimming one trailing newline.
func readSecret(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, errors.New("no standard input to read the secret from")
	}
	data, err := io.ReadAll(io.LimitReader(r, 1<<20))
	if err != nil {
		return nil, err
	}
	data = []byte(strings.TrimRight(string(data), "\r\n"))
	if len(strings.TrimSpace(string(data))) == 0 {
		return nil, errors.New("the secret read from standard input is empty: pipe it in, e.g. `rolesync secrets set okta-api-token < token.txt`")
	}
	return data, nil
}

func runSecrets(ctx context.Context, c *call) error {
	if len(c.args) != 2 || c.args[0] != "set" {
		return usagef("secrets: say `secrets set NAME` with the value on standard input (names: %s)", strings.Join(secrets.Names(), ", "))
	}
	name := c.args[1]
	if !slices.Contains(secrets.Names(), name) {
		return usagef("secrets: %q is not a secret rolesync keeps; use one of %s", name, strings.Join(secrets.Names(), ", "))
	}
	value, err := readSecret(c.env.Stdin)
	if err != nil {
		return err
	}
	return c.withRuntime(ctx, func(rt *Runtime) error {
		sec, err := rt.Secrets()
		if err != nil {
			return err
		}
		if err := sec.Set(name, value); err != nil {
			return err
		}
		fmt.Fprintf(c.stdout(), "%s saved in the keyring\n", name)
		return nil
	})
}

// roleAdder is a target whose roles the admin defines (the local directory,
// a SCIM service in groups mode).
type roleAdder interface {
	AddRole(ctx context.Context, name string) error
}

// rolesTarget is the configured target, or the local directory before any
// configuration exists.
func (rt *Runtime) rolesTarget(ctx context.Context) (target.Target, error) {
	cfg, ok, err := config.FromStore(ctx, rt.Store)
	if err != nil {
		return nil, err
	}
	if !ok {
		return rt.Directory, nil
	}
	return rt.Target(ctx, cfg)
}

func runRoles(ctx context.Context, c *call) error {
	if len(c.args) == 0 {
		return usagef("roles: say `roles add NAME` or `roles list`")
	}
	switch {
	case c.args[0] == "add" && len(c.args) == 2:
		return c.withRuntime(ctx, func(rt *Runtime) error {
			tgt, err := rt.rolesTarget(ctx)
			if err != nil {
				return err
			}
			adder, ok := tgt.(roleAdder)
			if !ok {
				return errors.New("this target's roles are defined in the portal itself: add the role there")
			}
			if err := adder.AddRole(ctx, c.args[1]); err != nil {
				return err
			}
			fmt.Fprintf(c.stdout(), "role %q added\n", c.args[1])
			return nil
		})
	case c.args[0] == "list" && len(c.args) == 1:
		return c.withRuntime(ctx, func(rt *Runtime) error {
			tgt, err := rt.rolesTarget(ctx)
			if err != nil {
				return err
			}
			roles, err := tgt.ListRoles(ctx)
			if err != nil {
				return err
			}
			for _, r := range roles {
				fmt.Fprintln(c.stdout(), r)
			}
			return nil
		})
	}
	return usagef("roles: say `roles add NAME` (quote a name with spaces) or `roles list`")
}

// directoryUser is the `directory list --json` contract.
type directoryUser struct {
	Login  string   `json:"login"`
	Email  string   `json:"email"`
	OktaID string   `json:"okta_id"`
	Active bool     `json:"active"`
	Roles  []string `json:"roles"`
}

func runDirectory(ctx context.Context, c *call) error {
	if len(c.args) == 0 || c.args[0] != "list" {
		return usagef("directory: say `directory list [--json]`")
	}
	sub := *c
	sub.args = c.args[1:]
	var asJSON bool
	if _, err := sub.flags("directory list", func(fs *flag.FlagSet) { fs.BoolVar(&asJSON, "json", false, "print JSON") }, 0); err != nil {
		return err
	}
	return c.withRuntime(ctx, func(rt *Runtime) error {
		users, err := rt.Directory.ListUsers(ctx)
		if err != nil {
			return err
		}
		out := make([]directoryUser, 0, len(users))
		for _, u := range users {
			roles := u.Roles
			if roles == nil {
				roles = []string{}
			}
			out = append(out, directoryUser{Login: u.Login, Email: u.Email, OktaID: u.ExternalID, Active: u.Active, Roles: roles})
		}
		if asJSON {
			return printJSON(c.stdout(), out)
		}
		tw := tabwriter.NewWriter(c.stdout(), 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "LOGIN\tACTIVE\tOKTA ID\tROLES")
		for _, u := range out {
			fmt.Fprintf(tw, "%s\t%v\t%s\t%s\n", u.Login, u.Active, dash(u.OktaID), dash(strings.Join(u.Roles, ", ")))
		}
		tw.Flush()
		fmt.Fprintf(c.stdout(), "%d users\n", len(out))
		return nil
	})
}

// historyRun is one run in the `history --json` contract.
type historyRun struct {
	RunID      int64           `json:"run_id"`
	Trigger    string          `json:"trigger"`
	Status     string          `json:"status"`
	Created    int             `json:"created"`
	Granted    int             `json:"granted"`
	Revoked    int             `json:"revoked"`
	Held       int             `json:"held"`
	APICalls   int             `json:"api_calls"`
	Error      string          `json:"error"`
	DryRun     bool            `json:"dry_run,omitempty"`
	StartedAt  time.Time       `json:"started_at"`
	FinishedAt *time.Time      `json:"finished_at"`
	Changes    []historyChange `json:"changes"`
}

type historyChange struct {
	User   string `json:"user"`
	Action string `json:"action"`
	Role   string `json:"role"`
	Group  string `json:"group,omitempty"`
	Reason string `json:"reason"`
	Held   bool   `json:"held,omitempty"`
}

func runHistory(ctx context.Context, c *call) error {
	var asJSON bool
	var limit int
	if _, err := c.flags("history", func(fs *flag.FlagSet) {
		fs.BoolVar(&asJSON, "json", false, "print JSON")
		fs.IntVar(&limit, "limit", 20, "how many runs, newest first")
	}, 0); err != nil {
		return err
	}
	if limit <= 0 {
		return usagef("history: --limit must be a positive number")
	}
	return c.withRuntime(ctx, func(rt *Runtime) error {
		runs, err := rt.Store.Runs(ctx, limit, 0)
		if err != nil {
			return err
		}
		out := make([]historyRun, 0, len(runs))
		for _, r := range runs {
			h := historyRun{RunID: r.ID, Trigger: r.Trigger, Status: r.Status, Created: r.Created, Granted: r.Granted,
				Revoked: r.Revoked, Held: r.Held, APICalls: r.APICalls, Error: r.Error, DryRun: r.DryRun, StartedAt: r.StartedAt,
				Changes: []historyChange{}}
			if !r.FinishedAt.IsZero() {
				f := r.FinishedAt
				h.FinishedAt = &f
			}
			changes, err := rt.Store.Changes(ctx, r.ID)
			if err != nil {
				return err
			}
			for _, ch := range changes {
				h.Changes = append(h.Changes, historyChange{User: ch.User, Action: ch.Action, Role: ch.Role, Group: ch.Group, Reason: ch.Reason, Held: ch.Held})
			}
			out = append(out, h)
		}
		if asJSON {
			return printJSON(c.stdout(), out)
		}
		printHistory(c.stdout(), out)
		return nil
	})
}

func printHistory(w io.Writer, runs []historyRun) {
	if len(runs) == 0 {
		fmt.Fprintln(w, "no runs yet: `rolesync sync --once` runs one")
		return
	}
	for _, r := range runs {
		dry := ""
		if r.DryRun {
			dry = " (dry run)"
		}
		fmt.Fprintf(w, "run %d  %s  %s%s  %s: %d created, %d granted, %d revoked, %d held, %d API calls\n",
			r.RunID, r.StartedAt.Local().Format("2006-01-02 15:04:05"), r.Status, dry, r.Trigger, r.Created, r.Granted, r.Revoked, r.Held, r.APICalls)
		if r.Error != "" {
			fmt.Fprintf(w, "  error: %s\n", r.Error)
		}
		for _, ch := range r.Changes {
			held := ""
			if ch.Held {
				held = " (held)"
			}
			fmt.Fprintf(w, "  %-28s %-10s %-16s %s%s\n", ch.User, ch.Action, dash(ch.Role), ch.Reason, held)
		}
	}
}
