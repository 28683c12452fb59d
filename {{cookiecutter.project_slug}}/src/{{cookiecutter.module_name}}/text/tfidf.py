"""TF-IDF that cuts each document into n-grams once per process, however often it is fitted.

Cross-validation, the race's rounds, a halving search and the learning curve fit a fresh
vectorizer on every split, and every fit and transform cut each document into its word or
character n-grams again and counted them one by one in Python: the same documents, the same
settings, the same n-grams. What a document's n-grams are depends on the analysis settings
only, never on what a fit learned, so `Tfidf` numbers each n-gram once per setting and keeps
each document as the array of its n-grams' numbers (in `kept.py`, never in a bundle); a later
fit or transform counts those arrays with NumPy, and the fitted vocabulary is sorted and pruned
with NumPy too. It is scikit-learn's `TfidfVectorizer` otherwise: the same parameters,
vocabulary and weights. Past the bound on what is kept, documents are cut and counted as
scikit-learn does.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import compress, repeat

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer, _document_frequency

from .kept import KEPT, Cuts


class Tfidf(TfidfVectorizer):
    """scikit-learn's TfidfVectorizer, with each document's n-grams cut once per process."""

    def _cuts(self) -> Cuts | None:
        if callable(self.analyzer) or self.input != "content":
            return None  # the documents are files, or the analysis is someone else's
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
        return KEPT.cuts(settings)

    def _count_vocab(self, raw_documents: Iterable, fixed_vocab: bool):
        """The count matrix, and the vocabulary when fitting: scikit-learn's, from kept cuts."""
        docs = list(raw_documents)
        cuts = self._cuts()
        numbers = None
        if cuts is not None and all(type(doc) is str for doc in docs):
            analyze = super().build_analyzer()
            numbers = KEPT.arrays(cuts, docs, lambda doc: cuts.numbers(analyze(doc)))
        if numbers is None:
            return super()._count_vocab(docs, fixed_vocab)
        flat = np.concatenate(numbers) if numbers else np.empty(0, np.int32)
        rows = np.repeat(np.arange(len(docs)), [len(found) for found in numbers])
        if fixed_vocab:
            vocabulary = self.vocabulary_
            column = np.full(len(cuts.number), -1, np.int64)
            known = np.fromiter(map(cuts.number.get, vocabulary, repeat(-1)), np.int64)
            indices = np.fromiter(vocabulary.values(), np.int64, len(vocabulary))
            seen = known >= 0  # terms of the vocabulary some kept document holds
            column[known[seen]] = indices[seen]
            columns = column[flat]
            rows, columns = rows[columns >= 0], columns[columns >= 0]
        else:
            if not len(flat):
                raise ValueError("empty vocabulary; perhaps the documents only contain stop words")
            # Columns in the order n-grams first appear, as scikit-learn numbers them: its
            # later steps keep that order in the matrix, and the sums depend on it.
            first = np.full(len(cuts.number), len(flat), np.int64)
            np.minimum.at(first, flat, np.arange(len(flat)))
            seen = np.flatnonzero(first < len(flat))
            seen = seen[np.argsort(first[seen])]
            column = np.empty(len(cuts.number), np.int64)
            column[seen] = np.arange(len(seen))
            columns = column[flat]
            grams = list(cuts.number)  # in the order numbered: a number's n-gram
            vocabulary = {grams[known]: at for at, known in enumerate(seen.tolist())}
        indptr = np.zeros(len(docs) + 1, np.int64)
        np.cumsum(np.bincount(rows, minlength=len(docs)), out=indptr[1:])
        index = np.int32 if indptr[-1] <= np.iinfo(np.int32).max else np.int64
        X = sp.csr_array(
            (np.ones(len(columns), np.intc), columns.astype(index), indptr.astype(index)),
            shape=(len(docs), len(vocabulary)),
            dtype=self.dtype,
        )
        X.sum_duplicates()  # each document's count of each n-gram, columns sorted
        return vocabulary, X

    # scikit-learn sorts and prunes the fitted vocabulary term by term in Python; the same
    # steps in NumPy, to the same vocabulary (order, numbers and their types) and matrix.

    def _sort_features(self, X, vocabulary: dict[str, int]):
        """The matrix's columns and the vocabulary's numbers in the terms' sorted order (the
        vocabulary keeps its own order: each term gets its rank)."""
        terms = list(vocabulary)
        rank = np.empty(len(terms), np.intp)
        rank[sorted(range(len(terms)), key=terms.__getitem__)] = np.arange(len(terms))
        map_index = np.empty(len(terms), dtype=X.indices.dtype)
        map_index[np.fromiter(vocabulary.values(), np.intp, len(terms))] = rank
        vocabulary.update(zip(terms, rank.tolist(), strict=True))
        X.indices = map_index.take(X.indices, mode="clip")
        return X

    def _limit_features(self, X, vocabulary: dict[str, int], high=None, low=None, limit=None):
        """The terms in at most `high` and at least `low` documents, the `limit` most frequent."""
        if high is None and low is None and limit is None:
            return super()._limit_features(X, vocabulary, high, low, limit)
        dfs = _document_frequency(X)
        mask = np.ones(len(dfs), dtype=bool)
        if high is not None:
            mask &= dfs <= high
        if low is not None:
            mask &= dfs >= low
        if limit is not None and mask.sum() > limit:
            tfs = np.asarray(X.sum(axis=0)).ravel()
            mask_inds = (-tfs[mask]).argsort()[:limit]
            new_mask = np.zeros(len(dfs), dtype=bool)
            new_mask[np.where(mask)[0][mask_inds]] = True
            mask = new_mask
        kept_indices = np.where(mask)[0]
        if len(kept_indices) == 0:
            raise ValueError(
                "After pruning, no terms remain. Try a lower min_df or a higher max_df."
            )
        new_indices = np.cumsum(mask) - 1  # maps old indices to new
        terms = list(vocabulary)
        old = np.fromiter(vocabulary.values(), np.intp, len(terms))
        keep = mask[old]
        vocabulary.clear()
        vocabulary.update(zip(compress(terms, keep), new_indices[old[keep]], strict=True))
        return X[:, kept_indices]
