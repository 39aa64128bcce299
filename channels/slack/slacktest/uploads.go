package slacktest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// Upload is a file uploaded through files.getUploadURLExternal and its upload URL.
type Upload struct {
	ID       string
	Filename string // as given to files.getUploadURLExternal
	Length   int    // the length announced there
	Content  []byte // what the upload URL received, nil until then
}

// Share is one files.completeUploadExternal call that shared files into a channel.
type Share struct {
	Channel  string
	ThreadTS string // empty for the channel itself
	Comment  string // initial_comment
	Files    []Upload
}

// uploadPrefix is the path of the fake's upload URLs: Slack's are on files.slack.com; the fake's
// are on its own host, which slack-go lets receive the token as it is the API's.
const uploadPrefix = "/upload/v1/"

// getUploadURL answers files.getUploadURLExternal: a file id and where to post its bytes.
// Slack requires filename and a positive length.
func (s *Server) getUploadURL(w http.ResponseWriter, args map[string]string) {
	n, err := strconv.Atoi(args["length"])
	switch {
	case args["filename"] == "":
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	case err != nil || n <= 0:
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	s.mu.Lock()
	id := fmt.Sprintf("F0UP%06d", len(s.uploads)+1)
	s.uploads[id] = &Upload{ID: id, Filename: args["filename"], Length: n}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "file_id": id, "upload_url": s.srv.URL + uploadPrefix + id})
}

// receiveUpload takes a file's bytes at its upload URL, as a multipart form's "file" part (what
// slack-go posts) or as the raw body. Slack answers a plain "OK - <length>".
func (s *Server) receiveUpload(w http.ResponseWriter, r *http.Request) {
	id := strings.TrimPrefix(r.URL.Path, uploadPrefix)
	var body io.Reader = r.Body
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		file, _, err := r.FormFile("file")
		if err != nil {
			http.Error(w, "no file part", http.StatusBadRequest)
			return
		}
		defer file.Close()
		body = file
	}
	content, err := io.ReadAll(body)
	if err != nil {
		http.Error(w, "read failed", http.StatusBadRequest)
		return
	}
	s.mu.Lock()
	s.calls["upload"]++
	u, ok := s.uploads[id]
	if ok {
		u.Content = content
	}
	s.mu.Unlock()
	if !ok {
		http.NotFound(w, r)
		return
	}
	_, _ = fmt.Fprintf(w, "OK - %d", len(content))
}

// completeUpload answers files.completeUploadExternal: every file named must have been
// uploaded with the length announced, and a channel_id is needed to share them.
func (s *Server) completeUpload(w http.ResponseWriter, args map[string]string) {
	var named []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(args["files"]), &named); err != nil || len(named) == 0 {
		writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "invalid_arguments"})
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	share := Share{Channel: args["channel_id"], ThreadTS: args["thread_ts"], Comment: args["initial_comment"]}
	var answer []map[string]string
	for _, f := range named {
		u, ok := s.uploads[f.ID]
		if !ok || u.Content == nil || len(u.Content) != u.Length {
			writeJSON(w, http.StatusOK, map[string]any{"ok": false, "error": "file_not_found"})
			return
		}
		share.Files = append(share.Files, *u)
		answer = append(answer, map[string]string{"id": u.ID, "title": f.Title})
	}
	if share.Channel != "" {
		s.shares = append(s.shares, share)
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "files": answer})
}

// Shares returns the files.completeUploadExternal calls that shared files, in order.
func (s *Server) Shares() []Share {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Share(nil), s.shares...)
}
