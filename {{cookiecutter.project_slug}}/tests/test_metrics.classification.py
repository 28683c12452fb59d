"""Metrics that fit the data: checked before any fit; rungs that cannot give a score skipped."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import get_scorer_names

from {{ cookiecutter.module_name }} import baselines
from {{ cookiecutter.module_name }}.baselines import cannot_score, leaderboard
from {{ cookiecutter.module_name }}.core.config import Done, Params, Rung
from {{ cookiecutter.module_name }}.core.console import run_stage
from {{ cookiecutter.module_name }}.core.files import write_table
from {{ cookiecutter.module_name }}.core.paths import Paths
from {{ cookiecutter.module_name }}.core.settings import ThriftyError
from {{ cookiecutter.module_name }}.core.task import METRICS, binary_only, check_metric
from {{ cookiecutter.module_name }}.modeling import rounds
from {{ cookiecutter.module_name }}.modeling.crossval import missing_response, response_methods
from {{ cookiecutter.module_name }}.modeling.ladder import build_model
from {{ cookiecutter.module_name }}.modeling.rounds import run_ladder
from {{ cookiecutter.module_name }}.modeling.search import tune_rungs

Frame = Callable[..., pd.DataFrame]
SVC = "sklearn.svm.SVC"  # no predict_proba unless probability=True


def three_classes(frame: pd.DataFrame, target: str) -> pd.DataFrame:
    """`frame` with a three-class label (the features do not predict it; scores still run)."""
    return frame.assign(**{target: np.array(["red", "green", "blue"])[np.arange(len(frame)) % 3]})


def with_metric(done: Done, metric: str) -> Done:
    return done.model_copy(update={"metric": metric})


def svc_ladder(params: Params, **svc: Any) -> Params:
    """The shipped dummy and logistic rungs, and a kernel SVM: three folds, one repeat."""
    ladder = {
        "dummy": params.ladder["dummy"],
        "logistic": params.ladder["logistic"],
        "svm": Rung(estimator=SVC, params=svc),
    }
    changed = params.baselines.model_copy(update=dict(cv_folds=3, cv_repeats=1))
    return params.model_copy(update={"ladder": ladder, "baselines": changed})


def test_every_metric_is_a_scorer_of_this_scikit_learn() -> None:
    assert set(METRICS) <= set(get_scorer_names())
    for metric in METRICS:
        assert set(response_methods(metric)) <= {"predict", "predict_proba", "decision_function"}


def test_binary_only_is_what_scikit_learn_does() -> None:
    # Tried on the installed version: these fail on three classes and score two.
    for metric in ("f1", "precision", "recall", "jaccard", "roc_auc"):
        assert binary_only(metric), metric
    for metric in ("f1_macro", "accuracy", "roc_auc_ovr", "neg_log_loss", "matthews_corrcoef"):
        assert not binary_only(metric), metric


@pytest.mark.parametrize("metric", ["f1", "precision", "recall", "jaccard", "roc_auc"])
def test_binary_scorer_on_three_classes_names_what_fits(metric: str) -> None:
    y = pd.Series(["red", "green", "blue"] * 10, name="colour")
    with pytest.raises(ThriftyError) as error:
        check_metric(metric, y)
    message = str(error.value)
    assert message.startswith(f"done.yaml: metric {metric} does not fit this target: ")
    assert f"y has 3 classes; {metric} is binary-only. Metrics that fit: " in message
    fits = message.split("Metrics that fit: ")[1].split(", ")
    assert fits[0].startswith(f"{metric}_")  # its own family first: f1_macro, ...
    assert "accuracy" in fits and metric not in fits
    for name in fits:  # every name offered does score three classes
        check_metric(name, y)


def test_named_binary_classes_need_a_positive_class_of_1() -> None:
    y = pd.Series(["benign", "malignant"] * 10)
    with pytest.raises(ThriftyError, match="f1 scores the class labelled 1, and y's classes are "):
        check_metric("f1", y)
    check_metric("f1", (y == "malignant").astype(int))  # recoded, it fits
    check_metric("f1_macro", y)
    check_metric("roc_auc", y)


def test_top_k_on_two_classes_is_refused() -> None:
    with pytest.raises(ThriftyError, match="y has 2 classes; top_k_accuracy counts a hit"):
        check_metric("top_k_accuracy", pd.Series([0, 1] * 10))
    check_metric("top_k_accuracy", pd.Series([0, 1, 2] * 10))


def test_what_a_metric_needs_comes_from_scikit_learn() -> None:
    assert response_methods("accuracy") == ("predict",)
    assert "predict_proba" in response_methods("roc_auc_ovr")
    svc = build_model(Rung(estimator=SVC))
    assert missing_response(svc, "roc_auc_ovr") == "predict_proba"
    assert missing_response(svc, "accuracy") is None
    assert missing_response(svc, "roc_auc") is None  # a decision function will do
    with_probabilities = build_model(Rung(estimator=SVC, params={"probability": True}))
    assert missing_response(with_probabilities, "neg_log_loss") is None


@pytest.mark.parametrize("metric", ["roc_auc_ovr", "neg_log_loss"])
def test_rung_without_probabilities_is_skipped_others_scored(
    make_frame: Frame, params: Params, metric: str
) -> None:
    params = svc_ladder(params)
    skipped = cannot_score(params, metric)
    assert skipped == {
        "svm": f"skipped: {SVC} gives no predict_proba, which {metric} needs; "
        "set probability: true in its params"
    }
    results = run_ladder(make_frame(48), params, metric, skip=skipped)
    assert list(results) == ["dummy", "logistic"]  # the dummy scored, the SVM never fitted
    board = leaderboard(results, params, skipped).set_index("model")
    assert board.loc["dummy", "why"].startswith("baseline")
    assert board.loc["logistic", "kept"]
    assert not board.loc["svm", "kept"]
    assert board.loc["svm", "why"] == skipped["svm"]
    assert np.isnan(board.loc["svm", "score"])
    assert not cannot_score(svc_ladder(params, probability=True), metric)


def test_a_rung_that_fails_to_score_is_skipped_with_the_first_line(
    make_frame: Frame, params: Params, caplog: pytest.LogCaptureFixture
) -> None:
    # Without the check before the fit, the SVM fails while scoring: skipped, not a crash.
    params, skipped = svc_ladder(params), {}
    results = run_ladder(make_frame(48), params, "roc_auc_ovr", skip=skipped)
    assert list(results) == ["dummy", "logistic"]
    assert skipped["svm"].startswith("skipped: roc_auc_ovr could not score it: ")
    assert "predict_proba" in skipped["svm"] and "\n" not in skipped["svm"]
    assert "svm" in caplog.text and "could not score it" in caplog.text


def test_tune_reaches_kept_rungs_only(make_frame: Frame, params: Params, done: Done) -> None:
    params, done = svc_ladder(params), with_metric(done, "roc_auc_ovr")
    frame = make_frame(60)
    skipped = cannot_score(params, done.metric)
    board = leaderboard(run_ladder(frame, params, done.metric, skip=skipped), params, skipped)
    X, y = frame.drop(columns=[params.data.target]), frame[params.data.target]
    tuned = tune_rungs(X, y, board, params, done)
    assert {t.name for t in tuned} == set(board.loc[board["kept"], "model"]) == {"logistic"}
    assert not np.isnan(tuned[0].score)


def test_baselines_stage_says_what_fits_without_a_traceback(
    root: Path,
    make_frame: Frame,
    edit: Callable[[str, dict[str, Any]], None],
    load: Callable[[], tuple[Params, Done]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    edit("done.yaml", {"metric": "f1"})
    params, _ = load()
    paths = Paths(root, params)
    frame = three_classes(make_frame(60), params.data.target)
    write_table(frame, paths.train)
    write_table(frame, paths.sample)
    fitted = []
    monkeypatch.setattr(rounds, "featurize", lambda *args, **kw: fitted.append(args))
    monkeypatch.chdir(root)
    with pytest.raises(SystemExit) as exit:
        run_stage(baselines.main)
    assert exit.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: done.yaml: metric f1 does not fit this target: ")
    assert "y has 3 classes; f1 is binary-only. Metrics that fit: f1_macro, " in err
    assert "Traceback" not in err
    assert not fitted  # checked before any model was fitted
