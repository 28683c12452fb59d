"""Hand lexicons as count features.

A lexicon is a word list a person wrote (`lexicons/*.txt`, one term per line, `#` comments).
`LexiconCounter` turns each list into one count column beside the TF-IDF word and character
n-grams. Every matrix stays scipy-sparse: a dense one as wide as the vocabulary would not fit.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

from ..core.paths import listed
from ..core.settings import ThriftyError
from .kept import KEPT

log = logging.getLogger(__name__)

# Runs of letters and digits, apostrophes kept inside words: texts and terms are split alike,
# so punctuation, spacing and line breaks never stop a term from matching.
TOKEN = re.compile(r"\w+(?:'\w+)*")
COMMENT = re.compile(r"(?:^|\s)#")  # "# note" and "term  # note"; "c#" stays a term


@dataclass(frozen=True)
class Lexicon:
    """One word list: its name (the file's stem), its file, its terms, and the file's sha256."""

    name: str
    path: Path
    terms: tuple[str, ...]
    sha256: str


def normalize(term: str, lowercase: bool = True) -> str:
    """A term or text as its tokens joined by single spaces: the form lexicon terms match in."""
    return " ".join(TOKEN.findall(term.lower() if lowercase else term))


def parse_lexicon(text: str, source: str, lowercase: bool = True) -> tuple[str, ...]:
    """The terms of one lexicon file in file order; blank, duplicate and empty terms warned."""
    terms: dict[str, int] = {}
    problems: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        raw = COMMENT.split(line, maxsplit=1)[0].strip()
        if not line.strip():
            problems.append(f"line {number}: blank")
        elif not raw:
            continue  # a comment line
        elif not (term := normalize(raw, lowercase)):
            problems.append(f"line {number}: {raw!r} has no letters or digits")
        elif term in terms:
            problems.append(f"line {number}: {raw!r} repeats line {terms[term]}")
        else:
            terms[term] = number
    if problems:
        log.warning("%s: skipped %d line(s): %s", source, len(problems), "; ".join(problems))
    if not terms:
        raise ThriftyError(f"features.lexicons: {source} holds no terms (one term per line)")
    return tuple(terms)


@functools.cache
def _read_lexicon(path: Path, raw: bytes, lowercase: bool) -> Lexicon:
    # Cached on the file's bytes: each candidate rebuilds its features, one warning is enough.
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise ThriftyError(f"features.lexicons: {path} line {line} is not UTF-8") from None
    terms = parse_lexicon(text, str(path), lowercase)
    return Lexicon(path.stem, path, terms, hashlib.sha256(raw).hexdigest())


def load_lexicons(folder: Path, lowercase: bool = True) -> list[Lexicon]:
    """Every `*.txt` word list in `folder`, sorted by name."""
    if not folder.is_dir():
        raise ThriftyError(
            f"features.lexicons: {folder} is not a folder; create it with *.txt word lists, "
            "or set features.lexicons: null"
        )
    files = listed(folder, "*.txt")
    if not files:
        raise ThriftyError(
            f"features.lexicons: {folder} holds no *.txt word lists; add one, "
            "or set features.lexicons: null"
        )
    return [_read_lexicon(path, path.read_bytes(), lowercase) for path in files]


def _check_texts(X: object) -> list[str]:
    if isinstance(X, str) or getattr(X, "ndim", 1) != 1:
        raise ValueError(
            "expected one text per row (a 1-D sequence of str); join text columns first"
        )
    texts = list(X)
    for row, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"row {row} is {type(text).__name__}, not str")
    return texts


class LexiconCounter(TransformerMixin, BaseEstimator):
    """How many terms of each lexicon a text holds: one sparse count column per lexicon.

    Terms may be phrases ("money back"). Texts and terms are split into the same tokens, so
    only the words matter; a term listed in two lexicons counts in both.

    Args:
        lexicons: name -> terms; one output column per name, in this order.
        lowercase: match regardless of case.
    """

    def __init__(self, lexicons: dict[str, tuple[str, ...]] | None = None, lowercase: bool = True):
        self.lexicons = lexicons
        self.lowercase = lowercase

    def fit(self, X: Iterable[str], y: object = None) -> LexiconCounter:
        _check_texts(X)
        if not self.lexicons:
            raise ValueError("LexiconCounter needs at least one lexicon (name -> terms)")
        index: dict[str, list[int]] = {}
        for column, terms in enumerate(self.lexicons.values()):
            for term in dict.fromkeys(normalize(term, self.lowercase) for term in terms):
                if term:
                    index.setdefault(term, []).append(column)
        # A text is scanned once: only a token that starts some term is looked at further.
        starts: dict[str, set[int]] = {}
        for term in index:
            starts.setdefault(term.split(" ", 1)[0], set()).add(term.count(" ") + 1)
        self.names_ = [str(name) for name in self.lexicons]
        self.index_ = index
        self.starts_ = {token: sorted(lengths) for token, lengths in starts.items()}
        return self

    def transform(self, X: Iterable[str]) -> sparse.csr_matrix:
        check_is_fitted(self, "index_")
        texts = _check_texts(X)
        # A text's hits depend on the lists and the case folding only: kept for the process.
        lists = tuple((name, tuple(terms)) for name, terms in self.lexicons.items())
        cuts = KEPT.cuts(("lexicons", self.lowercase, lists))
        hits = KEPT.arrays(cuts, texts, self._hits) or [self._hits(text) for text in texts]
        rows = np.repeat(np.arange(len(texts)), [len(found) for found in hits])
        columns = np.concatenate(hits) if hits else np.empty(0, np.int32)
        # COO to CSR sums repeated (row, column) pairs: that sum is the count.
        counts = sparse.coo_matrix(
            (np.ones(len(rows)), (rows, columns)), shape=(len(texts), len(self.names_))
        )
        return counts.tocsr()

    def _hits(self, text: str) -> np.ndarray:
        """The column of each lexicon term found in `text`, once per occurrence."""
        tokens = TOKEN.findall(text.lower() if self.lowercase else text)
        columns: list[int] = []
        for start, token in enumerate(tokens):
            for n in self.starts_.get(token, ()):
                term = token if n == 1 else " ".join(tokens[start : start + n])
                columns.extend(self.index_.get(term, ()))
        return np.array(columns, np.int32)

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        check_is_fitted(self, "names_")
        return np.asarray(self.names_, dtype=object)


def lexicon_files(counter: LexiconCounter, source: Path | None, folder: Path) -> dict[str, Path]:
    """The lexicon files a fitted counter was built from, and `lexicons.json` with digests.

    Returns bundle name -> file, as `save_bundle` takes them. The files are re-read from
    `source` and must still hold the fitted terms: a bundle ships the lists its model used.
    """
    current = (
        {}
        if source is None
        else {lexicon.name: lexicon for lexicon in load_lexicons(source, counter.lowercase)}
    )
    fitted = {name: tuple(terms) for name, terms in counter.lexicons.items()}
    changed = sorted(
        name
        for name in fitted.keys() | current.keys()
        if name not in current or current[name].terms != fitted.get(name)
    )
    if changed:
        raise ThriftyError(
            f"features.lexicons: {', '.join(changed)} changed since the model was fitted "
            f"(folder {source}); run `dvc repro` to refit"
        )
    files: dict[str, Path] = {}
    summary = {}
    for name in counter.names_:
        lexicon = current[name]
        entry = f"lexicons/{lexicon.path.name}"
        files[entry] = lexicon.path
        summary[name] = {
            "file": entry,
            "sha256": lexicon.sha256,
            "terms": len(lexicon.terms),
            "feature": f"lexicons__{name}",
        }
    index = folder / "lexicons.json"
    index.write_text(json.dumps(summary, indent=1, ensure_ascii=False) + "\n")
    return files | {"lexicons.json": index}
