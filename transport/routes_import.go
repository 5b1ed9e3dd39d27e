package transport

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/linli/linli/matcher"
)

// Importer is the part of the Service that bulk imports need.
type Importer interface {
	Import(ctx context.Context, in matcher.ImportInput, file io.Reader, progress func(done, total int)) (*matcher.Import, error)
	GetImport(ctx context.Context, id string) (*matcher.Import, error)
	ListImports(ctx context.Context, req matcher.PageRequest) (*matcher.Page[matcher.ImportSummary], error)
}

// importTimeout bounds an import over HTTP. An import runs to its end
// even when the client goes away or the request's own timeout passes:
// each batch is whole, and ending it early would only leave the file half
// imported until it is sent again.
const importTimeout = 10 * time.Minute

// importForm is the OpenAPI schema of the body of POST /v1/imports.
var importForm = map[string]any{
	"type": "object", "required": []string{"kind", "file"}, "additionalProperties": false,
	"properties": map[string]any{
		"kind": map[string]any{"type": "string", "enum": []string{"volunteers", "organisations", "enterprises", "residents", "wishes"}},
		"file": map[string]any{"type": "string", "contentMediaType": "text/csv",
			"description": "the CSV file: a header row naming the columns, UTF-8 with or without BOM, or GB18030"},
		"dry_run":  map[string]any{"type": "string", "enum": []string{"true", "false"}, "description": "check and report, writing nothing"},
		"encoding": map[string]any{"type": "string", "enum": []string{"utf-8", "gb18030"}, "description": "default: detected"},
		"node_id":  map[string]any{"type": "string", "description": "the node the rows go under (default: the caller's)"},
	},
}

// importRoutes are the routes of bulk imports.
func (h *handler) importRoutes() []route {
	s, max := h.svc, h.opts.MaxImport
	create := route{
		method: http.MethodPost, path: "/v1/imports", action: matcher.ImportCreate,
		summary: "Import a CSV file of volunteers, organisations, enterprises (coordinator), residents or wishes (social worker): " +
			"multipart/form-data with kind and file; 201 with the report, 200 for a dry run",
		status: http.StatusCreated, also: []int{http.StatusOK}, form: importForm, out: typeOf[*matcher.Import](),
		decode: func(r *http.Request) (any, error) { return decodeImport(r, max) },
		serve: func(ctx context.Context, req any) (any, error) {
			r := req.(importRequest)
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), importTimeout)
			defer cancel()
			v, err := s.Import(ctx, r.in, bytes.NewReader(r.file), nil)
			status := http.StatusCreated
			if r.in.DryRun {
				status = http.StatusOK
			}
			return response{v: v, status: status, err: err}, nil
		},
		replay: func(ctx context.Context, rec *matcher.IdempotencyRecord) (any, error) {
			return s.GetImport(ctx, rec.ID)
		},
	}
	return []route{
		create,
		getList("/v1/imports", "List imports in scope, without their reports", matcher.ImportList, s.ListImports),
		getOne("/v1/imports/{id}", "id", "An import: its counts and the report of every row refused or found a duplicate (staff in scope)",
			matcher.ImportRead, s.GetImport),
	}
}

// importRequest is a decoded POST /v1/imports.
type importRequest struct {
	in   matcher.ImportInput
	file []byte
}

// formParts are the parts a form of an import may have besides the file.
var formParts = []string{"kind", "dry_run", "encoding", "node_id"}

// decodeImport reads the multipart form of an import, strictly: every
// part must be one the form has, once; kind and file are required; the
// route takes no query parameter.
func decodeImport(r *http.Request, max int64) (importRequest, error) {
	var req importRequest
	if _, err := query(r, nil); err != nil {
		return req, err
	}
	boundary, err := formBoundary(r.Header.Get("Content-Type"))
	if err != nil {
		return req, err
	}
	mr := multipart.NewReader(http.MaxBytesReader(nil, r.Body, max), boundary)
	values := map[string]string{}
	var file []byte
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return req, formError(err, max)
		}
		name := part.FormName()
		_, seen := values[name]
		switch {
		case name == "file" && file == nil:
			if file, err = io.ReadAll(part); err != nil {
				return req, formError(err, max)
			}
			if file == nil {
				file = []byte{}
			}
			continue
		case name == "file" || seen:
			return req, matcher.Invalid(name, "appears twice")
		case !slices.Contains(formParts, name):
			return req, matcher.Invalid(name, "is not a field this request accepts (kind, file, dry_run, encoding, node_id)")
		}
		v, err := io.ReadAll(io.LimitReader(part, 257))
		if err != nil {
			return req, formError(err, max)
		}
		if len(v) > 256 {
			return req, matcher.Invalid(name, "must be at most 256 bytes")
		}
		values[name] = strings.TrimSpace(string(v))
	}
	if values["kind"] == "" {
		return req, matcher.Invalid("kind", "is required: volunteers, organisations, enterprises, residents or wishes")
	}
	if file == nil {
		return req, matcher.Invalid("file", "is required: the CSV file, as the form's file part")
	}
	req.in = matcher.ImportInput{Kind: values["kind"], Encoding: values["encoding"], NodeID: values["node_id"]}
	switch values["dry_run"] {
	case "", "false", "0":
	case "true", "1":
		req.in.DryRun = true
	default:
		return req, matcher.Invalid("dry_run", "must be true or false")
	}
	req.file = file
	return req, nil
}

// formBoundary returns the boundary of a multipart/form-data body, and
// 415 for any other media type.
func formBoundary(ct string) (string, error) {
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "multipart/form-data" && params["boundary"] != "" {
		return params["boundary"], nil
	}
	return "", &statusError{status: http.StatusUnsupportedMediaType, err: &matcher.Error{Code: matcher.EINVALID, Field: "Content-Type",
		Message: "must be multipart/form-data with a boundary, holding the fields kind and file"}}
}

func formError(err error, max int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return matcher.Invalid("body", "is larger than %d bytes", max)
	}
	return matcher.Invalid("body", "is not a multipart form that can be read")
}

// readForm reads a multipart body of at most max bytes whole, for the
// hash of a request with an Idempotency-Key.
func readForm(r *http.Request, max int64) ([]byte, error) {
	if _, err := formBoundary(r.Header.Get("Content-Type")); err != nil {
		return nil, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, max))
	if err != nil {
		return nil, formError(err, max)
	}
	return body, nil
}
