package arch

import (
	"fmt"
	"slices"
	"strings"
)

// Rule forbids the packages matching From to import the packages matching any of Deny.
//
// Patterns are module-relative import paths: "web" is that package only, "web/..." it and
// every package below it, and "channels/*" any provider package of channels/ with its
// subpackages. A provider never matches "channels/*" against its own subpackages, so a
// provider may import its own test helpers and no other provider.
type Rule struct {
	From string
	Deny []string
	Why  string
}

// Rules are Parley's import rules.
func Rules() []Rule {
	layers := []string{"cmd/...", "web/...", "workflow/...", "channels/*"}
	return []Rule{
		{From: "inbox/...", Deny: slices.Concat(layers, []string{"channels"}), Why: "inbox is the domain: it knows no HTTP, no job runner and no channel"},
		{From: "workflow/...", Deny: []string{"cmd/...", "web/...", "channels/*"}, Why: "workflow reaches the channels through the channels contract only"},
		{From: "web/...", Deny: []string{"cmd/...", "channels/*"}, Why: "web mounts the routes cmd gives it and never a channel itself"},
		{From: "channels", Deny: layers, Why: "the contract is imported by both sides and imports neither"},
		{From: "channels/*", Deny: layers, Why: "a channel owns its jobs and imports no other channel, nor workflow, nor web"},
		{From: "webhook/...", Deny: slices.Concat(layers, []string{"channels"}), Why: "webhooks sit beside inbox: workflow plans their jobs, web and cmd use them"},
		{From: "sandbox/...", Deny: slices.Concat(layers, []string{"channels", "inbox/...", "webhook/..."}), Why: "the sandbox fakes the providers and knows nothing of Parley's domain: cmd points the channels at it, web shows it"},
		{From: "sla/...", Deny: slices.Concat(layers, []string{"channels"}), Why: "SLA arithmetic is a leaf"},
		{From: "migrations/...", Deny: []string{"..."}, Why: "the migrations import nothing of Parley"},
		{From: "internal/...", Deny: layers, Why: "internal helpers are leaves"},
	}
}

// Violation is one forbidden import.
type Violation struct {
	From, To string // module-relative import paths
	Why      string
}

func (v Violation) String() string { return fmt.Sprintf("%s imports %s: %s", v.From, v.To, v.Why) }

// Check returns the imports of graph (an import path and the paths it imports, production
// imports only) that rules forbid, sorted. Imports outside module are ignored.
func Check(module string, graph map[string][]string, rules []Rule) []Violation {
	var out []Violation
	for from, imports := range graph {
		f, ok := relative(module, from)
		if !ok {
			continue
		}
		for _, to := range imports {
			t, ok := relative(module, to)
			if !ok {
				continue
			}
			for _, r := range rules {
				if !matches(r.From, f, "") {
					continue
				}
				if slices.ContainsFunc(r.Deny, func(p string) bool { return matches(p, t, f) }) {
					out = append(out, Violation{From: f, To: t, Why: r.Why})
					break
				}
			}
		}
	}
	slices.SortFunc(out, func(a, b Violation) int { return strings.Compare(a.String(), b.String()) })
	return out
}

// relative is path inside module ("." for the module's root package), if it is inside.
func relative(module, path string) (string, bool) {
	if path == module {
		return ".", true
	}
	rest, ok := strings.CutPrefix(path, module+"/")
	return rest, ok
}

// matches reports whether the module-relative path p matches pattern; importer is the
// importing package when p is the imported one ("" otherwise), which keeps "channels/*" from
// matching a provider's own subpackages.
func matches(pattern, p, importer string) bool {
	switch {
	case pattern == "...":
		return true
	case pattern == "channels/*":
		prov, ok := provider(p)
		if !ok {
			return false
		}
		own, ok := provider(importer)
		return !ok || own != prov
	case strings.HasSuffix(pattern, "/..."):
		base := strings.TrimSuffix(pattern, "/...")
		return p == base || strings.HasPrefix(p, base+"/")
	}
	return p == pattern
}

// provider is the channel provider a path belongs to: "slack" for channels/slack and
// channels/slack/slacktest.
func provider(p string) (string, bool) {
	rest, ok := strings.CutPrefix(p, "channels/")
	if !ok || rest == "" {
		return "", false
	}
	name, _, _ := strings.Cut(rest, "/")
	return name, true
}
