# Parley's everyday commands. `make` (or `make help`) lists them.
#
# No database to set up: when DATABASE_URL (for run) or TEST_DATABASE_URL (for
# test, bench, e2e) is unset, scripts/localpg starts a PostgreSQL cluster of the
# project's own under .pg/ (git-ignored). Test clusters are throwaway: one per
# run, removed when the run ends, pass or fail.

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

GO      ?= go
BIN     := bin/parley
LOCALPG := scripts/localpg
RUN_PG  := .pg/run
TEST_PG := .pg/test

# with-test-db runs the shell command $(1) with TEST_DATABASE_URL set: the
# caller's if set, else a cluster in $(TEST_PG)/run-PID (one per run, so
# parallel runs do not share one), removed on exit keeping $(1)'s status. The
# cluster skips fsync unless $(2) is --durable.
# local-key sets PARLEY_SECRET_KEY, unless the environment has one, to the key kept in the file
# $(1) under .pg/ (made once, random): what one run seals, the next on the same database opens.
define local-key
if [ -z "$${PARLEY_SECRET_KEY:-}" ]; then \
	keyfile=$(1); \
	[ -s "$$keyfile" ] || { mkdir -p .pg; head -c 32 /dev/urandom | base64 > "$$keyfile"; chmod 600 "$$keyfile"; }; \
	PARLEY_SECRET_KEY="$$(cat "$$keyfile")"; \
	echo "PARLEY_SECRET_KEY from $$keyfile (a local key; set your own in production)" >&2; \
fi; \
export PARLEY_SECRET_KEY
endef

define with-test-db
if [ -n "$${TEST_DATABASE_URL:-}" ]; then \
	$(1); \
else \
	pgdir="$(TEST_PG)/run-$$$$"; \
	trap 'st=$$?; $(LOCALPG) rm "$$pgdir" 2>/dev/null || echo "could not remove $$pgdir" >&2; exit $$st' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	TEST_DATABASE_URL="$$($(LOCALPG) up "$$pgdir" $(if $(2),,--throwaway))"; \
	export TEST_DATABASE_URL; \
	$(1); \
fi
endef

.PHONY: help
help: ## list the targets
	@echo "Usage: make TARGET"
	@echo
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9_-]+:.*## / {printf "  %-8s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "DATABASE_URL (run) and TEST_DATABASE_URL (test, bench, e2e) pick a database;"
	@echo "unset, a local PostgreSQL is started under .pg/ by $(LOCALPG)."

.PHONY: build
build: ## build bin/parley
	$(GO) build -o $(BIN) ./cmd/parley

.PHONY: run
run: build ## start Parley: local database if DATABASE_URL is unset, migrate, seed the demo, serve with the sandbox on
	@if [ -z "$${DATABASE_URL:-}" ]; then \
		DATABASE_URL="$$($(LOCALPG) up $(RUN_PG))"; \
		echo "DATABASE_URL=$$DATABASE_URL" >&2; \
	fi; \
	$(call local-key,.pg/secret-key); \
	export DATABASE_URL; \
	$(BIN) migrate; \
	$(BIN) demo; \
	exec $(BIN) serve --sandbox

.PHONY: db
db: ## start the local database that `make run` uses and print its URL
	@$(LOCALPG) up $(RUN_PG)

.PHONY: db-down
db-down: ## stop the local database that `make run` uses (its data stays)
	@$(LOCALPG) down $(RUN_PG)

# VET=0 leaves out go vet (CI runs `make lint` just before, which vets). go test's own
# partial vet is always off (-vet=off): the full one has run, and on a cold build cache the
# partial one cost CI 28 s of compile-and-vet actions more.
VET ?= 1
# TESTP is how many test packages run at once: the largest spend much of their time waiting for
# PostgreSQL, so at least 4 even on two cores (2 cores: 4 took 247 s, go's default of 2 took 314 s).
TESTP ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? 4 : n )))

.PHONY: test
test: ## go vet, then every test with -race, on a throwaway database (or TEST_DATABASE_URL)
	@$(call with-test-db,$(if $(filter 1,$(VET)),$(GO) vet ./... &&) $(GO) test -race -vet=off -count=1 -p $(TESTP) -timeout 12m ./...)

# bench runs on a durable cluster (fsync, synchronous_commit and full_page_writes on, as a
# production server runs), unlike the tests' throwaway one: the README's figures come from it.
# Narrow it with BENCH (a -bench pattern), PKG (packages) and BENCHTIME, e.g.
#   make bench BENCH='IngestParallel$$' PKG=./inbox/ BENCHTIME=20000x
BENCH     ?= .
PKG       ?= ./...
BENCHTIME ?= 1s

.PHONY: bench
bench: ## run the benchmarks on a durable throwaway cluster (or TEST_DATABASE_URL); BENCH=, PKG=, BENCHTIME=
	@$(call with-test-db,$(GO) test -run='^$$' -bench='$(BENCH)' -benchtime='$(BENCHTIME)' -benchmem -timeout 60m $(PKG),--durable)

