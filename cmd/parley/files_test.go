package main

import (
	"strings"
	"testing"
)

// TestFilesConfig: the file store's variables are read, and a setting that cannot work is
// refused at start with the variable's name.
func TestFilesConfig(t *testing.T) {
	load := func(env map[string]string) (filesConfig, error) {
		return loadFilesConfig(func(k string) string { return env[k] })
	}
	c, err := load(map[string]string{})
	if err != nil || c.Store.Kind != "" || c.MaxFile != 0 {
		t.Fatalf("default: %+v %v", c, err)
	}
	c, err = load(map[string]string{"PARLEY_FILE_STORE": "s3", "PARLEY_S3_BUCKET": "b", "PARLEY_S3_ACCESS_KEY_ID": "k",
		"PARLEY_S3_SECRET_ACCESS_KEY": "s", "PARLEY_S3_PATH_STYLE": "true", "PARLEY_MAX_FILE_SIZE": "10M", "PARLEY_MAX_MESSAGE_FILES": "1048576"})
	if err != nil || !c.Store.S3.PathStyle || c.MaxFile != 10<<20 || c.MaxMessage != 1<<20 {
		t.Fatalf("s3: %+v %v", c, err)
	}
	for env, want := range map[string]string{
		"PARLEY_FILE_STORE=ftp":        "PARLEY_FILE_STORE",
		"PARLEY_FILE_STORE=dir":        "PARLEY_FILE_DIR",
		"PARLEY_FILE_STORE=s3":         "PARLEY_S3_BUCKET",
		"PARLEY_MAX_FILE_SIZE=-1":      "PARLEY_MAX_FILE_SIZE",
		"PARLEY_MAX_FILE_SIZE=lots":    "PARLEY_MAX_FILE_SIZE",
		"PARLEY_MAX_MESSAGE_FILES=0":   "PARLEY_MAX_MESSAGE_FILES",
		"PARLEY_MAX_MESSAGE_FILES=99T": "PARLEY_MAX_MESSAGE_FILES",
		"PARLEY_MAX_FILE_SIZE=2G":      "PARLEY_MAX_FILE_SIZE",
	} {
		k, v, _ := strings.Cut(env, "=")
		if _, err := load(map[string]string{k: v}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want an error naming %s", env, err, want)
		}
	}
}
