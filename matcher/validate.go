package matcher

import (
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher/index"
)

// Location is an exact point. For residents it is private: only staff in
// scope and the active claimant of an on-site wish may see it.
type Location struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Point converts l for the geo package.
func (l Location) Point() geo.Point { return geo.Point{Lat: l.Lat, Lng: l.Lng} }

// Certification is a check or training a volunteer holds until it expires.
type Certification struct {
	Type      string    `json:"type"`
	ExpiresAt time.Time `json:"expires_at"`
}

// ValidAt reports whether c has not expired at t.
func (c Certification) ValidAt(t time.Time) bool { return t.Before(c.ExpiresAt) }

func (c *Catalog) hasCategory(s string) bool { return slices.Contains(c.Categories, s) }

// Limits on free text, so a body cannot smuggle megabytes into one field.
const (
	maxName  = 200
	maxTitle = 200
	maxText  = 4000
	maxList  = 50
	maxID    = 64
)

var (
	phonePattern = regexp.MustCompile(`^\+?[0-9][0-9 -]{4,19}$`)
	tokenPattern = regexp.MustCompile(`^[a-z][a-z0-9_]{0,63}$`)
)

// checkText returns an EINVALID error when s is missing (and required), too
// long, or holds what no text a person writes needs: invalid UTF-8,
// control characters, or invisible formatting characters (bidirectional
// overrides such as U+202E, zero-width spaces and joiners), which can make
// a name read as another. A text that shows nothing (see invisible) is
// missing, and a required one must say something: at least one letter or
// digit, so that "-" is no title.
// checkText is for texts of several lines (a description, a note): they
// may hold line breaks and tabs.
func checkText(field, s string, max int, required bool) error {
	return checkSaying(field, s, max, required, true, isWord, "letter or digit")
}

// checkLine is checkText for a text of one line (a name, a title, an
// address), which may hold no line break or tab either: a name that
// breaks a line breaks every list, CSV export and log line it is shown in.
func checkLine(field, s string, max int, required bool) error {
	return checkSaying(field, s, max, required, false, isWord, "letter or digit")
}

// checkName is checkLine for the name of a person (a resident, a
// volunteer, a guardian), which must have at least one letter: "." or
// "-" names nobody.
func checkName(field, s string) error {
	return checkSaying(field, s, maxName, true, false, isLetter, "letter")
}

// checkSaying is checkText where a required text must have a rune for
// which says is true, described as what; with lines, it may hold line
// breaks and tabs.
func checkSaying(field, s string, max int, required, lines bool, says func(rune) bool, what string) error {
	if !utf8.ValidString(s) {
		return Invalid(field, "must be valid UTF-8")
	}
	if blank(s) {
		if required {
			return Invalid(field, "is required")
		}
		if s != "" {
			return Invalid(field, "must not be only blanks or invisible characters")
		}
		return nil
	}
	if utf8.RuneCountInString(s) > max {
		return Invalid(field, "must be at most %d characters", max)
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r) && !lines && (r == '\n' || r == '\r' || r == '\t'):
			return Invalid(field, "must be one line: no line breaks or tabs (control characters)")
		case unicode.IsControl(r) && r != '\n' && r != '\t':
			return Invalid(field, "must not contain control characters")
		case r == utf8.RuneError:
			return Invalid(field, "must be valid UTF-8 (it holds U+FFFD, the mark of bytes that were not)")
		case unicode.Is(unicode.Cf, r):
			return Invalid(field, "must not contain invisible formatting characters such as U+%04X", r)
		}
	}
	if required && !strings.ContainsFunc(s, says) {
		return Invalid(field, "must have at least one %s", what)
	}
	return nil
}

// isWord reports whether r is a letter or a digit that shows.
func isWord(r rune) bool { return (unicode.IsLetter(r) || unicode.IsNumber(r)) && !invisible(r) }

// isLetter reports whether r is a letter that shows.
func isLetter(r rune) bool { return unicode.IsLetter(r) && !invisible(r) }

// blank reports whether s shows nothing: every rune of it is invisible.
func blank(s string) bool {
	return !strings.ContainsFunc(s, func(r rune) bool { return !invisible(r) })
}

