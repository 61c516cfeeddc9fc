package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/rolesync/rolesync/internal/app"
	"github.com/rolesync/rolesync/internal/buildinfo"
)

// Command groups of `rolesync --help`.
const (
	groupSync  = "sync"
	groupSetUp = "setup"
	groupAudit = "audit"
)

// newRoot builds the command tree for one invocation.
func newRoot(c *call) *cobra.Command {
	root := &cobra.Command{
		Use:   "rolesync",
		Short: "rolesync keeps a portal's users and roles in line with Okta groups.",
		Long: `rolesync keeps a portal's users and roles in line with Okta groups.

With no command it opens the desktop app; with one it runs headless. Its data
(database, local directory, file keyring) is in --data-dir, ROLESYNC_DATA_DIR,
or by default a rolesync folder in the user's configuration directory.

Exit status: 0 on success, 1 when a command fails, 2 for a usage mistake.`,
		Example: `  rolesync config import rolesync.yaml
  rolesync secrets set okta-api-token < token.txt
  rolesync plan
  rolesync sync --once --json`,
		Version: buildinfo.Read().String(),
		// Every mistake and failure is one line on stderr, printed by Main.
		SilenceErrors: true,
		SilenceUsage:  true,
		Args:          rootArgs,
		// rootArgs suggests commands within this edit distance.
		SuggestionsMinimumDistance: 2,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			c.ran = true
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error {
			if c.env.GUI == nil {
				return usagef("this build has no desktop app; name a subcommand")
			}
			if err := c.resolve(); err != nil {
				return err
			}
			d, err := app.OpenDesktop(cmd.Context(), c.dataDir, c.connection(), appEnv(c.env))
			if err != nil {
				return err
			}
			return c.env.GUI(cmd.Context(), d)
		},
	}
	root.SetIn(c.env.Stdin)
	root.SetOut(c.env.Stdout)
	root.SetErr(c.env.Stderr)
	root.SetVersionTemplate("{{.Version}}\n")
	// Defined here so that cobra adds no -v shorthand.
	root.Flags().Bool("version", false, "print the version, commit and build date")
	root.PersistentFlags().StringVar(&c.dataDirFlag, "data-dir", "", "the data directory: database, local directory, keyring (env ROLESYNC_DATA_DIR)")
	_ = root.MarkPersistentFlagDirname("data-dir")
	root.PersistentFlags().StringVar(&c.connFlag, "connection", "", "the connection, by name (env ROLESYNC_CONNECTION); needed when there are several")

	root.AddGroup(
		&cobra.Group{ID: groupSync, Title: "Syncing:"},
		&cobra.Group{ID: groupSetUp, Title: "Setting up:"},
		&cobra.Group{ID: groupAudit, Title: "Auditing:"},
	)
	add := func(group string, cmds ...*cobra.Command) {
		for _, cmd := range cmds {
			cmd.GroupID = group
			root.AddCommand(cmd)
		}
	}
	add(groupSync, syncCmd(c), planCmd(c), runIDCmd(c, "approve"), runIDCmd(c, "reject"), daemonCmd(c), demoCmd(c))
	add(groupSetUp, connectionsCmd(c), configCmd(c), secretsCmd(c), keysCmd(c), doctorCmd(c), rolesCmd(c), directoryCmd(c))
	add(groupAudit, historyCmd(c), auditCmd(c), exportCmd(c))
	root.AddCommand(versionCmd(c))
	root.SetHelpCommand(helpCmd(root))
	return root
}

// rootArgs refuses an unknown command, suggesting a close one.
func rootArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		return usagef("unknown command %q; did you mean %s?", args[0], strings.Join(s, " or "))
	}
	return usagef("unknown command %q", args[0])
}

// helpCmd is `rolesync help [COMMAND…]`: cobra's, except that an unknown
// command is a usage error rather than a help page.
func helpCmd(root *cobra.Command) *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "print the usage of rolesync or of a command",
		Long:  "Help prints the usage of rolesync or of one of its commands, as --help does.",
		ValidArgsFunction: func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
			cmd, _, err := root.Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range cmd.Commands() {
				if sub.IsAvailableCommand() {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(_ *cobra.Command, args []string) error {
			cmd, rest, err := root.Find(args)
			if err != nil || cmd == nil || len(rest) > 0 && !cmd.HasParent() {
				return usagef("help: unknown command %q", strings.Join(args, " "))
			}
			cmd.InitDefaultHelpFlag()
			cmd.InitDefaultVersionFlag()
			return cmd.Help()
		},
	}
}

// versionCmd is `rolesync version`, the same line as --version.
func versionCmd(c *call) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "version",
		Short: "print the version, commit and build date",
		Args:  maxArgs(0),
		RunE: func(*cobra.Command, []string) error {
			in := buildinfo.Read()
			if asJSON {
				return printJSON(c.stdout(), in)
			}
			_, err := c.stdout().Write([]byte(in.String() + "\n"))
			return err
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the version, commit, date, Go version and platform as JSON")
	return cmd
}
