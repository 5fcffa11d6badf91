# Security scanners: `make security` (not part of `make test`; CI runs the same scanners).
#
#   bandit      -r on the packages; a medium or high finding fails, and every `# nosec`
#               (and every `# noqa: S…` of ruff's bandit rules) must say why after " - ".
#   pip-audit   the locked dependencies (uv.lock, exported by `uv export --frozen`), --strict:
#               a package that cannot be audited fails the run. First it audits
#               tests/security/known-bad-requirements.txt (requests 2.19.0) and fails unless
#               PYSEC-2018-28 is reported, so an audit with no vulnerability data never passes.
#               Vulnerability data: OSV (api.osv.dev) by default; with SECURITY_ADVISORY_DB=DIR
#               (a checkout of github.com/pypa/advisory-database) a local OSV endpoint answers
#               from it instead (tests/security/osv_mirror.py), for machines without that access.
#   checkov, hadolint (and trivy config when a trivy binary is on PATH): mk/infra.mk's security-infra.
#   trivy fs    has no package on PyPI, npm or Debian 12, so it runs in GitHub Actions only.

UV ?= uv
SECURITY_VENV := .venv-tools/security
SECURITY_PACKAGES ?= domain adapters agent bot detectors evaluation remediation simulator tools
SECURITY_AUDIT_SERVICE ?= osv
SECURITY_ADVISORY_DB ?=
SECURITY_KNOWN_BAD := tests/security/known-bad-requirements.txt
SECURITY_KNOWN_BAD_ID := PYSEC-2018-28

.PHONY: security security-bandit security-suppressions security-deps

security: security-bandit security-suppressions security-deps security-infra ## bandit, nosec reasons, dependency audit, checkov, hadolint
	@echo "security: ok"

$(SECURITY_VENV)/.installed: tests/security/requirements.txt
	@rm -rf $(SECURITY_VENV)
	@python3 -m venv $(SECURITY_VENV)
	@$(SECURITY_VENV)/bin/pip install --quiet --disable-pip-version-check -r $< >/dev/null
	@touch $@

security-bandit: $(SECURITY_VENV)/.installed
	@$(SECURITY_VENV)/bin/bandit --quiet --recursive --severity-level medium $(SECURITY_PACKAGES)
	@echo "security-bandit: no medium or high findings in $(SECURITY_PACKAGES)"

security-suppressions:
	@bad=$$(grep -rnE --include='*.py' '#[[:space:]]*nosec|noqa:[[:space:]]*([A-Z]+[0-9]+,[[:space:]]*)*S[0-9]+' \
		$(SECURITY_PACKAGES) bench tests \
		| grep -vE '(nosec([[:space:]]+B[0-9]+(,[[:space:]]*B[0-9]+)*)?|noqa:[[:space:]]*[A-Z0-9, ]+)[[:space:]]+--?[[:space:]]+[^[:space:]]' || true); \
	if [ -n "$$bad" ]; then echo "$$bad"; echo "security-suppressions: each # nosec / # noqa: S… needs ' - <reason>'" >&2; exit 1; fi
	@echo "security-suppressions: every nosec and noqa: S… carries a reason"

security-deps: $(SECURITY_VENV)/.installed
	@work=$$(mktemp -d); mirror=""; \
	trap '[ -n "$$mirror" ] && kill $$mirror 2>/dev/null; rm -rf "$$work"' EXIT; \
	flags="--strict --no-deps --disable-pip --progress-spinner off"; \
	if [ -n "$(SECURITY_ADVISORY_DB)" ]; then \
		$(SECURITY_VENV)/bin/python tests/security/osv_mirror.py "$(SECURITY_ADVISORY_DB)" "$$work/port" & mirror=$$!; \
		for _ in $$(seq 100); do [ -s "$$work/port" ] && break; sleep 0.2; done; \
		[ -s "$$work/port" ] || { echo "security-deps: the local OSV endpoint did not start" >&2; exit 1; }; \
		flags="$$flags --vulnerability-service osv --osv-url http://127.0.0.1:$$(cat $$work/port)/v1/query"; \
		source="the PyPA advisory database in $(SECURITY_ADVISORY_DB)"; \
	else \
		flags="$$flags --vulnerability-service $(SECURITY_AUDIT_SERVICE)"; source="$(SECURITY_AUDIT_SERVICE)"; \
	fi; \
	if out=$$($(SECURITY_VENV)/bin/pip-audit $$flags -r $(SECURITY_KNOWN_BAD) 2>&1) || ! grep -q $(SECURITY_KNOWN_BAD_ID) <<<"$$out"; then \
		echo "$$out"; \
		echo "security-deps: the audit did not report $(SECURITY_KNOWN_BAD_ID) for $(SECURITY_KNOWN_BAD), so it cannot" \
			"be trusted to report anything ($$source unreachable?). Set SECURITY_ADVISORY_DB to a checkout of" \
			"github.com/pypa/advisory-database to audit offline." >&2; \
		exit 1; \
	fi; \
	$(UV) export --frozen --no-hashes --all-groups --no-emit-project --quiet -o "$$work/requirements.txt"; \
	count=$$(grep -cE '^[A-Za-z0-9]' "$$work/requirements.txt"); \
	$(SECURITY_VENV)/bin/pip-audit $$flags -r "$$work/requirements.txt" 2>&1 | grep -v '^WARNING:pip_audit' ; \
	status=$${PIPESTATUS[0]}; [ "$$status" = 0 ] || exit "$$status"; \
	echo "security-deps: $$count locked packages audited against $$source (the known-bad fixture was caught)"