# staticcheck is pinned by the tool directive in go.mod: `go tool` fetches it from the Go
# module proxy once, checks it against go.sum and caches the built binary.
.PHONY: lint
lint: ## gofmt (fails on any unformatted file), go vet and staticcheck
	@files="$$(git ls-files -co --exclude-standard -- '*.go')"; \
	bad="$$(if [ -n "$$files" ]; then gofmt -l $$files; fi)"; \
	if [ -n "$$bad" ]; then echo "gofmt would change:" >&2; echo "$$bad" >&2; exit 1; fi
	$(GO) vet ./...
	$(GO) tool staticcheck ./...

# e2e drives the web pages in headless Chromium (e2e/, npm). It starts
# bin/parley on a throwaway database (or TEST_DATABASE_URL) at a free port,
# migrated and seeded by `parley demo`, and gives the tests PARLEY_E2E_URL (the
# server), PARLEY_E2E_DEMO (a file holding what `parley demo` printed: the admin
# login) and DATABASE_URL. Parley's own mail (password reset links) goes to
# PARLEY_SMTP_URL, a sink the tests run on PARLEY_E2E_SMTP_PORT. E2E narrows the run to
# some test files, e.g. make e2e E2E=tests/chat.test.js. Its PARLEY_SECRET_KEY, unless set, is
# the checkout's own (.pg/e2e-secret-key, made once): a second run on the same
# TEST_DATABASE_URL opens what the first sealed (a random key each run failed the demo inbox's
# sending there).
E2E ?= tests/

.PHONY: e2e
e2e: ## browser tests in e2e/ against a running server (needs e2e/package.json)
	@if [ ! -f e2e/package.json ]; then echo "make e2e: no e2e/package.json yet; nothing to run" >&2; exit 0; fi; \
	$(MAKE) build; \
	$(call with-test-db,$(MAKE) e2e-against-db)

.PHONY: e2e-against-db
e2e-against-db:
	@export DATABASE_URL="$$TEST_DATABASE_URL"; \
	port="$$($(LOCALPG) freeport)"; \
	export PARLEY_ADDR="127.0.0.1:$$port" PARLEY_E2E_URL="http://127.0.0.1:$$port"; \
	smtpport="$$($(LOCALPG) freeport)"; export PARLEY_SMTP_URL="smtp://127.0.0.1:$$smtpport" PARLEY_E2E_SMTP_PORT="$$smtpport"; \
	$(call local-key,.pg/e2e-secret-key); \
	export PARLEY_WEBHOOK_ALLOW_PRIVATE=1 PARLEY_TRUSTED_PROXIES=127.0.0.1; \
	log="$$(mktemp -t parley-e2e.XXXXXX)"; \
	export PARLEY_E2E_DEMO="$$log.demo"; \
	$(BIN) migrate; \
	$(BIN) demo --conversations 2000 >"$$PARLEY_E2E_DEMO"; \
	$(BIN) serve --sandbox >"$$log" 2>&1 & server=$$!; \
	trap 'st=$$?; kill $$server 2>/dev/null || true; wait $$server 2>/dev/null || true; \
		if [ $$st != 0 ]; then echo "make e2e: warnings and errors in the server log (last 150):" >&2; \
			grep -E "level=(WARN|ERROR)|\"level\":\"(WARN|ERROR)\"" "$$log" | tail -150 >&2 || true; fi; \
		rm -f "$$log" "$$PARLEY_E2E_DEMO"; exit $$st' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	for i in $$(seq 100); do \
		if (exec 3<>"/dev/tcp/127.0.0.1/$$port") 2>/dev/null; then break; fi; \
		if ! kill -0 $$server 2>/dev/null || [ $$i = 100 ]; then \
			echo "make e2e: parley serve did not start; its log:" >&2; cat "$$log" >&2; exit 1; \
		fi; \
		sleep 0.1; \
	done; \
	cd e2e && npm ci --no-audit --no-fund && npm test -- $(E2E)

# docker-test builds the Dockerfile's image and starts deploy/compose.yaml with it, checking that
# Parley migrates, serves and runs as non-root (scripts/dockertest; minutes, so not in CI). Where
# Docker Hub is out of reach it builds stand-in base images from Debian's packages first.
.PHONY: docker-test
docker-test: ## build the container image and start the compose file (needs Docker; not in CI)
	scripts/dockertest

# chaos runs the fault suite, cmd/parley-chaos: its own PostgreSQL (scripts/localpg, under
# .pg/test, removed after), two `parley serve` on it and fake providers; it kills a server,
# restarts PostgreSQL and makes the providers fail under load, prints the figures and fails
# when a promise is broken (about 2.5 minutes). Never touches TEST_DATABASE_URL's server.
.PHONY: chaos
chaos: ## the fault suite: kill a server, restart PostgreSQL, fail the providers under load; figures at the end
	$(GO) run ./cmd/parley-chaos

.PHONY: clean
clean: ## remove bin/ and the test databases (.pg/test); the run database stays
	rm -rf bin
	@for d in $(TEST_PG)/*/; do [ -d "$$d" ] && $(LOCALPG) rm "$$d" || true; done
	rm -rf $(TEST_PG)
