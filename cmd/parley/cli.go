package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
	"strings"
)

// env reads configuration; os.Getenv in production, a map in tests.
type env func(string) string

// cli is what every verb gets: its arguments and the process's environment and streams.
type cli struct {
	args   []string
	getenv env
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// verb is one `parley <verb>` command.
type verb struct {
	summary string
	run     func(ctx context.Context, c *cli) error
}

func verbs() map[string]verb {
	return map[string]verb{
		"serve":   {"migrate the database, then serve HTTP and work jobs", serve},
		"migrate": {"apply the database migrations and exit", migrate},
		"agent":   {"manage agents: agent add --email E --name N --role R; agent list|deactivate|activate|set-role", agentCmd},
		"token":   {"API tokens: token add --agent E [--name N] [--integration] [--expires 90d]; token list|revoke", tokenCmd},
		"inbox":   {"connect channel accounts: inbox add email|sms|chat|slack --name N ...", inboxCmd},
		"team":    {"manage teams: team add --name N [--members a@x,b@y] [--default-queue]", teamCmd},
		"rule":    {"routing rules: rule add --name N [--keyword W]... [--set-team N] ...; rule list|delete|set", ruleCmd},
		"sla":     {"SLA policies: sla add --name N [--team N] [--priority P] --first-response D ...; sla list", slaCmd},
		"demo":    {"seed a demo admin (login printed) and sample conversations", demo},
		"bench":   {"measure: bench ingest --concurrency N --duration D; bench inbox --requests N; bench contacts --requests N; bench reports --requests N; bench sla --deadlines N --spread D", benchCmd},
		"secrets": {"PARLEY_SECRET_KEY: secrets generate (a new key); secrets rotate (re-seal under a new key)", secretsCmd},
	}
}

// run dispatches to a verb.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	all := verbs()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, all)
		if len(args) == 0 {
			return errors.New("no verb given")
		}
		return nil
	}
	v, ok := all[args[0]]
	if !ok {
		usage(stderr, all)
		return fmt.Errorf("unknown verb %q", args[0])
	}
	err := v.run(ctx, &cli{args: args[1:], getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr})
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	return err
}

func usage(w io.Writer, all map[string]verb) {
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "usage: parley <verb> [flags]   (parley <verb> -h for its flags)")
	fmt.Fprintln(w)
	for _, n := range names {
		fmt.Fprintf(w, "  %-8s %s\n", n, all[n].summary)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Configuration comes from the environment; see README.md (DATABASE_URL, PARLEY_ADDR, ...).")
}

// flags returns a FlagSet for a verb that prints its usage to stderr.
func (c *cli) flags(name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(c.stderr)
	fs.Usage = func() {
		fmt.Fprintf(c.stderr, "usage: parley %s\n\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// sub splits "add ..." off a verb's arguments.
func (c *cli) sub(verbName string, subs ...string) (string, error) {
	if len(c.args) == 0 || c.args[0] == "-h" || c.args[0] == "--help" {
		fmt.Fprintf(c.stderr, "usage: parley %s %s ...\n", verbName, strings.Join(subs, "|"))
		if len(c.args) == 0 {
			return "", fmt.Errorf("%s: which one? %s", verbName, strings.Join(subs, ", "))
		}
		return "", flag.ErrHelp
	}
	s := c.args[0]
	for _, ok := range subs {
		if s == ok {
			c.args = c.args[1:]
			return s, nil
		}
	}
	return "", fmt.Errorf("%s: unknown %q (want %s)", verbName, s, strings.Join(subs, ", "))
}

// stringList is a repeatable or comma-separated flag.
type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }

// Set implements flag.Value.
func (l *stringList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}
