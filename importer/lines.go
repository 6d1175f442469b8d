package importer

import (
	"bufio"
	"errors"
	"io"
)

// maxLine caps one line; the rest of a longer line is read and dropped.
const maxLine = 64 << 10

// lineReader reads lines ended by "\r\n", "\n" or a lone "\r", as exports mix them.
type lineReader struct {
	r    *bufio.Reader
	n    int  // number of the last line returned
	long bool // the last line was longer than maxLine and was cut
}

func newLineReader(r io.Reader) *lineReader {
	return &lineReader{r: bufio.NewReaderSize(r, 64<<10)}
}

// next returns the next line without its ending, or io.EOF after the last one.
func (l *lineReader) next() (string, error) {
	var buf []byte
	l.long = false
	for {
		c, err := l.r.ReadByte()
		if errors.Is(err, io.EOF) {
			if buf == nil && !l.long {
				return "", io.EOF
			}
			break
		}
		if err != nil {
			return "", err
		}
		if c == '\n' {
			break
		}
		if c == '\r' {
			if p, err := l.r.Peek(1); err == nil && p[0] == '\n' {
				l.r.ReadByte()
			}
			break
		}
		if len(buf) < maxLine {
			buf = append(buf, c)
		} else {
			l.long = true
		}
		if buf == nil {
			buf = []byte{}
		}
	}
	l.n++
	return string(buf), nil
}
