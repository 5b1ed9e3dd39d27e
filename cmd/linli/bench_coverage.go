package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"time"

	"github.com/spf13/pflag"

	"github.com/linli/linli/geo"
	"github.com/linli/linli/matcher"
)

// benchCoverageCmd is `linli bench coverage`: the coverage report of a
// synthetic district (the one of bench startup, with programmes over it)
// at resolution 8 and every category, from the in-memory state.
func benchCoverageCmd(ctx context.Context, args []string, env map[string]string, stdout, stderr io.Writer) error {
	fs := newFlagSet("bench coverage", stderr)
	var size districtSize
	size.flags(fs)
	resolution := fs.Int("resolution", 8, "H3 resolution of the report")
	runs := fs.Int("runs", 5, "reports to time")
	profile := fs.String("cpuprofile", "", "write a CPU profile of the timed reports to this file")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil
		}
		return errUsage
	}
	if err := size.check(); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp("", "linli-bench-coverage-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	data := tmp + "/data"
	if _, err := size.fill(ctx, data, stdout, stderr); err != nil {
		return err
	}
	cfg, err := loadConfig(newFlagSet("x", io.Discard), map[string]string{"LINLI_DATA_DIR": data, "LINLI_DATA_KEY": benchDataKey})
	if err != nil {
		return err
	}
	a, err := openLoaded(ctx, cfg, io.Discard, newLogger("warn", "text", stderr))
	if err != nil {
		return err
	}
	defer a.close()
	admin := matcher.WithPrincipal(ctx, matcher.Principal{Role: matcher.RoleAdmin, KeyPrefix: "linli-bench"})
	if err := benchProgrammes(admin, a.svc); err != nil {
		return err
	}
	stopProfile, err := startCPUProfile(*profile)
	if err != nil {
		return err
	}
	defer stopProfile()
	var times []time.Duration
	var cov *matcher.Coverage
	for range max(*runs, 1) {
		start := time.Now()
		if cov, err = a.svc.Coverage(admin, matcher.ReportQuery{Resolution: *resolution}); err != nil {
			return err
		}
		times = append(times, time.Since(start))
	}
	slices.Sort(times)
	flags := map[string]int{}
	cells := map[string]bool{}
	for _, it := range cov.Items {
		cells[it.Cell] = true
		for _, f := range it.Flags {
			flags[f]++
		}
	}
	body, _ := json.Marshal(cov)
	p50 := times[len(times)/2]
	fmt.Fprintf(stdout, "coverage at resolution %d, every category: %d items over %d cells, %d KiB of JSON; flags %v; %d duplicate pairs\n",
		*resolution, len(cov.Items), len(cells), len(body)>>10, flags, len(cov.Summary.Duplicates))
	fmt.Fprintf(stdout, "time over %d runs: fastest %s, median %s, slowest %s\n", len(times),
		times[0].Round(time.Millisecond), p50.Round(time.Millisecond), times[len(times)-1].Round(time.Millisecond))
	return json.NewEncoder(stdout).Encode(map[string]any{"volunteers": size.volunteers, "wishes": size.wishes, "resolution": *resolution,
		"items": len(cov.Items), "cells": len(cells), "seconds": round4(p50.Seconds()), "fastest_seconds": round4(times[0].Seconds())})
}

// benchProgrammes buys programmes over the synthetic district: two
// departments' overlapping elderly care, and one for children.
func benchProgrammes(ctx context.Context, svc *matcher.Service) error {
	orgs, err := svc.ListOrganisations(ctx, matcher.PageRequest{Limit: 200})
	if err != nil {
		return err
	}
	// A programme is bought from a supplier, never from a node of the
	// tree: the synthetic district has none, so one is registered.
	var provider, root string
	for _, o := range orgs.Items {
		switch {
		case o.Kind == matcher.KindSocialOrg || o.Kind == matcher.KindVolunteerTeam:
			provider = o.ID
		case o.ParentID == "" && root == "":
			root = o.ID
		}
	}
	if provider == "" {
		o, err := svc.CreateOrganisation(ctx, matcher.OrganisationInput{Name: "Bench provider", Kind: matcher.KindSocialOrg,
			ParentID: root, Location: &matcher.Location{Lat: benchLat, Lng: benchLng}, Categories: []string{"elderly_care", "tutoring"}})
		if err != nil {
			return err
		}
		provider = o.ID
	}
	start := time.Now().AddDate(0, -3, 0)
	for i, p := range []struct {
		dept, category string
		tags           []string
		dy, dx, r      float64
	}{{"民政局", "elderly_care", []string{"elderly"}, 0, 0, 6000}, {"卫健委", "elderly_care", []string{"aged"}, 2000, 2000, 6000},
		{"团区委", "tutoring", []string{"minor"}, -5000, -5000, 4000}} {
		if _, err := svc.CreateProgramme(ctx, matcher.ProgrammeInput{Name: fmt.Sprintf("programme %d", i), Department: p.dept,
			ProviderID: provider, Category: p.category, TargetGroup: matcher.TargetGroup{Tags: p.tags},
			Area: hexagon(offset(geo.Point{Lat: benchLat, Lng: benchLng}, p.dy, p.dx), p.r), Budget: 1e6,
			StartsAt: start, EndsAt: start.AddDate(1, 0, 0)}); err != nil {
			return err
		}
	}
	return nil
}
