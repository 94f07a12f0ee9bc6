# Quick start: `make demo` runs the demo, `make test` runs every test.
# Each first installs what is missing (Node 24 into .tools/ when the system's Node is older than 22.13, then the
# npm packages) and skips what is already there.
SHELL := /bin/bash
export PATH := $(CURDIR)/.tools/node_modules/.bin:$(PATH)

INSTALLED := node_modules/.tradeline-installed

.PHONY: demo test bench node install localnode deploy-local fuzz-deep

demo: install
	npm run demo

test: install
	npm test

bench: install
	npm run bench

# Every Solidity fuzz and invariant suite at 10,000 invariant runs (depth 64); the test command runs 256.
fuzz-deep: install
	TRADELINE_INVARIANT_RUNS=10000 npx hardhat test solidity

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
