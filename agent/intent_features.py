"""The intent model's arithmetic with numpy alone: TF-IDF features and a linear score per intent. Pure.

The model is a union of two TF-IDF vectorisers (words with their pairs, and character n-grams
inside word boundaries) feeding a linear SVM. Fitting it needs scikit-learn; scoring a question
needs only the fitted state: each vectoriser's vocabulary and idf weights, and the classifier's
weights, intercepts and intents. ``IntentScorer`` holds that state and computes what
scikit-learn's ``decision_function`` computes, term for term, so a model fitted once can be
shipped as arrays (``agent/intent_artefact.py``) and read without importing scikit-learn.

The settings below are the ones the model is fitted with (``agent.intent_model.IntentModel.train``)
and the only ones this module reproduces; ``ANALYZERS`` records them with every exported model.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

# Words keep their inner dashes and slashes, so "web-1" and "/data" stay one token.
WORD_PATTERN = r"(?u)\b\w[\w/-]*\b"
WORD_NGRAMS = (1, 2)
CHAR_NGRAMS = (2, 5)
#: How each vectoriser reads a question, as recorded with an exported model. A model exported
#: with other settings is refused rather than scored wrongly.
ANALYZERS: dict[str, object] = {
    "words": {"analyzer": "word", "token_pattern": WORD_PATTERN, "ngram_range": list(WORD_NGRAMS)},
    "chars": {"analyzer": "char_wb", "ngram_range": list(CHAR_NGRAMS)},
    "lowercase": True,
    "sublinear_tf": True,
    "norm": "l2",
}

_TOKEN = re.compile(WORD_PATTERN)
_WHITE_SPACES = re.compile(r"\s\s+")

Floats = npt.NDArray[np.float64]


def word_terms(text: str) -> list[str]:
    """The words of ``text`` and each pair of neighbouring words, as the word vectoriser counts them."""
    tokens = _TOKEN.findall(text.lower())
    low, high = WORD_NGRAMS
    return [" ".join(tokens[i : i + n]) for n in range(low, high + 1) for i in range(len(tokens) - n + 1)]


def char_terms(text: str) -> list[str]:
    """The character n-grams of each word of ``text``, padded with one space either side.

    A word shorter than an n-gram length counts once, whole, and longer lengths are skipped.
    """
    terms: list[str] = []
    low, high = CHAR_NGRAMS
    for word in _WHITE_SPACES.sub(" ", text.lower()).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            terms.extend(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
            if len(padded) <= n:
                break
    return terms


@dataclass(frozen=True)
class Vocabulary:
    """One vectoriser's fitted state: the column of each term and the term's idf weight."""

    columns: Mapping[str, int]
    idf: Floats
    terms_of: Callable[[str], list[str]]

    def row(self, text: str) -> tuple[npt.NDArray[np.intp], Floats]:
        """The non-zero columns of ``text``'s TF-IDF row and their values (sublinear tf, then l2 norm)."""
        counts = Counter(c for t in self.terms_of(text) if (c := self.columns.get(t)) is not None)
        columns = np.fromiter(counts.keys(), dtype=np.intp, count=len(counts))
        tf = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        values = (np.log(tf) + 1.0) * self.idf[columns]
        norm = float(np.sqrt(np.dot(values, values)))
        return columns, values / norm if norm > 0 else values


@dataclass(frozen=True)
class IntentScorer:
    """The fitted model as arrays: a score per intent for a question, as ``decision_function`` gives it."""

    words: Vocabulary
    chars: Vocabulary
    coef: Floats
    intercept: Floats
    intents: tuple[str, ...]

    def scores(self, text: str) -> Floats:
        """One score per intent of ``intents``, in that order (its signed distance from the intent's boundary)."""
        word_columns, word_values = self.words.row(text)
        char_columns, char_values = self.chars.row(text)
        columns = np.concatenate([word_columns, char_columns + len(self.words.idf)])
        values = np.concatenate([word_values, char_values])
        raw: Floats = self.coef[:, columns] @ values + self.intercept
        # With two intents the classifier keeps one boundary, for the second; the first's score is its opposite.
        return np.array([-raw[0], raw[0]]) if len(self.intents) == 2 else raw

    def arrays(self) -> dict[str, npt.NDArray[Any]]:
        """The state as plain arrays (strings as unicode arrays, no Python objects), for ``from_arrays``."""
        return {
            "word_terms": _terms_by_column(self.words.columns),
            "word_idf": self.words.idf,
            "char_terms": _terms_by_column(self.chars.columns),
            "char_idf": self.chars.idf,
            "coef": self.coef,
            "intercept": self.intercept,
            "intents": np.array(self.intents, dtype=np.str_),
        }

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, npt.NDArray[Any]]) -> IntentScorer:
        """The scorer whose ``arrays()`` these are.

        Raises:
            KeyError: an array is missing.
            ValueError: the arrays' shapes do not fit together.
        """
        words = _vocabulary(arrays["word_terms"], arrays["word_idf"], word_terms)
        chars = _vocabulary(arrays["char_terms"], arrays["char_idf"], char_terms)
        coef = np.asarray(arrays["coef"], dtype=np.float64)
        intercept = np.asarray(arrays["intercept"], dtype=np.float64)
        intents = tuple(str(i) for i in arrays["intents"])
        boundaries = 1 if len(intents) == 2 else len(intents)
        if coef.shape != (boundaries, len(words.idf) + len(chars.idf)) or intercept.shape != (boundaries,):
            raise ValueError(
                f"weights of shape {coef.shape} and {intercept.shape} do not fit {len(intents)} intents "
                f"and {len(words.idf)} + {len(chars.idf)} terms"
            )
        return cls(words=words, chars=chars, coef=coef, intercept=intercept, intents=intents)

    @classmethod
    def from_pipeline(cls, pipeline: Any) -> IntentScorer:
        """The state of a fitted scikit-learn pipeline (the union of the two vectorisers, then the classifier)."""
        union, classifier = pipeline.steps[0][1], pipeline.steps[-1][1]
        fitted = dict(union.transformer_list)

        def vocabulary(name: str, terms_of: Callable[[str], list[str]]) -> Vocabulary:
            vectoriser = fitted[name]
            columns = {str(t): int(c) for t, c in vectoriser.vocabulary_.items()}
            return Vocabulary(columns, np.asarray(vectoriser.idf_, dtype=np.float64), terms_of)

        return cls(
            words=vocabulary("words", word_terms),
            chars=vocabulary("chars", char_terms),
            coef=np.asarray(classifier.coef_, dtype=np.float64),
            intercept=np.asarray(classifier.intercept_, dtype=np.float64),
            intents=tuple(str(c) for c in classifier.classes_),
        )


def _terms_by_column(columns: Mapping[str, int]) -> npt.NDArray[np.str_]:
    ordered: list[str] = [""] * len(columns)
    for term, column in columns.items():
        ordered[column] = term
    return np.array(ordered, dtype=np.str_)


def _vocabulary(stored: npt.NDArray[Any], idf: npt.NDArray[Any], terms_of: Callable[[str], list[str]]) -> Vocabulary:
    terms = [str(t) for t in stored.tolist()]
    if len(terms) != len(idf) or len(set(terms)) != len(terms):
        raise ValueError(f"{len(terms)} terms (some repeated?) for {len(idf)} idf weights")
    return Vocabulary({t: c for c, t in enumerate(terms)}, np.asarray(idf, dtype=np.float64), terms_of)
