// Command oktasim serves a simulated Okta Workforce org over HTTPS for
// development, demos and tests. On start it prints one JSON line with the
// org URL, the CA file to trust and the admin API token, then serves until
// SIGINT or SIGTERM.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/rolesync/rolesync/internal/oktasim"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "oktasim:", err)
		os.Exit(1)
	}
}

// startLine is the JSON line printed on start.
type startLine struct {
	URL      string `json:"url"`
	CAFile   string `json:"ca_file"`
	APIToken string `json:"api_token"`
}

// run serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("oktasim", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var opts oktasim.Options
	fs.StringVar(&opts.Addr, "addr", "127.0.0.1:0", "listen address (port 0 picks a free port)")
	fs.IntVar(&opts.Users, "users", 2000, "number of users in the generated org")
	fs.IntVar(&opts.Groups, "groups", 200, "number of groups in the generated org")
	fs.Int64Var(&opts.Seed, "seed", 1, "seed of the generated org (same seed, same org)")
	fs.StringVar(&opts.Fixture, "fixture", "", "YAML fixture to load instead of generating an org")
	fs.DurationVar(&opts.Latency, "latency", 0, "latency added to every API request, e.g. 50ms")
	fs.StringVar(&opts.CAFile, "ca-file", "", "where to write the CA certificate (default: a temporary file)")
	fs.StringVar(&opts.APIToken, "api-token", "", "admin API token to accept (default: random)")
	noLimits := fs.Bool("no-rate-limits", false, "turn Okta's rate limits off")
	searchLag := fs.Duration("search-lag", oktasim.DefaultSearchLag, "how long the users search lags writes, as Okta's eventually consistent search does (0: none)")
	logDelay := fs.Duration("log-delay", oktasim.DefaultLogDelay, "how long after publication, at most, a System Log event shows (0: none)")
	verbose := fs.Bool("v", false, "log every request to stderr")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q; all options are flags, see -h", fs.Arg(0))
	}
	if opts.Users < 0 || opts.Groups < 0 {
		return fmt.Errorf("--users and --groups must not be negative")
	}
	if opts.Latency < 0 || opts.Latency > time.Minute {
		return fmt.Errorf("--latency %s must be between 0 and 1m", opts.Latency)
	}
	if *searchLag < 0 || *logDelay < 0 {
		return fmt.Errorf("--search-lag and --log-delay must not be negative")
	}
	opts.RateLimits.Disabled = *noLimits
	opts.SearchLag, opts.LogDelay = noneIfZero(*searchLag), noneIfZero(*logDelay)
	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	opts.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))

	sim, err := oktasim.Start(ctx, opts)
	if err != nil {
		return err
	}
	line, err := json.Marshal(startLine{URL: sim.URL(), CAFile: sim.CAFile(), APIToken: sim.APIToken()})
	if err != nil {
		_ = sim.Close()
		return fmt.Errorf("start line: %w", err)
	}
	if _, err := fmt.Fprintf(stdout, "%s\n", line); err != nil {
		_ = sim.Close()
		return fmt.Errorf("write start line: %w", err)
	}
	<-ctx.Done()
	opts.Logger.Info("oktasim: shutting down", "requests", sim.Requests())
	return sim.Close()
}

// noneIfZero maps a lag flag to oktasim.Options, where 0 is the default
// and a negative value none.
func noneIfZero(d time.Duration) time.Duration {
	if d == 0 {
		return -1
	}
	return d
}
