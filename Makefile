# The two commands a new machine needs: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help
.PHONY: help setup build demo demo-ha test lint bench

help:
	@echo "make demo   install what is missing, bring the lab up, run one drill over HTTP, print its timings"
	@echo "make demo-ha  the same with a PostgreSQL, two service instances and two drills on two targets at once"
	@echo "make test   install what is missing, then lint, type-check and run every test (Docker ones included)"
	@echo "make bench  run the drill benchmark (20 failover-and-failback cycles on a lab of its own)"

# Docker engine and Redis binaries on the host, then the npm packages the lock file names.
setup: node_modules/.installed
	@bash scripts/ensure-host.sh

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

build: setup
	npm run build

demo: build
	npm run demo

demo-ha: build
	npm run demo:ha

lint: setup
	npm run lint
	npm run typecheck

test: build lint
	npm test

bench: build
	npm run bench:drill
