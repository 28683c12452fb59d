"""Text: sparse TF-IDF and lexicon features, bad input named clearly, lexicons in the bundle."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import sparse
from sklearn.base import clone
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline

from {{ cookiecutter.module_name }}.bundles.bundle import load_bundle, save_bundle
from {{ cookiecutter.module_name }}.core.config import Params
from {{ cookiecutter.module_name }}.core.settings import ConfigError, ThriftyError
from {{ cookiecutter.module_name }}.modeling.features import (
    TOP_TERMS,
    build_features,
    feature_files,
    top_terms,
)
from {{ cookiecutter.module_name }}.modeling.ladder import build_candidate, split_xy
from {{ cookiecutter.module_name }}.prepare import main as prepare
from {{ cookiecutter.module_name }}.prepare import tidy
from {{ cookiecutter.module_name }}.text import kept, lexicons, tfidf
from {{ cookiecutter.module_name }}.text.corpus import make_corpus
from {{ cookiecutter.module_name }}.text.lexicons import LexiconCounter, lexicon_files, load_lexicons
from {{ cookiecutter.module_name }}.text.tfidf import Tfidf

Frame = Callable[..., pd.DataFrame]
Edit = Callable[[str, dict[str, Any]], None]
LEXICONS = {"praise": ("great", "thank you"), "complaint": ("awful", "money back")}
LISTS = ("negative", "positive")  # the lexicons this project ships in lexicons/


def fit_candidate(params: Params, frame: pd.DataFrame) -> Pipeline:
    X, y = split_xy(frame, params.data)
    return build_candidate(list(params.ladder.values())[1], params.data, params.features).fit(X, y)


# The lexicon transformer on its own.


def test_lexicon_counts_words_and_phrases() -> None:
    texts = ["Great, thank you! GREAT.", "awful... I want my money\nback", "nothing to see"]
    counts = LexiconCounter(LEXICONS).fit_transform(texts)
    assert sparse.issparse(counts)
    assert counts.toarray().tolist() == [[3, 0], [0, 2], [0, 0]]


def test_unknown_words_count_nothing() -> None:
    counter = LexiconCounter(LEXICONS).fit(["great"])
    assert counter.transform(["zebra quantum", ""]).nnz == 0


def test_case_folding_is_a_choice() -> None:
    assert LexiconCounter(LEXICONS).fit_transform(["GREAT"]).sum() == 1
    assert LexiconCounter(LEXICONS, lowercase=False).fit_transform(["GREAT"]).sum() == 0


def test_feature_names_follow_the_lexicons() -> None:
    counter = LexiconCounter(LEXICONS).fit(["x"])
    assert counter.get_feature_names_out().tolist() == ["praise", "complaint"]


def test_lexicon_counter_pickles_and_clones() -> None:
    texts = ["great thank you", "money back, awful"]
    counter = LexiconCounter(LEXICONS).fit(texts)
    again = pickle.loads(pickle.dumps(counter))
    assert (again.transform(texts) != counter.transform(texts)).nnz == 0
    assert clone(counter).get_params() == counter.get_params()


def test_each_text_is_scanned_once_for_the_same_lexicons(
    monkeypatch: pytest.MonkeyPatch, nothing_kept: None
) -> None:
    """Every fold transforms the same texts again: their hits are kept for the process."""
    texts = ["Great, thank you!", "money back", "great"]
    scanned = []
    real = LexiconCounter._hits

    def counting(self: LexiconCounter, text: str) -> np.ndarray:
        scanned.append(text)
        return real(self, text)

    monkeypatch.setattr(LexiconCounter, "_hits", counting)
    first = LexiconCounter(LEXICONS).fit(texts).transform(texts)
    again = clone(LexiconCounter(LEXICONS)).fit(texts[:2]).transform(texts[::-1])
    assert sorted(scanned) == sorted(texts)
    assert first.toarray().tolist() == again.toarray()[::-1].tolist() == [[2, 0], [0, 1], [1, 0]]
    praise = LexiconCounter({"praise": ("great",)}).fit(texts).transform(texts)
    assert praise.toarray().ravel().tolist() == [1, 0, 1]  # other lists: scanned again
    assert LexiconCounter(LEXICONS, lowercase=False).fit(texts).transform(texts).sum() == 3
    assert len(scanned) == 3 * len(texts)
    fitted = LexiconCounter(LEXICONS).fit(texts)
    assert "KEPT" not in str(vars(pickle.loads(pickle.dumps(fitted))))


@pytest.fixture
def nothing_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """What earlier tests kept (n-grams, lexicon hits) is not this test's."""
    monkeypatch.setattr(kept, "KEPT", kept.Kept())
    monkeypatch.setattr(tfidf, "KEPT", kept.KEPT)
    monkeypatch.setattr(lexicons, "KEPT", kept.KEPT)


