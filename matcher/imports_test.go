package matcher_test

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/linli/linli/matcher"
	"github.com/linli/linli/matcher/mongo/mongotest"
)

// mustImport imports body as kind and fails the test on an error.
func (w *world) mustImport(ctx context.Context, kind, body string, set ...func(*matcher.ImportInput)) *matcher.Import {
	w.tb.Helper()
	imp, err := w.importFile(ctx, kind, body, set...)
	if err != nil {
		w.tb.Fatalf("import %s: %v", kind, err)
	}
	return imp
}

func (w *world) importFile(ctx context.Context, kind, body string, set ...func(*matcher.ImportInput)) (*matcher.Import, error) {
	in := matcher.ImportInput{Kind: kind}
	for _, s := range set {
		s(&in)
	}
	return w.svc.Import(ctx, in, strings.NewReader(body), nil)
}

func dryRun(in *matcher.ImportInput) { in.DryRun = true }

func reportOf(imp *matcher.Import) []string {
	out := []string{}
	for _, l := range imp.Report {
		out = append(out, l.String())
	}
	return out
}

const volunteersHeader = "name,phone,birth_date,lat,lng,skills,certifications,organisation_id,max_active_claims\n"

// TestImportRefusesEachRowAsTheAPIWould imports one bad row at a time and
// checks that the report names the row and the field, with the very
// reason the API gives for the same record, without its value.
func TestImportRefusesEachRowAsTheAPIWould(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	coord := w.as(matcher.RoleCoordinator, community.ID)
	loc := func(lat, lng float64) *matcher.Location { return &matcher.Location{Lat: lat, Lng: lng} }
	cert := func(typ string) []matcher.Certification {
		return []matcher.Certification{{Type: typ, ExpiresAt: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)}}
	}
	tests := []struct {
		name string
		give string // the row after the header
		api  *matcher.VolunteerInput
		want string
	}{
		{"lat out of range", "Li Wei,13800000001,1990-05-01,95,120.15,,,,", &matcher.VolunteerInput{Name: "Li Wei", Phone: "13800000001",
			BirthDate: "1990-05-01", Location: loc(95, 120.15)}, "row 2: location.lat: must be between -90 and 90"},
		{"lng out of range", "Li Wei,,1990-05-01,30.27,190,,,,", &matcher.VolunteerInput{Name: "Li Wei", BirthDate: "1990-05-01",
			Location: loc(30.27, 190)}, "row 2: location.lng: must be between -180 and 180"},
		{"lat not a number", "Li Wei,,1990-05-01,north,120.15,,,,", nil, "row 2: location.lat: must be a number like 30.27"},
		{"no location", "Li Wei,,1990-05-01,,,,,,", &matcher.VolunteerInput{Name: "Li Wei", BirthDate: "1990-05-01"}, "row 2: location: is required"},
		{"no name", ",,1990-05-01,30.27,120.15,,,,", &matcher.VolunteerInput{BirthDate: "1990-05-01", Location: loc(30.27, 120.15)},
			"row 2: name: is required"},
		{"bad date", "Li Wei,,1990-13-45,30.27,120.15,,,,", &matcher.VolunteerInput{Name: "Li Wei", BirthDate: "1990-13-45",
			Location: loc(30.27, 120.15)}, "row 2: birth_date: must be a date like 1990-05-01"},
		{"too young", "Li Wei,,2020-01-01,30.27,120.15,,,,", &matcher.VolunteerInput{Name: "Li Wei", BirthDate: "2020-01-01",
			Location: loc(30.27, 120.15)}, "row 2: birth_date: volunteers must be at least 14 years old"},
		{"bad phone", "Li Wei,call me,1990-05-01,30.27,120.15,,,,", &matcher.VolunteerInput{Name: "Li Wei", Phone: "call me",
			BirthDate: "1990-05-01", Location: loc(30.27, 120.15)},
			"row 2: phone: must be a phone number of 5 to 20 digits, spaces or dashes, optionally starting with +"},
		{"bad skill", "Li Wei,,1990-05-01,30.27,120.15,Repair!,,,", &matcher.VolunteerInput{Name: "Li Wei", BirthDate: "1990-05-01",
			Location: loc(30.27, 120.15), Skills: []string{"Repair!"}},
			"row 2: skills[0]: must be lower-case letters, digits and underscores, starting with a letter"},
		{"unknown certification", "Li Wei,,1990-05-01,30.27,120.15,,astronaut:2027-12-31,,", &matcher.VolunteerInput{Name: "Li Wei",
			BirthDate: "1990-05-01", Location: loc(30.27, 120.15), Certifications: cert("astronaut")},
			`row 2: certifications[0].type: "…" is not a known certification type`},
		{"certification without expiry", "Li Wei,,1990-05-01,30.27,120.15,,background_check,,", nil,
			"row 2: certifications[0]: must be type:expiry date, like background_check:2027-12-31"},
		{"certification expiry not a date", "Li Wei,,1990-05-01,30.27,120.15,,background_check:soon,,", nil,
			"row 2: certifications[0].expires_at: must be a time like 2026-12-24T18:00:00+08:00 or a date like 2026-12-24"},
		{"claims not a number", "Li Wei,,1990-05-01,30.27,120.15,,,,many", nil, "row 2: max_active_claims: must be a whole number"},
		{"claims out of range", "Li Wei,,1990-05-01,30.27,120.15,,,,200", &matcher.VolunteerInput{Name: "Li Wei", BirthDate: "1990-05-01",
			Location: loc(30.27, 120.15), MaxActiveClaims: 200}, "row 2: max_active_claims: must be between 1 and 100"},
		{"organisation out of scope", "Li Wei,,1990-05-01,30.27,120.15,,,org_nowhere,", &matcher.VolunteerInput{Name: "Li Wei",
			BirthDate: "1990-05-01", Location: loc(30.27, 120.15), OrganisationID: "org_nowhere"},
			`row 2: organisation_id: no organisation in your scope has id "…"`},
		{"too many cells", "Li Wei,,1990-05-01,30.27,120.15,,,,,extra", nil, "row 2: has 10 cells, but the header names 9 columns"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp := w.mustImport(coord, "volunteers", volunteersHeader+tt.give+"\n")
			got := reportOf(imp)
			if len(got) != 1 || got[0] != tt.want || imp.Refused != 1 || imp.Imported != 0 || imp.Report[0].Outcome != matcher.RowRefused {
				t.Fatalf("report %q (refused %d, imported %d), want %q", got, imp.Refused, imp.Imported, tt.want)
			}
			if tt.api == nil {
				return
			}
			_, err := w.svc.CreateVolunteer(coord, *tt.api)
			e, ok := err.(*matcher.Error)
			if !ok || "row 2: "+e.Field+": "+quotedValue.ReplaceAllString(e.Message, `"…"`) != tt.want {
				t.Fatalf("the API says %v; the import %q", err, tt.want)
			}
		})
	}
}

