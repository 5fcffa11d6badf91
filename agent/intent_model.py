"""The intent model: TF-IDF over words and character n-grams with a linear classifier, trained on the
labelled paraphrases in ``agent/data/intent_corpus.yaml``.

It decides the intent of every question the router reads. It is trained once per process, at
the first question (the fit takes about a tenth of a second; importing scikit-learn takes longer),
and answers in about a millisecond after that. Host names are replaced by one placeholder in the
corpus and in every question (``agent.slots.for_model``), so the model learns the phrasing and
not the fleet. It only ever names an intent; arguments come from slot extraction.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from agent.slots import for_model

CORPUS = "data/intent_corpus.yaml"
# Words keep their inner dashes and slashes, so "web-1" and "/data" stay one token.
_WORD = r"(?u)\b\w[\w/-]*\b"
#: The score a guess needs to be acted on. Each intent's boundary is learned one against the rest,
#: so a paraphrase unlike any in the corpus often lands a little short of every boundary while its
#: best intent is still the right one; small talk and gibberish land far from all of them.
MIN_SCORE = -0.4


def load_corpus(text: str | None = None) -> dict[str, list[str]]:
    """The labelled corpus: intent → example questions (the packaged file unless ``text`` is given)."""
    raw = text if text is not None else resources.files("agent").joinpath(CORPUS).read_text(encoding="utf-8")
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

    def __init__(self, pipeline: Any, intents: Sequence[str]) -> None:
        self._pipeline = pipeline
        self._intents = list(intents)

    @classmethod
    def train(cls, corpus: Mapping[str, Sequence[str]]) -> IntentModel:
        """Fit on ``corpus`` (intent → examples)."""
        # Imported here: scikit-learn takes seconds to import, and most questions never need it.
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.pipeline import FeatureUnion, make_pipeline
        from sklearn.svm import LinearSVC

        texts = [q for examples in corpus.values() for q in examples]
        labels = [intent for intent, examples in corpus.items() for _ in examples]
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, token_pattern=_WORD)),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True)),
            ]
        )
        # A linear SVM fits this corpus in tens of milliseconds (logistic regression took seconds).
        pipeline = make_pipeline(features, LinearSVC(C=1.0))
        pipeline.fit(texts, labels)
        return cls(pipeline, pipeline.classes_)

    def ranked(self, question: str) -> list[Guess]:
        """Every intent, most likely first."""
        raw = self._pipeline.decision_function([question.lower()])[0]
        # With two intents the classifier gives one score, for the second; the first's is its opposite.
        scores = [-float(raw), float(raw)] if len(self._intents) == 2 else [float(v) for v in raw]
        pairs = zip(self._intents, scores, strict=True)
        return sorted((Guess(intent=str(i), score=float(v)) for i, v in pairs), key=lambda g: -g.score)

    def predict(self, question: str) -> str:
        """The most likely intent."""
        return self.ranked(question)[0].intent


@functools.cache
def shared_model() -> IntentModel:
    """The model trained on the packaged corpus, once per process (training is deterministic)."""
    corpus = load_corpus()
    return IntentModel.train({intent: [for_model(q, ()) for q in examples] for intent, examples in corpus.items()})
