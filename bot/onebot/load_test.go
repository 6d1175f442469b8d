package onebot

import (
	"context"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"youthlink/bot"
)

// countSink counts delivered events.
type countSink struct{ n atomic.Int64 }

func (s *countSink) Deliver(context.Context, bot.Event) error { s.n.Add(1); return nil }

// loadRig starts an adapter with a reverse-ws listener and a connected fake.
func loadRig(tb testing.TB) (*fakeOneBot, *countSink, context.Context) {
	ctx, cancel := context.WithCancel(context.Background())
	tb.Cleanup(cancel)
	sink := &countSink{}
	a := startAdapter(tb, Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0"}}}, sink)
	f := newFake(tb, 10001)
	if _, err := f.dialReverse(ctx, wsURL(tb, a, 0), "Universal"); err != nil {
		tb.Fatal(err)
	}
	waitAccount(tb, a, "10001")
	return f, sink, ctx
}

// TestLoad pushes 5,000 group messages a second for 10 s through reverse-ws and checks that
// every one reaches the sink. It runs only with YOUTHLINK_LOAD=1 and without -short.
func TestLoad(t *testing.T) {
	if testing.Short() || os.Getenv("YOUTHLINK_LOAD") != "1" {
		t.Skip("load test: set YOUTHLINK_LOAD=1 and drop -short")
	}
	const rate, secs, tick = 5000, 10, 10 * time.Millisecond
	f, sink, ctx := loadRig(t)
	perTick := rate * int(tick) / int(time.Second)
	total := rate * secs
	frames := make([][]byte, total)
	for i := range frames {
		frames[i] = f.groupMsg(int64(1_000_000+i), 555, 777, "张三", "三哥", "[CQ:at,qq=888] 明天的团课几点开始？")
	}
	start := time.Now()
	tk := time.NewTicker(tick)
	sent := 0
	for sent < total {
		<-tk.C
		// Catch up to the schedule so the average rate holds even if a tick is late.
		due := min(total, int(time.Since(start)/tick+1)*perTick)
		for ; sent < due; sent++ {
			f.push(ctx, frames[sent])
		}
	}
	tk.Stop()
	sendDur := time.Since(start)
	deadline := time.Now().Add(30 * time.Second)
	for sink.n.Load() < int64(total) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	got := sink.n.Load()
	all := time.Since(start)
	t.Logf("sent %d in %v (%.0f msg/s offered); received %d in %v (%.0f msg/s sustained); lost %d",
		total, sendDur.Round(time.Millisecond), float64(total)/sendDur.Seconds(),
		got, all.Round(time.Millisecond), float64(got)/all.Seconds(), int64(total)-got)
	if got != int64(total) {
		t.Fatalf("received %d of %d messages", got, total)
	}
}

// BenchmarkLoadReverseWS pushes b.N group messages through reverse-ws as fast as the fake can
// write them and reports the delivered rate.
func BenchmarkLoadReverseWS(b *testing.B) {
	f, sink, ctx := loadRig(b)
	frame := f.groupMsg(1, 555, 777, "张三", "三哥", "[CQ:at,qq=888] 明天的团课几点开始？")
	b.ResetTimer()
	start := time.Now()
	for range b.N {
		f.push(ctx, frame)
	}
	for sink.n.Load() < int64(b.N) {
		time.Sleep(100 * time.Microsecond)
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkDecode measures decoding one group message frame into a bot.Event.
func BenchmarkDecode(b *testing.B) {
	d := testDecoder()
	data := []byte(groupHead + `[{"type":"reply","data":{"id":"120"}},{"type":"at","data":{"qq":"10001"}},{"type":"text","data":{"text":" 今天开会吗"}}]}`)
	b.ReportAllocs()
	for range b.N {
		f, err := decodeFrame(data)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, err := d.event(f); err != nil {
			b.Fatal(err)
		}
	}
}
