package llm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"time"

	openai "github.com/sashabaranov/go-openai"
)

// retryAfterKey carries, in a request's context, where the transport writes the response's
// Retry-After header: go-openai's errors do not keep response headers.
type retryAfterKey struct{}

type headerTransport struct{ base http.RoundTripper }

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.base.RoundTrip(req)
	if resp != nil {
		if dst, ok := req.Context().Value(retryAfterKey{}).(*string); ok {
			*dst = resp.Header.Get("Retry-After")
		}
	}
	return resp, err
}

// newClient builds the go-openai client for cfg, reading Retry-After through hc's transport.
func newClient(cfg Config, key string, hc *http.Client) *openai.Client {
	oc := openai.DefaultConfig(key)
	if cfg.BaseURL != "" {
		oc.BaseURL = cfg.BaseURL
	}
	c := http.Client{Timeout: cfg.Timeout}
	if hc != nil {
		c = *hc
	}
	base := c.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	c.Transport = headerTransport{base: base}
	oc.HTTPClient = &c
	return openai.NewClientWithConfig(oc)
}

// complete calls the endpoint, retrying 429, 5xx and network errors up to cfg.MaxRetries times
// with exponential back-off or the server's Retry-After, never past cfg.RetryMax per wait nor past
// ctx's deadline. It returns the number of attempts made.
func (a *Answerer) complete(ctx context.Context, req openai.ChatCompletionRequest) (openai.ChatCompletionResponse, int, error) {
	retries := max(a.cfg.MaxRetries, 0)
	for attempt := 0; ; attempt++ {
		var retryAfter string
		resp, err := a.client.CreateChatCompletion(context.WithValue(ctx, retryAfterKey{}, &retryAfter), req)
		if err == nil {
			if len(resp.Choices) == 0 {
				return resp, attempt + 1, errors.New("chat completion: no choices")
			}
			return resp, attempt + 1, nil
		}
		if ctx.Err() != nil || attempt >= retries || !retryable(err) {
			return resp, attempt + 1, fmt.Errorf("chat completion: %w", err)
		}
		wait := a.cfg.RetryBase << attempt
		if d, ok := parseRetryAfter(retryAfter, a.now()); ok {
			if d > a.cfg.RetryMax {
				return resp, attempt + 1, fmt.Errorf("chat completion: server asks to wait %s: %w", d, err)
			}
			wait = d
		}
		wait = min(wait, a.cfg.RetryMax)
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < wait {
			return resp, attempt + 1, fmt.Errorf("chat completion: no time left to retry: %w", err)
		}
		a.log.DebugContext(ctx, "llm retry", "attempt", attempt+1, "wait", wait, "err", err)
		if err := a.sleep(ctx, wait); err != nil {
			return resp, attempt + 1, fmt.Errorf("chat completion: %w", err)
		}
	}
}

// retryable tells errors worth another attempt: 429, 5xx and network failures.
func retryable(err error) bool {
	if status := httpStatus(err); status != 0 {
		return status == http.StatusTooManyRequests || status >= 500
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return false
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// httpStatus is the HTTP status carried by a go-openai error, or 0.
func httpStatus(err error) int {
	var ae *openai.APIError
	if errors.As(err, &ae) {
		return ae.HTTPStatusCode
	}
	var re *openai.RequestError
	if errors.As(err, &re) {
		return re.HTTPStatusCode
	}
	return 0
}

// isTimeout tells whether err comes from a deadline.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// parseRetryAfter reads a Retry-After value: delay seconds or an HTTP date. A delay too long for a
// time.Duration (about 292 years) reads as the longest one, not as a negative wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
		return time.Duration(min(s, int64(math.MaxInt64/time.Second))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