var quotedValue = regexp.MustCompile(`"[^"]*"`)

// TestImportReadsEncodings reads the same file in UTF-8 with and without
// a BOM and in GB18030, detected and forced.
func TestImportReadsEncodings(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	coord := w.as(matcher.RoleCoordinator, community.ID)
	gb := func(s string) string {
		b, err := simplifiedchinese.GB18030.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	row := func(name string, i int) string {
		return fmt.Sprintf("%s%s,1380000%04d,1990-05-01,30.27,120.15,repair；first_aid,,,\n", volunteersHeader, name, i)
	}
	tests := []struct {
		name, give, force, wantName, wantEncoding string
	}{
		{"utf-8", row("王芳", 1), "", "王芳", "utf-8"},
		{"utf-8 with a BOM", "\ufeff" + row("李雷", 2), "", "李雷", "utf-8"},
		{"gb18030 detected", gb(row("张伟", 3)), "", "张伟", "gb18030"},
		{"gb18030 forced", gb(row("刘洋", 4)), "gb18030", "刘洋", "gb18030"},
		{"gb18030 rare character", gb(row("𠀾陈", 5)), "", "𠀾陈", "gb18030"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imp := w.mustImport(coord, "volunteers", tt.give, func(in *matcher.ImportInput) { in.Encoding = tt.force })
			if imp.Imported != 1 || imp.Encoding != tt.wantEncoding {
				t.Fatalf("imported %d in %s, report %q; want 1 in %s", imp.Imported, imp.Encoding, reportOf(imp), tt.wantEncoding)
			}
			pg, err := w.svc.ListVolunteers(coord, matcher.PageRequest{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			var found *matcher.Volunteer
			for _, v := range pg.Items {
				if v.Name == tt.wantName {
					found = v
				}
			}
			if found == nil || strings.Join(found.Skills, ",") != "repair,first_aid" {
				t.Fatalf("no volunteer %q with skills repair, first_aid: %v", tt.wantName, found)
			}
		})
	}
	_, err := w.importFile(coord, "volunteers", gb(row("王五", 6)), func(in *matcher.ImportInput) { in.Encoding = "utf-8" })
	if e, ok := err.(*matcher.Error); !ok || e.Field != "encoding" {
		t.Fatalf("GB18030 read as UTF-8: %v, want an error naming encoding", err)
	}
}

// TestImportChecksTheHeaderBeforeAnyRow refuses files whose header does
// not fit, naming the columns, and writes nothing.
func TestImportChecksTheHeaderBeforeAnyRow(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	coord := w.as(matcher.RoleCoordinator, community.ID)
	good := "Li Wei,,1990-05-01,30.27,120.15\n"
	tests := []struct {
		name, give, field, want string
	}{
		{"unknown columns", "name,birth_date,lat,lng,shoe_size,Favourite Colour\n" + good, "header", "unknown columns: shoe_size, favourite colour"},
		{"missing columns", "name,phone,lat\nLi Wei,,30.27\n", "header", "missing required columns: birth_date, lng"},
		{"a column twice", "name,birth_date,lat,lng,name\n" + good, "header", "columns named twice: name"},
		{"a column without a name", "name,,birth_date,lat,lng\n" + good, "header", "column 2 has no name"},
		{"empty", "", "file", "is empty"},
	}
	before := w.store.Tail()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := w.importFile(coord, "volunteers", tt.give)
			e, ok := err.(*matcher.Error)
			if !ok || e.Field != tt.field || !strings.Contains(e.Message, tt.want) {
				t.Fatalf("error %v, want %s: …%s…", err, tt.field, tt.want)
			}
		})
	}
	if _, err := w.importFile(coord, "wishlists", "name\n"); code(err) != matcher.EINVALID {
		t.Fatalf("an unknown kind: %v", err)
	}
	if after := w.store.Tail(); after != before {
		t.Fatalf("the log went from %d to %d entries", before, after)
	}
}