def test_tfidf_cuts_each_document_once_and_learns_what_scikit_learn_does(
    monkeypatch: pytest.MonkeyPatch, nothing_kept: None
) -> None:
    texts = ["the kettle broke", "refund my kettle, please", "the courier was late", "late again"]
    settings = dict(analyzer="char_wb", ngram_range=(3, 4), min_df=1, sublinear_tf=True)
    reference = TfidfVectorizer(**settings).fit(texts[:3])
    weights = reference.transform(texts)
    cut = []
    real = TfidfVectorizer.build_analyzer

    def counting(self: TfidfVectorizer) -> Callable[[str], list[str]]:
        analyze = real(self)
        return lambda doc: cut.append(doc) or analyze(doc)

    monkeypatch.setattr(TfidfVectorizer, "build_analyzer", counting)
    for _ in range(3):  # three folds' fits of the same rows, each a fresh clone
        ours = clone(Tfidf(**settings)).fit(texts[:3])
        assert ours.vocabulary_ == reference.vocabulary_
        assert abs(ours.transform(texts) - weights).max() == 0
    assert sorted(cut) == sorted(texts)  # every document cut once, for every fit and transform
    assert vars(pickle.loads(pickle.dumps(ours))).keys() == vars(reference).keys()


def test_tfidf_keeps_no_more_n_grams_than_its_bound(
    monkeypatch: pytest.MonkeyPatch, nothing_kept: None
) -> None:
    monkeypatch.setattr(kept, "MAX_KEPT", 6)
    texts = ["aa bb cc", "dd ee ff gg", "aa bb cc"]
    ours = Tfidf().fit(texts)
    assert [doc for cuts in kept.KEPT.settings.values() for doc in cuts.docs] == ["aa bb cc"]
    assert kept.KEPT.count == 4  # "dd ee ff gg" would pass the bound: cut again each time
    reference = TfidfVectorizer().fit(texts)
    assert abs(ours.transform(texts) - reference.transform(texts)).max() == 0


@pytest.mark.parametrize(
    "settings",
    [
        dict(analyzer="word", ngram_range=(1, 2), min_df=2, max_features=300, sublinear_tf=True),
        dict(analyzer="char_wb", ngram_range=(3, 4), min_df=2, max_features=2000),
        dict(analyzer="word", binary=True, stop_words="english", max_df=0.5),
    ],
)
def test_tfidf_counts_kept_cuts_as_scikit_learn_counts(
    settings: dict[str, Any], nothing_kept: None
) -> None:
    """Fits on overlapping folds, transforms of unseen rows: the same vocabulary and weights."""
    texts = make_corpus(240)["text"].tolist()
    for train, test in ((texts[:160], texts[160:]), (texts[80:], texts[:80]), (texts, texts)):
        reference = TfidfVectorizer(**settings)
        ours = Tfidf(**settings)
        assert abs(ours.fit_transform(train) - reference.fit_transform(train)).max() == 0
        assert list(ours.vocabulary_.items()) == list(reference.vocabulary_.items())
        assert {type(n) for n in ours.vocabulary_.values()} == {
            type(n) for n in reference.vocabulary_.values()
        }
        assert ours.stop_words_ == reference.stop_words_ if hasattr(ours, "stop_words_") else True
        assert abs(ours.transform(test) - reference.transform(test)).max() == 0
        assert ours.transform(["", "zzz qqq"]).nnz == reference.transform(["", "zzz qqq"]).nnz
    assert kept.KEPT.count > 0  # counted from the kept cuts, not cut again
    with pytest.raises(ValueError, match="empty vocabulary"):
        Tfidf().fit(["", "  "])


