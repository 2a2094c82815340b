// Package api is the JSON API of API.md (/api/v1), handlers split by area:
// members and sessions, groups, threads, posts, moderation, administration
// and notifications. Handlers decode and bound their input, issue one
// command through the domain service, wait until the read side has applied
// the appended events (read your writes), and answer from the read models.
// They never write a read model.
//
// Decoding: bodies are JSON objects of at most MaxBody bytes (larger: 413).
// Unknown fields are ignored, so that a newer client talking to an older
// server still works; malformed JSON, a wrong type or trailing data is 400
// naming the field when it can. Field limits and formats are the domain's
// (422 with per-field codes).
package api
