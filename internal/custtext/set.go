package custtext

import (
	"strconv"
	"strings"
	"time"
)

// Overrides are an inbox's own texts: language, then key, then the text.
type Overrides map[string]map[string]string

// Set is the texts one customer reads: a language and the overrides of their inbox.
type Set struct {
	// Lang is the language of the set, a shipped one.
	Lang string
	over Overrides
}

// For returns the set of lang (English when lang is not shipped) with over, which may be nil.
func For(lang string, over Overrides) Set {
	if !Supported(lang) {
		lang = English
	}
	return Set{Lang: lang, over: over}
}

// raw resolves key: override(lang), catalogue(lang), override(en), catalogue(en), else the key
// itself (a key that no file holds is a bug the tests catch, but a customer still reads
// something).
func (s Set) raw(key string) string {
	for _, lang := range []string{s.Lang, English} {
		if t, ok := s.over[lang][key]; ok {
			return t
		}
		if t, ok := Text(lang, key); ok {
			return t
		}
	}
	return key
}

// Get returns the text of key with its placeholders filled from vars, given as pairs of name and
// value ("agent", "Ana"); a placeholder vars does not name stays as written.
func (s Set) Get(key string, vars ...string) string {
	t := s.raw(key)
	if len(vars) == 0 {
		return t
	}
	pairs := make([]string, 0, len(vars))
	for i := 0; i+1 < len(vars); i += 2 {
		pairs = append(pairs, "{"+vars[i]+"}", vars[i+1])
	}
	return strings.NewReplacer(pairs...).Replace(t)
}

// Prefixed returns every text whose key starts with prefix, resolved, with the prefix cut off
// the keys: Prefixed("widget.") is what the chat widget shows.
func (s Set) Prefixed(prefix string) map[string]string {
	out := map[string]string{}
	for _, k := range Keys() {
		if name, ok := strings.CutPrefix(k, prefix); ok {
			out[name] = s.raw(k)
		}
	}
	return out
}

// Date writes a day as the language writes it ("May 4, 2026", "4. Mai 2026").
func (s Set) Date(t time.Time) string {
	months := strings.Split(s.raw("date.months"), "|")
	month := t.Month().String()
	if int(t.Month()) <= len(months) {
		month = months[t.Month()-1]
	}
	return s.Get("date.format", "day", strconv.Itoa(t.Day()), "month", month, "year", strconv.Itoa(t.Year()))
}
