"""One BLAS thread per process.

The app runs as several processes on few cores (gunicorn's workers, the job worker, the
schedules): every core already has a process to run. numpy's OpenBLAS would start a thread
per core in each of them for every matrix product, and those threads spin waiting for each
other when the cores are busy: on two shared cores a 90 × 10,000 product took 90 ms of CPU
with its threads and 3 ms with one. The results' products are small, so one thread is also
the fastest when the machine is idle. Called once at start-up (common.apps); the same
products give the same numbers.
"""

import os

import numpy  # noqa: F401  (loads OpenBLAS: threadpoolctl limits the libraries loaded)
from threadpoolctl import threadpool_limits

BLAS_THREADS = 1


def limit_blas_threads() -> None:
    """Limit the BLAS libraries loaded (numpy's) to BLAS_THREADS threads for the rest of
    the process, and those loaded later (scipy's own OpenBLAS, when scipy.linalg is
    imported) through the variable OpenBLAS reads when it loads."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", str(BLAS_THREADS))
    threadpool_limits(limits=BLAS_THREADS, user_api="blas")
