"""The intent model: TF-IDF over words and character n-grams with a linear classifier, trained on the
labelled paraphrases in ``agent/data/intent_corpus.yaml``.

It decides the intent of every question the router reads. The model fitted on the packaged
corpus ships beside it as arrays (``agent/data/intent_model.npz``, verified against its manifest
and the corpus by ``agent.intent_artefact``) and is scored with numpy alone
(``agent.intent_features``), so answering a question never imports scikit-learn. When the
packaged arrays are missing, altered or fitted on another corpus, the model is fitted at the
first question of the process instead (scikit-learn's import takes seconds, the fit about 0.3 s)
and a warning says how to rebuild them. Host names are replaced by one placeholder in the corpus
and in every question (``agent.slots.for_model``), so the model learns the phrasing and not the
fleet. It only ever names an intent; arguments come from slot extraction.

    python -m agent.intent_model --export    # rebuild the packaged arrays (make intents)
"""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import structlog
import yaml

from agent.intent_artefact import ArtefactRefused, dump, load_packaged, packaged, write
from agent.intent_features import CHAR_NGRAMS, WORD_NGRAMS, WORD_PATTERN, IntentScorer
from agent.slots import for_model

log = structlog.get_logger(__name__)

CORPUS = "data/intent_corpus.yaml"
#: The score a guess needs to be acted on. Each intent's boundary is learned one against the rest,
#: so a paraphrase unlike any in the corpus often lands a little short of every boundary while its
#: best intent is still the right one; small talk and gibberish land far from all of them.
MIN_SCORE = -0.4


def load_corpus(text: str | None = None) -> dict[str, list[str]]:
    """The labelled corpus: intent → example questions (the packaged file unless ``text`` is given)."""
    raw = text if text is not None else packaged(CORPUS).read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    return {str(intent): [str(q).lower() for q in examples] for intent, examples in data.items()}


@dataclass(frozen=True)
class Guess:
    """One intent and the classifier's score for it (its signed distance from the intent's boundary)."""

    intent: str
    score: float

    @property
    def confident(self) -> bool:
        """True when the question lies on the intent's side of its boundary, or just short of it."""
        return self.score > MIN_SCORE


class IntentModel:
    """Which intent a question most likely has, and the next closest ones."""

    def __init__(self, scorer: IntentScorer) -> None:
        self._scorer = scorer

    @classmethod
    def train(cls, corpus: Mapping[str, Sequence[str]]) -> IntentModel:
        """Fit on ``corpus`` (intent → examples); needs scikit-learn."""
        return cls(IntentScorer.from_pipeline(fit_pipeline(corpus)))

    @property
    def scorer(self) -> IntentScorer:
        """The fitted state the model scores with."""
        return self._scorer

    def ranked(self, question: str) -> list[Guess]:
        """Every intent, most likely first."""
        pairs = zip(self._scorer.intents, self._scorer.scores(question.lower()), strict=True)
        return sorted((Guess(intent=i, score=float(v)) for i, v in pairs), key=lambda g: -g.score)

    def predict(self, question: str) -> str:
        """The most likely intent."""
        return self.ranked(question)[0].intent


def fit_pipeline(corpus: Mapping[str, Sequence[str]]) -> Any:
    """The scikit-learn pipeline fitted on ``corpus``: the two TF-IDF vectorisers, then a linear SVM."""
    # Imported here: scikit-learn takes seconds to import, and only a refit needs it.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.svm import LinearSVC

    texts = [q for examples in corpus.values() for q in examples]
    labels = [intent for intent, examples in corpus.items() for _ in examples]
    features = FeatureUnion(
        [
            ("words", TfidfVectorizer(ngram_range=WORD_NGRAMS, sublinear_tf=True, token_pattern=WORD_PATTERN)),
            ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=CHAR_NGRAMS, sublinear_tf=True)),
        ]
    )
    # A linear SVM fits this corpus in tens of milliseconds (logistic regression took seconds); a fixed
    # seed for its coordinate descent makes the fit repeatable, so an export can be checked against a refit.
    pipeline = make_pipeline(features, LinearSVC(C=1.0, random_state=0))
    pipeline.fit(texts, labels)
    return pipeline


def training_corpus(text: str | None = None) -> dict[str, list[str]]:
    """The corpus as the model is fitted on it: host names replaced by the placeholder."""
    corpus = load_corpus(text)
    return {intent: [for_model(q, ()) for q in examples] for intent, examples in corpus.items()}


@functools.cache
def shared_model() -> IntentModel:
    """The packaged model, verified against the packaged corpus; fitted on that corpus when it does not verify."""
    return verified_or_fitted(packaged(CORPUS).read_bytes(), load_packaged)


def verified_or_fitted(corpus: bytes, load: Callable[[bytes], IntentScorer]) -> IntentModel:
    """The model ``load`` gives for ``corpus`` (the corpus file's bytes), or, when it refuses, a warning
    with its reason and the model fitted on ``corpus``."""
    try:
        return IntentModel(load(corpus))
    except ArtefactRefused as refused:
        log.warning("intent_model_refit", reason=str(refused))
    return IntentModel.train(training_corpus(corpus.decode("utf-8")))


def export(directory: Path) -> str:
    """Fit on the packaged corpus and write the arrays and manifest into ``directory``; the manifest written."""
    corpus = packaged(CORPUS).read_bytes()
    model = IntentModel.train(training_corpus(corpus.decode("utf-8")))
    trained_with = f"scikit-learn {metadata.version('scikit-learn')}"
    arrays, manifest = dump(model.scorer, corpus=corpus, trained_with=trained_with)
    write(directory, arrays, manifest)
    return manifest


def main(argv: Sequence[str] | None = None) -> None:
    """``--export``: rebuild the packaged model from the packaged corpus."""
    parser = argparse.ArgumentParser(description="The intent model's packaged arrays.")
    parser.add_argument("--export", action="store_true", required=True, help="fit on the corpus and write the arrays")
    parser.parse_args(argv)
    manifest = export(Path(__file__).parent)
    sys.stdout.write(f"wrote agent/data/intent_model.npz and agent/data/intent_model.json:\n{manifest}")


if __name__ == "__main__":
    main()
