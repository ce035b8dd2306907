"""The app's processes run numpy's BLAS on one thread (common.threads, set at start-up)."""

import os
import subprocess
import sys

from threadpoolctl import threadpool_info


def test_blas_runs_on_one_thread_once_django_has_started():
    import scipy.linalg  # noqa: F401  (scipy's own OpenBLAS, loaded after start-up)

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS is loaded"
    assert all(pool["num_threads"] == 1 for pool in blas)


def test_a_blas_library_loaded_after_start_up_also_runs_on_one_thread():
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'config.settings');"
        "os.environ.pop('OPENBLAS_NUM_THREADS', None); django.setup();"
        "import scipy.linalg; from threadpoolctl import threadpool_info;"
        "print(sorted({p['num_threads'] for p in threadpool_info() if p['user_api'] == 'blas'}))"
    )
    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "[1]"
