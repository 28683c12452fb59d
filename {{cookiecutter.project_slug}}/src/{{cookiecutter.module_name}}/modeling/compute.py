"""Where model work runs: in this process and joblib's workers, or on a Dask cluster.

With `compute.backend: dask`, every joblib parallel call inside `engine` (the folds of the
cross-validation, the fits of the searches, the learning curve) goes to a Dask cluster through
joblib's Dask backend: a `distributed.LocalCluster` started here, or the scheduler at
`compute.scheduler`. Folds are seeded and estimators' `random_state` fixed, so the scores are
the same as a local run's. Dask is imported only then: local runs start without it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

from ..core.config import ComputeParams
from ..core.settings import ThriftyError

log = logging.getLogger(__name__)

# A scheduler that is up answers in milliseconds; a wrong address must fail, not hang.
CONNECT_SECONDS = 5
WORKERS_SECONDS = 10
EXTRA = (
    "compute.backend: dask needs the `dask` extra: `make setup EXTRAS=dask` "
    "or `uv pip install -e '.[dask]'`"
)


def runs_elsewhere(compute: ComputeParams) -> bool:
    """Whether model work runs in other processes, out of sight of this process's CPU clock."""
    return compute.backend == "dask" or compute.n_jobs != 1


def local_workers(n_jobs: int) -> int:
    """Workers of a LocalCluster: `n_jobs`, or one a core when it is not positive."""
    return n_jobs if n_jobs > 0 else os.cpu_count() or 1


@contextmanager
def engine(compute: ComputeParams) -> Iterator[None]:
    """Run the block's joblib parallel calls where `compute` says; start and stop a cluster."""
    if compute.backend == "local":
        yield
        return
    with ExitStack() as stack:
        _dask(compute, stack)
        yield


def _dask(compute: ComputeParams, stack: ExitStack) -> None:
    """Connect to (or start) the cluster, check its workers, make it joblib's backend."""
    try:
        import distributed
        from joblib import parallel_config
    except ImportError:
        raise ThriftyError(EXTRA) from None
    # Dask logs every worker's start and stop at INFO; the stage's own log says what matters.
    logging.getLogger("distributed").setLevel(logging.WARNING)
    if compute.scheduler is None:
        workers = local_workers(compute.n_jobs)
        cluster = distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,  # one fit at a time per process, as joblib's workers do
            processes=True,
            host="127.0.0.1",  # reachable from this machine only
            dashboard_address="127.0.0.1:0",  # its status pages: a free port, loopback only
            silence_logs=logging.WARNING,
        )
        stack.enter_context(cluster)
        address = cluster.scheduler_address
        log.info("started a LocalCluster of %d workers at %s", workers, address)
    else:
        address = compute.scheduler
    try:
        client = distributed.Client(address, timeout=CONNECT_SECONDS, set_as_default=True)
    except (OSError, TimeoutError) as error:
        raise ThriftyError(
            f"compute.scheduler: no Dask scheduler answered at {address} within "
            f"{CONNECT_SECONDS} s ({error.__class__.__name__}); check that `dask scheduler` "
            "runs there, that the host and port are right and that a firewall lets them "
            "through, or set compute.scheduler: null to start a cluster on this machine"
        ) from None
    stack.enter_context(client)
    _check_workers(client, address)
    plugin = _sequential_inside(distributed)
    client.register_plugin(plugin)
    stack.callback(client.unregister_worker_plugin, plugin.name)
    stack.enter_context(parallel_config(backend="dask"))
    log.info("model work runs on the Dask cluster at %s", address)


def _check_workers(client, address: str) -> None:
    """Fail clearly when the cluster has no workers, or workers that cannot run our code."""
    try:
        client.wait_for_workers(1, timeout=WORKERS_SECONDS)
    except TimeoutError:
        raise ThriftyError(
            f"compute.scheduler: the Dask scheduler at {address} has no workers after "
            f"{WORKERS_SECONDS} s; start one on each machine with `dask worker {address}`"
        ) from None
    package = __name__.split(".")[0]
    # Tasks are this package's functions, unpickled by import: a worker without the project
    # installed would fail every task.
    try:
        client.run(exec, f"import {package}")
    except ImportError as error:
        raise ThriftyError(
            f"the Dask workers of {address} cannot import {package} ({error}): install this "
            "project on every worker (`pip install -e .` in a copy of it, with the same "
            "dependencies), then restart the workers"
        ) from None


def _sequential_inside(distributed):
    """A worker plugin that runs nested joblib calls inside a task one after the other.

    joblib's Dask backend ignores n_jobs and sends every nested call (a forest's trees, a
    logistic regression's classes) to the scheduler as tasks too: 26,331 transitions instead
    of 704 for the random forest's search on the demo, and 3.6 times slower. joblib has no
    public setting for the nested backend, so while this run is connected, the `dask` backend
    a task sees on its worker is the sequential one; the teardown puts it back.
    """

    class SequentialInside(distributed.WorkerPlugin):
        name = "thrifty-sequential-inside"

        def setup(self, worker) -> None:
            from joblib import parallel

            self.previous = parallel.BACKENDS.get("dask")
            parallel.BACKENDS["dask"] = parallel.BACKENDS["sequential"]

        def teardown(self, worker) -> None:
            from joblib import parallel

            if self.previous is None:  # joblib registers it again on first use
                parallel.BACKENDS.pop("dask", None)
            else:
                parallel.BACKENDS["dask"] = self.previous

    return SequentialInside()
