package notify

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"
)

// FuzzChecker feeds the webhook response check any status and body: a success needs status 200
// and a JSON result code 0; every failure is an *Error, retryable for 429 and 5xx, with its
// message cut to 200 bytes of body.
func FuzzChecker(f *testing.F) {
	f.Add(200, []byte(`{"errcode":0,"errmsg":"ok"}`))
	f.Add(200, []byte(`{"code":9499,"msg":"Bad Request"}`))
	f.Add(200, []byte(`{"StatusCode":0}`))
	f.Add(502, []byte("<html>Bad Gateway</html>"))
	f.Add(429, []byte(`{"errcode":45009}`))
	f.Add(200, []byte("\xff"))
	check := checker(45009)
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := check(status, body)
		if err == nil {
			var r apiResult
			if json.Unmarshal(body, &r) != nil || status != http.StatusOK {
				t.Fatalf("status %d body %q accepted", status, body)
			}
			if code, _, ok := r.code(); !ok || code != 0 {
				t.Fatalf("body %q accepted with code %d (found %v)", body, code, ok)
			}
			return
		}
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error %T is not *notify.Error", err)
		}
		if (status == http.StatusTooManyRequests || status >= 500) && !e.Retryable {
			t.Fatalf("status %d not retryable", status)
		}
		var r apiResult
		_ = json.Unmarshal(body, &r) // as the checker reads it; a body that is not JSON gives no message
		if _, msg, _ := r.code(); msg == "" && len(e.Msg) > 200 {
			t.Fatalf("message of %d bytes cut from a body of %d, want at most 200", len(e.Msg), len(body))
		}
	})
}
