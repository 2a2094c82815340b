// Package i18n holds the engine's message catalogues (English and French,
// embedded TOML files the web UI reuses) and picks the caller's language:
// the member's preference when logged in, else Accept-Language, else English.
package i18n
