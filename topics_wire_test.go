package main

import (
	"slices"
	"testing"
)

// TestAnalyzerSkipsCommands: a command's words are not the group's topics or keywords; chat,
// tags included, still is.
func TestAnalyzerSkipsCommands(t *testing.T) {
	an := analyzer(nil)
	for _, tc := range []struct {
		text     string
		keywords []string
		tags     []string
	}{
		{text: "/活动 线下 志愿服务 2026-11-20 @张三"},
		{text: "／话题"},
		{text: "  /record"},
		{text: "/登记本群"},
		{text: "周六的志愿服务在哪里集合？", keywords: []string{"志愿服务", "集合"}},
		{text: "#考研# 图书馆几点开门", keywords: []string{"考研", "图书馆", "开门"}, tags: []string{"考研"}},
		{text: "路径是 a/b，不是命令", keywords: []string{"路径", "命令"}},
	} {
		got := an(tc.text)
		if !slices.Equal(got.Keywords, tc.keywords) || !slices.Equal(got.Tags, tc.tags) {
			t.Errorf("analyzer(%q) = keywords %q tags %q, want %q %q", tc.text, got.Keywords, got.Tags, tc.keywords, tc.tags)
		}
		if tc.keywords == nil && len(got.Topics) > 0 {
			t.Errorf("analyzer(%q) topics %q, want none for a command", tc.text, got.Topics)
		}
	}
}
