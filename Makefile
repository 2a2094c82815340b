# SettleNet engine. `make run` and `make test` are all a fresh clone needs.
GO      ?= go
BIN     := bin/settlenet
DATA    ?= ./data
ADDR    ?= 127.0.0.1:8080
BENCH   ?=
PKGS    := ./...
# gin encodes JSON with goccy/go-json under this tag (gin's own switch): the
# thread and list answers spend much of their time in encoding. Tests run
# with it too, so they check the encoder that serves.
TAGS    := go_json
export GOFLAGS := -tags=$(TAGS)

.PHONY: run build test vet lint fmt-check compose-check bench fuzz clean

build:
	$(GO) build -o $(BIN) ./cmd/settlenet

# A new data directory gets the demo community first (settlenet seed --demo).
run: build
	@if [ ! -d "$(DATA)" ]; then $(BIN) seed --demo --data-dir $(DATA); fi
	$(BIN) serve --addr $(ADDR) --data-dir $(DATA)

# Every test, race detector on.
test: vet lint fmt-check compose-check
	$(GO) test -race -count=1 -timeout 20m $(PKGS)

vet:
	$(GO) vet $(PKGS)

# staticcheck, at a pinned version (fetched through the module proxy), so
# that a new release's checks cannot fail a build of unchanged code.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2
lint:
	$(GO) run $(STATICCHECK) $(PKGS)

# Syntax and schema of the deploy/ compose files, with Debian's docker-compose
# (no Docker engine needed); .ci/run installs it, elsewhere it is skipped.
compose-check:
	@if command -v docker-compose >/dev/null 2>&1; then \
	  docker-compose -f deploy/docker-compose.yml config -q && \
	  MEILI_MASTER_KEY=0123456789abcdef docker-compose -f deploy/docker-compose.cluster.yml config -q && \
	  echo "compose files: valid"; \
	else echo "compose-check skipped: docker-compose is not installed (apt-get install docker-compose)"; fi

fmt-check:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

# Benchmark programs; `make bench BENCH=append` runs only figures starting with "append".
bench:
	$(GO) run ./cmd/bench -only "$(BENCH)"

# A short run of every fuzz target (the seed corpora also run in `make test`).
FUZZTIME ?= 20s
fuzz:
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "== $$pkg $$f"; $(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg || exit 1; \
	  done; \
	done

clean:
	rm -rf bin
