// Package digest builds a committee's weekly digest (周报) over its subtree — active cadres,
// youths reached and coverage against target with the change since last week, interactions by
// kind, activities, top topics and keywords, open questions and how long they have waited, plan
// progress, the honor roll and needs-effort list with reasons, and groups gone quiet — and
// renders it as text (chat), Markdown (webhooks), HTML (files, e-mail, dashboard) and JSON.
//
// A digest for a week is a pure function of the store and the week: it is computed as of the
// week's end, so building it again later gives the same figures (open questions excepted, which
// are read as they stand now but counted only when asked before the week ended).
//
// An optional Overviewer (an LLM) writes the opening paragraph; without one, or when it fails,
// a plain paragraph is written from the figures.
package digest
