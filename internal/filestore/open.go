package filestore

import (
	"fmt"

	"github.com/jackc/pgx/v5/pgxpool"
)

// Config chooses and configures a backend (PARLEY_FILE_STORE and its companions, read by
// cmd/parley).
type Config struct {
	// Kind is "postgres" (or empty), "dir" or "s3".
	Kind string
	// Dir is the directory of the "dir" backend (PARLEY_FILE_DIR).
	Dir string
	// S3 configures the "s3" backend (PARLEY_S3_*).
	S3 S3Config
}

// Open returns the backend cfg names; pool serves the PostgreSQL one. An unknown kind or a
// backend missing its settings is an error that says which.
func Open(cfg Config, pool *pgxpool.Pool) (Store, error) {
	switch cfg.Kind {
	case "", "postgres":
		return NewPostgres(pool), nil
	case "dir":
		return NewDir(cfg.Dir)
	case "s3":
		return NewS3(cfg.S3)
	}
	return nil, fmt.Errorf("filestore: unknown store %q (want postgres, dir or s3)", cfg.Kind)
}
