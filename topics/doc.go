// Package topics finds what youth group chats talk about.
//
// It works on one chat message at a time and is cheap enough for the ingest hot path:
//
//   - Clean strips media placeholders ([图片], [表情] …), URLs, e-mail addresses and @-mentions
//     and collapses whitespace, so that none of them is counted as a keyword;
//   - Tags finds #话题# tags written in a message;
//   - a Taxonomy maps configured topics to keywords and matches them in one pass (Aho-Corasick);
//   - a Segmenter cuts Chinese text into words with github.com/go-ego/gse, using its embedded
//     simplified-Chinese dictionary, loaded once on first use and shared;
//   - an Analyzer puts the three together: topics, tags and a few keywords per message;
//   - Top ranks counted keywords or topics for digests.
//
// The package keeps no state besides the shared Segmenter; counting per group and week is the
// caller's job.
package topics
