package transport

import (
	"net/http"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// openAPI describes the route table as an OpenAPI 3.1 document. Schemas are
// made from the very Go types the decoders and encoders use, so the
// document cannot drift from what the code accepts and returns.
func openAPI(routes []route, version string) map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	pathParam := regexp.MustCompile(`\{([a-z_]+)\}`)
	for _, rt := range routes {
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": strings.ToLower(rt.method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_").Replace(rt.path),
			"responses":   responses(rt, g),
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(rt.path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.query {
			params = append(params, map[string]any{"name": q.name, "in": "query", "description": q.desc, "schema": map[string]any{"type": "string"}})
		}
		if params != nil {
			op["parameters"] = params
		}
		if rt.in != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(rt.in)}}}
		}
		if rt.public {
			op["security"] = []any{}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	paths["/metrics"] = map[string]any{"get": map[string]any{
		"summary": "Prometheus metrics: request counts and durations by route, rules reloads", "operationId": "get_metrics",
		"security": []any{}, "responses": map[string]any{"200": map[string]any{"description": "Prometheus text format"}},
	}}
	paths["/openapi.json"] = map[string]any{"get": map[string]any{
		"summary": "This document", "operationId": "get_openapi", "security": []any{},
		"responses": map[string]any{"200": map[string]any{"description": "OpenAPI 3.1 document"}},
	}}
	g.defs["Error"] = map[string]any{"type": "object", "properties": map[string]any{"error": map[string]any{
		"type": "object", "required": []string{"code", "message"},
		"properties": map[string]any{
			"code":    map[string]any{"type": "string", "enum": []string{"invalid", "not_found", "conflict", "forbidden", "unauthorized", "ineligible", "rate_limited", "unavailable", "internal"}},
			"message": map[string]any{"type": "string"},
			"field":   map[string]any{"type": "string"},
			"rule":    map[string]any{"type": "string"},
		}}}}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Linli API",
			"version":     version,
			"description": "Pairs volunteers, organisations and enterprises with residents' micro-wishes inside a walking circle.",
		},
		"paths": paths,
		"components": map[string]any{
			"schemas":         g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

func responses(rt route, g *schemaGen) map[string]any {
	errRef := map[string]any{"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	ok := map[string]any{"description": http.StatusText(rt.status)}
	if rt.out != nil && rt.out.Kind() != reflect.Interface {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(rt.out)}}
	} else {
		ok["content"] = map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}
	}
	out := map[string]any{strconv.Itoa(rt.status): ok}
	codes := []int{http.StatusBadRequest, http.StatusNotFound}
	if !rt.public {
		codes = append(codes, http.StatusUnauthorized, http.StatusForbidden, http.StatusTooManyRequests)
	}
	if rt.method == http.MethodPost || rt.method == http.MethodPut {
		codes = append(codes, http.StatusConflict)
	}
	for _, c := range codes {
		out[strconv.Itoa(c)] = withDesc(errRef, http.StatusText(c))
	}
	return out
}

func withDesc(m map[string]any, desc string) map[string]any {
	c := map[string]any{"description": desc}
	for k, v := range m {
		c[k] = v
	}
	return c
}

// schemaGen turns Go types into JSON Schemas, named structs into
// components referenced by $ref.
type schemaGen struct {
	defs map[string]any
}

var timeType = reflect.TypeFor[time.Time]()

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		return map[string]any{"type": "string", "format": "date-time"}
	case t.Kind() == reflect.Struct:
		name := schemaName(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = nil // placeholder against recursion
			g.defs[name] = g.object(t)
		}
		return map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Slice:
		return map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case t.Kind() == reflect.Map:
		return map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case t.Kind() == reflect.String:
		return map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		return map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		return map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		return map[string]any{"type": "number"}
	default:
		return map[string]any{}
	}
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	g.fields(t, props)
	return map[string]any{"type": "object", "properties": props, "additionalProperties": false}
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any) {
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			g.fields(f.Type, props)
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
	}
}

// schemaName names a component after its Go type; generic pages read as
// "Page_Volunteer".
func schemaName(t reflect.Type) string {
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 {
		arg := name[i+1 : len(name)-1]
		arg = arg[strings.LastIndexByte(arg, '.')+1:]
		name = name[:i] + "_" + arg
	}
	return name
}
