"""Resolve Ansible variables and render our templates with Jinja2, without Ansible.

Variables are layered as Ansible layers them for the monitoring host (role defaults,
then ``group_vars/monitoring/*``, then the inventory's host variables) and resolved
lazily with undefined names as errors, so a group variable that only resolves once some
role's defaults are loaded fails here as it fails in a real run. Lookups read files;
``amazon.aws.ssm_parameter`` answers ``<ssm:NAME>`` instead of calling AWS.
"""

from __future__ import annotations

import glob
import importlib.util
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import jinja2
import yaml
from jinja2.nativetypes import NativeEnvironment

ANSIBLE_DIR = Path(__file__).resolve().parents[2] / "ansible"
GROUP_VARS = ANSIBLE_DIR / "inventory" / "group_vars" / "monitoring"
#: A recorded ``terraform output -json`` of terraform/examples/minimal.
RECORDED_OUTPUTS = Path(__file__).resolve().parent / "fixtures" / "minimal-outputs.json"


def inventory_module() -> Any:
    """ansible/inventory/terraform_inventory.py, imported from its path (it is a script, not a package)."""
    path = ANSIBLE_DIR / "inventory" / "terraform_inventory.py"
    spec = importlib.util.spec_from_file_location("terraform_inventory", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in {"1", "true", "yes", "on", "y"}


def _comment(text: str) -> str:
    return "\n".join(f"# {line}" if line else "#" for line in str(text).splitlines())


def _lookup(name: str, *terms: str, **_: Any) -> Any:
    if name == "ansible.builtin.file":
        return Path(terms[0]).read_text().rstrip("\n")
    if name == "amazon.aws.ssm_parameter":
        return f"<ssm:{terms[0]}>"
    raise LookupError(f"no stand-in for lookup {name!r}")


def _query(name: str, *terms: str) -> list[str]:
    if name == "ansible.builtin.fileglob":
        return sorted(p for p in glob.glob(terms[0]) if Path(p).is_file())
    raise LookupError(f"no stand-in for query {name!r}")


def _environment(cls: type[jinja2.Environment]) -> jinja2.Environment:
    env = cls(undefined=jinja2.StrictUndefined, keep_trailing_newline=True, trim_blocks=True)
    env.filters.update(
        bool=_to_bool,
        comment=_comment,
        to_json=json.dumps,
        from_yaml=yaml.safe_load,
        split=lambda value, sep=None: str(value).split(sep),
        # Ansible turns filter generators (select, map) into lists before these see them.
        first=lambda seq: next(iter(seq)),
        last=lambda seq: list(seq)[-1],
    )
    env.tests.update(
        match=lambda value, pattern: re.match(pattern, str(value)) is not None,
        search=lambda value, pattern: re.search(pattern, str(value)) is not None,
        file=lambda value: Path(str(value)).is_file(),
    )
    return env


_NATIVE = _environment(NativeEnvironment)
_TEXT = _environment(jinja2.Environment)


class AnsibleVars(Mapping[str, Any]):
    """Variables merged from lowest to highest precedence, templated on access."""

    def __init__(self, *layers: Mapping[str, Any], playbook_dir: Path = ANSIBLE_DIR / "playbooks") -> None:
        # Globals go in the variables: a shared template context sees nothing else.
        self._raw: dict[str, Any] = {
            "playbook_dir": str(playbook_dir),
            "ansible_managed": "Ansible managed",
            "lookup": _lookup,
            "query": _query,
        }
        for layer in layers:
            self._raw.update(layer)
        self._resolving: set[str] = set()

    def __getitem__(self, name: str) -> Any:
        if name in self._resolving:
            raise RecursionError(f"{name} refers to itself")
        self._resolving.add(name)
        try:
            return self.resolve(self._raw[name])
        finally:
            self._resolving.discard(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def resolve(self, value: Any) -> Any:
        """Template ``value`` (recursively for lists and dicts) against these variables."""
        if isinstance(value, dict):
            return {self.resolve(k): self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, str) and ("{{" in value or "{%" in value):
            return _render(_NATIVE.from_string(value), self)
        return value

    def render_file(self, path: Path) -> str:
        """Render a template file the way ansible.builtin.template does."""
        return _render(_TEXT.from_string(path.read_text()), self)


def _render(template: jinja2.Template, variables: Mapping[str, Any]) -> Any:
    context = template.new_context(variables, shared=True)  # type: ignore[arg-type]
    return template.environment.concat(template.root_render_func(context))  # type: ignore[attr-defined]


def load_yaml(path: Path) -> dict[str, Any]:
    return yaml.safe_load(path.read_text()) or {}


def group_vars(*, local: Path | None = GROUP_VARS / "local.yml.example") -> dict[str, Any]:
    """Every file in group_vars/monitoring, with ``local`` standing in for the operator's local.yml."""
    merged: dict[str, Any] = {}
    for path in sorted(GROUP_VARS.glob("*.yml")):
        merged.update(load_yaml(path))
    if local is not None:
        merged.update(load_yaml(local))
    return merged


def role_defaults(role: str) -> dict[str, Any]:
    return load_yaml(ANSIBLE_DIR / "roles" / role / "defaults" / "main.yml")


def role_vars(role: str) -> dict[str, Any]:
    return load_yaml(ANSIBLE_DIR / "roles" / role / "vars" / "main.yml")
