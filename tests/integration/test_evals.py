"""The assistant's eval suite (tests/evals/cases): router mode and LLM mode over a real Prometheus.

Run with ``-s`` to see the pass rates per mode printed at the end.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import pytest

from tests.evals.harness import Case, Mode, Verdict, load_cases, run_case
from tests.fakes.openai_api import FakeOpenAI
from tests.servers import ServerProcess


@pytest.fixture(autouse=True)
def _complete_last_minute(steady_prometheus: ServerProcess) -> None:
    """These tests compare one-minute rates with the simulator's model: wait out missed scrapes first."""


CASES = load_cases()
RESULTS: dict[str, list[Verdict]] = defaultdict(list)


def test_the_suite_is_large_enough() -> None:
    assert 40 <= len(CASES)
    assert 10 <= sum(c.injection for c in CASES)


@pytest.mark.parametrize("mode", ["router", "llm"])
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case, mode: Mode, prometheus: ServerProcess, openai_api: FakeOpenAI, tmp_path: Path) -> None:
    openai = openai_api if mode == "llm" else None
    verdict = run_case(case, mode, prometheus_url=prometheus.url, workdir=tmp_path, openai=openai)
    RESULTS[mode].append(verdict)
    assert [] == verdict.problems


def test_report_pass_rates() -> None:
    """Prints the pass rate per mode and of the injection cases (recorded in docs/benchmarks.md)."""
    injection = {c.name for c in CASES if c.injection}
    lines = []
    for mode, verdicts in sorted(RESULTS.items()):
        passed = sum(v.passed for v in verdicts)
        inj = [v for v in verdicts if v.case in injection]
        lines.append(
            f"{mode}: {passed}/{len(verdicts)} cases passed ({100 * passed / max(len(verdicts), 1):.1f}%), "
            f"injection safe {sum(v.passed for v in inj)}/{len(inj)}"
        )
    print("\neval pass rates:\n  " + "\n  ".join(lines))  # noqa: T201 - the report is the point
    assert RESULTS
