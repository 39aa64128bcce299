package apidoc

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed reference.html
var referenceHTML string

var referencePage = template.Must(template.New("reference").Parse(referenceHTML))

// Reference is the description arranged for reading: operations grouped by tag, then the
// named schemas.
type Reference struct {
	Title, Version, Description string
	Groups                      []Group
	Webhooks                    []Operation
	Schemas                     []Schema
}

// Group is the operations of one tag.
type Group struct {
	Tag        string
	Operations []Operation
}

// Operation is one method on one path.
type Operation struct {
	Method, Path, Summary, Description string
	Anchor                             string
	Public                             bool
	Params                             []Field
	Body                               string // the request body's schema, in words
	Responses                          []Response
}

// Response is one answer of an operation.
type Response struct {
	Status, Description, Schema string
}

// Field is a parameter or a property.
type Field struct {
	Name, In, Type, Description string
	Required                    bool
}

// Schema is a named schema with its properties.
type Schema struct {
	Name, Type string
	Fields     []Field
}

// Render writes the reference page of doc.
func Render(w io.Writer, doc *openapi3.T) error {
	return referencePage.Execute(w, Arrange(doc))
}

// Arrange turns doc into a Reference.
func Arrange(doc *openapi3.T) Reference {
	ref := Reference{Title: doc.Info.Title, Version: doc.Info.Version, Description: doc.Info.Description}
	byTag := map[string][]Operation{}
	var tags []string
	for _, t := range doc.Tags {
		tags = append(tags, t.Name)
	}
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for _, method := range methods(item) {
			op := item.GetOperation(method)
			o := operation(method, path, op, item.Parameters)
			tag := "Other"
			if len(op.Tags) > 0 {
				tag = op.Tags[0]
			}
			if !slices.Contains(tags, tag) {
				tags = append(tags, tag)
			}
			byTag[tag] = append(byTag[tag], o)
		}
	}
	for _, t := range tags {
		ops := byTag[t]
		slices.SortStableFunc(ops, func(a, b Operation) int { return strings.Compare(a.Path, b.Path) })
		if len(ops) > 0 {
			ref.Groups = append(ref.Groups, Group{Tag: t, Operations: ops})
		}
	}
	for _, name := range sortedKeys(doc.Webhooks) {
		item := doc.Webhooks[name]
		for _, method := range methods(item) {
			ref.Webhooks = append(ref.Webhooks, operation(method, name, item.GetOperation(method), item.Parameters))
		}
	}
	if doc.Components != nil {
		for _, name := range sortedKeys(doc.Components.Schemas) {
			s := doc.Components.Schemas[name]
			ref.Schemas = append(ref.Schemas, Schema{Name: name, Type: typeOf(s), Fields: fields(s)})
		}
	}
	return ref
}

// methods lists the methods an item describes, in a fixed order.
func methods(item *openapi3.PathItem) []string {
	var out []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		if item.GetOperation(m) != nil {
			out = append(out, m)
		}
	}
	return out
}

func operation(method, path string, op *openapi3.Operation, shared openapi3.Parameters) Operation {
	o := Operation{Method: method, Path: path, Summary: op.Summary, Description: op.Description,
		Anchor: strings.ToLower(method) + strings.NewReplacer("/", "-", "{", "", "}", "").Replace(path),
		Public: op.Security != nil && len(*op.Security) == 0}
	for _, p := range append(slices.Clone(shared), op.Parameters...) {
		if p.Value == nil {
			continue
		}
		o.Params = append(o.Params, Field{Name: p.Value.Name, In: p.Value.In, Type: typeOf(p.Value.Schema),
			Description: p.Value.Description, Required: p.Value.Required})
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		for _, mt := range op.RequestBody.Value.Content {
			o.Body = typeOf(mt.Schema)
		}
	}
	if op.Responses != nil {
		for _, code := range sortedKeys(op.Responses.Map()) {
			r := op.Responses.Value(code)
			if r == nil || r.Value == nil {
				continue
			}
			resp := Response{Status: code}
			if r.Value.Description != nil {
				resp.Description = *r.Value.Description
			}
			for _, mt := range r.Value.Content {
				resp.Schema = typeOf(mt.Schema)
			}
			o.Responses = append(o.Responses, resp)
		}
	}
	return o
}

// typeOf says a schema's type in words: a named schema by its name, an array as "[item]", a
// composition as "A + B", an enum by its values.
func typeOf(s *openapi3.SchemaRef) string {
	if s == nil {
		return ""
	}
	if s.Ref != "" {
		return s.Ref[strings.LastIndex(s.Ref, "/")+1:]
	}
	v := s.Value
	if v == nil {
		return ""
	}
	if len(v.AllOf) > 0 {
		var parts []string
		for _, a := range v.AllOf {
			if t := typeOf(a); t != "" {
				parts = append(parts, t)
			}
		}
		return strings.Join(parts, " + ")
	}
	var types []string
	if v.Type != nil {
		types = v.Type.Slice()
	}
	t := strings.Join(types, " or ")
	switch {
	case v.Type != nil && v.Type.Includes("array"):
		t = strings.Replace(t, "array", "["+typeOf(v.Items)+"]", 1)
	case len(v.Enum) > 0:
		var vals []string
		for _, e := range v.Enum {
			vals = append(vals, fmt.Sprint(e))
		}
		t += " (" + strings.Join(vals, ", ") + ")"
	case len(v.Properties) > 0:
		var names []string
		for _, f := range fields(s) {
			names = append(names, f.Name+": "+f.Type)
		}
		t = "{" + strings.Join(names, ", ") + "}"
	}
	if v.Format != "" {
		t += " (" + v.Format + ")"
	}
	return t
}

// fields lists a schema's properties, required ones first.
func fields(s *openapi3.SchemaRef) []Field {
	if s == nil || s.Value == nil {
		return nil
	}
	var out []Field
	for _, name := range sortedKeys(s.Value.Properties) {
		p := s.Value.Properties[name]
		f := Field{Name: name, Type: typeOf(p), Required: slices.Contains(s.Value.Required, name)}
		if p.Value != nil {
			f.Description = p.Value.Description
		}
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Field) int {
		if a.Required != b.Required {
			if a.Required {
				return -1
			}
			return 1
		}
		return 0
	})
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
