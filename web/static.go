package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed static
var staticFS embed.FS

// staticFiles serves the embedded CSS and JavaScript with strong ETags: browsers revalidate
// (no-cache) and get 304 until the binary changes.
type staticFiles struct {
	files map[string]staticFile
}

type staticFile struct {
	body  []byte
	etag  string
	ctype string
}

func mustStatic() *staticFiles {
	sf := &staticFiles{files: map[string]staticFile{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype := mime.TypeByExtension(path.Ext(p))
		if strings.HasSuffix(p, ".js") {
			ctype = "text/javascript; charset=utf-8"
		}
		sf.files[strings.TrimPrefix(p, "static/")] = staticFile{body: b, etag: `"` + hex.EncodeToString(sum[:8]) + `"`, ctype: ctype}
		return nil
	})
	if err != nil {
		panic(err)
	}
	return sf
}

func (sf *staticFiles) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f, ok := sf.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("ETag", f.etag)
	h.Set("Cache-Control", "no-cache")
	h.Set("Content-Type", f.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(f.body))
}

// assetURL is a static file's URL.
func assetURL(name string) string { return "/static/" + name }