@pytest.mark.parametrize("bad", [pd.DataFrame({"text": ["great"]}), "great", ["great", None]])
def test_lexicon_counter_wants_one_string_per_row(bad: Any) -> None:
    with pytest.raises(ValueError, match="str"):
        LexiconCounter(LEXICONS).fit(bad)


# Lexicon files.


def write_lexicon(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def test_lexicon_file_duplicates_and_blanks_are_warned_and_dropped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = write_lexicon(tmp_path, "mood", "# moods\nhappy  # note\n\nHappy\n!!!\nsad\n")
    with caplog.at_level(logging.WARNING):
        (lexicon,) = load_lexicons(tmp_path)
    assert (lexicon.name, lexicon.terms) == ("mood", ("happy", "sad"))
    assert lexicon.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    warned = caplog.text
    assert str(path) in warned and "skipped 3 line(s)" in warned
    assert "line 3: blank" in warned and "'Happy' repeats line 2" in warned
    assert "'!!!' has no letters or digits" in warned


@pytest.mark.parametrize(
    ("files", "message"),
    [
        ({}, "holds no \\*.txt word lists"),
        ({"empty": "# only a comment\n"}, "holds no terms"),
    ],
)
def test_unusable_lexicon_folder_names_the_setting(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    folder = tmp_path / "lexicons"
    folder.mkdir()
    for name, text in files.items():
        write_lexicon(folder, name, text)
    with pytest.raises(ThriftyError, match=f"features.lexicons: .*{message}"):
        load_lexicons(folder)


def test_missing_lexicon_folder_names_the_setting(tmp_path: Path) -> None:
    with pytest.raises(ThriftyError, match="features.lexicons: .* is not a folder"):
        load_lexicons(tmp_path / "nowhere")


def test_lexicon_file_not_utf8_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "lexicons"
    folder.mkdir()
    (folder / "bad.txt").write_bytes(b"fine\ncaf\xe9\n")
    with pytest.raises(ThriftyError, match=r"bad.txt line 2 is not UTF-8"):
        load_lexicons(folder)


# Features in the candidate pipeline.


def test_features_are_sparse_end_to_end(make_frame: Frame, params: Params) -> None:
    X, y = split_xy(make_frame(20), params.data)
    features = build_features(params.data, params.features)
    assert isinstance(features, ColumnTransformer)
    matrix = features.fit_transform(X)
    assert sparse.issparse(matrix) and matrix.shape[0] == 20
    names = features.get_feature_names_out()
    assert {name.split("__")[0] for name in names} == {"words", "chars", "lexicons"}
    assert matrix.shape[1] == len(names)
    model = build_candidate(list(params.ladder.values())[1], params.data, params.features)
    assert sparse.issparse(model.fit(X, y).named_steps["features"].transform(X))


def lexicon_counts(features: ColumnTransformer, frame: pd.DataFrame) -> list[list[float]]:
    """The shipped lexicons' columns of the fitted features, for each row of `frame`."""
    names = list(features.get_feature_names_out())
    columns = [names.index(f"lexicons__{name}") for name in LISTS]
    return features.transform(frame)[:, columns].toarray().tolist()


def test_lexicon_features_count_in_the_pipeline(params: Params) -> None:
    frame = pd.DataFrame({params.data.text: ["Terrible and useless!", "Thanks, great."] * 2})
    features = build_features(params.data, params.features).fit(frame)
    assert lexicon_counts(features, frame.head(2)) == [[2, 0], [0, 2]]


def test_lexicons_and_chars_can_be_switched_off(edit: Edit, load: Callable) -> None:
    edit("params.yaml", {"features.lexicons": None, "features.chars": None})
    params = load()[0]
    features = build_features(params.data, params.features).fit(
        pd.DataFrame({params.data.text: ["a text", "another text"]})
    )
    assert {name.split("__")[0] for name in features.get_feature_names_out()} == {"words"}


def test_several_text_columns_are_joined(
    make_frame: Frame, params: Params, edit: Edit, load: Callable
) -> None:
    edit("params.yaml", {"data.text": ["subject", params.data.text]})
    params = load()[0]
    frame = make_frame(20)
    frame.insert(0, "subject", ["awful"] * 10 + [None] * 10)
    tidied = tidy(frame, params.data)
    assert list(tidied.columns) == ["subject", "text", params.data.target]
    model = fit_candidate(params, tidied)
    first = tidied.head(1)
    with_subject = lexicon_counts(model.named_steps["features"], first)
    without = lexicon_counts(model.named_steps["features"], first.assign(subject=None))
    assert with_subject[0][0] == without[0][0] + 1  # "awful" in the subject counts as negative
    assert len(model.predict(frame.drop(columns=[params.data.target]))) == 20


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"features.words.ngram_range": [2, 1]}, "features.words.ngram_range"),
        ({"features.chars.min_df": 0}, "features.chars.min_df"),
        ({"data.text": ["text", "text"]}, "must list distinct"),
        ({"data.encoding_errors": "ignore"}, "data.encoding_errors"),
    ],
)
def test_bad_text_settings_are_named(
    edit: Edit, load: Callable, changes: dict[str, Any], expected: str
) -> None:
    edit("params.yaml", changes)
    with pytest.raises(ConfigError, match=expected):
        load()


