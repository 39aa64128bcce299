package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// maxJSONBody caps an API request body: larger ones are answered 413.
const maxJSONBody = 1 << 20

// decode reads a JSON body into v, refusing unknown fields, trailing data and oversized bodies
// with messages that say what is wrong.
func decode(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxJSONBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		var pl plainError
		switch {
		case errors.As(err, &mbe):
			return err
		case errors.Is(err, io.EOF):
			return badRequest("request body is empty")
		case errors.As(err, &se):
			return badRequest(fmt.Sprintf("malformed JSON at byte %d", se.Offset))
		case errors.As(err, &te):
			return badRequest(fmt.Sprintf("field %q must be a %s", te.Field, te.Type))
		case strings.HasPrefix(err.Error(), "json: unknown field"):
			return badRequest(strings.TrimPrefix(err.Error(), "json: "))
		case errors.As(err, &pl):
			return badRequest(pl.Plain())
		}
		return badRequest("malformed JSON: " + err.Error())
	}
	if dec.More() {
		return badRequest("unexpected data after the JSON object")
	}
	return nil
}

// plainError is an error that can say what is wrong in words a person reads (sla.ZoneError):
// a value the JSON held that its type refused. decode answers with those words, not the chain.
type plainError interface {
	error
	Plain() string
}

// pathID reads a positive integer path parameter.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, badRequest(name + " must be a positive integer")
	}
	return id, nil
}
