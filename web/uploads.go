package web

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/inbox"
)

// multipartSlack is what a multipart body may hold beyond its files: the form fields and the
// parts' headers.
const multipartSlack = 1 << 20

// maxFormField caps one non-file field of a multipart body, as a JSON body is capped: the
// inbox refuses an overlong text with its own message.
const maxFormField = maxJSONBody

// postUpload is POST /api/v1/uploads, a multipart/form-data body with one "file" part: the file
// is streamed into the file store as the agent's upload and its id answered (201), for a
// message sent afterwards with attachment_ids. Only this agent may attach it; one not attached
// within a day is deleted. Over the per-file limit is 413 and nothing is stored.
func (s *Server) postUpload(w http.ResponseWriter, r *http.Request) error {
	agent := agentFrom(r.Context())
	var up *inbox.Upload
	err := s.readMultipart(w, r, func(p *multipart.Part) error {
		if up != nil {
			return badRequest(`send one "file" part per upload`)
		}
		u, err := s.store.Upload(r.Context(), agent.ID, p.FileName(), p)
		if err != nil {
			return fileError(p, err)
		}
		up = &u
		return nil
	}, func(name, _ string) error {
		return badRequest(fmt.Sprintf("unknown field %q: an upload takes one \"file\" part", name))
	})
	if err == nil && up == nil {
		err = badRequest(`the body has no "file" part`)
	}
	if err != nil {
		if up != nil {
			_ = s.store.DiscardUploads(r.Context(), agent.ID, []int64{up.ID})
		}
		return err
	}
	writeJSON(w, http.StatusCreated, up)
	return nil
}

// readMultipart streams the multipart/form-data body of r: each part named "file" (with a file
// name) goes to file, each other field, read whole up to maxFormField, to field. The body is
// capped at the per-message limit plus multipartSlack. A body that is not multipart, or is
// malformed, is 400.
func (s *Server) readMultipart(w http.ResponseWriter, r *http.Request, file func(*multipart.Part) error, field func(name, value string) error) error {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return badRequest("the body must be multipart/form-data with a boundary")
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.store.Limits().MaxMessage+multipartSlack)
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return multipartError(err)
		}
		name := p.FormName()
		switch {
		case name == "file":
			if p.FileName() == "" {
				return badRequest(`a "file" part needs a filename`)
			}
			err = file(p)
		case name == "":
			err = badRequest("a part has no name")
		default:
			var b []byte
			b, err = io.ReadAll(io.LimitReader(p, maxFormField+1))
			if err == nil && len(b) > maxFormField {
				err = &apiError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("field %q is longer than %d bytes", name, maxFormField)}
			}
			if err == nil {
				err = field(name, string(b))
			} else {
				err = multipartError(err)
			}
		}
		_ = p.Close()
		if err != nil {
			return err
		}
	}
}

// multipartError is a failure reading the body: over the cap (413) or malformed (400).
func multipartError(err error) error {
	var mbe *http.MaxBytesError
	var ae *apiError
	if errors.As(err, &mbe) || errors.As(err, &ae) {
		return err
	}
	return badRequest("malformed multipart body: " + err.Error())
}

// fileError is a failure storing file part p: too large (413, naming the file), a body cut or
// malformed (400), or the store's own.
func fileError(p *multipart.Part, err error) error {
	var se *inbox.SizeError
	if errors.As(err, &se) {
		return &apiError{http.StatusRequestEntityTooLarge, "too_large", fmt.Sprintf("%q: %s", p.FileName(), se.Error())}
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "multipart") {
		return badRequest(fmt.Sprintf("malformed multipart body in file %q", p.FileName()))
	}
	return err
}

// multipartMessage reads a message sent as multipart/form-data: the fields of messageRequest
// (type, text, channel, status, after_message_id, confirm, resolution_code_id) and "file"
// parts, each streamed into the file store as the agent's upload within what is left of the
// per-message limit. It returns the request, its attachment_ids holding the uploads, and the ids
// of the uploads it streamed (the caller discards them if the message is refused); on error it
// has discarded them itself.
func (s *Server) multipartMessage(w http.ResponseWriter, r *http.Request) (messageRequest, []int64, error) {
	var req messageRequest
	var streamed []int64
	agent := agentFrom(r.Context())
	limits := s.store.Limits()
	var used int64
	err := s.readMultipart(w, r, func(p *multipart.Part) error {
		u, err := s.store.UploadWithin(r.Context(), agent.ID, p.FileName(), p, limits.MaxMessage-used)
		var se *inbox.SizeError
		if errors.As(err, &se) && se.Limit < limits.MaxFile {
			se.What = "the message's files together"
			se.Limit = limits.MaxMessage
		}
		if err != nil {
			return fileError(p, err)
		}
		used += u.Size
		req.AttachmentIDs = append(req.AttachmentIDs, u.ID)
		streamed = append(streamed, u.ID)
		return nil
	}, func(name, v string) error { return req.setField(name, v) })
	if err != nil {
		_ = s.store.DiscardUploads(r.Context(), agent.ID, streamed)
		return req, nil, err
	}
	return req, streamed, nil
}

// setField sets the field of a multipart message named name.
func (req *messageRequest) setField(name, v string) error {
	var err error
	switch name {
	case "type":
		req.Type = v
	case "text":
		req.Text = v
	case "channel":
		req.Channel = inbox.Channel(v)
	case "status":
		req.Status = inbox.Status(v)
	case "after_message_id":
		req.AfterMessageID, err = strconv.ParseInt(v, 10, 64)
	case "resolution_code_id":
		req.ResolutionCodeID, err = strconv.ParseInt(v, 10, 64)
	case "confirm":
		req.Confirm, err = strconv.ParseBool(v)
	case "attachment_ids":
		var id int64
		if id, err = strconv.ParseInt(v, 10, 64); err == nil {
			req.AttachmentIDs = append(req.AttachmentIDs, id)
		}
	default:
		return badRequest(fmt.Sprintf("unknown field %q", name))
	}
	if err != nil {
		return badRequest(fmt.Sprintf("field %q is not valid: %q", name, v))
	}
	return nil
}
