"""gunicorn settings, from the environment (see deploy/survey.env.example).

Sync workers: the work behind a request is short database and template work, and long work
runs as jobs. Workers default to 2 × CPUs + 1, as gunicorn's documentation advises.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Recycle workers now and then so a slow leak in a library cannot grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
wsgi_app = "config.wsgi:application"
# systemd manages the processes; no runtime control socket (two instances would share its path).
control_socket_disable = True

# Access lines to stdout without the query string (it may carry search terms), with the time
# taken; errors to stderr. journald collects both under systemd.
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
