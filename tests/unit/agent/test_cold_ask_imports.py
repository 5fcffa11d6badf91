"""A cold ``smartcloudops ask`` imports nothing heavy: the packaged intent model is read with numpy alone."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
#: Packages that each take seconds (or hundreds of milliseconds) to import and that answering a
#: question in router mode does not need.
HEAVY = ("sklearn", "scipy", "joblib", "skops", "matplotlib", "pandas", "langchain", "langchain_openai", "openai")

COLD_ASK = textwrap.dedent(
    """
    import json, sys, tempfile
    from pathlib import Path

    import bot.cli.main  # everything the CLI imports before it reads the question
    from tests.unit.agent.fleet import make_world

    answer = make_world(Path(tempfile.mkdtemp())).services.runner.answer("cpu on web-1")
    heavy = sorted({name.split(".")[0] for name in sys.modules} & set(sys.argv[1:]))
    print(json.dumps({"tools": [call.name for call in answer.tool_calls], "heavy": heavy}))
    """
)


def test_a_router_answer_in_a_fresh_process_imports_no_heavy_package() -> None:
    done = subprocess.run(  # noqa: S603 - this interpreter, running the script above
        [sys.executable, "-c", COLD_ASK, *HEAVY], cwd=ROOT, capture_output=True, text=True, check=True, timeout=120
    )
    seen = json.loads(done.stdout.strip().splitlines()[-1])

    assert ["get_current_metric"] == seen["tools"]
    assert [] == seen["heavy"], f"a cold ask imports {seen['heavy']}"
