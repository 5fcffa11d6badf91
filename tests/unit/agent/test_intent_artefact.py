"""The packaged intent model: numpy scores it exactly as scikit-learn does, it is verified before use, and a
stale, altered or missing one is refitted instead of used."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from structlog.testing import capture_logs

from agent.intent_artefact import (
    ARRAYS,
    MANIFEST,
    REBUILD,
    ArtefactRefused,
    dump,
    load,
    load_packaged,
    packaged,
)
from agent.intent_features import IntentScorer, char_terms, word_terms
from agent.intent_model import CORPUS, IntentModel, fit_pipeline, shared_model, training_corpus, verified_or_fitted
from agent.slots import for_model
from tests.evals.intent_accuracy import HOSTS, heldout

CORPUS_BYTES = packaged(CORPUS).read_bytes()


@pytest.fixture(scope="module")
def fitted() -> Any:
    """The scikit-learn pipeline fitted on the packaged corpus (once: the import alone takes seconds)."""
    return fit_pipeline(training_corpus())


def every_phrasing() -> list[str]:
    """Every corpus example and every held-out phrasing, as the model reads them."""
    trained = [q for examples in training_corpus().values() for q in examples]
    return trained + [for_model(q, HOSTS) for q, _, _ in heldout()]


def assert_same_scores(expected: np.ndarray, scorer: IntentScorer, questions: list[str]) -> None:
    actual = np.array([scorer.scores(q) for q in questions])

    assert expected.shape == actual.shape
    assert float(np.abs(expected - actual).max()) < 1e-9
    assert (np.argsort(-expected, axis=1, kind="stable") == np.argsort(-actual, axis=1, kind="stable")).all()


def test_numpy_scores_every_phrasing_as_scikit_learn_does(fitted: Any) -> None:
    questions = every_phrasing()

    assert_same_scores(fitted.decision_function(questions), IntentScorer.from_pipeline(fitted), questions)


def test_the_packaged_model_is_the_one_the_corpus_fits(fitted: Any) -> None:
    """Fails after a corpus edit (or a change to how questions are read) until the model is exported again."""
    questions = every_phrasing()
    try:
        packaged_scorer = load_packaged(CORPUS_BYTES)
    except ArtefactRefused as refused:
        pytest.fail(f"the packaged intent model is stale: {refused}")

    refit = fitted.decision_function(questions)
    packaged_scores = np.array([packaged_scorer.scores(q) for q in questions])

    assert refit.shape == packaged_scores.shape, f"the packaged intent model is stale; rebuild it with {REBUILD}"
    assert float(np.abs(refit - packaged_scores).max()) < 1e-9, (
        f"the packaged intent model scores differently from a refit on the corpus; rebuild it with {REBUILD}"
    )


def test_two_intents_score_with_one_boundary() -> None:
    corpus = {"a": ["show cpu", "cpu please", "processor load"], "b": ["list logs", "tail logs"]}
    pipeline = fit_pipeline(corpus)
    questions = ["cpu now", "the logs", "", "zzz"]
    raw = pipeline.decision_function(questions)

    assert_same_scores(np.stack([-raw, raw], axis=1), IntentScorer.from_pipeline(pipeline), questions)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cpu on web-1", ["cpu", "on", "web-1", "cpu on", "on web-1"]),
        ("Disk /var/log", ["disk", "var/log", "disk var/log"]),
        ("a", ["a"]),
        ("", []),
    ],
)
def test_words_and_their_pairs(text: str, expected: list[str]) -> None:
    assert expected == word_terms(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a", [" a", "a ", " a "]),
        ("ab", [" a", "ab", "b ", " ab", "ab ", " ab "]),
        ("a  b", [" a", "a ", " a ", " b", "b ", " b "]),
    ],
)
def test_character_ngrams_stay_inside_words(text: str, expected: list[str]) -> None:
    assert expected == char_terms(text)


def packaged_files() -> tuple[bytes, str]:
    return packaged(ARRAYS).read_bytes(), packaged(MANIFEST).read_text(encoding="utf-8")


def test_an_altered_arrays_file_is_refused() -> None:
    arrays, manifest = packaged_files()
    altered = arrays[:-1] + bytes([arrays[-1] ^ 1])

    with pytest.raises(ArtefactRefused, match="does not match its manifest"):
        load(altered, manifest, corpus=CORPUS_BYTES)


def test_a_model_fitted_on_another_corpus_is_refused_with_the_command_that_rebuilds_it() -> None:
    arrays, manifest = packaged_files()

    with pytest.raises(ArtefactRefused, match="the corpus has changed") as refused:
        load(arrays, manifest, corpus=CORPUS_BYTES + b"\nhelp: [hello]\n")
    assert REBUILD in str(refused.value)


def test_a_model_with_other_analyzer_settings_is_refused() -> None:
    arrays, manifest = packaged_files()
    edited = json.loads(manifest)
    edited["analyzers"]["chars"]["ngram_range"] = [1, 5]

    with pytest.raises(ArtefactRefused, match="other analyzer settings"):
        load(arrays, json.dumps(edited), corpus=CORPUS_BYTES)


@pytest.mark.parametrize("manifest", ["", "[]", "{}", '{"arrays_sha256": "x"}', "not json"])
def test_an_unreadable_manifest_is_refused(manifest: str) -> None:
    arrays, _ = packaged_files()

    with pytest.raises(ArtefactRefused, match="manifest cannot be read"):
        load(arrays, manifest, corpus=CORPUS_BYTES)


def test_arrays_that_do_not_fit_together_are_refused() -> None:
    """A manifest that vouches for arrays of the wrong shape still does not get them scored."""
    scorer = load_packaged(CORPUS_BYTES)
    broken = IntentScorer(scorer.words, scorer.chars, scorer.coef[:, :-1], scorer.intercept, scorer.intents)
    arrays, manifest = dump(broken, corpus=CORPUS_BYTES, trained_with="test")

    with pytest.raises(ArtefactRefused, match="do not fit"):
        load(arrays, manifest, corpus=CORPUS_BYTES)


def test_the_same_model_is_written_as_the_same_bytes() -> None:
    scorer = load_packaged(CORPUS_BYTES)

    assert dump(scorer, corpus=CORPUS_BYTES, trained_with="a") == dump(scorer, corpus=CORPUS_BYTES, trained_with="a")


def test_a_refused_model_is_refitted_with_a_warning(fitted: Any) -> None:
    arrays, manifest = packaged_files()

    with capture_logs() as logs:
        model = verified_or_fitted(CORPUS_BYTES, lambda corpus: load(arrays[:100], manifest, corpus=corpus))

    assert ["intent_model_refit"] == [e["event"] for e in logs if e["log_level"] == "warning"]
    assert "does not match its manifest" in logs[0]["reason"]
    assert_same_scores(fitted.decision_function(every_phrasing()), model.scorer, every_phrasing())


def test_a_missing_model_is_refitted(fitted: Any) -> None:
    def missing(corpus: bytes) -> IntentScorer:
        raise ArtefactRefused("the packaged model is missing")

    with capture_logs() as logs:
        model = verified_or_fitted(CORPUS_BYTES, missing)

    assert "missing" in logs[0]["reason"]
    assert fitted.predict(["cpu on hostx"])[0] == model.predict("cpu on hostx")


def test_the_packaged_model_is_used_without_a_refit() -> None:
    with capture_logs() as logs:
        model = verified_or_fitted(CORPUS_BYTES, load_packaged)

    assert [] == [e for e in logs if e["log_level"] == "warning"]
    assert "metric_now" == model.predict("cpu on hostx")
    assert isinstance(shared_model(), IntentModel)
