package main

import (
	"youthlink/bot"
	"youthlink/config"
)

// analyzer returns the topic analysis configured for ingest (nil: none).
func analyzer(cfg *config.Config) func(string) bot.Topics {
	return nil
}
