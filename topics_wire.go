package main

import (
	"youthlink/bot"
	"youthlink/config"
	"youthlink/topics"
)

// analyzer returns the topic analysis run on each message at ingest: the configured taxonomy (or
// the built-in one), #话题# tags, and keywords from the shared gse segmenter unless turned off.
// A command to the bot (/活动 线下 志愿服务 …) is not chat about a subject: it gets none.
func analyzer(cfg *config.Config) func(string) bot.Topics {
	if cfg == nil {
		cfg = config.Default()
	}
	tax := topics.DefaultTaxonomy()
	if len(cfg.Topics.Taxonomy) > 0 {
		t, err := topics.NewTaxonomy(cfg.Topics.Taxonomy)
		if err == nil { // Validate already checked it; a failure here keeps the built-in taxonomy
			tax = t
		}
	}
	var seg *topics.Segmenter
	if cfg.Topics.Keywords {
		seg = topics.Shared()
	}
	an := topics.NewAnalyzer(tax, seg)
	return func(text string) bot.Topics {
		if _, _, isCmd := bot.ParseCommand(text); isCmd {
			return bot.Topics{}
		}
		a := an.Analyze(text)
		return bot.Topics{Topics: a.Topics, Tags: a.Tags, Keywords: a.Keywords}
	}
}
