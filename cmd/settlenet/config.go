package main

import (
	"encoding/base64"
	"flag"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/settlenet/settlenet/eventstore/embedded"
	"github.com/settlenet/settlenet/search/meili"
)

// config is what serve needs. Each field is a flag and an environment
// variable SETTLENET_<FLAG NAME IN UPPER SNAKE CASE>; a flag wins.
type config struct {
	Addr        string
	DataDir     string
	Store       string
	ESDBURL     string
	Search      string
	MeiliURL    string
	MeiliKey    string
	BaseURL     string
	AdminEmails string
	// FormKey keys the pages' form tokens (base64, at least 32 bytes);
	// empty uses the key kept in the event store (domain.Service.SiteKey),
	// which every instance on that store shares.
	FormKey string
	// TrustedProxies: comma-separated addresses or CIDRs of the reverse
	// proxies in front of the engine, whose X-Forwarded-For names the
	// client. None by default: a client could otherwise name any address
	// and dodge the per-address limits; behind a proxy, though, every
	// client then shares the proxy's address and its login allowance.
	TrustedProxies string
	// StoreTableRate is the pace, in MiB a second, at which the embedded
	// store writes its table files while it has no backlog
	// (embedded.WithTableWriteRate); 0 writes them at the disk's speed.
	StoreTableRate float64
	// MeiliMaxPayload is the largest body of documents, in bytes, sent to
	// Meilisearch in one request (meili.Config.MaxPayload).
	MeiliMaxPayload int
}

func parseConfig(name string, args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	str := func(p *string, flagName, def, usage string) {
		env := "SETTLENET_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
		if v, ok := os.LookupEnv(env); ok {
			def = v
		}
		fs.StringVar(p, flagName, def, usage+" ($"+env+")")
	}
	str(&c.Addr, "addr", "127.0.0.1:8080", "address to listen on")
	str(&c.DataDir, "data-dir", "./data", "directory for the embedded store, search index and sessions")
	str(&c.Store, "store", "embedded", "event store: embedded or esdb")
	str(&c.ESDBURL, "esdb-url", "", "EventStoreDB connection string, e.g. esdb://localhost:2113?tls=false")
	str(&c.Search, "search", "embedded", "search engine: embedded or meilisearch")
	str(&c.MeiliURL, "meili-url", "", "Meilisearch URL")
	str(&c.MeiliKey, "meili-key", "", "Meilisearch API key")
	str(&c.BaseURL, "base-url", "", "public URL of the site (default http://<addr>)")
	str(&c.AdminEmails, "admin-emails", "", "comma-separated emails that become admins on registration")
	str(&c.FormKey, "form-key", "", "base64 key (32+ bytes) for form tokens; default: one kept in the event store, shared by every instance on it")
	str(&c.TrustedProxies, "trusted-proxies", "", "comma-separated addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed (default: none)")
	tableRate := strconv.FormatFloat(embedded.DefaultTableWriteRate/(1<<20), 'f', -1, 64)
	str(&tableRate, "store-table-rate", tableRate, "MiB/s at which the embedded store writes its table files, so that their bursts leave the disk to the appends' syncs; 0: as fast as the disk takes them")
	maxPayload := strconv.Itoa(meili.DefaultMaxPayload / 1_000_000)
	str(&maxPayload, "meili-max-payload", maxPayload, "MB of documents sent to Meilisearch in one request; keep it under Meilisearch's --http-payload-size-limit")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	mb, err := strconv.Atoi(maxPayload)
	if err != nil || mb < 1 || mb > 1_000_000 {
		return c, fmt.Errorf("--meili-max-payload must be a whole number of MB, 1 or more, not %q", maxPayload)
	}
	c.MeiliMaxPayload = mb * 1_000_000
	rate, err := strconv.ParseFloat(tableRate, 64)
	if err != nil || rate < 0 || math.IsNaN(rate) || math.IsInf(rate, 0) {
		return c, fmt.Errorf("--store-table-rate must be a number of MiB/s, 0 or more, not %q", tableRate)
	}
	c.StoreTableRate = rate
	if c.BaseURL == "" {
		c.BaseURL = "http://" + c.Addr
	}
	if c.FormKey != "" {
		if k, err := base64.StdEncoding.DecodeString(c.FormKey); err != nil || len(k) < 32 {
			return c, fmt.Errorf("--form-key must be base64 of at least 32 bytes")
		}
	}
	switch c.Store {
	case "embedded":
	case "esdb":
		if c.ESDBURL == "" {
			return c, fmt.Errorf("--store esdb needs --esdb-url")
		}
	default:
		return c, fmt.Errorf("--store must be embedded or esdb, not %q", c.Store)
	}
	switch c.Search {
	case "embedded", "meilisearch":
	default:
		return c, fmt.Errorf("--search must be embedded or meilisearch, not %q", c.Search)
	}
	return c, nil
}
