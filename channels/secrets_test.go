package channels

import (
	"strings"
	"testing"
)

func TestReadSecrets(t *testing.T) {
	a, b, c := "-", "given", ""
	err := ReadSecrets(strings.NewReader("first \r\nsecond\nthird\n"),
		SecretFlag{"a", &a}, SecretFlag{"b", &b}, SecretFlag{"c", &c})
	if err != nil || a != "first " || b != "given" || c != "second" {
		t.Fatalf("a=%q b=%q c=%q err=%v", a, b, c, err)
	}
	d, e := "-", "-"
	err = ReadSecrets(strings.NewReader("only-one"), SecretFlag{"d", &d}, SecretFlag{"e", &e})
	if err == nil || !strings.Contains(err.Error(), "--e") || d != "only-one" {
		t.Fatalf("short stdin: d=%q err=%v", d, err)
	}
	f := "-"
	if err := ReadSecrets(strings.NewReader("\nnext\n"), SecretFlag{"f", &f}); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Fatalf("an empty line: %v", err)
	}
	g := "-"
	if err := ReadSecrets(nil, SecretFlag{"g", &g}); err == nil {
		t.Fatal("no stdin at all filled a secret")
	}
}
