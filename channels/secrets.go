package channels

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// StdinSecretsHelp is the sentence every command that takes secrets puts in its -h: the one
// convention for keeping secrets out of the shell history and the process list.
const StdinSecretsHelp = "A secret flag left out, or given as -, is read from stdin: one line each, in the order listed."

// SecretFlag is a flag that carries a secret: its name (for the error) and its value.
type SecretFlag struct {
	Name  string
	Value *string
}

// ReadSecrets fills every secret flag left empty or given as "-" with one line of stdin, in
// the order given. The line, less its line end, is the secret (a password may hold spaces); a
// line that is empty or only spaces is refused. A flag it needs a line for and
// that stdin cannot give is an error naming the flag.
func ReadSecrets(stdin io.Reader, flags ...SecretFlag) error {
	var in *bufio.Reader
	for _, f := range flags {
		if *f.Value != "" && *f.Value != "-" {
			continue
		}
		if in == nil {
			if stdin == nil {
				stdin = strings.NewReader("")
			}
			in = bufio.NewReader(stdin)
		}
		line, err := in.ReadString('\n')
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if strings.TrimSpace(line) == "" {
			if err == nil {
				return fmt.Errorf("--%s: the line on stdin is empty", f.Name)
			}
			return fmt.Errorf("no --%s given and nothing for it on stdin", f.Name)
		}
		*f.Value = line
	}
	return nil
}
