package transport

import (
	"encoding"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// openAPI describes the route table as an OpenAPI 3.1 document. Schemas are
// made from the very Go types the decoders and encoders use: a field is
// required when JSON always writes it (no omitempty or omitzero), a
// pointer field that may be nil is nullable, and every status a route can
// answer is listed, so that a response that does not match is a bug the
// tests catch (openapi_test.go validates every response they receive).
func openAPI(routes []route, version string) map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	pathParam := regexp.MustCompile(`\{([a-z_]+)\}`)
	for _, rt := range routes {
		op := map[string]any{
			"summary":     rt.summary,
			"operationId": operationID(rt.method, rt.path),
			"responses":   responses(&rt, g),
		}
		if rt.action != "" {
			op["x-linli-action"] = string(rt.action)
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
			op["requestBody"] = map[string]any{"required": rt.in != typeOf[noInput](), "content": map[string]any{
				"application/json": map[string]any{"schema": g.schema(rt.in)}}}
		}
		if rt.form != nil {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"multipart/form-data": map[string]any{"schema": rt.form}}}
		}
		if rt.public() {
			op["security"] = []any{}
		}
		if paths[rt.path] == nil {
			paths[rt.path] = map[string]any{}
		}
		paths[rt.path][strings.ToLower(rt.method)] = op
	}
	paths["/metrics"] = map[string]any{"get": map[string]any{
		"summary": "Prometheus metrics: request counts and durations by route, rules reloads", "operationId": "get_metrics",
		"security": []any{}, "responses": map[string]any{"200": map[string]any{"description": "Prometheus text format",
			"content": map[string]any{"text/plain": map[string]any{"schema": map[string]any{"type": "string"}}}},
			"429": rateLimitedResponse()},
	}}
	paths["/openapi.json"] = map[string]any{"get": map[string]any{
		"summary": "This document", "operationId": "get_openapi", "security": []any{},
		"responses": map[string]any{"200": map[string]any{"description": "OpenAPI 3.1 document",
			"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"type": "object"}}}},
			"429": rateLimitedResponse()},
	}}
	g.defs["Error"] = map[string]any{"type": "object", "required": []string{"error"}, "additionalProperties": false,
		"properties": map[string]any{"error": map[string]any{
			"type": "object", "required": []string{"code", "message"}, "additionalProperties": false,
			"properties": map[string]any{
				"code":    map[string]any{"type": "string", "enum": []string{"invalid", "not_found", "conflict", "forbidden", "unauthorized", "ineligible", "rate_limited", "unavailable", "internal"}},
				"message": map[string]any{"type": "string"},
				"field":   map[string]any{"type": "string"},
				"rule":    map[string]any{"type": "string"},
			}}}}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":   "Linli API",
			"version": orDev(version),
			"description": "Pairs volunteers, organisations and enterprises with residents' micro-wishes inside a walking circle. " +
				"A method a path does not take is answered 405 with Allow, in the Error shape.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas":         g.defs,
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer"}},
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

func orDev(v string) string {
	if v == "" {
		return "dev"
	}
	return v
}

func operationID(method, path string) string {
	return strings.ToLower(method) + strings.NewReplacer("/", "_", "{", "", "}", "", "-", "_", ".", "_").Replace(path)
}

// errorStatuses returns every error status rt can answer.
func errorStatuses(rt *route) []int {
	codes := []int{http.StatusBadRequest, http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusTooManyRequests}
	if !rt.public() {
		codes = append(codes, http.StatusUnauthorized, http.StatusForbidden, http.StatusNotFound)
	}
	if rt.public() && strings.Contains(rt.path, "{") {
		codes = append(codes, http.StatusNotFound)
	}
	if len(rt.formats) > 0 {
		codes = append(codes, http.StatusNotAcceptable)
	}
	if rt.in != nil || rt.form != nil {
		codes = append(codes, http.StatusUnsupportedMediaType)
	}
	if rt.method != http.MethodGet {
		codes = append(codes, http.StatusConflict)
	}
	if rt.method == http.MethodPost && !rt.public() {
		codes = append(codes, http.StatusUnprocessableEntity)
	}
	if rt.method == http.MethodGet && !rt.public() {
		codes = append(codes, http.StatusConflict) // candidates of a wish that is not open
	}
	slices.Sort(codes)
	return slices.Compact(codes)
}

func responses(rt *route, g *schemaGen) map[string]any {
	errRef := map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}
	okResp := map[string]any{"description": http.StatusText(rt.status)}
	if rt.out != nil && rt.out.Kind() != reflect.Interface {
		content := map[string]any{"application/json": map[string]any{"schema": g.schema(rt.out)}}
		for _, f := range rt.formats {
			schema := map[string]any{"type": "string"}
			if f == "geojson" {
				schema = map[string]any{"type": "object"} // a GeoJSON FeatureCollection
			}
			content[formatTypes[f]] = map[string]any{"schema": schema}
		}
		okResp["content"] = content
	}
	out := map[string]any{strconv.Itoa(rt.status): okResp}
	for _, c := range rt.also {
		out[strconv.Itoa(c)] = map[string]any{"description": http.StatusText(c), "content": okResp["content"]}
	}
	for _, c := range errorStatuses(rt) {
		if c == rt.status {
			continue
		}
		out[strconv.Itoa(c)] = map[string]any{"description": http.StatusText(c), "content": errRef}
	}
	out["429"] = rateLimitedResponse()
	if rt.path == "/readyz" { // not ready is a health body, not an error
		out["503"] = map[string]any{"description": "Not ready", "content": okResp["content"]}
	}
	return out
}

