// Package transport is the engine's HTTP face: the gin router, the health,
// readiness and metrics endpoints, and (as the features land) the JSON API,
// sessions, HTML pages and the WebSocket hub. Handlers decide and append
// through the domain; they never write read models.
package transport
