package main

import (
	"os"
	"strings"
	"testing"
)

// flagCase is one parse of the command line: its arguments, the flag's
// environment variable (unset when empty), and either the value wanted or
// part of the error wanted.
type flagCase[T comparable] struct {
	args []string
	env  string
	want T
	err  string
}

// checkFlag parses each case and compares what value reads from the
// config to the case's.
func checkFlag[T comparable](t *testing.T, envName string, cases []flagCase[T], value func(config) T) {
	t.Helper()
	for _, c := range cases {
		t.Setenv(envName, c.env)
		if c.env == "" {
			os.Unsetenv(envName) // t.Setenv restores it
		}
		cfg, err := parseConfig("serve", c.args)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v (env %q): %v, want an error naming %s", c.args, c.env, err, c.err)
			}
		case err != nil:
			t.Errorf("%v (env %q): %v", c.args, c.env, err)
		case value(cfg) != c.want:
			t.Errorf("%v (env %q): %v, want %v", c.args, c.env, value(cfg), c.want)
		}
	}
}

func TestStoreTableRate(t *testing.T) {
	checkFlag(t, "SETTLENET_STORE_TABLE_RATE", []flagCase[float64]{
		{want: 24},
		{args: []string{"--store-table-rate", "0"}, want: 0},
		{args: []string{"--store-table-rate", "96.5"}, want: 96.5},
		{env: "48", want: 48},
		{args: []string{"--store-table-rate", "12"}, env: "48", want: 12},
		{args: []string{"--store-table-rate", "-1"}, err: "--store-table-rate"},
		{args: []string{"--store-table-rate", "fast"}, err: "--store-table-rate"},
		{args: []string{"--store-table-rate", "NaN"}, err: "--store-table-rate"},
	}, func(c config) float64 { return c.StoreTableRate })
}

func TestMeiliMaxPayload(t *testing.T) {
	checkFlag(t, "SETTLENET_MEILI_MAX_PAYLOAD", []flagCase[int]{
		{want: 50_000_000},
		{args: []string{"--meili-max-payload", "8"}, want: 8_000_000},
		{env: "20", want: 20_000_000},
		{args: []string{"--meili-max-payload", "30"}, env: "20", want: 30_000_000},
		{args: []string{"--meili-max-payload", "0"}, err: "--meili-max-payload"},
		{args: []string{"--meili-max-payload", "-5"}, err: "--meili-max-payload"},
		{args: []string{"--meili-max-payload", "1.5"}, err: "--meili-max-payload"},
		{args: []string{"--meili-max-payload", "9999999999"}, err: "--meili-max-payload"},
	}, func(c config) int { return c.MeiliMaxPayload })
}
