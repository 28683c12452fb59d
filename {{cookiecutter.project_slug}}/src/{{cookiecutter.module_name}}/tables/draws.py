"""Seeded draws that stay put: which rows are held out, and which rows a sample keeps.

Each row's draw is a hash of its position in the file and a seed (murmur3's 32-bit finaliser,
which maps distinct positions to distinct values, so no two rows tie), not a shuffle of the
whole file. A split is therefore decided one chunk at a time, and rows added at the end of the
raw file never move an existing row to the other side. A sample keeps, per class, the rows with
the smallest draws: two passes over a file, in memory that grows with the sample, not the file.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from ..core.task import strata

log = logging.getLogger(__name__)

GOLDEN = 0x9E3779B9  # 2**32 / the golden ratio: consecutive seeds land far apart
SPAN = 2**32


def spread(positions: np.ndarray, seed: int) -> np.ndarray:
    """A uint32 per position, uniform and distinct for distinct positions below 2**32.

    murmur3's finaliser of `position + seed * GOLDEN` (mod 2**32), in numpy's wrapping uint32
    arithmetic: the same numbers any language or SQL engine gets from the same formula.
    """
    offset = np.uint64((seed * GOLDEN) % SPAN)
    h = ((np.asarray(positions, dtype=np.uint64) + offset) % np.uint64(SPAN)).astype(np.uint32)
    h ^= h >> np.uint32(16)
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def held_out(positions: np.ndarray, fraction: float, seed: int) -> np.ndarray:
    """Whether each position is a test row: its draw is in the lowest `fraction` of the span."""
    return spread(positions, seed) < np.uint64(round(fraction * SPAN))


def quotas(counts: Counter, rows: int, at_least: int) -> tuple[dict, dict]:
    """(rows each stratum keeps, rows added to rare strata) for a sample of `rows`.

    Proportional to `counts`, rounded by largest remainder so the quotas sum to `rows`; then
    every stratum is topped up to min(its rows, `at_least`), so a rare class is not left with
    fewer rows than the cross-validation folds (the sample may then exceed `rows`).
    """
    total = sum(counts.values())
    exact = {label: rows * n / total for label, n in counts.items()}
    keep = {label: int(share) for label, share in exact.items()}
    by_remainder = sorted(exact, key=lambda label: keep[label] - exact[label])
    for label in by_remainder[: rows - sum(keep.values())]:
        keep[label] += 1
    added = {}
    for label, n in counts.items():
        floor = min(n, at_least)
        if keep[label] < floor:
            added[label] = floor - keep[label]
            keep[label] = floor
    return keep, added


Read = Callable[[list[str] | None], Iterator[pd.DataFrame]]


def draw_rows(read: Read, target: str, rows: int, seed: int, at_least: int = 1) -> pd.DataFrame:
    """At most `rows` rows of the table `read` streams, keeping class proportions.

    `read(columns=None)` streams every column and `read(columns=[target])` only the target,
    each chunk indexed by row position. Pass one counts each stratum and keeps its smallest
    draws; pass two keeps the rows under each stratum's threshold. A table of at most `rows`
    rows comes back whole.
    """
    counts: Counter = Counter()
    smallest: dict = {}
    bound = max(rows, at_least)
    for chunk in read(columns=[target]):
        draws = pd.Series(spread(chunk.index.to_numpy(), seed), index=chunk.index)
        for label, group in draws.groupby(strata(chunk[target]), sort=False):
            counts[label] += len(group)
            kept = np.concatenate([smallest.get(label, np.empty(0, np.uint32)), group.to_numpy()])
            smallest[label] = np.partition(kept, bound - 1)[:bound] if len(kept) > bound else kept
    if sum(counts.values()) <= rows:
        return pd.concat(list(read(columns=None))).reset_index(drop=True)
    keep, added = quotas(counts, rows, at_least)
    if added:
        log.info(
            "topped up class(es) %s to min(their training rows, baselines.cv_folds=%d): "
            "%d row(s) added",
            ", ".join(f"{label!r} +{n}" for label, n in added.items()),
            at_least,
            sum(added.values()),
        )
    threshold = {label: np.sort(smallest[label])[n - 1] if n else -1 for label, n in keep.items()}
    parts = []
    for chunk in read(columns=None):
        draws = spread(chunk.index.to_numpy(), seed).astype(np.int64)
        limits = strata(chunk[target]).map(threshold).to_numpy(dtype=np.int64)
        parts.append(chunk[draws <= limits])
    return pd.concat(parts).reset_index(drop=True)


def in_memory(frame: pd.DataFrame) -> Read:
    """`draw_rows`' reader for a frame already in memory (one chunk, indexed by position)."""
    frame = frame.reset_index(drop=True)

    def read(columns: list[str] | None) -> Iterator[pd.DataFrame]:
        yield frame if columns is None else frame[columns]

    return read
