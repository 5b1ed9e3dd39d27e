package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/linli/linli/geo"
)

// The coverage and programme routes are being built in the main tree at
// the same time as the console. Until they land, the browser tests reach
// the service through a proxy that answers them with stand-ins of the
// agreed shapes (shared/API-CONTRACT.md and the console's issue), so that
// the map and the programme pages are driven all the same. A route that
// /openapi.json has is passed through to the service untouched.

// standInRoutes are the routes the stand-in answers, and who it tells
// the console may call them: district staff and coordinators.
var standInRoutes = []string{"GET /v1/coverage", "GET /v1/programmes", "GET /v1/programmes/{id}/evaluation"}

// standIn is the proxy. Its coverage flags, at every resolution, the
// first of its cells a gap, the second strained and the third duplicated.
type standIn struct {
	base    string
	missing []string // stand-in routes the service lacks
}

func mustStandIn(tb testing.TB, s *server, ops []operation) *standIn {
	tb.Helper()
	si := &standIn{}
	for _, r := range standInRoutes {
		if !hasRoute(ops, r) {
			si.missing = append(si.missing, r)
		}
	}
	target, _ := url.Parse(s.base)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		if resp.Request.URL.Path != "/v1/me" || resp.StatusCode != http.StatusOK {
			return nil
		}
		var me map[string]any
		body, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(body, &me); err != nil {
			return err
		}
		if role := me["role"]; role == "admin" || role == "coordinator" {
			routes, _ := me["routes"].([]any)
			for _, r := range si.missing {
				routes = append(routes, r)
			}
			me["routes"] = routes
		}
		body, _ = json.Marshal(me)
		resp.Body = io.NopCloser(bytes.NewReader(body))
		resp.ContentLength = int64(len(body))
		resp.Header.Set("Content-Length", strconv.Itoa(len(body)))
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case p == "/v1/coverage" && slices.Contains(si.missing, "GET /v1/coverage"):
			si.coverage(w, r)
		case p == "/v1/programmes" && slices.Contains(si.missing, "GET /v1/programmes"):
			si.programmes(w, r)
		case strings.HasPrefix(p, "/v1/programmes/") && strings.HasSuffix(p, "/evaluation") && slices.Contains(si.missing, "GET /v1/programmes/{id}/evaluation"):
			si.evaluation(w, r, strings.TrimSuffix(strings.TrimPrefix(p, "/v1/programmes/"), "/evaluation"))
		default:
			proxy.ServeHTTP(w, r)
		}
	}))
	tb.Cleanup(srv.Close)
	si.base = srv.URL
	return si
}

