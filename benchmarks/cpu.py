"""CPU as the thrift benchmark counts it: process_time with one BLAS thread, and run medians."""

from __future__ import annotations

import math
import statistics
import time
import warnings

from threadpoolctl import threadpool_limits


def measured(fn, *args):
    """`fn(*args)` and the CPU seconds it took, with one BLAS thread and warnings silenced."""
    with threadpool_limits(limits=1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.process_time()
        result = fn(*args)
        return result, time.process_time() - start


def median(runs: list[float | None]) -> float | None:
    """The median CPU of some runs; a run that never reached T (None) counts as endless."""
    middle = statistics.median(math.inf if cpu is None else cpu for cpu in runs)
    return None if math.isinf(middle) else middle
