# The single entry point: `make demo` and `make test` (see README.md).
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

export PATH := $(HOME)/.local/bin:$(PATH)
export UV_PYTHON_DOWNLOADS := never
UV ?= uv
RUN := $(UV) run --frozen --no-sync
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := prometheus prometheus-node-exporter redis-server victoria-metrics
PACKAGES := domain adapters agent bot detectors evaluation remediation simulator tools

.PHONY: help uv install system-deps demo test unit integration lint typecheck fmt clean intents

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | column -t -s $$'\t'

uv: ## install uv if it is missing (with pip; on a bare Debian, apt brings pip first)
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip --version >/dev/null 2>&1 \
		|| $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-pip >/dev/null; }
	@command -v $(UV) >/dev/null 2>&1 || python3 -m pip install --quiet uv 2>/dev/null \
		|| python3 -m pip install --quiet --user --break-system-packages uv
	@command -v $(UV) >/dev/null 2>&1 || { echo "uv could not be installed (python3 -m pip install uv)"; exit 1; }

install: uv ## create .venv from uv.lock
	@$(UV) sync --frozen --quiet

system-deps: ## install the Debian packages the integration tests start (only what is missing)
	@missing=""; for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		for s in prometheus prometheus-node-exporter redis-server victoria-metrics; do \
			$(SUDO) service $$s stop >/dev/null 2>&1 || true; \
		done; \
	fi

demo: install ## run the whole story on a simulated fleet (no Slack, LLM, AWS or Redis needed)
	@$(RUN) smartcloudops demo

test: system-deps install lint typecheck unit integration infra-check ## everything CI checks

unit: install ## fast tests: no sockets, no servers
	@$(RUN) pytest -q -m "not integration" tests

integration: install system-deps ## tests against real Prometheus, node_exporter, Redis, moto, VictoriaMetrics
	@$(RUN) pytest -q -m integration tests

lint: install ## ruff lint and format check
	@$(RUN) ruff check .
	@$(RUN) ruff format --check .

typecheck: install ## mypy, strict on the packages
	@$(RUN) mypy

fmt: install ## format and autofix
	@$(RUN) ruff format .
	@$(RUN) ruff check --fix .

intents: install ## refit the packaged intent model (agent/data/intent_model.npz) on agent/data/intent_corpus.yaml
	@$(RUN) python -m agent.intent_model --export

clean: ## remove caches and local logs
	rm -rf .pytest_cache .mypy_cache .ruff_cache logs

-include mk/*.mk