// invisible reports whether r shows nothing by itself: white space, format
// characters (U+200B, U+202E…), the other default-ignorable code points
// (the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0, which are letters
// by their category, the combining grapheme joiner U+034F, the Khmer
// inherent vowels U+17B4 and U+17B5), variation selectors, marks, which
// only change the character before them, and the symbols drawn as blanks
// (the Braille blank U+2800, the musical null notehead U+1D159).
func invisible(r rune) bool {
	return unicode.IsSpace(r) || unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector, unicode.M) ||
		slices.Contains(blankSymbols, r)
}

// blankSymbols are the symbols that are drawn as nothing.
var blankSymbols = []rune{'\u2800', '\U0001D159'}

// checkID checks a reference to another entity: present when required,
// and no longer than any id.
func checkID(field, s string, required bool) error {
	switch {
	case s == "" && required:
		return Invalid(field, "is required")
	case len(s) > maxID || strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r > '~' }):
		return Invalid(field, "is not an id")
	}
	return nil
}

func checkLocation(field string, l *Location) error {
	if l == nil {
		return Invalid(field, "is required")
	}
	switch {
	case math.IsNaN(l.Lat) || l.Lat < -90 || l.Lat > 90:
		return Invalid(field+".lat", "must be between -90 and 90")
	case math.IsNaN(l.Lng) || l.Lng < -180 || l.Lng > 180:
		return Invalid(field+".lng", "must be between -180 and 180")
	case l.Lat == 0 && l.Lng == 0:
		return Invalid(field, "is required (0,0 is not a place anyone lives)")
	}
	return nil
}

func checkPhone(field, s string, required bool) error {
	if s == "" && !required {
		return nil
	}
	if !phonePattern.MatchString(s) {
		return Invalid(field, "must be a phone number of 5 to 20 digits, spaces or dashes, optionally starting with +")
	}
	return nil
}

// checkTokens checks a list of short identifiers (skills, disabilities),
// against a vocabulary when one is given; each may appear once.
func checkTokens(field string, list []string, vocabulary []string) error {
	if len(list) > maxList {
		return Invalid(field, "must have at most %d entries", maxList)
	}
	for i, s := range list {
		if !tokenPattern.MatchString(s) {
			return Invalid(fieldIndex(field, i), "must be lower-case letters, digits and underscores, starting with a letter")
		}
		if vocabulary != nil && !slices.Contains(vocabulary, s) {
			return Invalid(fieldIndex(field, i), "%q is not one of %s", s, strings.Join(vocabulary, ", "))
		}
		if slices.Contains(list[:i], s) {
			return Invalid(fieldIndex(field, i), "%q appears twice", s)
		}
	}
	return nil
}

func checkCategory(field, s string, c *Catalog) error {
	if s == "" {
		return Invalid(field, "is required")
	}
	if !c.hasCategory(s) {
		return Invalid(field, "%q is not one of %s", s, strings.Join(c.Categories, ", "))
	}
	return nil
}

func checkCategories(field string, list []string, c *Catalog, required bool) error {
	if len(list) == 0 && required {
		return Invalid(field, "needs at least one category")
	}
	return checkTokens(field, list, c.Categories)
}

// checkDate checks a calendar date such as "1990-05-01" between 1900 and
// today.
func checkDate(field, s string, now time.Time, required bool) error {
	if s == "" && !required {
		return nil
	}
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Invalid(field, "must be a date like 1990-05-01")
	}
	if d.After(now) || d.Year() < 1900 {
		return Invalid(field, "must be a date between 1900-01-01 and today")
	}
	return nil
}

// checkTime checks that t, when given, lies between from and to.
func checkTime(field string, t, from, to time.Time, what string) error {
	if t.Before(from) || t.After(to) {
		return Invalid(field, "must be %s (between %s and %s)", what, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return nil
}

// AgeAt returns the age in whole years at t of someone born on birthDate
// ("YYYY-MM-DD"), or 0 when the date is missing or malformed.
func AgeAt(birthDate string, t time.Time) int { return index.AgeAt(birthDate, t) }

func fieldIndex(field string, i int) string {
	return field + "[" + strconv.Itoa(i) + "]"
}
