"""TF-IDF that cuts each document into n-grams once per process, however often it is fitted.

Cross-validation, the race's rounds, a halving search and the learning curve fit a fresh
vectorizer on every split, and every fit and transform cut each document into its word or
character n-grams again: the same documents, the same settings, the same n-grams. What a
document's n-grams are depends on the analysis settings only, never on what a fit learned, so
`Tfidf` keeps them per settings and document, up to `MAX_GRAMS`, and later fits only count
them. It is scikit-learn's `TfidfVectorizer` otherwise: the same parameters, vocabulary and
weights, and a bundle holds no kept n-grams (they live in this module, not in the estimator).
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from sklearn.feature_extraction.text import TfidfVectorizer

# n-grams kept over every document and setting: about 8 bytes each, the strings themselves
# shared (interned); past the bound, documents are cut again as scikit-learn does.
MAX_GRAMS = 10_000_000

_kept: dict[tuple, dict[str, tuple[str, ...]]] = {}
_count = [0]  # n-grams kept so far


def _remember(known: dict[str, tuple[str, ...]], doc: str, grams: list[str]) -> None:
    if _count[0] + len(grams) <= MAX_GRAMS:
        known[doc] = tuple(map(sys.intern, grams))
        _count[0] += len(grams)


class Tfidf(TfidfVectorizer):
    """scikit-learn's TfidfVectorizer, with each document's n-grams cut once per process."""

    def build_analyzer(self) -> Callable[[str], list[str] | tuple[str, ...]]:
        analyze = super().build_analyzer()
        if callable(self.analyzer) or self.input != "content":
            return analyze  # the documents are files, or the analysis is someone else's
        settings = (
            self.analyzer,
            tuple(self.ngram_range),
            self.lowercase,
            self.strip_accents,
            self.token_pattern,
            repr(self.stop_words),
            self.preprocessor,
            self.tokenizer,
        )
        known = _kept.setdefault(settings, {})

        def cut(doc: str) -> list[str] | tuple[str, ...]:
            grams = known.get(doc) if type(doc) is str else None
            if grams is None:
                grams = analyze(doc)
                if type(doc) is str:
                    _remember(known, doc, grams)
            return grams

        return cut
