# Quick start: `make demo` runs the demo, `make test` runs every test.
# Each first installs what is missing (Node 24 into .tools/ when the system's Node is older than 22.13, then the
# npm packages) and skips what is already there.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)

INSTALLED := node_modules/.tradeline-installed

.PHONY: demo test bench bench-service bench-console node install localnode deploy-local fuzz-deep mutation up

demo: install
	npm run demo

# A local network in one command: hardhat node on 127.0.0.1:8545, the Ignition deployment, then the service on
# 127.0.0.1:8787 signing as account 0; with SEED=demo the demo's world and one service per demo member, each signing
# as that member, on 8787 and the next ports. Prints the URLs and API tokens (also in data/up/desks.json), Ctrl-C
# stops it all (scripts/up.ts). NODE_PORT=… and API_PORT=… choose other ports; logs and databases go to data/up/.
up: install
	npm run console:build
	TRADELINE_UP_SEED=$(SEED) TRADELINE_UP_NODE_PORT=$(NODE_PORT) TRADELINE_UP_PORT=$(API_PORT) npx hardhat run scripts/up.ts

# The service's tests run on SQLite and on a real PostgreSQL, which this starts (scripts/ensure-postgres.sh); the
# console's browser tests drive Debian's Chromium, installed when missing (scripts/ensure-chromium.sh).
test: install
	bash scripts/ensure-chromium.sh
	TRADELINE_TEST_PG_URL=$$(bash scripts/ensure-postgres.sh) npm test

bench: install
	npm run bench

# The service's figures (bench/results.json, section service): registration through the CLI and the API, exposure
# look-ups under autocannon, the indexer's catch-up on SQLite and PostgreSQL (started as for the tests).
bench-service: install
	export TRADELINE_BENCH_PG_URL="$$(bash scripts/ensure-postgres.sh)" && npm run bench:service

# The console's figures (bench/results.json, section console): its JavaScript gzipped at first load and to the
# exporter's order list, and the time to that list, in Chromium against make up SEED=demo.
bench-console: install
	bash scripts/ensure-chromium.sh
	npm run console:build
	npx hardhat run scripts/bench-console.ts

# Every Solidity invariant (depth 64) and fuzz test at 10,000 runs, one test per process, two at a time; results
# accumulate in fuzz/deep-results.tsv and a later run resumes what is not recorded yet. The test command runs 256.
fuzz-deep: install
	TRADELINE_INVARIANT_RUNS=10000 bash scripts/fuzz-deep.sh

# Mutation testing (docs/testing.md): a reproducible sample of each contract's mutants, merged into
# mutation/results.json (mutants already there are skipped). MUTATION_ARGS adds options, e.g. --contract <path>.
MUTATION_SAMPLE ?= 8
MUTATION_SEED ?= 1
mutation: install
	node scripts/mutate.ts --sample $(MUTATION_SAMPLE) --seed $(MUTATION_SEED) $(MUTATION_ARGS)

install: node $(INSTALLED)

node:
	@bash scripts/ensure-node.sh

$(INSTALLED): package.json package-lock.json | node
	npm install --no-audit --no-fund
	@touch $@

# A real JSON-RPC chain on 127.0.0.1:8545, and the deployment onto it (see docs/operations.md).
localnode: install
	npm run node

deploy-local: install
	npm run deploy:localhost
