package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"

	"github.com/linli/linli/matcher/assign"
)

// instance is a Problem with the ids the CSV files use.
type instance struct {
	p               *assign.Problem
	capacity        int
	wishIDs, volIDs []string
}

// instanceJSON is DIR/instance.json.
type instanceJSON struct {
	Wishes     int `json:"wishes"`
	Volunteers int `json:"volunteers"`
	Capacity   int `json:"capacity"`
}

// write writes DIR/edges.csv and DIR/instance.json.
func (in *instance) write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	meta, err := json.Marshal(instanceJSON{in.p.Wishes, in.p.Suppliers, in.capacity})
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "instance.json"), append(meta, '\n'), 0o644); err != nil {
		return err
	}
	p := in.p
	return writeFile(filepath.Join(dir, "edges.csv"), func(w *bufio.Writer) {
		w.WriteString("wish_id,volunteer_id,walk_minutes\n")
		var b []byte
		for wish := range p.Wishes {
			for e := p.Start[wish]; e < p.Start[wish+1]; e++ {
				b = append(b[:0], in.wishIDs[wish]...)
				b = append(b, ',')
				b = append(b, in.volIDs[p.Supplier[e]]...)
				b = append(b, ',')
				b = appendMinutes(b, p.Cost[e])
				b = append(b, '\n')
				w.Write(b)
			}
		}
	})
}

// writeAssignment writes DIR/assignment.csv, one line per matched wish.
func (in *instance) writeAssignment(dir string, s *assign.Solution) error {
	return writeFile(filepath.Join(dir, "assignment.csv"), func(w *bufio.Writer) {
		w.WriteString("wish_id,volunteer_id\n")
		for wish, e := range s.Match {
			if e >= 0 {
				fmt.Fprintf(w, "%s,%s\n", in.wishIDs[wish], in.volIDs[in.p.Supplier[e]])
			}
		}
	})
}

func writeFile(path string, body func(w *bufio.Writer)) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	body(w)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

// appendMinutes formats a cost in 1e-4 minutes with four decimals, exactly.
func appendMinutes(b []byte, cost int64) []byte {
	b = strconv.AppendInt(b, cost/10000, 10)
	frac := cost % 10000
	b = append(b, '.', byte('0'+frac/1000), byte('0'+frac/100%10), byte('0'+frac/10%10), byte('0'+frac%10))
	return b
}

// parseMinutes reads minutes with up to four decimals as 1e-4 minutes,
// exactly.
func parseMinutes(s []byte) (int64, error) {
	whole, frac, _ := bytes.Cut(s, []byte{'.'})
	if len(frac) > 4 {
		return 0, fmt.Errorf("walk_minutes %q has more than 4 decimals", s)
	}
	n, err := strconv.ParseInt(string(whole), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("walk_minutes %q: %w", s, err)
	}
	var f int64
	for i := range 4 {
		f *= 10
		if i < len(frac) {
			if frac[i] < '0' || frac[i] > '9' {
				return 0, fmt.Errorf("walk_minutes %q is not a number", s)
			}
			f += int64(frac[i] - '0')
		}
	}
	return n*10000 + f, nil
}

// read reads DIR/instance.json and DIR/edges.csv. Wishes and volunteers
// are numbered in the order they first appear; those with no edge are
// left out, which changes neither the optimum nor its cost.
func read(dir string) (*instance, error) {
	meta, err := os.ReadFile(filepath.Join(dir, "instance.json"))
	if err != nil {
		return nil, err
	}
	var ij instanceJSON
	if err := json.Unmarshal(meta, &ij); err != nil {
		return nil, fmt.Errorf("instance.json: %w", err)
	}
	if ij.Capacity < 0 {
		return nil, fmt.Errorf("instance.json: capacity %d", ij.Capacity)
	}
	f, err := os.Open(filepath.Join(dir, "edges.csv"))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	in := &instance{capacity: ij.Capacity}
	wishes := map[string]int32{}
	vols := map[string]int32{}
	index := func(ids map[string]int32, list *[]string, id []byte) int32 {
		if i, ok := ids[string(id)]; ok {
			return i
		}
		i := int32(len(*list))
		ids[string(id)] = i
		*list = append(*list, string(id))
		return i
	}
	var ew, ev []int32
	var ec []int64
	r := bufio.NewReaderSize(f, 1<<20)
	for n := 1; ; n++ {
		line, err := r.ReadSlice('\n')
		if err == io.EOF && len(line) == 0 {
			break
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("edges.csv line %d: %w", n, err)
		}
		line = bytes.TrimRight(line, "\r\n")
		if n == 1 {
			if string(line) != "wish_id,volunteer_id,walk_minutes" {
				return nil, fmt.Errorf("edges.csv: header %q, want wish_id,volunteer_id,walk_minutes", line)
			}
			continue
		}
		wid, rest, ok1 := bytes.Cut(line, []byte{','})
		vid, mins, ok2 := bytes.Cut(rest, []byte{','})
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("edges.csv line %d: %q is not wish_id,volunteer_id,walk_minutes", n, line)
		}
		c, perr := parseMinutes(mins)
		if perr != nil {
			return nil, fmt.Errorf("edges.csv line %d: %w", n, perr)
		}
		ew = append(ew, index(wishes, &in.wishIDs, wid))
		ev = append(ev, index(vols, &in.volIDs, vid))
		ec = append(ec, c)
		if err == io.EOF {
			break
		}
	}
	p := &assign.Problem{Wishes: len(in.wishIDs), Suppliers: len(in.volIDs)}
	p.Capacity = make([]int32, p.Suppliers)
	for j := range p.Capacity {
		p.Capacity[j] = int32(ij.Capacity)
	}
	p.Start = make([]int32, p.Wishes+1)
	for _, w := range ew {
		p.Start[w+1]++
	}
	for w := range p.Wishes {
		p.Start[w+1] += p.Start[w]
	}
	p.Supplier = make([]int32, len(ew))
	p.Cost = make([]int64, len(ew))
	fill := make([]int32, p.Wishes)
	copy(fill, p.Start)
	for i, w := range ew {
		p.Supplier[fill[w]] = ev[i]
		p.Cost[fill[w]] = ec[i]
		fill[w]++
	}
	in.p = p
	return in, p.Validate()
}