// TestImportFindsDuplicates within the file and against the records in
// scope, and a second run of the same file imports nothing.
func TestImportFindsDuplicates(t *testing.T) {
	w := mustWorld(t, false)
	street := w.mustNode(matcher.KindStreet, "")
	a := w.mustNode(matcher.KindCommunity, street.ID)
	b := w.mustNode(matcher.KindCommunity, street.ID)
	coordA, coordB := w.as(matcher.RoleCoordinator, a.ID), w.as(matcher.RoleCoordinator, b.ID)
	existing, err := w.svc.CreateVolunteer(coordA, matcher.VolunteerInput{Name: "Zhao Lei", Phone: "139 0000 0007",
		BirthDate: "1980-02-02", Location: &hangzhou})
	if err != nil {
		t.Fatal(err)
	}
	file := volunteersHeader +
		"Wang Fang,+86 138 0000 0001,1990-05-01,30.27,120.15,,,,\n" + // row 2
		"Li Lei,13800000002,1985-01-02,30.27,120.15,,,,\n" + // row 3
		"Li Na,138-0000-0001,1970-01-01,30.27,120.15,,,,\n" + // row 4: row 2's phone
		"Ｗａｎｇ　 FANG ,,1990-05-01,30.27,120.15,,,,\n" + // row 5: row 2's name (full width, spaced, upper case)
		"Zhou Min,13900000007,1999-09-09,30.27,120.15,,,,\n" + // row 6: the existing volunteer's phone
		"zhao lei,,1980-02-02,30.27,120.15,,,,\n" + // row 7: the existing volunteer's name and birth date
		"Wang Fang,+86 138 0000 0001,1990-05-01,30.27,120.15,,,,\n" // row 8: row 2 again, whole
	imp := w.mustImport(coordA, "volunteers", file)
	want := []string{
		"row 4: duplicate of row 2 (same phone)",
		"row 5: duplicate of row 2 (same name and birth date)",
		"row 6: duplicate of " + existing.ID + " (same phone)",
		"row 7: duplicate of " + existing.ID + " (same name and birth date)",
		"row 8: duplicate of row 2 (the same row)",
	}
	if got := reportOf(imp); strings.Join(got, "\n") != strings.Join(want, "\n") || imp.Imported != 2 || imp.Duplicates != 5 {
		t.Fatalf("imported %d, duplicates %d, report:\n%s\nwant 2, 5:\n%s", imp.Imported, imp.Duplicates, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	again := w.mustImport(coordA, "volunteers", file)
	if again.Imported != 0 || again.Duplicates != 7 || again.Rows != 7 {
		t.Fatalf("a second run: %+v %q, want nothing imported, 7 duplicates", again.ImportCounts, reportOf(again))
	}
	// A record out of the caller's scope is not shown as a duplicate: the
	// sibling community's coordinator learns nothing of A's volunteers.
	other := w.mustImport(coordB, "volunteers", file)
	if other.Imported != 4 || strings.Contains(strings.Join(reportOf(other), " "), "vol_") {
		t.Fatalf("the sibling's import: %+v %q", other.ImportCounts, reportOf(other))
	}

	// Organisations and enterprises: the same name under the same node.
	orgs := "name,kind,lat,lng,categories\nXiaohe Social Work,social_org,30.27,120.15,repair\nXIAOHE  social work,social_org,30.27,120.15,\n"
	if imp := w.mustImport(coordA, "organisations", orgs); imp.Imported != 1 || imp.Duplicates != 1 {
		t.Fatalf("organisations: %+v %q", imp.ImportCounts, reportOf(imp))
	}
	if imp := w.mustImport(coordA, "organisations", "name,kind,lat,lng\nxiaohe social work,volunteer_team,30.28,120.16\n"); imp.Imported != 0 ||
		!strings.Contains(reportOf(imp)[0], "(same name under the same node)") {
		t.Fatalf("an organisation of the same name under the same node: %+v %q", imp.ImportCounts, reportOf(imp))
	}
	ents := "name,lat,lng,categories,sites,capacity\nHangzhou Repairs,30.27,120.15,repair,30.28:120.16,repair:3\nHangzhou Repairs,30.27,120.15,,,\n"
	if imp := w.mustImport(coordA, "enterprises", ents); imp.Imported != 1 || imp.Duplicates != 1 {
		t.Fatalf("enterprises: %+v %q", imp.ImportCounts, reportOf(imp))
	}
}

// TestImportDryRunWritesNothing reports what an import would do and
// leaves the log as it was.
func TestImportDryRunWritesNothing(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	coord := w.as(matcher.RoleCoordinator, community.ID)
	file := volunteersHeader + "Wang Fang,13800000001,1990-05-01,30.27,120.15,,,,\nLi Lei,13800000001,1985-01-02,30.27,120.15,,,,\nBad,,1990-05-01,91,120,,,,\n"
	before := w.store.Tail()
	dry := w.mustImport(coord, "volunteers", file, dryRun)
	if w.store.Tail() != before {
		t.Fatalf("a dry run wrote %d entries", w.store.Tail()-before)
	}
	if dry.Imported != 1 || dry.Duplicates != 1 || dry.Refused != 1 || !dry.DryRun {
		t.Fatalf("dry run: %+v %q", dry.ImportCounts, reportOf(dry))
	}
	real := w.mustImport(coord, "volunteers", file)
	if strings.Join(reportOf(real), "\n") != strings.Join(reportOf(dry), "\n") || real.Imported != dry.Imported {
		t.Fatalf("the import %q differs from its dry run %q", reportOf(real), reportOf(dry))
	}
	if _, err := w.svc.GetImport(coord, dry.ID); code(err) != matcher.ENOTFOUND {
		t.Fatalf("a dry run was recorded: %v", err)
	}
}

// TestImportPlacesRecordsAndAuthorizes: the roles of the create routes,
// placement under the caller's node or a node in scope, and residents and
// wishes of the caller's community only.
func TestImportPlacesRecordsAndAuthorizes(t *testing.T) {
	w := mustWorld(t, false)
	street := w.mustNode(matcher.KindStreet, "")
	a := w.mustNode(matcher.KindCommunity, street.ID)
	b := w.mustNode(matcher.KindCommunity, "")
	coord, social := w.as(matcher.RoleCoordinator, a.ID), w.as(matcher.RoleSocialWorker, a.ID)
	residents := "name,phone,birth_date,lat,lng,disabilities,lives_alone,address,consent_given_by,guardian_name,consent_purpose,consent_given_at,community_id\n" +
		"Wang Fang,13900001111,1948-03-02,30.27,120.15,wheelchair_user,是,12 Xixi Road,self,,micro-wish matching,2026-11-01,\n" +
		"Xiao Ming,,2018-06-01,30.27,120.15,,,,self,,micro-wish matching,2026-11-01T09:00:00+08:00,\n" +
		"Xiao Hong,,2018-06-01,30.27,120.15,,,,guardian,Wang Li,micro-wish matching,2026-11-01,\n" +
		"Zhang Wei,,1950-01-01,30.27,120.15,,,,,,,,\n" +
		"Li Si,,1950-01-01,30.27,120.15,,maybe,,self,,matching,2026-11-01,\n" +
		"Chen Jing,,1950-01-01,30.27,120.15,,,,self,,matching,2026-11-01," + b.ID + "\n"
	if _, err := w.importFile(coord, "residents", residents); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a coordinator imports residents: %v", err)
	}
	if _, err := w.importFile(social, "volunteers", volunteersHeader); code(err) != matcher.EFORBIDDEN {
		t.Fatalf("a social worker imports volunteers: %v", err)
	}
	if _, err := w.importFile(w.admin, "residents", residents); code(err) != matcher.EINVALID {
		t.Fatalf("an admin imports residents under no node: %v", err)
	}
	imp := w.mustImport(social, "residents", residents)
	want := []string{
		"row 3: consent.given_by: a resident under 14 needs a guardian's consent",
		"row 5: consent: is required: record who consented, for what purpose and when",
		"row 6: lives_alone: must be true or false",
		`row 7: node_id: no node in your scope has id "…"`,
	}
	if got := reportOf(imp); strings.Join(got, "\n") != strings.Join(want, "\n") || imp.Imported != 2 || imp.NodeID != a.ID {
		t.Fatalf("residents: imported %d under %s, report\n%s\nwant 2 under %s:\n%s", imp.Imported, imp.NodeID,
			strings.Join(got, "\n"), a.ID, strings.Join(want, "\n"))
	}
	pg, err := w.svc.ListResidents(social, matcher.PageRequest{Limit: 10})
	if err != nil || len(pg.Items) != 2 {
		t.Fatalf("residents listed: %v %v", pg, err)
	}
	var wang *matcher.Resident
	for _, r := range pg.Items {
		if r.NodeID != a.ID || r.CreatedBy.Key != "" && r.CreatedBy.Kind != matcher.RoleSocialWorker {
			t.Fatalf("resident %s under %s by %v", r.ID, r.NodeID, r.CreatedBy)
		}
		if r.Name == "Wang Fang" {
			wang = r
		}
	}
	if wang == nil || !wang.LivesAlone || len(wang.Disabilities) != 1 || wang.Consent.GivenAt.Format(time.DateOnly) != "2026-11-01" {
		t.Fatalf("Wang Fang read back as %+v", wang)
	}

	// Wishes: of residents in scope; the duplicate-wish rule of the API.
	other := w.mustResident(w.as(matcher.RoleSocialWorker, b.ID), "1950-01-01", &hangzhou)
	due := w.clock().Add(72 * time.Hour).Format(time.RFC3339)
	wishes := "resident_id,category,title,description,skills,due_at,on_site,allow_duplicate\n" +
		wang.ID + ",repair,Fix the wheelchair,left wheel,repair," + due + ",true,\n" +
		wang.ID + ",repair,Fix the door,,," + due + ",,\n" + // row 3: same resident and category
		wang.ID + ",repair,Fix the tap,,," + due + ",,yes\n" + // row 4: meant
		other.ID + ",repair,Out of scope,,," + due + ",,\n" +
		wang.ID + ",gardening,Roses,,," + due + ",,\n" +
		wang.ID + ",companionship,Chat,,,2020-01-01,,\n"
	imp = w.mustImport(social, "wishes", wishes)
	want = []string{
		"row 3: duplicate of row 2 (same resident and category)",
		`row 5: resident_id: no resident in your scope has id "…"`,
		`row 6: category: "…" is not one of repair, home_visit, tutoring, companionship`,
		"row 7: due_at: must be in the future, within a year (between 2026-11-20T09:00:00Z and 2027-11-21T09:00:00Z)",
	}
	if got := reportOf(imp); strings.Join(got, "\n") != strings.Join(want, "\n") || imp.Imported != 2 {
		t.Fatalf("wishes: imported %d, report\n%s\nwant 2:\n%s", imp.Imported, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	again := w.mustImport(social, "wishes", wishes)
	if again.Imported != 0 || again.Duplicates != 3 {
		t.Fatalf("wishes again: %+v %q", again.ImportCounts, reportOf(again))
	}
	if imp := w.mustImport(social, "wishes", "resident_id,category,title,due_at\n"+wang.ID+",companionship,Chat,"+due+"\n"); imp.Imported != 1 {
		t.Fatalf("a companionship wish: %+v %q", imp.ImportCounts, reportOf(imp))
	}
	if imp := w.mustImport(social, "wishes", "resident_id,category,title,due_at\n"+wang.ID+",companionship,Another chat,"+due+"\n"); imp.Imported != 0 ||
		!strings.HasPrefix(reportOf(imp)[0], "row 2: duplicate of wsh_") || !strings.Contains(reportOf(imp)[0], "(an open wish of the same resident and category)") {
		t.Fatalf("a wish while one of its category is open: %+v %q", imp.ImportCounts, reportOf(imp))
	}
}

// TestImportRefusesBlankTexts: names, guardians' names and titles made of
// characters that show nothing (Hangul fillers, the Braille blank, a lone
// combining mark), or of punctuation alone, are refused row by row as the
// API refuses them.
func TestImportRefusesBlankTexts(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	coord, social := w.as(matcher.RoleCoordinator, community.ID), w.as(matcher.RoleSocialWorker, community.ID)
	volunteers := volunteersHeader +
		"\u3164\u3164,,1990-05-01,30.27,120.15,,,,\n" +
		"\u2800,,1990-05-01,30.27,120.15,,,,\n" +
		"\u0301,,1990-05-01,30.27,120.15,,,,\n" +
		".,,1990-05-01,30.27,120.15,,,,\n" +
		"Li Wei,,1990-05-01,30.27,120.15,,,,\n"
	imp := w.mustImport(coord, "volunteers", volunteers)
	want := []string{
		"row 2: name: is required",
		"row 3: name: is required",
		"row 4: name: is required",
		"row 5: name: must have at least one letter",
	}
	if got := reportOf(imp); strings.Join(got, "\n") != strings.Join(want, "\n") || imp.Imported != 1 {
		t.Fatalf("volunteers: imported %d, report\n%s\nwant 1:\n%s", imp.Imported, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	residents := "name,birth_date,lat,lng,consent_given_by,guardian_name,consent_purpose,consent_given_at\n" +
		"\uffa0,1950-01-01,30.27,120.15,self,,matching,2026-11-01\n" +
		"Xiao Hong,2018-06-01,30.27,120.15,guardian,\u115f\u1160,matching,2026-11-01\n" +
		"Xiao Ming,2018-06-01,30.27,120.15,guardian,-,matching,2026-11-01\n" +
		"Xiao Li,2018-06-01,30.27,120.15,guardian,Wang Li,matching,2026-11-01\n"
	imp = w.mustImport(social, "residents", residents)
	want = []string{
		"row 2: name: is required",
		"row 3: consent.guardian_name: is required",
		"row 4: consent.guardian_name: must have at least one letter",
	}
	if got := reportOf(imp); strings.Join(got, "\n") != strings.Join(want, "\n") || imp.Imported != 1 {
		t.Fatalf("residents: imported %d, report\n%s\nwant 1:\n%s", imp.Imported, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	r := w.mustResident(social, "1950-01-01", &hangzhou)
	due := w.clock().Add(72 * time.Hour).Format(time.RFC3339)
	wishes := "resident_id,category,title,due_at,allow_duplicate\n" +
		r.ID + ",repair,\u034f\u17b5," + due + ",true\n" +
		r.ID + ",repair,\U0001d159," + due + ",true\n" +
		r.ID + ",repair,-," + due + ",true\n" +
		r.ID + ",repair,Fix the tap," + due + ",true\n"
	imp = w.mustImport(social, "wishes", wishes)
	want = []string{
		"row 2: title: is required",
		"row 3: title: is required",
		"row 4: title: must have at least one letter or digit",
	}
	if got := reportOf(imp); strings.Join(got, "\n") != strings.Join(want, "\n") || imp.Imported != 1 {
		t.Fatalf("wishes: imported %d, report\n%s\nwant 1:\n%s", imp.Imported, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestImportKeepsNoPersonalData: the import record, as read and as stored,
// holds counts, row numbers, fields and reasons only; after a restart it
// reads the same and an identical row is still recognised.
func TestImportKeepsNoPersonalData(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	social := w.as(matcher.RoleSocialWorker, community.ID)
	header := "name,phone,birth_date,lat,lng,disabilities,address,consent_given_by,consent_purpose,consent_given_at\n"
	file := header +
		"Zhao Mingzhu,13711112222,1950-07-08,30.2801234,120.1601234,wheelchair_usr,99 Hidden Lane,self,matching,2026-11-01\n" +
		"Qian Duoduo,13711113333,1950-07-08,30.2801234,120.1601234,,99 Hidden Lane,self,matching,2026-11-01\n" +
		"Qian Duoduo,13711113333,1950-07-08,30.2801234,120.1601234,,99 Hidden Lane,self,matching,2026-11-01\n"
	imp := w.mustImport(social, "residents", file)
	if imp.Imported != 1 || imp.Refused != 1 || imp.Duplicates != 1 {
		t.Fatalf("%+v %q", imp.ImportCounts, reportOf(imp))
	}
	read, err := w.svc.GetImport(social, imp.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(read)
	stored, _ := json.Marshal(w.rawLog(t))
	for _, secret := range []string{"Zhao", "Mingzhu", "13711112222", "wheelchair_usr", "Hidden Lane", "30.2801", "Qian"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the import holds %q: %s", secret, raw)
		}
		if strings.Contains(string(stored), secret) {
			t.Errorf("the log's import records hold %q", secret)
		}
	}
	w.restart()
	again, err := w.svc.GetImport(social, imp.ID)
	if err != nil || again.Status != matcher.ImportDone || len(again.Report) != 2 || again.Imported != 1 {
		t.Fatalf("after a restart: %+v %v", again, err)
	}
	if imp := w.mustImport(social, "residents", file); imp.Imported != 0 ||
		!strings.Contains(reportOf(imp)[1], "(the same row, imported before)") {
		t.Fatalf("after a restart, again: %+v %q", imp.ImportCounts, reportOf(imp))
	}
	list, err := w.svc.ListImports(social, matcher.PageRequest{})
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("imports listed: %v %v", list, err)
	}
	if _, err := w.svc.GetImport(w.as(matcher.RoleSocialWorker, w.mustNode(matcher.KindCommunity, "").ID), imp.ID); code(err) != matcher.ENOTFOUND {
		t.Fatalf("another community's import: %v", err)
	}
}

// rawLog returns the import records as the log stores them, read by a
// store of its own.
func (w *world) rawLog(tb testing.TB) []any {
	tb.Helper()
	var out []any
	err := mongotest.Open(tb, w.name).Load(context.Background(), func(c *matcher.Change) {
		for _, r := range c.Records {
			switch r.(type) {
			case *matcher.Import, *matcher.ImportRows:
				out = append(out, r)
			}
		}
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestImportNumbersRowsAsASpreadsheetDoes: the header is row 1, an empty
// line is a row, and a cell over several lines is still one row.
func TestImportNumbersRowsAsASpreadsheetDoes(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	coord := w.as(matcher.RoleCoordinator, community.ID)
	file := "name,birth_date,lat,lng\r\n" +
		"\"Li\r\nWei\",1990-05-01,30.27,120.15\r\n" + // row 2, over two lines (refused: a name is one line)
		"\r\n" + // row 3, empty
		",,,\r\n" + // row 4, empty cells
		"Bad,1990-05-01,99,120.15\r\n" // row 5
	imp := w.mustImport(coord, "volunteers", file)
	if got := reportOf(imp); len(got) != 2 || got[0] != "row 2: name: must be one line: no line breaks or tabs (control characters)" ||
		got[1] != "row 5: location.lat: must be between -90 and 90" || imp.Rows != 2 || imp.Imported != 0 {
		t.Fatalf("rows %d, imported %d, report %q; want row 5 refused of 2 rows", imp.Rows, imp.Imported, got)
	}
	if _, err := w.importFile(coord, "volunteers", "name,birth_date,lat,lng\n", func(in *matcher.ImportInput) { in.Batch = 1 << 20 }); code(err) != matcher.EINVALID {
		t.Fatalf("a batch of a million rows: %v", err)
	}
}

// TestImportAfterConsentWasWithdrawn: a resident who withdrew consent is
// no longer one a row repeats; importing them again records new consent.
func TestImportAfterConsentWasWithdrawn(t *testing.T) {
	w := mustWorld(t, false)
	community := w.mustNode(matcher.KindCommunity, "")
	social := w.as(matcher.RoleSocialWorker, community.ID)
	file := "name,phone,birth_date,lat,lng,consent_given_by,consent_purpose,consent_given_at\n" +
		"Wang Fang,13900001111,1948-03-02,30.27,120.15,self,matching,2026-11-01\n"
	w.mustImport(social, "residents", file)
	if imp := w.mustImport(social, "residents", file); imp.Imported != 0 || imp.Duplicates != 1 {
		t.Fatalf("again: %+v", imp.ImportCounts)
	}
	pg, err := w.svc.ListResidents(social, matcher.PageRequest{})
	if err != nil || len(pg.Items) != 1 {
		t.Fatalf("%v %v", pg, err)
	}
	if _, err := w.svc.WithdrawConsent(social, pg.Items[0].ID); err != nil {
		t.Fatal(err)
	}
	if imp := w.mustImport(social, "residents", file); imp.Imported != 1 || imp.Duplicates != 0 {
		t.Fatalf("after consent was withdrawn: %+v %q", imp.ImportCounts, reportOf(imp))
	}
}
