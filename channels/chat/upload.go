package chat

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/filestore"
	"github.com/parleyhq/parley/internal/httperr"
)

// What a visitor may attach in the widget. Sizes count the file's bytes; the type is sniffed
// from them, never taken from the browser.
const (
	// MaxUploadBytes is the largest file a visitor may attach.
	MaxUploadBytes = 10 << 20
	// MaxUploadsPerHour is how many files one visitor may attach in an hour.
	MaxUploadsPerHour = 20
	// MaxFilesPerMessage is how many files one message may carry.
	MaxFilesPerMessage = 5
	// uploadKeep is how long an upload waits for the message that carries it.
	uploadKeep = 24 * time.Hour
)

// errTooManyUploads refuses an upload past the visitor's hourly limit.
var errTooManyUploads = errors.New("chat: too many uploads")

// errMissingUpload refuses a message naming an upload that is not its visitor's.
var errMissingUpload = errors.New("files: an attached file is no longer available; attach it again")

// uploadTypes are the sniffed content types a visitor may attach: pictures, PDF and plain text.
var uploadTypes = map[string]bool{
	"image/jpeg": true, "image/png": true, "image/gif": true, "image/webp": true,
	"application/pdf": true, "text/plain": true,
}

// Upload is the answer to a visitor's upload: the id to name in the message's files.
type Upload struct {
	ID          string `json:"id"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
}

// Error codes of POST /chat/upload, which the widget turns into the visitor's words.
const (
	CodeTooLarge   = "too_large"    // over MaxUploadBytes (413)
	CodeFileType   = "file_type"    // not a type a visitor may attach (415)
	CodeTooManyUps = "too_many"     // over MaxUploadsPerHour (429 with Retry-After)
	CodeBadToken   = "bad_token"    // the visitor token is not this inbox's (401)
	CodeEmptyFile  = "invalid_file" // no file part, or an empty file (400)
)

// serveUpload is POST /chat/upload?inbox=ID: a multipart form with the visitor's token (the
// welcome's) and one file. The page's origin must be one the inbox allows, as for the socket.
// The file is read once, to the limit, its type sniffed and checked, and kept as the visitor's
// upload; the message that names it in its files carries it to the agents. A refusal stores
// nothing and says why (its code for the widget, its message for people).
func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	if origin := r.Header.Get("Origin"); origin != "" {
		h.Set("Access-Control-Allow-Origin", origin)
		h.Set("Vary", "Origin")
	}
	in, ok := s.chatInbox(w, r)
	if !ok {
		return
	}
	// The form's fields and boundaries fit in the margin past the file's limit.
	r.Body = http.MaxBytesReader(w, r.Body, MaxUploadBytes+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		httperr.Write(w, http.StatusBadRequest, CodeEmptyFile, "want a multipart/form-data body with token and file")
		return
	}
	var visitorID string
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			s.uploadReadFailed(w, err)
			return
		}
		switch part.FormName() {
		case "token":
			tok, _ := io.ReadAll(io.LimitReader(part, MaxTokenBytes+1))
			if visitorID, err = s.tokens.Parse(in.ID, string(tok)); err != nil {
				httperr.Write(w, http.StatusUnauthorized, CodeBadToken, "token: not a visitor token of this chat; reconnect first")
				return
			}
		case "file":
			if visitorID == "" {
				httperr.Write(w, http.StatusBadRequest, CodeBadToken, "token: send the token before the file")
				return
			}
			s.storeUpload(w, r.Context(), in.ID, visitorID, part.FileName(), part)
			return
		}
	}
	httperr.Write(w, http.StatusBadRequest, CodeEmptyFile, "file: no file part")
}

// storeUpload streams one file part into the file store as visitorID's upload, or refuses
// it. Its type is sniffed from its first bytes before anything is stored; the hourly count and
// the record then run in one transaction under a lock of the visitor's, so parallel uploads
// cannot pass the limit (a refused one's file is discarded).
func (s *Server) storeUpload(w http.ResponseWriter, ctx context.Context, inboxID int64, visitorID, name string, body io.Reader) {
	ctype, body, err := filestore.Sniff(body)
	if err != nil {
		s.uploadReadFailed(w, err)
		return
	}
	ctype, _, _ = mime.ParseMediaType(ctype)
	if !uploadTypes[ctype] {
		httperr.Write(w, http.StatusUnsupportedMediaType, CodeFileType, "file: "+ctype+" is not a picture, PDF or text file")
		return
	}
	f, err := s.store.StageFile(ctx, inbox.CleanFilename(name), body, MaxUploadBytes)
	if errors.Is(err, inbox.ErrTooLarge) {
		httperr.Write(w, http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("file: larger than %d MB", MaxUploadBytes>>20))
		return
	}
	if err != nil {
		s.uploadReadFailed(w, err)
		return
	}
	if f.Size == 0 {
		_ = s.store.DiscardStaged(ctx, f.Key)
		httperr.Write(w, http.StatusBadRequest, CodeEmptyFile, "file: empty")
		return
	}
	up := Upload{ID: "up_" + rand.Text(), Filename: f.Filename, ContentType: f.ContentType, Size: int(f.Size)}
	err = s.store.InTx(ctx, func(tx pgx.Tx) error {
		var recent int
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended('chat upload ' || $1, 0))`, visitorID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM chat_uploads WHERE visitor_id = $1 AND created_at > now() - interval '1 hour'`,
			visitorID).Scan(&recent); err != nil {
			return err
		}
		if recent >= MaxUploadsPerHour {
			return errTooManyUploads
		}
		_, err := tx.Exec(ctx, `INSERT INTO chat_uploads (id, inbox_id, visitor_id, filename, content_type, size, store_key)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, up.ID, inboxID, visitorID, up.Filename, up.ContentType, up.Size, f.Key)
		return err
	})
	if err != nil {
		_ = s.store.DiscardStaged(ctx, f.Key)
	}
	if errors.Is(err, errTooManyUploads) {
		w.Header().Set("Retry-After", "3600")
		httperr.Write(w, http.StatusTooManyRequests, CodeTooManyUps, fmt.Sprintf("at most %d files an hour", MaxUploadsPerHour))
		return
	}
	if err != nil {
		s.log.Error("chat: upload", "visitor", visitorID, "err", err)
		httperr.Failed(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(up) // a failed write: the visitor left
}

// uploadReadFailed answers a body that could not be read: too large for the limit, or broken.
func (s *Server) uploadReadFailed(w http.ResponseWriter, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		httperr.Write(w, http.StatusRequestEntityTooLarge, CodeTooLarge, fmt.Sprintf("file: larger than %d MB", MaxUploadBytes>>20))
		return
	}
	httperr.Write(w, http.StatusBadRequest, CodeEmptyFile, "the upload could not be read")
}
