// Package web is the committee dashboard: server-rendered pages in Chinese (overview with SVG
// charts, honor roll and needs-effort list, each cadre's record with every figure opening down
// to its evidence, groups, topics, open questions, the digest archive) and Excel/CSV downloads.
//
// Each account belongs to one committee and sees only that committee's subtree. Passwords are
// bcrypt hashes; sessions are kept in memory behind HttpOnly, SameSite=Lax cookies (Secure behind
// TLS or when configured); every form carries a CSRF token, and login attempts are limited per
// IP address and per account. The configuration is the `web` section of config.yaml (Config).
package web
