"""README tables match the variables and outputs; examples call the module."""

from __future__ import annotations

import pytest
from hcl_loader import TERRAFORM_DIR, load_module, named_blocks
from tfdocs import BEGIN, END, render


@pytest.mark.parametrize("directory", [TERRAFORM_DIR, TERRAFORM_DIR / "examples" / "minimal"], ids=["root", "minimal"])
def test_readme_tables_are_current(directory):
    text = (directory / "README.md").read_text()
    section = BEGIN + text.split(BEGIN, 1)[1].split(END, 1)[0] + END

    assert render(directory) == section, "run: python tests/infra/tfdocs.py " + str(
        directory.relative_to(TERRAFORM_DIR.parent)
    )


def test_minimal_example_calls_the_root_module():
    module = load_module(TERRAFORM_DIR / "examples" / "minimal")
    call = module["module"][0]["smartcloudops"]
    root_variables = named_blocks(load_module(), "variable")

    assert "../../" == call["source"]
    required = {n for n, body in root_variables.items() if "default" not in body}
    assert required <= set(call)
    assert set(call) - {"source"} <= set(root_variables)
