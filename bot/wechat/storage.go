package wechat

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/eatmoreapple/openwechat"
)

// sessionFile is openwechat's hot-login storage kept in one file of mode 0600, replaced
// atomically at each write. A fresh one reads as empty, to force a QR login that still saves.
type sessionFile struct {
	path  string
	fresh bool
	mu    sync.Mutex
	r     *bytes.Reader
}

// Read implements io.Reader over the file's content at first read.
func (f *sessionFile) Read(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fresh {
		return 0, io.EOF
	}
	if f.r == nil {
		b, err := os.ReadFile(f.path)
		if errors.Is(err, os.ErrNotExist) {
			return 0, openwechat.ErrInvalidStorage
		}
		if err != nil {
			return 0, fmt.Errorf("read session: %w", err)
		}
		f.r = bytes.NewReader(b)
	}
	return f.r.Read(p)
}

// Write replaces the file's content with p (openwechat writes one JSON document per call).
func (f *sessionFile) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := os.MkdirAll(filepath.Dir(f.path), 0o700); err != nil {
		return 0, fmt.Errorf("save session: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".wechat-session-*")
	if err != nil {
		return 0, fmt.Errorf("save session: %w", err)
	}
	defer os.Remove(tmp.Name())
	n, err := tmp.Write(p)
	if err == nil {
		err = tmp.Chmod(0o600)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		return 0, fmt.Errorf("save session: %w", err)
	}
	return n, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
