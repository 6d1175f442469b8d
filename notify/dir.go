package notify

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// Dir is a destination that writes each message to a new file in a directory: markdown messages
// as .md, text as .txt, named after the time and the title, never overwriting a file.
type Dir struct {
	path string
	// Now names files; nil is time.Now.
	Now func() time.Time
}

var _ Robot = (*Dir)(nil)

// NewDir returns a Dir writing into path, which Send creates if needed.
func NewDir(path string) *Dir { return &Dir{path: path} }

// Send writes m to a new file: the title as a first line (a heading for markdown), then the body.
func (d *Dir) Send(ctx context.Context, m Message) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	body, ext := m.Text, ".txt"
	if m.Markdown != "" {
		body, ext = m.Markdown, ".md"
	}
	if m.Title != "" {
		if ext == ".md" {
			body = "# " + m.Title + "\n\n" + body
		} else {
			body = m.Title + "\n\n" + body
		}
	}
	if err := os.MkdirAll(d.path, 0o755); err != nil {
		return fmt.Errorf("dir: %w", err)
	}
	now := time.Now
	if d.Now != nil {
		now = d.Now
	}
	base := now().Format("20060102-150405")
	if t := SafeName(m.Title); t != "" {
		base += "-" + t
	}
	for i := 1; i < 1000; i++ {
		name := base + ext
		if i > 1 {
			name = fmt.Sprintf("%s-%d%s", base, i, ext)
		}
		f, err := os.OpenFile(filepath.Join(d.path, name), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("dir: %w", err)
		}
		_, werr := f.WriteString(body)
		cerr := f.Close()
		if werr != nil || cerr != nil {
			os.Remove(f.Name())
			return fmt.Errorf("dir: write %s: %w", name, errors.Join(werr, cerr))
		}
		return nil
	}
	return &Error{Robot: "dir", Msg: "too many files named " + base}
}

// SafeName turns a title into a file-name part: letters (any script), digits, '-' and '_' are
// kept, runs of anything else become one '_', and the result is at most 40 runes with no leading
// or trailing '_' — so no path separators, dots or control characters survive.
func SafeName(title string) string {
	var b strings.Builder
	n, under := 0, false
	for _, r := range title {
		if n >= 40 {
			break
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) || r == '-' {
			b.WriteRune(r)
			n++
			under = false
			continue
		}
		if !under {
			b.WriteByte('_')
			n++
			under = true
		}
	}
	return strings.Trim(b.String(), "_-")
}
