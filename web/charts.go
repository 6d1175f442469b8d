package web

import (
	"fmt"
	"strconv"
	"strings"

	"youthlink/record"
	"youthlink/storage"
)

// Charts are drawn on the server as SVG: geometry here, markup in templates/charts.html.

// lineChart is the weekly chart: reached youths and interactions per week.
type lineChart struct {
	W, H         int
	Left, Bottom int // plot area edges
	Top, Right   int
	Ticks        []tick
	Labels       []label // week labels under the x axis
	Series       []series
	Empty        bool
}

type tick struct {
	Y     int
	Label string
}

type label struct {
	X, Y int
	Text string
}

type series struct {
	Name, Class string
	Points      string // "x,y x,y …"
	Dots        []dot
}

type dot struct {
	X, Y  int
	Title string
}

// weekly draws the last weeks' contact figures.
func weekly(weeks []storage.WeekContact) lineChart {
	c := lineChart{W: 640, H: 260, Left: 44, Right: 624, Top: 16, Bottom: 220}
	max := 0
	for _, w := range weeks {
		max = maxInt(max, maxInt(w.Reached, w.Interactions))
	}
	c.Empty = max == 0
	top := niceCeil(max)
	for i := 0; i <= 4; i++ {
		v := top * i / 4
		c.Ticks = append(c.Ticks, tick{Y: c.yOf(v, top), Label: strconv.Itoa(v)})
	}
	reached := series{Name: "直接联系青年（人）", Class: "s1"}
	inter := series{Name: "互动（次）", Class: "s2"}
	var rp, ip []string
	for i, w := range weeks {
		x := c.Left + 10
		if len(weeks) > 1 {
			x = c.Left + 10 + i*(c.Right-c.Left-20)/(len(weeks)-1)
		}
		name := w.Week
		if j := strings.Index(name, "-"); j >= 0 {
			name = name[j+1:]
		}
		c.Labels = append(c.Labels, label{X: x, Y: c.Bottom + 18, Text: name})
		y1, y2 := c.yOf(w.Reached, top), c.yOf(w.Interactions, top)
		rp = append(rp, fmt.Sprintf("%d,%d", x, y1))
		ip = append(ip, fmt.Sprintf("%d,%d", x, y2))
		reached.Dots = append(reached.Dots, dot{x, y1, fmt.Sprintf("%s 直接联系青年 %d 人", w.Week, w.Reached)})
		inter.Dots = append(inter.Dots, dot{x, y2, fmt.Sprintf("%s 互动 %d 次", w.Week, w.Interactions)})
	}
	reached.Points, inter.Points = strings.Join(rp, " "), strings.Join(ip, " ")
	c.Series = []series{reached, inter}
	return c
}

func (c lineChart) yOf(v, top int) int {
	if top == 0 {
		return c.Bottom
	}
	return c.Bottom - v*(c.Bottom-c.Top)/top
}

// barChart is a horizontal bar chart (topics) or a histogram (coverage).
type barChart struct {
	W, H  int
	Bars  []bar
	Empty bool
}

type bar struct {
	X, Y, W, H int // the bar
	LX, LY     int // its label
	VX, VY     int // its value
	Label      string
	Value      string
	Title      string
}

// topicBars draws counts as horizontal bars, largest first.
func topicBars(counts []storage.Count) barChart {
	const rowH, labelW, maxW = 26, 120, 420
	c := barChart{W: labelW + maxW + 60, H: rowH*len(counts) + 8, Empty: len(counts) == 0}
	max := 0
	for _, n := range counts {
		max = maxInt(max, n.N)
	}
	for i, n := range counts {
		w := 0
		if max > 0 {
			w = maxInt(2, n.N*maxW/max)
		}
		y := 4 + i*rowH
		c.Bars = append(c.Bars, bar{X: labelW, Y: y, W: w, H: rowH - 8, LX: labelW - 8, LY: y + rowH/2 + 1,
			VX: labelW + w + 6, VY: y + rowH/2 + 1, Label: n.Name, Value: strconv.Itoa(n.N), Title: fmt.Sprintf("%s：%d 条", n.Name, n.N)})
	}
	return c
}

// coverageBands are the histogram's bands of coverage, in percent.
var coverageBands = []struct {
	lo, hi int
	name   string
}{{0, 20, "0–19%"}, {20, 40, "20–39%"}, {40, 60, "40–59%"}, {60, 80, "60–79%"}, {80, 100, "80–99%"}, {100, 1 << 30, "≥100%"}}

// coverageBand is the index of the band holding a coverage.
func coverageBand(pct int) int {
	for i, b := range coverageBands {
		if pct >= b.lo && pct < b.hi {
			return i
		}
	}
	return 0
}

// coverage draws the histogram of cadres by coverage band.
func coverage(rs []*record.Record) barChart {
	const colW, plotH, top = 80, 160, 20
	c := barChart{W: colW*len(coverageBands) + 20, H: plotH + top + 40, Empty: len(rs) == 0}
	n := make([]int, len(coverageBands))
	max := 0
	for _, r := range rs {
		i := coverageBand(r.Coverage)
		n[i]++
		max = maxInt(max, n[i])
	}
	for i, b := range coverageBands {
		h := 0
		if max > 0 {
			h = n[i] * plotH / max
		}
		x := 10 + i*colW
		c.Bars = append(c.Bars, bar{X: x + 12, Y: top + plotH - h, W: colW - 24, H: h, LX: x + colW/2, LY: top + plotH + 20,
			VX: x + colW/2, VY: top + plotH - h - 6, Label: b.name, Value: strconv.Itoa(n[i]),
			Title: fmt.Sprintf("覆盖率 %s：%d 名团干部", b.name, n[i])})
	}
	return c
}

// niceCeil rounds up to 1, 2 or 5 times a power of ten (at least 4, so that ticks are whole).
func niceCeil(v int) int {
	if v <= 4 {
		return 4
	}
	p := 1
	for p*10 < v {
		p *= 10
	}
	for _, m := range []int{1, 2, 4, 5, 8, 10} {
		if m*p >= v && (m*p)%4 == 0 {
			return m * p
		}
	}
	return 10 * p
}

func maxInt(a, b int) int {
	if a > b {
		return a
	}
	return b
}
