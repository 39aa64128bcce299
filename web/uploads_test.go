package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"golang.org/x/crypto/bcrypt"

	"github.com/parleyhq/parley/inbox"
	"github.com/parleyhq/parley/internal/filestore"
	"github.com/parleyhq/parley/internal/teamtest"
	"github.com/parleyhq/parley/web"
	"github.com/parleyhq/parley/workflow"
)

// filesEnv is apiEnv served by a store on the directory file store with small limits, so that
// a test counts the files on disk and reaches the limits cheaply.
type filesEnv struct {
	*apiEnv
	root string
}

const (
	testMaxFile    = 4096
	testMaxMessage = 6000
)

func setupFiles(t *testing.T) filesEnv {
	t.Helper()
	root := t.TempDir()
	dir, err := filestore.NewDir(root)
	if err != nil {
		t.Fatal(err)
	}
	return filesEnv{apiEnv: setupFilesOn(t, dir, testMaxFile, testMaxMessage), root: root}
}

// setupFilesOn is apiEnv served by a store on files with the given limits.
func setupFilesOn(t testing.TB, files inbox.FileStore, maxFile, maxMessage int64) *apiEnv {
	t.Helper()
	e := setup(t)
	jobs, err := workflow.NewEnqueuer(e.pool)
	if err != nil {
		t.Fatal(err)
	}
	e.store = inbox.New(e.pool, inbox.Options{Jobs: jobs, PasswordCost: bcrypt.MinCost, Files: files,
		MaxFileSize: maxFile, MaxMessageFiles: maxMessage})
	e.server = web.New(web.Config{Store: e.store, Pool: e.pool, Events: e.feed, Rules: workflow.NewRules(e.pool, e.store),
		SLA: workflow.NewSLA(e.pool, e.store), Surveys: workflow.NewSurveys(e.store), Webhooks: e.hooks})
	e.srv = httptest.NewServer(e.server.Handler())
	t.Cleanup(e.srv.Close)
	return e
}

