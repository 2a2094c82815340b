package main

import (
	"os"
	"strings"
	"testing"
)

func TestStoreTableRate(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
		want float64
		err  string
	}{
		{want: 24},
		{args: []string{"--store-table-rate", "0"}, want: 0},
		{args: []string{"--store-table-rate", "96.5"}, want: 96.5},
		{env: "48", want: 48},
		{args: []string{"--store-table-rate", "12"}, env: "48", want: 12},
		{args: []string{"--store-table-rate", "-1"}, err: "--store-table-rate"},
		{args: []string{"--store-table-rate", "fast"}, err: "--store-table-rate"},
		{args: []string{"--store-table-rate", "NaN"}, err: "--store-table-rate"},
	} {
		t.Setenv("SETTLENET_STORE_TABLE_RATE", c.env)
		if c.env == "" {
			os.Unsetenv("SETTLENET_STORE_TABLE_RATE") // t.Setenv restores it
		}
		cfg, err := parseConfig("serve", c.args)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v (env %q): %v, want an error naming %s", c.args, c.env, err, c.err)
			}
		case err != nil:
			t.Errorf("%v (env %q): %v", c.args, c.env, err)
		case cfg.StoreTableRate != c.want:
			t.Errorf("%v (env %q): %v MiB/s, want %v", c.args, c.env, cfg.StoreTableRate, c.want)
		}
	}
}

func TestMeiliMaxPayload(t *testing.T) {
	for _, c := range []struct {
		args []string
		env  string
		want int
		err  string
	}{
		{want: 50_000_000},
		{args: []string{"--meili-max-payload", "8"}, want: 8_000_000},
		{env: "20", want: 20_000_000},
		{args: []string{"--meili-max-payload", "30"}, env: "20", want: 30_000_000},
		{args: []string{"--meili-max-payload", "0"}, err: "--meili-max-payload"},
		{args: []string{"--meili-max-payload", "-5"}, err: "--meili-max-payload"},
		{args: []string{"--meili-max-payload", "1.5"}, err: "--meili-max-payload"},
		{args: []string{"--meili-max-payload", "9999999999"}, err: "--meili-max-payload"},
	} {
		t.Setenv("SETTLENET_MEILI_MAX_PAYLOAD", c.env)
		if c.env == "" {
			os.Unsetenv("SETTLENET_MEILI_MAX_PAYLOAD") // t.Setenv restores it
		}
		cfg, err := parseConfig("serve", c.args)
		switch {
		case c.err != "":
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%v (env %q): %v, want an error naming %s", c.args, c.env, err, c.err)
			}
		case err != nil:
			t.Errorf("%v (env %q): %v", c.args, c.env, err)
		case cfg.MeiliMaxPayload != c.want:
			t.Errorf("%v (env %q): %d bytes, want %d", c.args, c.env, cfg.MeiliMaxPayload, c.want)
		}
	}
}
