"""The ladder's race: growing samples, the cost law fitted to them, and who goes on."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.module_name }}.baselines import leaderboard
from {{ cookiecutter.module_name }}.core.config import Done, Params, Rung
from {{ cookiecutter.module_name }}.modeling.cost import cost_law, fold_cpu
from {{ cookiecutter.module_name }}.modeling.crossval import CVResult
from {{ cookiecutter.module_name }}.modeling.race import race, race_sizes
from {{ cookiecutter.module_name }}.modeling.rules import on_course, out_of_order, score_at

Frame = Callable[..., pd.DataFrame]
{%- if cookiecutter.task == "classification" %}
# Predicts the majority class, as the `prior` dummy does: clearly worse than a rival that learns.
TWIN = dict(strategy="most_frequent")
{%- else %}
# A constant far from every label: clearly worse than a rival that learns.
TWIN = dict(strategy="constant", constant=1000.0)
{%- endif %}


@pytest.mark.parametrize(
    ("first", "largest", "sizes"),
    [
        (200, 445, [200, 445]),
        (200, 200, [200]),
        (300, 960, [300, 960]),  # 900 then 960 would be the same round twice
        (200, 50_000, [200, 600, 1800, 5400, 16200, 50_000]),
        (500, 100, [100]),
    ],
)
def test_race_sizes_grow_by_factor_up_to_the_bound(first, largest, sizes) -> None:
    assert race_sizes(first, largest, 3) == sizes


def test_cost_law_recovers_a_power_and_is_linear_from_one_size() -> None:
    rows = [200.0, 600.0, 1800.0, 5400.0]
    law = cost_law(rows, [2e-6 * n**1.5 for n in rows])
    assert law.power == pytest.approx(1.5)
    assert law.fit_cpu(16200) == pytest.approx(2e-6 * 16200**1.5)
    single = cost_law([200.0], [0.01])
    assert single.power == 1.0 and single.fit_cpu(2000) == pytest.approx(0.1)
    # A fit whose cost does not grow over small rounds is not extrapolated as free.
    flat = cost_law([200.0, 600.0], [0.01, 0.01])
    assert flat.power == 0.5


def test_the_leaderboard_cost_laws_drive_the_tuning_estimate() -> None:
    row = pd.Series(
        {"cost_coef": 1e-3, "cost_power": 1.0, "features_coef": 2e-4, "features_power": 1.0}
    )
    # One fold of a race round's cross-validation on 1000 rows: the features', the model's.
    assert fold_cpu(row, 1000) == pytest.approx((0.2, 1.0))
    linear = pd.Series({"fit_cpu_seconds": 1.0, "fits": 10, "rows": 100, "cost_coef": np.nan})
    assert fold_cpu(linear, 800) == pytest.approx((0.0, 0.1 * 800 / 100))


def test_the_cost_law_flags_a_rung_far_cheaper_than_one_above_it() -> None:
    cost = {"logistic": 0.0103, "naive_bayes": 0.0081, "forest": 0.11, "boosting": 0.02}
    hints = out_of_order(list(cost), cost, factor=3)
    assert hints == ["boosting (~0.02 CPU s a fold) before forest (~0.11)"]
    assert out_of_order(["logistic", "naive_bayes"], cost, factor=3) == []


def scored(mean: float, rows: int, spread: float = 0.0) -> CVResult:
    scores = mean + spread * np.array([-1.0, 1.0, -1.0, 1.0])
    return CVResult(
        scores, fit_cpu=0.1, predict_cpu=0.0, test_fraction=0.2, model_bytes=0, rows=rows
    )


def test_the_curve_gains_less_with_each_tripling_of_the_rows() -> None:
    before, last = scored(0.6, 100), scored(0.7, 300)
    # score(n) = a - b / sqrt(n): each tripling gains 1/sqrt(3) of the one before.
    assert score_at(before, last, 900) == pytest.approx(0.7 + 0.1 / np.sqrt(3))
    assert score_at(before, last, 2700) == pytest.approx(0.7 + 0.1 / np.sqrt(3) + 0.1 / 3)
    assert on_course(before, last, 900, 0.75) and not on_course(before, last, 900, 0.76)
    assert not on_course(None, last, 900, 0.5)  # one size: no curve
    assert not on_course(before, last, 300, 0.5)  # no more rows to grow into
    # A rise within the last round's noise is no curve either, whatever it forecasts.
    noisy = scored(0.7, 300, spread=0.2)
    assert noisy.se > 0.1 and not on_course(before, noisy, 10**6, 0.5)


def ladder(params: Params) -> dict[str, Rung]:
    dummy, rival = list(params.ladder.values())[:2]
    twin = Rung(estimator=dummy.estimator, params=TWIN)
    return dict(dummy=dummy, twin=twin, rival=rival, other=rival)


def racing(params: Params, **baselines) -> Params:
    changed = params.baselines.model_copy(update={"cv_folds": 3, **baselines})
    return params.model_copy(update={"ladder": ladder(params), "baselines": changed})


def test_a_reached_target_ends_the_race_and_later_rungs_are_not_needed(
    make_frame: Frame, params: Params, done: Done
) -> None:
    params = racing(params, top_k=3)
    easy = done.model_copy(update={"target": -1e9})  # the first rival reaches it
    history = race(make_frame(48), make_frame, 480, params, easy)
    assert history.reached == "twin" and len(history.rounds) == 1
    assert list(history.rounds[0][1]) == ["dummy", "twin"]
    board = leaderboard(history, params).set_index("model")
    assert board.loc["rival", "why"] == "not needed: twin reached the target in round 0"
    assert board.loc["other", "why"] == board.loc["rival", "why"]
    assert np.isnan(board.loc["rival", "score"]) and not board.loc["rival", "kept"]


def test_clearly_worse_rungs_leave_and_the_rest_see_more_rows(
    make_frame: Frame, params: Params, done: Done
) -> None:
    params = racing(params, top_k=1, factor=2, max_rows=200)
    hard = done.model_copy(update={"target": 1e9})  # never reached: the race runs its rounds
    asked: list[int] = []

    def more(rows: int) -> pd.DataFrame:
        asked.append(rows)
        return make_frame(rows, seed=1)

    history = race(make_frame(48), more, 10_000, params, hard)
    first = history.rounds[0][1]
    assert list(first) == ["dummy", "twin", "rival", "other"]  # round 0: ladder order
    assert history.left["twin"][0] == 0
    assert history.left["twin"][1].startswith("dropped in round 0 (48 rows): clearly worse than")
    # Two rivals left, top_k=1: they race on 2x the rows, drawn from the training split.
    assert asked[0] == 96 and history.rounds[1][0] == 96
    assert "twin" not in history.rounds[1][1] and "dummy" in history.rounds[1][1]
    table = history.history()
    assert table.groupby("model")["round"].max().to_dict()["twin"] == 0
    assert set(table["rows"]) >= {48, 96}
    board = leaderboard(history, params).set_index("model")
    assert board.index.tolist() == ["dummy", "twin", "rival", "other"]
    assert board.loc["twin", "round"] == 0 and board.loc["twin", "rows"] == 48
    assert board.loc["rival", "fits"] == sum(
        len(results["rival"].scores) for _, results in history.rounds if "rival" in results
    )
    assert board["kept"].sum() <= 1
    assert board.loc[["rival", "other"], "cost_power"].between(0.5, 2.0).all()


def blurred(frame: pd.DataFrame, target: str, seed: int = 0) -> pd.DataFrame:
    """`frame` with a fifth of its labels scrambled: no rung scores perfectly, every SE > 0."""
    rng = np.random.default_rng(seed)
    blurred, rows = frame.copy(), rng.random(len(frame)) < 0.2
    labels = blurred[target].to_numpy().copy()
    labels[rows] = rng.permutation(labels[rows])
    if pd.api.types.is_numeric_dtype(labels):
        labels = labels.astype(float)
        labels[rows] += rng.normal(scale=labels.std(), size=int(rows.sum()))
    blurred[target] = labels
    return blurred


def test_a_rung_within_its_standard_error_of_the_target_grows_before_dearer_rungs_run(
    make_frame: Frame, params: Params, done: Done
) -> None:
    params = racing(params, top_k=3, max_rows=500)
    target = params.data.target
    first = blurred(make_frame(48), target)
    hard = done.model_copy(update={"target": 1e9})
    score = race(first, make_frame, 480, params, hard).rounds[0][1]["rival"]
    assert score.se > 0
    # Above its score, within its standard error: promising, not reached.
    near = done.model_copy(update={"target": score.mean + score.se / 2})
    drawn: list[int] = []

    def more(rows: int) -> pd.DataFrame:
        drawn.append(rows)
        return blurred(make_frame(rows, seed=1), target, seed=1)

    history = race(first, more, 480, params, near)
    steps = history.steps
    # The rival went on to round 1 before the rung after it ran in round 0, if that ran at all
    # (the rival may have reached the target on more rows, and ended the race).
    grown = steps.index((1, "rival"))
    assert (0, "other") in steps[grown:] or history.reached == "rival"
    assert steps[grown - 1] == (1, "dummy")
    assert drawn[0] == 144  # round 1: 3x the rows
    table = history.history()
    assert table["step"].tolist() == list(range(len(table)))


def test_a_grown_rung_that_reaches_the_target_ends_the_race_and_is_kept(
    make_frame: Frame, params: Params, done: Done
) -> None:
    params = racing(params, top_k=1, max_rows=500)
    first = blurred(make_frame(48), params.data.target)
    hard = done.model_copy(update={"target": 1e9})
    rival = race(first, make_frame, 480, params, hard).rounds[0][1]["rival"]
    # Short of the target by a little on 48 blurred rows; reached on more rows, whose labels
    # the features predict cleanly.
    target = rival.mean - rival.se / 4
    history = race(first, make_frame, 480, params, done.model_copy(update={"target": target}))
    assert history.reached == "rival"
    assert history.steps[-1][1] == "rival" and history.steps[-1][0] >= 1
    board = leaderboard(history, params).set_index("model")
    assert board.loc["rival", "kept"] and board.loc["rival", "why"].startswith("kept: reached")
    assert board.loc["other", "why"].startswith("not needed: rival reached the target in round")


def test_a_rung_whose_learning_curve_is_on_course_grows_before_dearer_rungs_run(
    make_frame: Frame, params: Params, done: Done
) -> None:
    params = racing(params, top_k=1, max_rows=500)  # rival and other (alike) race every round
    target = params.data.target
    first = blurred(make_frame(48), target)

    def more(rows: int) -> pd.DataFrame:
        return make_frame(rows, seed=1)  # labels the features predict cleanly: a steep curve

    hard = done.model_copy(update={"target": 1e9})
    rounds = race(first, more, 480, params, hard).rounds
    assert [size for size, _ in rounds] == [48, 144, 480]
    before, last = rounds[0][1]["rival"], rounds[1][1]["rival"]
    # Beyond round 1's score and its noise (not promising), within the forecast for round 2.
    aim = score_at(before, last, 480) - last.se - 1e-6
    assert aim > last.mean + last.se and on_course(before, last, 480, aim)
    history = race(first, more, 480, params, done.model_copy(update={"target": aim}))
    steps = history.steps
    grown = steps.index((1, "rival"))
    assert steps[grown + 1 : grown + 3] == [(2, "dummy"), (2, "rival")]
    assert (1, "other") not in steps[:grown]
