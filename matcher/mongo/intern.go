package mongo

import "sync"

// interner keeps one copy of each string of the fields that repeat across
// records (nodes, actors, birth dates, skills, certification types,
// categories), so that a million volunteers read at start share them
// instead of holding a copy each: less memory, and less for the garbage
// collector to scan. It is safe for concurrent use; the decoders of the
// start-up load share it.
type interner struct {
	m sync.Map
}

func (in *interner) str(s string) string {
	if s == "" {
		return ""
	}
	if v, ok := in.m.Load(s); ok {
		return v.(string)
	}
	v, _ := in.m.LoadOrStore(s, s)
	return v.(string)
}

func (in *interner) strs(list []string) []string {
	for i, s := range list {
		list[i] = in.str(s)
	}
	return list
}