// rateLimitedResponse is the 429 every route can answer: the per-address
// limit comes before any route, the per-key one after the key.
func rateLimitedResponse() map[string]any {
	return map[string]any{
		"description": "Too many requests from this address or with this key",
		"headers": map[string]any{"Retry-After": map[string]any{
			"description": "seconds to wait before trying again", "schema": map[string]any{"type": "integer", "minimum": 1}}},
		"content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
	}
}

// textMarshaler is how a type that writes itself as text (geo.Cell) is
// told apart.
var textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()

// schemaGen turns Go types into JSON Schemas, named structs into
// components referenced by $ref.
type schemaGen struct {
	defs map[string]any
}

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
		elem := g.schema(t.Elem())
		if k := t.Elem().Kind(); k == reflect.Pointer && t.Elem().Elem().Kind() != reflect.Struct {
			elem = map[string]any{"anyOf": []any{elem, map[string]any{"type": "null"}}} // a value that may be withheld
		}
		return map[string]any{"type": "object", "additionalProperties": elem}
	case t.Implements(textMarshaler) || reflect.PointerTo(t).Implements(textMarshaler), t.Kind() == reflect.String:
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
	var required []string
	g.fields(t, props, &required, true)
	o := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		slices.Sort(required)
		o["required"] = required
	}
	return o
}

// fields adds t's JSON fields to props. A field is required when JSON
// always writes it: no omitempty or omitzero, and not promoted from an
// embedded pointer, which may be nil. A pointer field without omitempty
// may be null.
func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string, always bool) {
	for f := range t.Fields() {
		if !f.IsExported() && !f.Anonymous {
			continue
		}
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft, viaPointer := f.Type, false
			if ft.Kind() == reflect.Pointer {
				ft, viaPointer = ft.Elem(), true
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required, always && !viaPointer)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitempty") || strings.Contains(opts, "omitzero")
		s := g.schema(f.Type)
		if f.Type.Kind() == reflect.Pointer && !optional {
			s = map[string]any{"anyOf": []any{s, map[string]any{"type": "null"}}}
		}
		props[name] = s
		if always && !optional {
			*required = append(*required, name)
		}
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