# Bad input in the raw data.


def test_empty_and_missing_texts_are_dropped_and_counted(
    make_frame: Frame, params: Params, caplog: pytest.LogCaptureFixture
) -> None:
    frame = make_frame(20)
    frame[params.data.text] = frame[params.data.text].astype(object)
    frame.loc[[0, 1, 2, 3], params.data.text] = [None, np.nan, "", "   "]
    with caplog.at_level(logging.WARNING):
        tidied = tidy(frame, params.data)
    assert len(tidied) == 16 and tidied[params.data.text].str.strip().ne("").all()
    assert "dropped 4 row(s) with empty or missing text in 'text'" in caplog.text
    assert list(tidied.columns) == [params.data.text, params.data.target]


def test_all_texts_empty_names_the_column(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10)
    frame[params.data.text] = ""
    with pytest.raises(ThriftyError, match="data.text: column\\(s\\) 'text' hold no text"):
        tidy(frame, params.data)


def test_missing_text_column_lists_columns(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10).rename(columns={params.data.text: "body"})
    with pytest.raises(ThriftyError) as error:
        tidy(frame, params.data)
    assert params.data.text in str(error.value)
    for column in frame.columns:
        assert column in str(error.value)


def test_long_texts_are_truncated_and_counted(
    make_frame: Frame, params: Params, caplog: pytest.LogCaptureFixture
) -> None:
    frame = make_frame(10)
    frame.loc[[0, 1], params.data.text] = "word " * 100
    data = params.data.model_copy(update={"max_chars": 50})
    with caplog.at_level(logging.WARNING):
        tidied = tidy(frame, data)
    assert tidied[params.data.text].str.len().max() == 50
    assert "truncated 2 text(s) in column 'text' to data.max_chars=50" in caplog.text


def write_raw(root: Path, params: Params, frame: pd.DataFrame, bad_row: int) -> Path:
    """The frame as the raw CSV, with one byte that is not UTF-8 in row `bad_row`'s text."""
    raw = root / params.data.raw
    raw.parent.mkdir(parents=True)
    frame.loc[bad_row, params.data.text] = "CAFE-MARK"
    raw.write_bytes(frame.to_csv(index=False).encode().replace(b"CAFE-MARK", b"caf\xe9"))
    return raw


def test_csv_not_utf8_names_file_and_line(root: Path, make_frame: Frame, params: Params) -> None:
    raw = write_raw(root, params, make_frame(40), bad_row=6)
    with pytest.raises(ThriftyError) as error:
        prepare(root)
    message = str(error.value)
    assert f"data.raw: {raw} line 8 is not UTF-8" in message  # line 1 is the header
    assert "data.encoding_errors" in message and "strict, replace" in message


