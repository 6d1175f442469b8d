package notify

import (
	"context"
	"errors"
	"fmt"
	"net"
)

// Error is a failed send as the platform reported it.
type Error struct {
	Robot     string // which robot: "wecom", "dingtalk", "feishu", "dir"
	Status    int    // HTTP status, 0 if none
	Code      int    // the platform's errcode / code, 0 if none
	Msg       string // the platform's message
	Retryable bool   // the same send may succeed later
}

func (e *Error) Error() string {
	if e.Code != 0 {
		return fmt.Sprintf("%s: errcode %d: %s", e.Robot, e.Code, e.Msg)
	}
	return fmt.Sprintf("%s: http %d: %s", e.Robot, e.Status, e.Msg)
}

// IsRetryable reports whether err is temporary: a platform frequency limit, a server error, or a
// network failure. Errors the platform calls final (a wrong key, a bad signature, a malformed
// message) and cancellations of ctx are not retryable.
func IsRetryable(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	var ne net.Error
	return errors.As(err, &ne)
}
