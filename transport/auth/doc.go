// Package auth is who the caller is and what they may attempt: argon2id
// password hashing, session tokens and the cookie that carries them (the
// sessions themselves are events, read back from the projections' sessions
// model, so they survive restarts and work across engine instances),
// cross-origin request protection, and keyed rate limits.
package auth
