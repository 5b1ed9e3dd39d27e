package matcher

import (
	"sort"
	"testing"
	"time"
)

func TestAgeAt(t *testing.T) {
	at := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		give string
		want int
	}{
		{"2008-11-28", 18}, // birthday today
		{"2008-11-29", 17}, // birthday tomorrow
		{"2008-12-01", 17},
		{"1966-02-28", 60},
		{"2026-11-28", 0},
		{"not a date", 0},
		{"", 0},
	}
	for _, tt := range tests {
		if got := AgeAt(tt.give, at); got != tt.want {
			t.Errorf("AgeAt(%q) = %d, want %d", tt.give, got, tt.want)
		}
	}
}

func TestResidentConsent(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	cat := &Catalog{Disabilities: []string{"wheelchair_user"}}
	base := func(birth string, c *Consent) ResidentInput {
		return ResidentInput{Name: "A", BirthDate: birth, Location: &Location{Lat: 30.27, Lng: 120.15}, Consent: c}
	}
	given := now.Add(-time.Hour)
	guardian := func(name string) *Consent {
		return &Consent{GivenBy: "guardian", GuardianName: name, Purpose: "p", GivenAt: given}
	}
	tests := []struct {
		name      string
		give      ResidentInput
		wantField string // "" = valid
	}{
		{"adult consents", base("1950-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: given}), ""},
		{"no consent", base("1950-01-01", nil), "consent"},
		{"child cannot consent", base("2016-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: given}), "consent.given_by"},
		{"guardian for a child", base("2016-01-01", guardian("Wang Li")), ""},
		{"guardian without a name", base("2016-01-01", guardian("")), "consent.guardian_name"},
		{"guardian with a blank name", base("2016-01-01", guardian("  \t")), "consent.guardian_name"},
		{"guardian with a zero-width name", base("2016-01-01", guardian("\u200b\u200b")), "consent.guardian_name"},
		{"guardian named by a Hangul filler", base("2016-01-01", guardian("\u3164")), "consent.guardian_name"},
		{"guardian named by a dot", base("2016-01-01", guardian(".")), "consent.guardian_name"},
		{"guardian named by a dash", base("2016-01-01", guardian("-")), "consent.guardian_name"},
		{"a resident named by a Braille blank", func() ResidentInput {
			in := base("1950-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: given})
			in.Name = "\u2800"
			return in
		}(), "name"},
		{"fifteen-year-old consents", base("2011-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: given}), ""},
		{"no purpose", base("1950-01-01", &Consent{GivenBy: "self", GivenAt: given}), "consent.purpose"},
		{"future consent", base("1950-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: now.Add(time.Hour)}), "consent.given_at"},
		{"unknown disability", func() ResidentInput {
			in := base("1950-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: given})
			in.Disabilities = []string{"flying"}
			return in
		}(), "disabilities[0]"},
		{"a disability twice", func() ResidentInput {
			in := base("1950-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: given})
			in.Disabilities = []string{"wheelchair_user", "wheelchair_user"}
			return in
		}(), "disabilities[1]"},
		{"a name with a bidi override", func() ResidentInput {
			in := base("1950-01-01", &Consent{GivenBy: "self", Purpose: "p", GivenAt: given})
			in.Name = "Wang \u202eFang"
			return in
		}(), "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.give.validate(cat, now)
			var field string
			if e, ok := err.(*Error); ok {
				field = e.Field
			} else if err != nil {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if field != tt.wantField || (tt.wantField == "") != (err == nil) {
				t.Fatalf("got %v, want field %q", err, tt.wantField)
			}
		})
	}
}

func TestCheckText(t *testing.T) {
	tests := []struct {
		give    string
		wantErr bool
	}{
		{"Wang Fang 王芳", false},
		{"line\nbreak", false},
		{"bell\a", true},
		{"\xff", true},
		{"\ufffd", true},
		{"   ", true},
		{"\u200b", true},
		{"a\u202eb", true},
		{"a\u2066b", true},
	}
	for _, tt := range tests {
		if err := checkText("name", tt.give, 20, true); (err != nil) != tt.wantErr {
			t.Errorf("checkText(%q) = %v, want error %v", tt.give, err, tt.wantErr)
		}
	}
}

// TestBlankTextsAreMissing: what a person reads (names, titles, notes)
// must say something; texts of characters that show nothing, or of
// punctuation alone, are refused, as a user would try them.
func TestBlankTextsAreMissing(t *testing.T) {
	blanks := map[string]string{
		"Hangul filler":             "\u3164",
		"Hangul choseong filler":    "\u115f\u115f",
		"Hangul jungseong filler":   "\u1160",
		"halfwidth Hangul filler":   "\uffa0",
		"Braille blank":             "\u2800\u2800",
		"combining grapheme joiner": "\u034f",
		"Khmer inherent vowel":      "\u17b5",
		"musical null notehead":     "\U0001d159",
		"a lone combining mark":     "\u0301",
		"variation selectors":       "\ufe0f\U000e0100",
		"ideographic space":         "\u3000",
		"fillers and spaces":        " \u3164 \u2800 ",
	}
	for name, s := range blanks {
		for _, check := range []struct {
			what string
			err  error
		}{
			{"title", checkText("title", s, maxTitle, true)},
			{"name", checkName("name", s)},
		} {
			if e, ok := check.err.(*Error); !ok || e.Field != check.what || e.Message != "is required" {
				t.Errorf("%s %s (%+q): %v, want %s is required", check.what, name, s, check.err, check.what)
			}
		}
		if err := checkText("description", s, maxText, false); err == nil {
			t.Errorf("an optional text of %s (%+q) was accepted", name, s)
		}
	}
	tests := []struct {
		give               string
		wantText, wantName bool // accepted as a required text, as a person's name
	}{
		{"Wang Fang 王芳", true, true},
		{"王", true, true},
		{"José", true, true},
		{"e\u0301", true, true}, // e and a combining acute accent
		{"7-11", true, false},
		{"3", true, false},
		{".", false, false},
		{"-", false, false},
		{"— ?!", false, false},
		{"👍", false, false},
	}
	for _, tt := range tests {
		if err := checkText("title", tt.give, maxTitle, true); (err == nil) != tt.wantText {
			t.Errorf("checkText(%+q) = %v, want accepted %v", tt.give, err, tt.wantText)
		}
		if err := checkName("name", tt.give); (err == nil) != tt.wantName {
			t.Errorf("checkName(%+q) = %v, want accepted %v", tt.give, err, tt.wantName)
		}
	}
	if err := checkText("comment", "👍", maxText, false); err != nil {
		t.Errorf("an optional comment of an emoji: %v, want accepted", err)
	}
}

func TestWishDueDatesAreBounded(t *testing.T) {
	now := time.Date(2026, 11, 28, 12, 0, 0, 0, time.UTC)
	cat := &Catalog{Categories: []string{"repair"}}
	for _, tt := range []struct {
		due  time.Time
		want bool
	}{{now.Add(time.Hour), true}, {now.Add(-time.Hour), false}, {time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC), false}} {
		in := WishInput{ResidentID: "rsd_1", Category: "repair", Title: "x", DueAt: tt.due}
		if err := in.validate(cat, now, 366*24*time.Hour); (err == nil) != tt.want {
			t.Errorf("due %s: %v", tt.due, err)
		}
	}
}

func TestNewIDSortsByTime(t *testing.T) {
	var ids []string
	for range 5 {
		ids = append(ids, NewID("wsh"))
		time.Sleep(2 * time.Millisecond)
	}
	if !sort.StringsAreSorted(ids) {
		t.Fatalf("ids not in creation order: %v", ids)
	}
	if len(ids[0]) != len("wsh_")+26 || ids[0] == ids[1] {
		t.Fatalf("unexpected id shape: %v", ids)
	}
}
