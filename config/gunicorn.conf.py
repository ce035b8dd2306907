"""gunicorn settings, from the environment (see deploy/survey.env.example).

Sync workers: the work behind a request is short database and template work, and long work
runs as jobs. Workers default to 2 × CPUs + 1, as gunicorn's documentation advises.
"""

import multiprocessing
import os
import resource

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a library cannot grow without bound, and
# sooner when one's memory passes a ceiling (post_request).
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
max_worker_mb = int(os.environ.get("GUNICORN_MAX_WORKER_MB", 256))
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
# systemd manages the processes; no runtime control socket (two instances would share its path).
control_socket_disable = True

# Access lines to stdout without the query string (it may carry search terms), with the time
# taken; errors to stderr. journald collects both under systemd.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


def post_worker_init(worker):
    """Every view imported (the URLconf), then what start-up left alive frozen, as the job
    worker does (jobs.start_up): a full collection then walks only what requests allocate, so
    it is cheap, and it comes often enough that one request's garbage is freed before the
    next request's raises the worker's high-water mark."""
    from django.urls import get_resolver

    from jobs.start_up import freeze_start_up_heap

    get_resolver().url_patterns  # noqa: B018 - imports every view module
    freeze_start_up_heap()


def post_request(worker, req, environ, resp):
    """A worker whose peak memory passed the ceiling finishes this request and is replaced
    (as max_requests does): the heap a Python process has grown is rarely given back."""
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux
    if peak_mb > max_worker_mb and worker.alive:
        worker.log.info(
            "Worker at %.0f MB, above %d MB: replaced after this request", peak_mb, max_worker_mb
        )
        worker.alive = False
