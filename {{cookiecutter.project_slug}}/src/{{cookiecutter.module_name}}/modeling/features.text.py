"""The features of a text project: TF-IDF of words and characters, and hand lexicons.

The same feature steps sit in front of every rung of the ladder, so the leaderboard compares
models and nothing else. `feature_files` writes what a reader of the bundle needs to trace a
weight back to its term.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from ..core.data import (
    DataParams,
    FeaturesParams,
    NgramParams,
    join_texts,
    joined_name,
    text_columns,
)
from ..text.lexicons import LexiconCounter, lexicon_files, load_lexicons
from ..text.tfidf import Tfidf

TOP_TERMS = 50  # per class in top_terms.csv; the plot shows fewer


def _tfidf(grams: NgramParams, analyzer: str, params: FeaturesParams) -> Tfidf:
    """One TF-IDF vectorizer; char_wb n-grams never span two words, so they stay few."""
    return Tfidf(
        analyzer=analyzer,
        ngram_range=tuple(grams.ngram_range),
        min_df=grams.min_df,
        max_features=grams.max_features,
        sublinear_tf=params.sublinear_tf,
        lowercase=params.lowercase,
    )


def build_features(data: DataParams, params: FeaturesParams) -> ColumnTransformer:
    """TF-IDF of word and character n-grams, and one count per lexicon; all sparse.

    Each branch first joins the text columns into one string per row, so a user's several
    columns (subject, body) need no preparing, and missing texts read as empty.
    """
    vectorizers = {"words": (params.words, "word"), "chars": (params.chars, "char_wb")}
    branches = [
        (name, _tfidf(grams, analyzer, params))
        for name, (grams, analyzer) in vectorizers.items()
        if grams is not None
    ]
    if params.lexicons is not None:
        lists = load_lexicons(params.lexicons, params.lowercase)
        terms = {lexicon.name: lexicon.terms for lexicon in lists}
        branches.append(("lexicons", LexiconCounter(terms, params.lowercase)))
    join = FunctionTransformer(join_texts, feature_names_out=joined_name)
    columns = text_columns(data)
    # sparse_threshold=1: ColumnTransformer would densify a small corpus's matrix otherwise.
    return ColumnTransformer(
        [(name, Pipeline([("join", join), (name, step)]), columns) for name, step in branches],
        sparse_threshold=1.0,
    )


def feature_files(model, folder: Path, params: FeaturesParams) -> dict[str, Path]:
    """Readable companions of the fitted features: names, vocabulary, lexicons, top terms.

    The lexicons are copies of the files in `features.lexicons`, listed with their digests.
    """
    features = model.named_steps["features"]
    names = folder / "feature_names.json"
    names.write_text(json.dumps([str(n) for n in features.get_feature_names_out()], indent=1))
    files = {"feature_names.json": names}
    branches = features.named_transformers_
    # Each term with its column in the feature matrix, so a weight traces back to its term.
    readable = {
        name: {
            term: int(index) + features.output_indices_[name].start
            for term, index in sorted(branches[name][-1].vocabulary_.items())
        }
        for name in ("words", "chars")
        if name in branches
    }
    vocabulary = folder / "vocabulary.json"
    vocabulary.write_text(json.dumps(readable, indent=1, ensure_ascii=False))
    files["vocabulary.json"] = vocabulary
    if "lexicons" in branches:
        files |= lexicon_files(branches["lexicons"][-1], params.lexicons, folder)
    terms = top_terms(model, TOP_TERMS)
    if terms is not None:  # models without one weight per term have no top terms
        terms.to_csv(folder / "top_terms.csv", index=False)
        files["top_terms.csv"] = folder / "top_terms.csv"
    return files


def top_terms(model, k: int) -> pd.DataFrame | None:
    """`k` features with the largest weights per class, both ways (`_both_ways`): class, rank,
    direction (towards or away from the class), kind, term, weight.

    `kind` is the feature branch: words, chars (character n-grams) or lexicons. None for
    models without one weight per feature (trees, neighbours, the dummy). For a regressor
    the one "class" is "a higher prediction"; a binary classifier has one row of weights.
    """
    final = model.named_steps["model"]
    if hasattr(final, "coef_"):
        weights = np.atleast_2d(final.coef_)
    elif hasattr(final, "feature_log_prob_"):
        # Naive Bayes: centred across classes, a log-probability acts as a linear weight.
        weights = final.feature_log_prob_ - final.feature_log_prob_.mean(axis=0)
        weights = weights[1:] if len(final.classes_) == 2 else weights
    else:
        return None
    classes = [str(c) for c in getattr(final, "classes_", ())]  # regressors have none
    if not classes:
        names = ["a higher prediction"]
    elif len(weights) == 1:
        names = [f"{classes[1]} (against {classes[0]})"]
    else:
        names = classes
    features = model.named_steps["features"].get_feature_names_out()
    rows = [
        {
            "class": name,
            "rank": rank,
            "direction": "towards" if row[i] > 0 else "away",
            "kind": kind,
            "term": term,
            "weight": float(row[i]),
        }
        for name, row in zip(names, weights, strict=True)
        for rank, i in enumerate(_both_ways(row, k), start=1)
        for kind, term in [str(features[i]).split("__", 1)]
    ]
    return pd.DataFrame(rows)


def _both_ways(weights: np.ndarray, k: int) -> np.ndarray:
    """The indices of `k` weights, largest magnitude first: half the strongest towards the
    class and half the strongest away, so that both show even where one side's weights are
    all larger (multi-class linear models); the other side fills in when one runs short."""
    order = np.argsort(-np.abs(weights), kind="stable")
    order = order[weights[order] != 0]
    towards, away = order[weights[order] > 0], order[weights[order] < 0]
    half = min(len(away), k // 2)
    take = min(len(towards), k - half)
    chosen = np.concatenate([towards[:take], away[: k - take]])
    return chosen[np.argsort(-np.abs(weights[chosen]), kind="stable")]
