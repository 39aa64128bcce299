package web

import (
	"fmt"
	"math"

	"github.com/parleyhq/parley/inbox"
)

// Charts are drawn by the server as SVG: the template places shapes the code below has
// measured, and CSS colors them by class. Each chart sits beside a table of the same numbers.

// barChart is a horizontal bar chart of counts.
type barChart struct {
	Height int
	Bars   []bar
	Label  string // the chart's accessible description
}

type bar struct {
	Y     int
	Label string
	Value int64
	Width float64 // of chartBarSpan
	Class string
}

const (
	chartBarRow  = 26
	chartBarSpan = 260.0
)

func newBarChart(counts []inbox.Count, label func(string) string) barChart {
	var top int64
	for _, c := range counts {
		top = max(top, c.N)
	}
	ch := barChart{Height: max(len(counts), 1)*chartBarRow + 4}
	for i, c := range counts {
		w := 0.0
		if top > 0 {
			w = math.Max(2, chartBarSpan*float64(c.N)/float64(top))
		}
		ch.Bars = append(ch.Bars, bar{Y: i*chartBarRow + 4, Label: label(c.Label), Value: c.N, Width: w, Class: "ch-" + c.Label})
		ch.Label += fmt.Sprintf("%s %d; ", label(c.Label), c.N)
	}
	return ch
}

// columnChart is a stacked column per day, one segment per channel.
type columnChart struct {
	Width, Height float64
	Cols          []column
	Max           int64
}

type column struct {
	X, W  float64
	Segs  []segment
	Label string // shown under some columns
	Title string // the day's numbers, on hover and for screen readers
}

type segment struct {
	Y, H  float64
	Class string
}

const (
	chartColWidth  = 640.0
	chartColHeight = 150.0
)

func newColumnChart(wd words, days []inbox.DayCount) columnChart {
	ch := columnChart{Width: chartColWidth, Height: chartColHeight + 18}
	for _, d := range days {
		ch.Max = max(ch.Max, d.Total)
	}
	if len(days) == 0 {
		return ch
	}
	slot := chartColWidth / float64(len(days))
	every := max(1, len(days)/8)
	for i, d := range days {
		w := math.Max(1, math.Min(slot*0.7, 28))
		col := column{X: float64(i)*slot + (slot-w)/2, W: w,
			Title: wd.t("dashboard.chart.day_total", "day", wd.day(d.Day), "count", d.Total)}
		if i%every == 0 {
			col.Label = wd.day(d.Day)
		}
		y := chartColHeight
		for _, c := range listChannels {
			n := d.ByChannel[c]
			if n == 0 || ch.Max == 0 {
				continue
			}
			h := chartColHeight * float64(n) / float64(ch.Max)
			y -= h
			col.Segs = append(col.Segs, segment{Y: y, H: h, Class: "ch-" + string(c)})
			col.Title += ", " + wd.t("dashboard.chart.channel_count", "channel", wd.channelName(c), "count", n)
		}
		ch.Cols = append(ch.Cols, col)
	}
	return ch
}