// standInCells are the cells of the stand-in coverage at res (7 to 9): the
// cell of the district's centre and those around it.
func standInCells(res int) []geo.Cell {
	grid, _ := geo.New(geo.DefaultConfig())
	centre := grid.CellAt(geo.Point{Lat: 30.27, Lng: 120.15}, res)
	out := []geo.Cell{centre}
	for _, d := range [][2]float64{{1, 0}, {0.5, 0.87}, {-0.5, 0.87}, {-1, 0}, {-0.5, -0.87}, {0.5, -0.87}} {
		c := geo.CellCenter(centre)
		step := map[int]float64{7: 0.02, 8: 0.008, 9: 0.003}[res] // about a cell across
		n := grid.CellAt(geo.Point{Lat: c.Lat + d[0]*step, Lng: c.Lng + d[1]*step*1.15}, res)
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

type standInItem struct {
	cell                    string
	open, fulfilled, supply int
	programmes, flags       []string
}

func standInItems(res int) []standInItem {
	cells := standInCells(res)
	items := make([]standInItem, len(cells))
	for i, c := range cells {
		items[i] = standInItem{cell: c.String(), fulfilled: 1, supply: 2, programmes: []string{}, flags: []string{}}
	}
	items[0].open, items[0].supply, items[0].flags = 3, 0, []string{"gap"}
	items[1].open, items[1].supply, items[1].flags = 4, 1, []string{"strained"}
	items[2].open, items[2].programmes, items[2].flags = 1, []string{"prg_a", "prg_b"}, []string{"duplicate"}
	return items
}

func (si *standIn) coverage(w http.ResponseWriter, r *http.Request) {
	res, err := strconv.Atoi(r.URL.Query().Get("resolution"))
	if err != nil {
		res = 8
	}
	items := standInItems(res)
	switch r.URL.Query().Get("format") {
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		fmt.Fprint(w, "\ufeffcell,category,open,suppliers,flags\n")
		for _, it := range items {
			fmt.Fprintf(w, "%s,meal_delivery,%d,%d,%s\n", it.cell, it.open, it.supply, strings.Join(it.flags, ";"))
		}
		return
	case "geojson":
		var features []any
		for _, it := range items {
			c, _ := geo.ParseCell(it.cell)
			var ring [][]float64
			for _, p := range geo.CellBoundary(c) {
				ring = append(ring, []float64{p.Lng, p.Lat})
			}
			ring = append(ring, ring[0])
			features = append(features, map[string]any{"type": "Feature",
				"geometry":   map[string]any{"type": "Polygon", "coordinates": [][][]float64{ring}},
				"properties": map[string]any{"cell": it.cell, "flags": it.flags, "open": it.open, "fulfilled": it.fulfilled, "suppliers": it.supply, "programmes": it.programmes}})
		}
		writeStandIn(w, map[string]any{"type": "FeatureCollection", "features": features})
		return
	}
	var list []any
	for _, it := range items {
		list = append(list, map[string]any{"cell": it.cell, "category": "meal_delivery",
			"demand": map[string]any{"open": it.open, "fulfilled": it.fulfilled, "residents": it.open + 2},
			"supply": map[string]any{"suppliers": it.supply}, "programmes": it.programmes, "flags": it.flags})
	}
	writeStandIn(w, map[string]any{"resolution": res, "category": "", "items": list,
		"summary": map[string]any{
			"gaps": []any{map[string]any{"cell": items[0].cell, "category": "meal_delivery", "open": 3,
				"nearest_supply": map[string]any{"kind": "organisation", "id": "org_standin", "walk_minutes": 21.5}}},
			"duplicates": []any{map[string]any{"programmes": []string{"prg_a", "prg_b"}, "departments": []string{"民政局", "卫健委"},
				"category": "meal_delivery", "cells": []string{items[2].cell}, "overlap_budget": 12345.6}},
			"strained": []any{map[string]any{"cell": items[1].cell, "category": "meal_delivery", "open": 4, "suppliers": 1}},
		},
		"suggestions": []any{map[string]any{"kind": "gap", "cell": items[0].cell, "category": "meal_delivery",
			"text": "Buy meal delivery for this cell: 3 open wishes, nobody within 15 minutes."}},
	})
}

func (si *standIn) programmes(w http.ResponseWriter, r *http.Request) {
	list := []any{}
	for i, id := range []string{"prg_a", "prg_b"} {
		list = append(list, map[string]any{"id": id, "name": []string{"助餐服务", "长者送餐"}[i], "department": []string{"民政局", "卫健委"}[i],
			"provider_id": "org_standin", "category": "meal_delivery", "target_group": map[string]any{"tags": []string{"elderly"}, "expr": ""},
			"area": nil, "cells": []string{standInItems(8)[2].cell}, "budget": 120000 + 30000*i,
			"starts_at": "2026-01-01T00:00:00Z", "ends_at": "2026-12-31T00:00:00Z", "output": map[string]any{"unit": "wishes", "quantity": 300}})
	}
	if r.URL.Query().Get("format") == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		fmt.Fprint(w, "\ufeffid,name,department,budget\nprg_a,助餐服务,民政局,120000\nprg_b,长者送餐,卫健委,150000\n")
		return
	}
	writeStandIn(w, map[string]any{"items": list, "next": ""})
}

func (si *standIn) evaluation(w http.ResponseWriter, _ *http.Request, id string) {
	writeStandIn(w, map[string]any{"programme_id": id, "provider": map[string]any{"kind": "organisation", "id": "org_standin"},
		"wishes":              map[string]any{"claimed": 40, "fulfilled": 35, "confirmed": 30, "disputed": 2, "released_stale": 3, "cancelled": 1},
		"time_to_claim_hours": map[string]any{"median": 5.5, "p90": 30}, "time_to_fulfil_hours": map[string]any{"median": 26, "p90": 70},
		"satisfaction": map[string]any{"mean": 4.3, "count": 30, "distribution": map[string]any{"1": 1, "2": 1, "3": 3, "4": 8, "5": 17}},
		"hours":        96.5, "cost_per_confirmed": 4000, "score": 0.82, "weights": map[string]any{"satisfaction": 0.5}})
}

func writeStandIn(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