def test_replace_policy_keeps_the_row(
    root: Path, make_frame: Frame, params: Params, edit: Edit, caplog: pytest.LogCaptureFixture
) -> None:
    write_raw(root, params, make_frame(40), bad_row=6)
    edit("params.yaml", {"data.encoding_errors": "replace"})
    with caplog.at_level(logging.WARNING):
        prepare(root)
    train = pd.read_parquet(root / "data/prepared/train.parquet")
    test = pd.read_parquet(root / "data/prepared/test.parquet")
    assert len(train) + len(test) == 40
    assert "1 text(s) in column 'text' held bytes that are not UTF-8" in caplog.text


def test_bytes_not_utf8_name_column_and_row(make_frame: Frame, params: Params) -> None:
    frame = make_frame(10)
    frame[params.data.text] = frame[params.data.text].astype(object)
    frame.loc[3, params.data.text] = b"caf\xe9"
    with pytest.raises(ThriftyError, match="data.text: column 'text', row 3 is not UTF-8"):
        tidy(frame, params.data)
    replaced = tidy(frame, params.data.model_copy(update={"encoding_errors": "replace"}))
    assert replaced.loc[3, params.data.text] == "caf\ufffd"


# What the bundle holds.


def test_bundle_files_hold_vocabulary_lexicons_and_top_terms(
    tmp_path: Path, fitted: Pipeline, params: Params
) -> None:
    files = feature_files(fitted, tmp_path, params.features)
    readable = {"feature_names.json", "vocabulary.json", "lexicons.json", "top_terms.csv"}
    assert readable | {f"lexicons/{name}.txt" for name in LISTS} <= set(files)
    names = json.loads(files["feature_names.json"].read_text())
    vocabulary = json.loads(files["vocabulary.json"].read_text())
    assert set(vocabulary) == {"words", "chars"}
    for kind, terms in vocabulary.items():
        assert terms and all(names[column] == f"{kind}__{term}" for term, column in terms.items())
    lexicons = json.loads(files["lexicons.json"].read_text())
    assert sorted(lexicons) == list(LISTS)
    for name, entry in lexicons.items():
        source = params.features.lexicons / f"{name}.txt"
        assert entry["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
        assert files[entry["file"]] == source and entry["feature"] in names
    terms = pd.read_csv(files["top_terms.csv"])
    assert {"class", "rank", "kind", "term", "weight"} <= set(terms.columns)
    assert set(terms["kind"]) <= {"words", "chars", "lexicons"}
    assert terms["class"].nunique() == len(top_terms(fitted, TOP_TERMS)["class"].unique())


def test_bundle_refuses_lexicons_changed_since_the_fit(fitted: Pipeline, tmp_path: Path) -> None:
    counter = fitted.named_steps["features"].named_transformers_["lexicons"][-1]
    folder = tmp_path / "lexicons"
    for name, terms in counter.lexicons.items():
        write_lexicon(folder, name, "\n".join(terms) + "\n")
    assert set(lexicon_files(counter, folder, tmp_path)) >= {"lexicons.json"}
    write_lexicon(folder, "negative", "only this now\n")
    with pytest.raises(ThriftyError, match="negative changed since the model was fitted"):
        lexicon_files(counter, folder, tmp_path)


def test_skops_bundle_loads_the_lexicon_counter(
    tmp_path: Path, fitted: Pipeline, make_frame: Frame, params: Params
) -> None:
    X, _ = split_xy(make_frame(10, seed=1), params.data)
    save_bundle(tmp_path / "model", {"model": fitted}, {}, "skops", registry=tmp_path / "r.json")
    loaded = load_bundle(tmp_path / "model", registry=tmp_path / "r.json").model
    assert loaded.predict(X).tolist() == fitted.predict(X).tolist()


def test_top_terms_rank_each_class(fitted: Pipeline) -> None:
    terms = top_terms(fitted, k=5)
    assert terms is not None
    for _, rows in terms.groupby("class"):
        assert rows["rank"].tolist() == [1, 2, 3, 4, 5]
        assert rows["weight"].abs().is_monotonic_decreasing
