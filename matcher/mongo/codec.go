package mongo

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/klauspost/compress/zstd"
	"go.mongodb.org/mongo-driver/bson"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// entryDoc is one entry of the log: its number, as a zero-padded string
// (the only filter FerretDB looks up by index is {_id: <string>}), and the
// change it holds, as one binary field of BSON. One field, because
// FerretDB decodes a document field by field: a log of single-field
// entries loads about three times faster than one of whole documents.
//
// An entry larger than compressAbove is stored compressed with zstd in z
// instead: bulk entries of a thousand records shrink about fourfold, and
// FerretDB's work to read them, which is proportional to their size, with
// them.
type entryDoc struct {
	ID string `bson:"_id"`
	B  []byte `bson:"b,omitempty"`
	Z  []byte `bson:"z,omitempty"`
}

// compressAbove is the size from which an entry is stored compressed.
const compressAbove = 4 << 10

var (
	zstdEncoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(1))
	zstdDecoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0), zstd.WithDecoderMaxMemory(256<<20))
)

// changeDoc is the stored shape of a matcher.Change.
type changeDoc struct {
	At         time.Time      `bson:"at"`
	Actor      actorDoc       `bson:"actor"`
	Records    []recordEntry  `bson:"r,omitempty"`
	Events     []eventDoc     `bson:"e,omitempty"`
	Audits     []auditDoc     `bson:"a,omitempty"`
	Aggregates []aggregateDoc `bson:"g,omitempty"`
	Idem       *idemDoc       `bson:"i,omitempty"`
}

// recordEntry is one entity version: its kind and its document.
type recordEntry struct {
	Kind string   `bson:"k"`
	Doc  bson.Raw `bson:"d"`
}

// Record kinds as stored.
const (
	kindVolunteer    = "volunteer"
	kindOrganisation = "organisation"
	kindEnterprise   = "enterprise"
	kindResource     = "resource"
	kindResident     = "resident"
	kindWish         = "wish"
	kindKey          = "api_key"
	kindOffer        = "offer"
	kindMatchRun     = "match_run"
	kindProgramme    = "programme"
	kindImport       = "import"
	kindImportRows   = "import_rows"
)

// jsonKinds are the records stored as their JSON form, under one field
// "j": those read rarely, holding no personal data, whose shape is their
// API shape. new returns an empty one to decode into.
var jsonKinds = map[string]func() any{
	kindMatchRun:  func() any { return new(matcher.MatchRun) },
	kindProgramme: func() any { return new(matcher.Programme) },
	// An import holds counts and row numbers, field names and reasons;
	// its rows only fingerprints of the rows and the ids they made.
	kindImport:     func() any { return new(matcher.Import) },
	kindImportRows: func() any { return new(matcher.ImportRows) },
}

// jsonDoc holds a record of one of jsonKinds.
type jsonDoc struct {
	J []byte `bson:"j"`
}

// seqID is the _id of entry seq.
func seqID(seq int64) string { return fmt.Sprintf("%016d", seq) }

// body returns the BSON of the change d holds.
func (d *entryDoc) body() ([]byte, error) {
	if d.Z == nil {
		return d.B, nil
	}
	return zstdDecoder.DecodeAll(d.Z, nil)
}

// encode returns the entry that stores c.
func (s *Store) encode(c *matcher.Change) (*entryDoc, error) {
	d := changeDoc{At: c.At, Actor: actorDoc(c.Actor)}
	for _, r := range c.Records {
		kind, doc, err := s.recordDoc(r)
		if err != nil {
			return nil, err
		}
		raw, err := bson.Marshal(doc)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", kind, err)
		}
		d.Records = append(d.Records, recordEntry{Kind: kind, Doc: raw})
	}
	for _, e := range c.Events {
		d.Events = append(d.Events, eventToDoc(e))
	}
	for _, a := range c.Audits {
		d.Audits = append(d.Audits, auditDoc{ID: a.ID, At: a.At, Actor: actorDoc(a.Actor), Action: a.Action,
			Subject: partyDoc(a.Subject), Tenant: a.NodeID, Details: a.Details})
	}
	for _, a := range c.Aggregates {
		d.Aggregates = append(d.Aggregates, aggregateDoc{WishID: a.WishID, Tenant: a.NodeID, Category: a.Category,
			Cell: int64(a.Cell), Month: a.Month, Outcome: a.Outcome, Rating: a.Rating})
	}
	if r := c.Idempotency; r != nil {
		d.Idem = &idemDoc{Key: r.Key, Hash: r.Hash, At: r.At, Kind: r.Kind, ID: r.ID}
	}
	b, err := bson.Marshal(d)
	if err != nil {
		return nil, fmt.Errorf("encode change: %w", err)
	}
	if len(b) > compressAbove {
		return &entryDoc{ID: seqID(c.Seq), Z: zstdEncoder.EncodeAll(b, make([]byte, 0, len(b)/3))}, nil
	}
	return &entryDoc{ID: seqID(c.Seq), B: b}, nil
}

