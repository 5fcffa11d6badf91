"""False alarms of the engine on noise without incidents, shipped configuration against the former one.

Run: ``uv run python -m bench.noise_false_alarms [--train-days 7] [--test-days 10] [--seed 3]``

Each kind of noise is one lane sampled every minute: fitted on ``--train-days``, then fed
``--test-days`` row by row through ``replay_matrix`` (what ``detect batch`` and the live engine
run). Nothing in it is an incident, so every run of alarm rows is a false alarm. The baseline,
measured in the same run, is the configuration before the light-tail floor: its level is the
quantile share alone (``light_tail_shape`` below any shape) and young lanes use risk 10⁻⁴.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from detectors.engine.baseline import FloatArray
from detectors.engine.config import DEFAULT_CONFIG, EngineConfig
from detectors.engine.matrix import replay_matrix
from evaluation.metrics import runs

DAY = 1440
FORMER = replace(DEFAULT_CONFIG, light_tail_shape=-1.0, risk=1e-4)


def _autoregressive(rng: np.random.Generator, n: int, phi: float = 0.8) -> FloatArray:
    shocks = rng.normal(size=n)
    out = np.zeros(n)
    for k in range(1, n):
        out[k] = phi * out[k - 1] + shocks[k]
    return out


def noise_kinds(n: int, seed: int) -> dict[str, Callable[[], FloatArray]]:
    """Each noise kind as a function giving ``n`` one-minute samples (drawn when called)."""
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    daily = np.sin(2 * np.pi * t / DAY)
    return {
        "gaussian": lambda: 50 + 5 * rng.normal(size=n),
        "autocorrelated (AR 0.8)": lambda: 50 + 3 * _autoregressive(rng, n),
        "daily cycle + AR 0.8": lambda: 30 + 12 * daily + 4 * _autoregressive(rng, n),
        "lognormal (σ 0.5)": lambda: 10 * np.exp(0.5 * rng.normal(size=n)),
        "daily cycle × lognormal (σ 0.35)": lambda: 20 * (1 + 0.4 * daily) * np.exp(0.35 * rng.normal(size=n)),
        "gamma (shape 2)": lambda: rng.gamma(2.0, 2.0, size=n),
    }


def alarm_runs(alarms: np.ndarray) -> int:
    """Runs of consecutive alarm rows."""
    return len(runs(alarms))


def false_runs_per_day(series: FloatArray, train_rows: int, config: EngineConfig) -> float:
    """False alarm runs per day of the rows after the training part."""
    x = series.reshape(-1, 1)
    replay = replay_matrix(x[:train_rows], x[train_rows:], step_seconds=60.0, config=config)
    return alarm_runs(replay.alarms) / ((x.shape[0] - train_rows) / DAY)


def main(argv: list[str] | None = None) -> int:
    """Run both configurations over every noise kind and print false alarm runs per lane-day."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train-days", type=float, default=7.0, help="days each lane is fitted on (default 7)")
    parser.add_argument("--test-days", type=float, default=10.0, help="days fed after the fit (default 10)")
    parser.add_argument("--seed", type=int, default=3, help="random seed (default 3)")
    args = parser.parse_args(argv)
    if args.train_days < 1 or args.test_days < 1:
        parser.error("--train-days and --test-days must be at least 1")
    train = int(args.train_days * DAY)
    n = train + int(args.test_days * DAY)
    print(f"{'noise':34} {'former':>8} {'shipped':>8}  false alarm runs per lane-day", flush=True)
    totals = [0.0, 0.0]
    started = time.monotonic()
    kinds = noise_kinds(n, args.seed)
    for name, draw in kinds.items():
        series = draw()
        former, shipped = (false_runs_per_day(series, train, c) for c in (FORMER, DEFAULT_CONFIG))
        totals[0] += former
        totals[1] += shipped
        print(f"{name:34} {former:8.2f} {shipped:8.2f}", flush=True)
    count = len(kinds)
    print(f"{'mean':34} {totals[0] / count:8.2f} {totals[1] / count:8.2f}")
    if totals[1] > 0:
        print(f"former / shipped: {totals[0] / totals[1]:.1f}×")
    print(f"({time.monotonic() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
