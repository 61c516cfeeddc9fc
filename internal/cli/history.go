package cli

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
)

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
	Feed       string          `json:"feed"` // how Okta was read: full, system_log, users_search; "" when not recorded
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

func historyCmd(c *call) *cobra.Command {
	var asJSON bool
	var limit int
	cmd := &cobra.Command{
		Use:   "history",
		Short: "show the runs and their changes, newest first",
		Args:  maxArgs(0),
		RunE:  func(cmd *cobra.Command, _ []string) error { return runHistory(cmd.Context(), c, asJSON, limit) },
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print JSON")
	cmd.Flags().IntVar(&limit, "limit", 20, "how many runs, newest first")
	return cmd
}

func runHistory(ctx context.Context, c *call, asJSON bool, limit int) error {
	if limit <= 0 {
		return usagef("history: --limit must be a positive number")
	}
	return c.withRuntime(ctx, func(rt *app.Runtime) error {
		runs, err := rt.Store.Runs(ctx, limit, 0)
		if err != nil {
			return err
		}
		out := make([]historyRun, 0, len(runs))
		for _, r := range runs {
			h := historyRun{RunID: r.ID, Trigger: r.Trigger, Status: r.Status, Created: r.Created, Granted: r.Granted,
				Revoked: r.Revoked, Held: r.Held, APICalls: r.APICalls, Error: r.Error, DryRun: r.DryRun, Feed: r.Feed, StartedAt: r.StartedAt,
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
		fmt.Fprintf(w, "run %d  %s  %s%s  %s: %d created, %d granted, %d revoked, %d held, %d API calls%s\n",
			r.RunID, r.StartedAt.Local().Format("2006-01-02 15:04:05"), r.Status, dry, r.Trigger, r.Created, r.Granted, r.Revoked, r.Held, r.APICalls, feedSuffix(r.Feed))
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

// feedSuffix names the feed a run read Okta with, for the end of its
// history line; empty when the run recorded none.
func feedSuffix(feed string) string {
	if feed == "" {
		return ""
	}
	return ", Okta feed " + feed
}
