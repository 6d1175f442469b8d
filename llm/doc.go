// Package llm is YouthLink's question-answering engine. An Answerer takes a youth's question,
// looks it up in the knowledge base, asks an OpenAI-compatible chat model with the best passages,
// and returns either an answer that names its sources or a hand-off to the group's cadre with the
// reason and a polite reply to show the youth.
//
// Around the model call it enforces what an operator needs: sensitive topics and prompt-injection
// attempts never reach the model; phone numbers, ID-card numbers and e-mail addresses are
// redacted (Redact) before any text leaves; a per-user rate limit and token budgets per user, per
// group and per month (kept in a UsageStore); bounded retries on 429/5xx honouring Retry-After;
// an overall timeout; and a circuit breaker when the endpoint keeps failing. Without an API key it
// answers from the knowledge base alone when a passage matches well.
//
// The chat wiring (triggers, hand-off records, notifying the cadre) belongs to the caller.
package llm
