package sms

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
)

// MaxBody is the longest body, in characters as Width counts them, that
// Twilio accepts in one message; Twilio cuts it into segments itself.
const MaxBody = 1600

// Width counts the characters of s the way SMS encodings do: one for each
// rune of the Basic Multilingual Plane, two for a rune beyond it (an emoji is
// two UTF-16 units). Invalid UTF-8 bytes count one each.
func Width(s string) int {
	n := 0
	for _, r := range s { // never a surrogate: RuneLen is 1 or 2
		n += utf16.RuneLen(r)
	}
	return n
}

// Split prepares text for sending: it trims surrounding white space and
// returns nil when nothing is left, the text itself when it fits in MaxBody,
// and otherwise parts numbered "(1/3) ", "(2/3) ", ... each at most MaxBody
// wide. Parts are cut at white space; a word longer than a whole part is cut
// between runes.
func Split(text string) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if Width(text) <= MaxBody {
		return []string{text}
	}
	// The prefix "(i/n) " takes 2*digits+4 characters at most; widen it
	// until the count of parts fits in its digits.
	for digits, limit := 1, 10; ; digits, limit = digits+1, limit*10 {
		chunks := chunk(text, MaxBody-(2*digits+4))
		if len(chunks) >= limit {
			continue
		}
		total := strconv.Itoa(len(chunks))
		for i, c := range chunks {
			chunks[i] = "(" + strconv.Itoa(i+1) + "/" + total + ") " + c
		}
		return chunks
	}
}

// chunk cuts text, which starts and ends with non-space, into pieces at most
// budget wide, cutting at the last white space that fits.
func chunk(text string, budget int) []string {
	var out []string
	for text != "" {
		cut := cutPoint(text, budget)
		out = append(out, strings.TrimRightFunc(text[:cut], unicode.IsSpace))
		text = strings.TrimLeftFunc(text[cut:], unicode.IsSpace)
	}
	return out
}

// cutPoint returns the byte index at which to end a piece of text at most
// budget wide: the start of the last white space up to the first rune that
// does not fit, or, in a word too long for a piece, that rune's start;
// len(text) when all of it fits. text starts with non-space, so the piece
// before the cut is never empty.
func cutPoint(text string, budget int) int {
	width, lastSpace := 0, 0
	for i, r := range text {
		if unicode.IsSpace(r) {
			lastSpace = i // the piece ends before this space
		}
		width += utf16.RuneLen(r)
		if width > budget {
			if lastSpace > 0 {
				return lastSpace
			}
			return i
		}
	}
	return len(text) // all of it fits
}
