"""The app's processes run numpy's BLAS on one thread (common.threads, set at start-up)."""

from threadpoolctl import threadpool_info


def test_blas_runs_on_one_thread_once_django_has_started():
    import scipy.linalg  # noqa: F401  (scipy's own OpenBLAS, loaded after start-up)

    blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas"]
    assert blas, "numpy's BLAS is loaded"
    assert all(pool["num_threads"] == 1 for pool in blas)
