package main

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/parleyhq/parley/internal/filestore"
)

// filesConfig is where files are kept and how large they may be.
type filesConfig struct {
	// Store chooses the backend (PARLEY_FILE_STORE: postgres, dir or s3) and its settings
	// (PARLEY_FILE_DIR; PARLEY_S3_BUCKET, _ENDPOINT, _REGION, _ACCESS_KEY_ID,
	// _SECRET_ACCESS_KEY, _PATH_STYLE).
	Store filestore.Config
	// MaxFile (PARLEY_MAX_FILE_SIZE) caps one file; MaxMessage (PARLEY_MAX_MESSAGE_FILES) the
	// files of one message together. 0 means the inbox's defaults.
	MaxFile    int64
	MaxMessage int64
}

// loadFilesConfig reads the file store's environment; a setting that cannot work is an error
// naming the variable.
func loadFilesConfig(getenv env) (filesConfig, error) {
	var c filesConfig
	c.Store.Kind = strings.ToLower(strings.TrimSpace(getenv("PARLEY_FILE_STORE")))
	c.Store.Dir = getenv("PARLEY_FILE_DIR")
	c.Store.S3 = filestore.S3Config{
		Bucket:          getenv("PARLEY_S3_BUCKET"),
		Endpoint:        getenv("PARLEY_S3_ENDPOINT"),
		Region:          getenv("PARLEY_S3_REGION"),
		AccessKeyID:     getenv("PARLEY_S3_ACCESS_KEY_ID"),
		SecretAccessKey: getenv("PARLEY_S3_SECRET_ACCESS_KEY"),
	}
	c.Store.S3.PathStyle, _ = strconv.ParseBool(getenv("PARLEY_S3_PATH_STYLE"))
	switch c.Store.Kind {
	case "", "postgres":
	case "dir":
		if c.Store.Dir == "" {
			return c, fmt.Errorf("PARLEY_FILE_STORE=dir needs PARLEY_FILE_DIR, the directory to keep files in")
		}
	case "s3":
		if c.Store.S3.Bucket == "" || c.Store.S3.AccessKeyID == "" || c.Store.S3.SecretAccessKey == "" {
			return c, fmt.Errorf("PARLEY_FILE_STORE=s3 needs PARLEY_S3_BUCKET, PARLEY_S3_ACCESS_KEY_ID and PARLEY_S3_SECRET_ACCESS_KEY")
		}
	default:
		return c, fmt.Errorf("PARLEY_FILE_STORE must be postgres, dir or s3, not %q", c.Store.Kind)
	}
	var err error
	if c.MaxFile, err = byteSize("PARLEY_MAX_FILE_SIZE", getenv("PARLEY_MAX_FILE_SIZE")); err != nil {
		return c, err
	}
	if c.MaxMessage, err = byteSize("PARLEY_MAX_MESSAGE_FILES", getenv("PARLEY_MAX_MESSAGE_FILES")); err != nil {
		return c, err
	}
	return c, nil
}

// byteSize parses a size in bytes, with an optional K, M or G suffix (powers of 1024: "25M"),
// under 2 GiB; empty is 0.
func byteSize(name, v string) (int64, error) {
	v = strings.ToUpper(strings.TrimSpace(v))
	if v == "" {
		return 0, nil
	}
	mult := int64(1)
	for suffix, m := range map[string]int64{"K": 1 << 10, "M": 1 << 20, "G": 1 << 30} {
		if rest, ok := strings.CutSuffix(strings.TrimSuffix(strings.TrimSuffix(v, "B"), "I"), suffix); ok {
			v, mult = rest, m
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	// attachments.size is an integer column: a file is at most 2 GiB - 1.
	if err != nil || n <= 0 || n > math.MaxInt32/mult {
		return 0, fmt.Errorf("%s must be a size in bytes from 1 to 2G-1 such as 26214400 or 25M, not %q", name, v)
	}
	return n * mult, nil
}
