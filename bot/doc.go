// Package bot is YouthLink's platform-neutral core: the event model every adapter produces, the
// Context handlers receive, middleware, the command router, the Adapter interface, and the engine
// that takes an event through normalize → dedupe → store → handlers → outbox.
//
// It imports only the standard library. Storage, counting and platforms meet it through the small
// interfaces declared here, and concrete types are wired together in package main.
package bot
