// Package knowledge is YouthLink's small knowledge base: the policies and FAQ a committee keeps
// as Markdown or plain-text files, split into passages and indexed with BM25 so the Q&A engine
// can quote the right paragraph.
//
// Load reads a folder, Split cuts one file into passages (by Markdown headings and blank-line
// paragraphs; each passage is titled with its file title and heading), and Base.Search ranks
// passages for a question. Every Hit carries a Confidence in [0, 1], the share of the question's
// informative words the passage contains, so a caller can tell a good match from a weak one.
//
// Words come from a Tokenizer. Production passes the shared gse segmenter; Bigrams needs no
// dictionary and serves as a fallback.
package knowledge
