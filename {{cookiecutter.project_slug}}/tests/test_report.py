"""The report: one self-contained page that links to nothing, inlines every image and reads
top down: the verdict and forecast first, compact tables, the plots in the order a reader asks."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from test_done import outlook, tuning  # reports/tuning.json as `tune` writes it
from test_receipts import stage

from {{ cookiecutter.module_name }}.core.records import Forecast, Metrics, Tuning, Verdict
from {{ cookiecutter.module_name }}.core.task import STANDARD
from {{ cookiecutter.module_name }}.report import project_name, receipt
from {{ cookiecutter.module_name }}.reporting.page import render_report

PNG = b"\x89PNG\r\n\x1a\n"
# Three bytes, at an offset divisible by three, that base64 spells "http".
SPELLS_HTTP = PNG + b"\x00" + base64.b64decode("httpAAAA")
IMAGE = re.compile(r'<img src="data:image/png;base64,([^"]*)"')
ALT = re.compile(r'<img src="[^"]*" alt="([^"]*)"')
# Every plot a bake of any task and data kind writes, in the order the page shows them.
PLOTS = [
    "confusion_matrix",
    "roc",
    "precision_recall",
    "calibration",
    "predicted_vs_actual",
    "residuals",
    "learning_curve",
    "permutation_importance",
    "top_terms",
    "leaderboard",
]
PROJECT = Path(__file__).parents[1]
# The first eight columns of a real reports/leaderboard.csv, then the headline ones.
BOARD = pd.DataFrame(
    {
        "model": ["dummy", "<i>rival</i>"],
        "estimator": ["sklearn.dummy.DummyClassifier", "sklearn.svm.SVC"],
        "score": [0.38461538461538464, 0.9562918565170502],
        "score_std": [0.0, 0.030972614453708504],
        "score_se": [0.0, 0.018323645819932385],
        "p_vs_dummy": [None, 8.754713881938982e-11],
        "fit_cpu_seconds": [0.20022055500000002, 0.1329410280000003],
        "cpu_seconds": [0.34879445200000014, 0.22322145399999727],
        "model_bytes": [5635, 21156],
        "kept": [False, True],
        "why": ["baseline: the score every other rung must beat", "kept: best score"],
    }
)


def page(
    tmp_path: Path,
    stems: list[str],
    search: Tuning | None = None,
    labeling: dict[str, Any] | None = None,
    **said: Any,
) -> str:
    """The page of a run whose records are as the stages write them, with blank plots."""
    images = []
    for stem in stems:
        images.append(tmp_path / f"{stem}.png")
        images[-1].write_bytes(SPELLS_HTTP if stem == "tricky" else PNG + b"\x00" * 8)
    search = search or tuning(cv_score=0.95, forecast=outlook(need=4000, now=448))
    verdict = dict(verdict="more_data", metric=search.metric, score=0.9, target=0.97, floor=0.5)
    verdict |= dict(model="<i>rival</i>", actions=["Tune on more rows, then dvc repro."]) | said
    metrics = Metrics(
        model="rival",
        metric=search.metric,
        score=0.9,
        cv=0.95,
        test={"familiar": 0.91},
        rows=10,
    )
    tuned = pd.DataFrame({"model": ["rival"], "status": ["tuned"], "score": [0.95]})
    metadata = {
        "created_utc": "2026-03-04T05:06:07+00:00",
        "params": {
            "sample": {"max_rows": 200},
            "ladder": {"rival": {"estimator": "sklearn.svm.SVC", "params": {"C": 1.0}}},
        },
        "git": {"commit": "abc"},
        "versions": {},
    }
    return render_report(
        project=said.pop("project", "demo <&> project"),
        verdict=Verdict(**{k: v for k, v in verdict.items() if k != "project"}),
        search=search.model_copy(update={"params": {"C": 10.0}}),
        metrics=metrics,
        cost=receipt(BOARD, search, [stage("baselines", 4.0, 4.5, 3.0)]),
        board=BOARD,
        tuning=tuned,
        metadata=metadata,
        images=images,
        labeling=labeling,
    )


def test_report_is_self_contained(tmp_path: Path) -> None:
    stems = ["plain", "tricky"]
    assert "http" in base64.b64encode(SPELLS_HTTP).decode()
    shown = page(tmp_path, stems, actions=["read https://example.com/guide"])
    assert "http" not in shown.lower()
    found = IMAGE.findall(shown)
    assert len(found) == shown.count("<img ") == len(stems)
    for data, stem in zip(found, stems, strict=True):
        assert base64.b64decode(data.replace("\n", "")) == (tmp_path / f"{stem}.png").read_bytes()
    assert "example.com/guide" in shown  # the text is kept; only its "h" is an entity
    assert "<script" not in shown and "src=" not in IMAGE.sub("", shown)


def test_title_and_heading_name_the_project_and_the_run_date(tmp_path: Path) -> None:
    shown = page(tmp_path, [], project="churn-model")
    title = "churn-model: report of 2026-03-04"
    assert f"<title>{title}</title>" in shown and f"<h1>{title}</h1>" in shown


def test_test_metrics_put_done_yaml_metric_first(tmp_path: Path) -> None:
    shown = page(tmp_path, [])
    first = f"<th>{next(iter(STANDARD))} (done.yaml)</th><td>0.9</td>"
    assert shown.index(first) < shown.index("<th>familiar</th><td>0.91</td>")


def test_the_project_name_is_pyproject_name() -> None:
    assert project_name(PROJECT) == "{{ cookiecutter.project_slug }}"


def test_verdict_goal_and_forecast_come_before_the_plots(tmp_path: Path) -> None:
    shown = page(tmp_path, PLOTS)
    first = shown.index("<img ")
    for said in ("more_data", "target 0.97", "floor 0.5", "of its 60 CPU s budget"):
        assert shown.index(said) < first, said
    assert shown.index("about 4,000 training rows") < first
    assert shown.index("<th>training rows tune used</th><td>448</td>") < first
    assert shown.index("Cost receipt") < first


@pytest.mark.parametrize(
    ("forecast", "said"),
    [
        (Forecast(available=False, why="the curve is flat"), "No forecast: the curve is flat."),
        (outlook(need=None), "levels off at 0.3, below the target"),
    ],
)
def test_no_forecast_says_why(tmp_path: Path, forecast: Forecast, said: str) -> None:
    assert said in page(tmp_path, [], search=tuning(forecast=forecast))


def test_leaderboard_is_compact_and_the_rest_is_behind_a_toggle(tmp_path: Path) -> None:
    shown = page(tmp_path, [])
    board = shown[shown.index("<h2>Leaderboard") : shown.index("<h2>Tuning")]
    compact, hidden = board.split("<details>")
    headers = re.findall(r"<th>([^<]*)</th>", compact)
    assert headers == ["model", "score ± SE", "CPU s", "kept", "why"]
    assert "<td>0.9563 ± 0.01832</td>" in compact and "<td>0.22</td>" in compact
    assert "<td>kept: best score</td>" in compact and "<td>yes</td>" in compact
    assert "0.95629" not in board  # no cell keeps every digit
    for column in ("estimator", "score_std", "p_vs_dummy", "fit_cpu_seconds", "model_bytes"):
        assert f"<th>{column}</th>" in hidden and f"<th>{column}</th>" not in compact
    assert "<td>8.755e-11</td>" in hidden


def test_plots_come_in_the_order_a_reader_asks(tmp_path: Path) -> None:
    shown = page(tmp_path, sorted([*PLOTS, "zeta", "alpha"]))
    assert ALT.findall(shown) == [*PLOTS, "alpha", "zeta"]
    headings = re.findall(r"<h3>([^<]*)</h3>", shown)
    assert headings[:5] == [
        "Is it good, and where does it fail?",
        "Would more data help?",
        "What does it use?",
        "What it was picked from",
        "Other plots",
    ]


def test_labeling_figures_are_shown_when_there_are_some(tmp_path: Path) -> None:
    figures = dict(labelled_items=12, annotators=2, cohen_kappa=0.8125, pool_left=188)
    shown = page(tmp_path, [], labeling=figures)
    assert "<th>labelled items</th><td>12</td>" in shown
    assert "<th>agreement (Cohen's kappa)</th><td>0.8125</td>" in shown
    assert "<th>accuracy on gold items</th><td>not measurable yet</td>" in shown
    assert "<th>pool items left to label</th><td>188</td>" in shown
    assert "<h2>Labeling</h2>" not in page(tmp_path, [])


def test_parameters_are_a_short_table_and_the_full_dump_a_toggle(tmp_path: Path) -> None:
    shown = page(tmp_path, [])
    part = shown[shown.index("<h2>Parameters</h2>") : shown.index("<h2>Provenance</h2>")]
    assert "<th>tuned parameters</th><td>C=10.0</td>" in part
    assert "<th>ladder.rival.params</th><td>C=1.0</td>" in part
    assert "<th>sample.max_rows</th><td>200</td>" in part
    assert part.index("<details>") < part.index("<pre>")


def test_user_strings_are_escaped(tmp_path: Path) -> None:
    shown = page(tmp_path, [], actions=["<b>bold</b> & more"])
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; more" in shown and "<b>" not in shown
    assert "demo &lt;&amp;&gt; project" in shown and "<&>" not in shown
    assert "&lt;i&gt;rival&lt;/i&gt;" in shown and "<i>" not in shown