func (s *Store) recordDoc(r any) (string, any, error) {
	switch v := r.(type) {
	case *matcher.Volunteer:
		return kindVolunteer, volunteerToDoc(v), nil
	case *matcher.Organisation:
		return kindOrganisation, organisationToDoc(v), nil
	case *matcher.Enterprise:
		return kindEnterprise, enterpriseToDoc(v), nil
	case *matcher.Resource:
		return kindResource, resourceToDoc(v), nil
	case *matcher.Resident:
		d, err := residentToDoc(s.cipher, v)
		return kindResident, d, err
	case *matcher.Wish:
		d, err := wishToDoc(s.cipher, v)
		return kindWish, d, err
	case *matcher.APIKey:
		return kindKey, keyToDoc(v), nil
	case *matcher.Offer:
		return kindOffer, offerToDoc(v), nil
	case *matcher.MatchRun:
		return jsonRecord(kindMatchRun, v)
	case *matcher.Programme:
		return jsonRecord(kindProgramme, v)
	case *matcher.Import:
		return jsonRecord(kindImport, v)
	case *matcher.ImportRows:
		return jsonRecord(kindImportRows, v)
	}
	return "", nil, fmt.Errorf("encode: %T is not a kind of record", r)
}

// jsonRecord returns the document storing v, of one of jsonKinds, as
// its JSON.
func jsonRecord(kind string, v any) (string, any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", nil, fmt.Errorf("encode %s: %w", kind, err)
	}
	return kind, jsonDoc{J: b}, nil
}

// decode returns the change entry d stores.
func (s *Store) decode(d *entryDoc) (*matcher.Change, error) {
	var seq int64
	if _, err := fmt.Sscanf(d.ID, "%d", &seq); err != nil || seq < 1 {
		return nil, fmt.Errorf("log entry %q: not an entry number", d.ID)
	}
	raw, err := d.body()
	if err != nil {
		return nil, fmt.Errorf("log entry %d: %w", seq, err)
	}
	var cd changeDoc
	if err := bson.Unmarshal(raw, &cd); err != nil {
		return nil, fmt.Errorf("log entry %d: %w", seq, err)
	}
	c := &matcher.Change{Seq: seq, At: cd.At.UTC(), Actor: matcher.Actor(cd.Actor)}
	for i := range cd.Records {
		r, err := s.record(&cd.Records[i])
		if err != nil {
			return nil, fmt.Errorf("log entry %d: %w", seq, err)
		}
		c.Records = append(c.Records, r)
	}
	for i := range cd.Events {
		c.Events = append(c.Events, eventFromDoc(&cd.Events[i]))
	}
	for _, a := range cd.Audits {
		c.Audits = append(c.Audits, &matcher.AuditRecord{ID: a.ID, At: a.At.UTC(), Actor: matcher.Actor(a.Actor), Action: a.Action,
			Subject: matcher.Party(a.Subject), NodeID: a.Tenant, Details: a.Details})
	}
	for _, a := range cd.Aggregates {
		c.Aggregates = append(c.Aggregates, &matcher.Aggregate{WishID: a.WishID, NodeID: a.Tenant, Category: a.Category,
			Cell: geo.Cell(a.Cell), Month: a.Month, Outcome: a.Outcome, Rating: a.Rating})
	}
	if r := cd.Idem; r != nil {
		c.Idempotency = &matcher.IdempotencyRecord{Key: r.Key, Hash: r.Hash, At: r.At.UTC(), Kind: r.Kind, ID: r.ID}
	}
	return c, nil
}

func (s *Store) record(r *recordEntry) (any, error) {
	switch r.Kind {
	case kindVolunteer:
		var d volunteerDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		return volunteerFromDoc(&s.intern, &d), nil
	case kindOrganisation:
		var d organisationDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		return organisationFromDoc(&s.intern, &d), nil
	case kindEnterprise:
		var d enterpriseDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		return enterpriseFromDoc(&s.intern, &d), nil
	case kindResource:
		var d resourceDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		return resourceFromDoc(&s.intern, &d), nil
	case kindResident:
		var d residentDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		v, err := residentFromDoc(s.cipher, &s.intern, &d)
		if err != nil {
			return nil, fmt.Errorf("resident %s: %w", d.Meta.ID, err)
		}
		return v, nil
	case kindWish:
		var d wishDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		v, err := wishFromDoc(s.cipher, &s.intern, &d)
		if err != nil {
			return nil, fmt.Errorf("wish %s: %w", d.Meta.ID, err)
		}
		return v, nil
	case kindKey:
		var d keyDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		return keyFromDoc(&d), nil
	case kindOffer:
		var d offerDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		return offerFromDoc(&d), nil
	}
	if newRecord, ok := jsonKinds[r.Kind]; ok {
		var d jsonDoc
		if err := bson.Unmarshal(r.Doc, &d); err != nil {
			return nil, err
		}
		v := newRecord()
		if err := json.Unmarshal(d.J, v); err != nil {
			return nil, fmt.Errorf("%s: %w", r.Kind, err)
		}
		return v, nil
	}
	return nil, fmt.Errorf("unknown kind of record %q", r.Kind)
}
