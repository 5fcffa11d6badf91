"""The fitted intent model as a packaged file: arrays in ``agent/data/intent_model.npz`` and a manifest.

The arrays are ``IntentScorer.arrays()`` in the ``.npz`` format of ``numpy.savez_compressed``, read back with
``allow_pickle=False``, so loading runs no code from the file. The manifest
(``agent/data/intent_model.json``) records the sha256 of the arrays file, the sha256 of the
corpus they were fitted on, the placeholder that stood for host names in it and the analyzer
settings (``agent.intent_features.ANALYZERS``). ``load`` accepts the model only when all four
match what this code would fit now; anything else is an ``ArtefactRefused`` naming the reason,
and the caller fits the model instead.

Rebuild both files after a corpus edit with ``make intents`` (``python -m agent.intent_model --export``).
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agent.intent_features import ANALYZERS, IntentScorer
from agent.slots import HOST_PLACEHOLDER

ARRAYS = "data/intent_model.npz"
MANIFEST = "data/intent_model.json"
REBUILD = "make intents (or: python -m agent.intent_model --export)"


class ArtefactRefused(Exception):
    """The packaged model cannot be used as it is: missing, altered, or fitted on another corpus."""


@dataclass(frozen=True)
class Manifest:
    """What the arrays file is and what it was fitted on."""

    arrays_sha256: str
    corpus_sha256: str
    host_placeholder: str
    analyzers: dict[str, object]
    trained_with: str

    def to_json(self) -> str:
        """The manifest as written to the file (sorted keys, one per line)."""
        return json.dumps(self.__dict__, indent=2, sort_keys=True) + "\n"


def sha256(data: bytes) -> str:
    """The hex sha256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def packaged(name: str) -> Traversable:
    """A file of the ``agent`` package (``data/...``)."""
    return resources.files("agent").joinpath(name)


def dump(scorer: IntentScorer, *, corpus: bytes, trained_with: str) -> tuple[bytes, str]:
    """The arrays file and manifest text for ``scorer``, fitted on ``corpus`` (the corpus file's bytes)."""
    arrays = _npz(scorer.arrays())
    manifest = Manifest(
        arrays_sha256=sha256(arrays),
        corpus_sha256=sha256(corpus),
        host_placeholder=HOST_PLACEHOLDER,
        analyzers=ANALYZERS,
        trained_with=trained_with,
    )
    return arrays, manifest.to_json()


def _npz(arrays: Mapping[str, npt.NDArray[Any]]) -> bytes:
    """The arrays as ``numpy.savez_compressed`` writes them, but with fixed member times, so that the same
    model always makes the same bytes (and the same sha256)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            with archive.open(member, "w", force_zip64=True) as out:
                np.lib.format.write_array(out, array, allow_pickle=False)
    return buffer.getvalue()


def write(directory: Path, arrays: bytes, manifest: str) -> None:
    """Write both files into ``directory`` (the package's ``agent/`` folder)."""
    (directory / ARRAYS).write_bytes(arrays)
    (directory / MANIFEST).write_text(manifest, encoding="utf-8")


def read_manifest(text: str) -> Manifest:
    """The manifest in ``text``.

    Raises:
        ArtefactRefused: not a manifest this code wrote.
    """
    try:
        return Manifest(**json.loads(text))
    except (ValueError, TypeError) as exc:
        raise ArtefactRefused(f"the manifest cannot be read ({exc})") from exc


def load(arrays: bytes, manifest_text: str, *, corpus: bytes) -> IntentScorer:
    """The scorer in ``arrays``, verified against its manifest and the corpus it must have been fitted on.

    Raises:
        ArtefactRefused: with the reason, when the files do not match each other, the corpus or this code.
    """
    manifest = read_manifest(manifest_text)
    reasons = [
        f"{what} (manifest: {recorded[:12]}, now: {actual[:12]})"
        for what, recorded, actual in (
            ("the arrays file does not match its manifest", manifest.arrays_sha256, sha256(arrays)),
            ("the corpus has changed since the model was fitted", manifest.corpus_sha256, sha256(corpus)),
            ("host names are replaced by another placeholder now", manifest.host_placeholder, HOST_PLACEHOLDER),
        )
        if recorded != actual
    ]
    if manifest.analyzers != ANALYZERS:
        reasons.append("it was fitted with other analyzer settings than this code scores with")
    if reasons:
        raise ArtefactRefused("; ".join(reasons) + f"; rebuild it with {REBUILD}")
    try:
        with np.load(io.BytesIO(arrays), allow_pickle=False) as stored:
            return IntentScorer.from_arrays({name: stored[name] for name in stored.files})
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ArtefactRefused(f"the arrays file cannot be read ({exc}); rebuild it with {REBUILD}") from exc


def load_packaged(corpus: bytes) -> IntentScorer:
    """The packaged scorer, verified against ``corpus``.

    Raises:
        ArtefactRefused: a file is missing or does not verify.
    """
    try:
        arrays = packaged(ARRAYS).read_bytes()
        manifest = packaged(MANIFEST).read_text(encoding="utf-8")
    except OSError as exc:
        raise ArtefactRefused(f"the packaged model is missing ({exc}); build it with {REBUILD}") from exc
    return load(arrays, manifest, corpus=corpus)
