package onebot

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"strings"
	"testing"
)

// FuzzValidSignature checks the HTTP POST signature check on any secret, body and header: the
// right HMAC (in either hex case) is accepted, and any header accepted names that HMAC.
func FuzzValidSignature(f *testing.F) {
	f.Add("secret", []byte(`{"post_type":"message"}`), "sha1=00")
	f.Add("", []byte{}, "sha1=")
	f.Add("密钥", []byte("\x00\xff"), "SHA1=zz")
	f.Fuzz(func(t *testing.T, secret string, body []byte, header string) {
		m := hmac.New(sha1.New, []byte(secret))
		m.Write(body)
		want := hex.EncodeToString(m.Sum(nil))
		if !validSignature(secret, body, "sha1="+want) || !validSignature(secret, body, "sha1="+strings.ToUpper(want)) {
			t.Fatal("the right signature was refused")
		}
		if validSignature(secret, body, header) && !strings.EqualFold(header, "sha1="+want) {
			t.Fatalf("header %q accepted, want sha1=%s", header, want)
		}
	})
}
