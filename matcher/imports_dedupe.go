package matcher

import (
	"crypto/sha256"
	"encoding/base64"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"

	"github.com/linli/linli/matcher/index"
)

// importState is what the log holds of imports: the import records, the
// fingerprints of the rows they made, and, once a process first imports
// a kind, the index of that kind's duplicate keys, kept current from the
// log from then on.
type importState struct {
	table *index.Table[Import]
	list  *index.List
	mu    sync.RWMutex
	rows  map[string][]string  // kind + "/" + fingerprint → the records made
	dups  map[string]*dupIndex // by kind, once built
	// built counts the kinds indexed, so that a process that never
	// imported pays nothing for a record applied.
	built atomic.Int32
}

func newImportState() *importState {
	return &importState{table: index.NewTable[Import](), list: index.NewList(), rows: map[string][]string{}, dups: map[string]*dupIndex{}}
}

// dupIndex maps duplicate keys to the records that have them.
type dupIndex struct {
	ids map[string][]string
}

// dupKey is one way a record may repeat another: the key, and what it
// says ("same phone").
type dupKey struct{ key, what string }

// dupFound is the record a row repeats, and how.
type dupFound struct{ id, what string }

// applyImport folds a record of the log into the import state: imports,
// their rows' fingerprints, and the keys of the records of an indexed
// kind. It is called for every record applied.
func (s *Service) applyImport(r any) {
	x := s.imports
	switch v := r.(type) {
	case *Import:
		if old := x.table.Put(v.ID, v); old == nil {
			x.list.Put(v.ID, "", v.NodeID)
		}
		return
	case *ImportRows:
		x.mu.Lock()
		for i, h := range v.Hashes {
			if k := v.Kind + "/" + h; i < len(v.IDs) && !slices.Contains(x.rows[k], v.IDs[i]) {
				x.rows[k] = append(x.rows[k], v.IDs[i])
			}
		}
		x.mu.Unlock()
		return
	}
	if x.built.Load() == 0 {
		return
	}
	kind := importKindOf(r)
	if kind == nil {
		return
	}
	x.mu.Lock()
	if idx := x.dups[kind.name]; idx != nil {
		_, id := recordRef(r)
		idx.add(id, kind.keysOf(r))
	}
	x.mu.Unlock()
}

func (d *dupIndex) add(id string, keys []dupKey) {
	for _, k := range keys {
		if ids := d.ids[k.key]; !slices.Contains(ids, id) {
			d.ids[k.key] = append(ids, id)
		}
	}
}

// indexed reports whether the duplicate keys of kind are indexed here.
func (x *importState) indexed(kind string) bool {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.dups[kind] != nil
}

// buildDupIndex indexes the duplicate keys of every record of kind. It
// runs under the store's lock, so that every change applied after it is
// indexed by applyImport.
func (s *Service) buildDupIndex(kind *importKind) {
	idx := &dupIndex{ids: map[string][]string{}}
	kind.each(s, func(r any) {
		_, id := recordRef(r)
		idx.add(id, kind.keysOf(r))
	})
	s.imports.mu.Lock()
	s.imports.dups[kind.name] = idx
	s.imports.built.Add(1)
	s.imports.mu.Unlock()
}

// existing returns the record in p's scope that the candidate repeats:
// one made from the same row by an earlier import, one with a duplicate
// key, or, for a wish, an open wish of the same resident and category;
// none found is a zero dupFound.
func (s *Service) existing(p Principal, kind *importKind, c candidate) dupFound {
	s.imports.mu.RLock()
	byRow := slices.Clone(s.imports.rows[kind.name+"/"+c.hash])
	var ids [][]string
	keys := kind.keysOf(c.rec)
	if idx := s.imports.dups[kind.name]; idx != nil {
		for _, k := range keys {
			ids = append(ids, slices.Clone(idx.ids[k.key]))
		}
	}
	s.imports.mu.RUnlock()
	for _, id := range byRow {
		if _, ok := s.visible(p, kind, id); ok {
			return dupFound{id, "the same row, imported before"}
		}
	}
	for i, list := range ids {
		for _, id := range list {
			if cur, ok := s.visible(p, kind, id); ok && slices.Contains(kind.keysOf(cur), keys[i]) {
				return dupFound{id, keys[i].what}
			}
		}
	}
	if kind.open != nil {
		if id := kind.open(s, c.rec); id != "" {
			return dupFound{id, "an open wish of the same resident and category"}
		}
	}
	return dupFound{}
}

// visible returns the current version of the record id of kind when it
// exists in p's scope and still counts.
func (s *Service) visible(p Principal, kind *importKind, id string) (any, bool) {
	node, ok := s.nodeOf(kind.object, id)
	if !ok || p.Role != RoleAdmin && !s.tree.within(p.SubjectID, node) {
		return nil, false
	}
	cur, ok := kind.get(s, id)
	if !ok || kind.retired != nil && kind.retired(cur) {
		return nil, false
	}
	return cur, true
}

// personKeys are the duplicate keys of a person: the phone, normalised,
// and the name, normalised, with the birth date.
func personKeys(name, phone, birthDate string) []dupKey {
	var keys []dupKey
	if ph := normalPhone(phone); ph != "" {
		keys = append(keys, dupKey{"p:" + ph, "same phone"})
	}
	if n := normalName(name); n != "" && birthDate != "" {
		keys = append(keys, dupKey{"n:" + n + "|" + birthDate, "same name and birth date"})
	}
	return keys
}

// nameUnder is the duplicate key of an organisation or enterprise: its
// name, normalised, under the same node.
func nameUnder(name, node string) []dupKey {
	n := normalName(name)
	if n == "" {
		return nil
	}
	return []dupKey{{"n:" + n + "|" + node, "same name under the same node"}}
}

// normalPhone keeps the digits of a phone number, without a leading 86
// (China's country code) when what is left is a mobile's 11 digits; ""
// for fewer than 5 digits.
func normalPhone(s string) string {
	d := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, norm.NFKC.String(s))
	if len(d) == 13 && strings.HasPrefix(d, "86") {
		d = d[2:]
	}
	if len(d) < 5 {
		return ""
	}
	return d
}

// normalName is a name as compared for duplicates: NFKC (full-width
// letters and digits as ASCII), blanks trimmed and collapsed, case folded.
func normalName(s string) string {
	s = strings.Join(strings.FieldsFunc(norm.NFKC.String(s), unicode.IsSpace), " ")
	return cases.Fold().String(s)
}

// rowHash is the fingerprint of a row: its non-empty cells with their
// columns, in column order, NFKC-normalised, hashed and truncated to 96
// bits. The same row in a file with its columns reordered, or an empty
// column added, has the same fingerprint.
func rowHash(kind string, header []string, cells cells) string {
	parts := make([]string, 0, len(header))
	for _, name := range header {
		if v := cells.get(name); v != "" {
			parts = append(parts, name+"="+norm.NFKC.String(v))
		}
	}
	slices.Sort(parts)
	sum := sha256.Sum256([]byte(kind + "\x1f" + strings.Join(parts, "\x1e")))
	return base64.RawURLEncoding.EncodeToString(sum[:12])
}

var quoted = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

// withoutValues removes the quoted values from a validation message, so
// that a report holds reasons, never what a row held.
func withoutValues(msg string) string { return quoted.ReplaceAllString(msg, `"…"`) }