// stored counts the files on disk and the uploads waiting.
func (f filesEnv) stored(t *testing.T) (files, uploads int) {
	t.Helper()
	_ = filepath.WalkDir(f.root, func(_ string, d fs.DirEntry, _ error) error {
		if d != nil && !d.IsDir() {
			files++
		}
		return nil
	})
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM uploads`).Scan(&uploads); err != nil {
		t.Fatal(err)
	}
	return files, uploads
}

// part is one part of a multipart body: a file when filename is set.
type part struct{ name, filename, body string }

func multipartBody(t *testing.T, parts ...part) (string, string) {
	t.Helper()
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		var err error
		var pw io.Writer
		if p.filename != "" {
			pw, err = w.CreateFormFile(p.name, p.filename)
		} else {
			pw, err = w.CreateFormField(p.name)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.WriteString(pw, p.body)
	}
	_ = w.Close()
	return b.String(), w.FormDataContentType()
}

// send posts body with contentType and token (rawAs: checked against the API description).
func (f filesEnv) send(t *testing.T, token, path, contentType, body string) (int, string) {
	t.Helper()
	return f.rawAs(t, token, "POST", path, contentType, body)
}

func (f filesEnv) conversation(t *testing.T, n int) ids {
	t.Helper()
	var in ids
	if st := f.do(t, "POST", "/api/v1/inbound", fmt.Sprintf(`{"external_id":"files-%d","contact":{"email":"f%d@example.com"},"text":"my parcel"}`, n, n), &in); st != http.StatusCreated {
		t.Fatalf("inbound: %d", st)
	}
	return in
}

var (
	testPNG = "\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + strings.Repeat("\x07", 600)
	testEXE = "MZ\x90\x00\x03\x00\x00\x00" + strings.Repeat("\x00", 600)
)

// TestMultipartMessage: a note and a reply with files in one multipart request; the files are
// typed from their bytes and download with the sandbox headers; a reply's delivery is queued
// with it.
func TestMultipartMessage(t *testing.T) {
	t.Parallel()
	f := setupFiles(t)
	in := f.conversation(t, 1)
	path := fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID)
	body, ct := multipartBody(t, part{"type", "", "note"}, part{"text", "", "the label"},
		part{"file", "label.png", testPNG}, part{"file", "photo.png", testEXE})
	st, raw := f.send(t, f.token, path, ct, body)
	if st != http.StatusCreated {
		t.Fatalf("note with files: %d %s", st, raw)
	}
	var m inbox.Message
	mustJSON(t, raw, &m)
	if m.Direction != inbox.DirectionNote || len(m.Attachments) != 2 {
		t.Fatalf("note %+v", m)
	}
	if m.Attachments[0].ContentType != "image/png" || m.Attachments[1].ContentType != "application/octet-stream" {
		t.Fatalf("types %q %q: an .exe named photo.png must not be an image", m.Attachments[0].ContentType, m.Attachments[1].ContentType)
	}
	if files, uploads := f.stored(t); files != 2 || uploads != 0 {
		t.Fatalf("%d files, %d uploads", files, uploads)
	}
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/attachments/%d", f.srv.URL, m.Attachments[0].ID), nil)
	req.Header.Set("Authorization", "Bearer "+f.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	checkResponse(t, req, resp, got)
	h := resp.Header
	if resp.StatusCode != 200 || string(got) != testPNG || h.Get("Content-Security-Policy") != "sandbox" ||
		h.Get("X-Content-Type-Options") != "nosniff" || !strings.HasPrefix(h.Get("Content-Disposition"), "attachment;") ||
		h.Get("Content-Type") != "image/png" {
		t.Fatalf("download: %d, %d bytes, headers %v", resp.StatusCode, len(got), h)
	}

	// A reply of files alone: its delivery job is queued in the same commit.
	body, ct = multipartBody(t, part{"file", "invoice.pdf", "%PDF-1.4 an invoice"})
	if st, raw := f.send(t, f.token, path, ct, body); st != http.StatusCreated {
		t.Fatalf("reply with a file: %d %s", st, raw)
	} else {
		mustJSON(t, raw, &m)
	}
	var jobs int
	if err := f.pool.QueryRow(context.Background(), `SELECT count(*) FROM river_job WHERE kind = 'deliver' AND (args->>'message_id')::bigint = $1`, m.ID).Scan(&jobs); err != nil {
		t.Fatal(err)
	}
	if jobs != 1 || len(m.Attachments) != 1 || m.Attachments[0].ContentType != "application/pdf" {
		t.Fatalf("reply: %d deliver jobs, attachments %+v", jobs, m.Attachments)
	}
}

// TestMultipartMessageRefusals: oversized is 413, malformed is 400, a refused message keeps
// none of its files, and nothing else changes.
func TestMultipartMessageRefusals(t *testing.T) {
	t.Parallel()
	f := setupFiles(t)
	in := f.conversation(t, 1)
	path := fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID)
	messages := func() int {
		var n int
		_ = f.pool.QueryRow(context.Background(), `SELECT count(*) FROM messages`).Scan(&n)
		return n
	}
	if st := f.do(t, "POST", "/api/v1/inbound", `{"external_id":"files-1b","contact":{"email":"f1@example.com"},"text":"and another thing"}`, nil); st != http.StatusCreated {
		t.Fatalf("second inbound: %d", st)
	}
	before := messages()
	big := strings.Repeat("x", testMaxFile+1)
	half := strings.Repeat("y", testMaxMessage/2+10)
	good, goodCT := multipartBody(t, part{"type", "", "note"}, part{"file", "ok.txt", "fine"}, part{"text", "", "x"})
	for _, tc := range []struct {
		name, body, ct string
		status         int
		says           string
	}{
		{"a file over the limit", must(multipartBody(t, part{"type", "", "note"}, part{"file", "ok.txt", "fine"}, part{"file", "big.bin", big})), "", 413, "big.bin"},
		{"files together over the limit", must(multipartBody(t, part{"type", "", "note"}, part{"file", "a.txt", half}, part{"file", "b.txt", half})), "", 413, "together"},
		{"a truncated body", good[:len(good)-30], goodCT, 400, "malformed"},
		{"no boundary", good, "multipart/form-data", 400, "boundary"},
		{"an unknown field", must(multipartBody(t, part{"file", "ok.txt", "fine"}, part{"colour", "", "red"})), "", 400, "colour"},
		{"a bad type", must(multipartBody(t, part{"type", "", "shout"}, part{"file", "ok.txt", "fine"})), "", 400, "type"},
		{"a stale reply", must(multipartBody(t, part{"after_message_id", "", fmt.Sprint(in.MessageID)}, part{"file", "ok.txt", "fine"}, part{"text", "", "x"})), "", 409, "stale_reply"},
		{"a closed conversation", must(multipartBody(t, part{"file", "ok.txt", "fine"}, part{"text", "", "x"})), "", 409, ""},
	} {
		if tc.name == "a closed conversation" {
			if st := f.do(t, "POST", fmt.Sprintf("/api/v1/conversations/%d/status", in.ConversationID), `{"status":"closed"}`, nil); st != 200 {
				t.Fatalf("close: %d", st)
			}
		}
		ct := tc.ct
		if ct == "" {
			ct = "multipart/form-data; boundary=" + boundaryOf(tc.body)
		}
		st, raw := f.send(t, f.token, path, ct, tc.body)
		if st != tc.status || !strings.Contains(raw, tc.says) {
			t.Errorf("%s: %d %s, want %d naming %q", tc.name, st, raw, tc.status, tc.says)
		}
		if files, uploads := f.stored(t); files != 0 || uploads != 0 || messages() != before {
			t.Errorf("%s: left %d files, %d uploads, %d new messages", tc.name, files, uploads, messages()-before)
		}
	}
}

func must(body, _ string) string { return body }

// boundaryOf reads the boundary of a body multipart.Writer made.
func boundaryOf(body string) string {
	line, _, _ := strings.Cut(body, "\r\n")
	return strings.TrimPrefix(line, "--")
}

// TestUploads: upload first, send with attachment_ids; only the uploader may use an upload,
// once; refusals store nothing.
func TestUploads(t *testing.T) {
	t.Parallel()
	f := setupFiles(t)
	in := f.conversation(t, 1)
	path := fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID)
	body, ct := multipartBody(t, part{"file", "label.png", testPNG})
	st, raw := f.send(t, f.token, "/api/v1/uploads", ct, body)
	if st != http.StatusCreated {
		t.Fatalf("upload: %d %s", st, raw)
	}
	var up inbox.Upload
	mustJSON(t, raw, &up)
	if up.ID == 0 || up.ContentType != "image/png" || up.Size != int64(len(testPNG)) || up.Filename != "label.png" {
		t.Fatalf("upload %+v", up)
	}
	_, otherToken := f.newAgent(t, "other", inbox.RoleAgent)
	teamtest.FrontDesk(t, f.store, mustAgent(t, f, "other@example.com"))
	note := fmt.Sprintf(`{"type":"note","attachment_ids":[%d]}`, up.ID)
	var e apiErr
	if st := f.doAs(t, otherToken, "POST", path, note, &e); st != http.StatusBadRequest || !strings.Contains(e.Error, "attachment_ids") {
		t.Fatalf("another agent used the upload: %d %+v", st, e)
	}
	var m inbox.Message
	if st := f.do(t, "POST", path, note, &m); st != http.StatusCreated || len(m.Attachments) != 1 || m.Attachments[0].Filename != "label.png" {
		t.Fatalf("note with the upload: %d %+v", st, m)
	}
	if st := f.do(t, "POST", path, note, &e); st != http.StatusBadRequest {
		t.Fatalf("the upload used twice: %d", st)
	}
	if files, uploads := f.stored(t); files != 1 || uploads != 0 {
		t.Fatalf("%d files, %d uploads", files, uploads)
	}
	for _, tc := range []struct {
		name, body, ct string
		status         int
	}{
		{"JSON", `{"file":"x"}`, "application/json", 400},
		{"no file", must(multipartBody(t, part{"text", "", "x"})), "", 400},
		{"two files", must(multipartBody(t, part{"file", "a.txt", "a"}, part{"file", "b.txt", "b"})), "", 400},
		{"too large", must(multipartBody(t, part{"file", "big.bin", strings.Repeat("z", testMaxFile+1)})), "", 413},
	} {
		ct := tc.ct
		if ct == "" {
			ct = "multipart/form-data; boundary=" + boundaryOf(tc.body)
		}
		if st, raw := f.send(t, f.token, "/api/v1/uploads", ct, tc.body); st != tc.status {
			t.Errorf("%s: %d %s, want %d", tc.name, st, raw, tc.status)
		}
		if files, uploads := f.stored(t); files != 1 || uploads != 0 {
			t.Errorf("%s: %d files, %d uploads", tc.name, files, uploads)
		}
	}
}

// TestAttachmentOfAnotherTeamIsRefused: an agent who may not see the conversation gets 404 for
// its attachment, as for one that does not exist; its team's agent downloads it.
func TestAttachmentOfAnotherTeamIsRefused(t *testing.T) {
	t.Parallel()
	f := setupFiles(t)
	ctx := context.Background()
	in := f.conversation(t, 1)
	body, ct := multipartBody(t, part{"type", "", "note"}, part{"file", "secret.pdf", "%PDF-1.4 payroll"})
	st, raw := f.send(t, f.token, fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID), ct, body)
	if st != http.StatusCreated {
		t.Fatalf("note: %d %s", st, raw)
	}
	var m inbox.Message
	mustJSON(t, raw, &m)
	billing, err := f.store.CreateTeam(ctx, "Billing", nil)
	if err != nil {
		t.Fatal(err)
	}
	teamtest.Move(t, f.store, in.ConversationID, billing.ID)
	if err := f.store.InTx(ctx, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE conversations SET assignee_id = NULL WHERE id = $1`, in.ConversationID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, billingToken := f.newAgent(t, "bill", inbox.RoleAgent)
	if err := f.store.AddTeamMember(ctx, billing.ID, mustAgent(t, f, "bill@example.com")); err != nil {
		t.Fatal(err)
	}
	url := fmt.Sprintf("/api/v1/attachments/%d", m.Attachments[0].ID)
	if st := f.do(t, "GET", url, "", nil); st != http.StatusNotFound {
		t.Fatalf("an agent of another team downloaded it: %d", st)
	}
	if st := f.doAs(t, billingToken, "GET", url, "", nil); st != http.StatusOK {
		t.Fatalf("the team's agent: %d", st)
	}
	// Nor may they send files to it: refused before a byte is stored.
	body, ct = multipartBody(t, part{"type", "", "note"}, part{"file", "more.pdf", "%PDF-1.4 more"})
	if st, raw := f.send(t, f.token, fmt.Sprintf("/api/v1/conversations/%d/messages", in.ConversationID), ct, body); st != http.StatusNotFound {
		t.Fatalf("files to another team's conversation: %d %s", st, raw)
	}
	if files, uploads := f.stored(t); files != 1 || uploads != 0 {
		t.Fatalf("%d files, %d uploads", files, uploads)
	}
}

func mustAgent(t *testing.T, f filesEnv, email string) int64 {
	t.Helper()
	a, err := f.store.AgentByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

func mustJSON(t *testing.T, raw string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		t.Fatalf("decode %.200s: %v", raw, err)
	}
}
