# Documentation built from sources in the repo:
#   docs/architecture.png  rendered from docs/architecture.dot by Graphviz `dot` (Debian package
#                          graphviz, installed with apt when missing). Both files' sha256 go in
#                          docs/architecture.sha256 (`sha256sum -c` format), and
#                          tests/unit/docs/test_architecture_fresh.py fails when the picture was not
#                          rendered from the current source (git does not keep file times).
#   README.md's configuration table, generated from the Settings model by bot/config/settings_table.py
#                          (tests/unit/bot/test_settings_table.py fails when it is stale).

DOCS_PYTHON ?= uv run --frozen --no-sync python
DOCS_SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DOCS_DOT := docs/architecture.dot
DOCS_PNG := docs/architecture.png

.PHONY: docs docs-deps

docs: docs-deps install ## architecture.png from its .dot source; README settings table from bot/config/settings.py
	@dot -Tpng -Gdpi=100 $(DOCS_DOT) -o $(DOCS_PNG)
	@sha256sum $(DOCS_DOT) $(DOCS_PNG) > docs/architecture.sha256
	@echo "docs: $(DOCS_PNG) rendered from $(DOCS_DOT)"
	@$(DOCS_PYTHON) -m bot.config.settings_table README.md
	@echo "docs: README.md configuration table generated from bot/config/settings.py"

docs-deps:
	@command -v dot >/dev/null 2>&1 || { \
		echo "installing: graphviz"; \
		$(DOCS_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq; \
		$(DOCS_SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends graphviz >/dev/null; \
	}
