"""The shipped units and nginx site, run for real: the units' ExecStart lines (gunicorn with
DEBUG off, a job worker, the schedule run) behind Debian's nginx with TLS on 127.0.0.1."""

import os
import re
import secrets
import subprocess

import pytest
import requests
import urllib3
from cryptography.fernet import Fernet
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Role, User
from jobs.models import Job, Worker
from tests.deploy.processes import (
    DEPLOY,
    ROOT,
    UNITS,
    exec_start,
    free_port,
    installed_unit,
    read_env_file,
    require,
    stop,
    wait_for_port,
    wait_until_ready,
)
from tests.factories import authenticator_code
from tests.jobs.worker import database_url, wait_until

pytestmark = pytest.mark.django_db(transaction=True)
HOST = "survey.example.org"


def test_the_units_pass_systemd_analyze_verify(tmp_path):
    require("systemd-analyze")
    env_file = tmp_path / "survey.env"
    env_file.write_text("DEBUG=0\n")
    for name in [*UNITS, "survey-schedules.timer"]:
        (tmp_path / name).write_text(installed_unit(name, env_file))

    result = subprocess.run(
        ["systemd-analyze", "verify", "survey-web.service", "survey-worker@1.service",
         "survey-schedules.service", "survey-schedules.timer"],
        cwd=tmp_path, capture_output=True, text=True,
    )  # fmt: skip

    assert result.returncode == 0, result.stderr


def _nginx_site(tmp_path, *, http: int, https: int, app: int) -> str:
    site = (DEPLOY / "nginx-survey.conf").read_text()
    site = site.replace("listen [::]:80;", "").replace("listen [::]:443 ssl http2;", "")
    site = site.replace("listen 80;", f"listen 127.0.0.1:{http};")
    site = site.replace("listen 443 ssl http2;", f"listen 127.0.0.1:{https} ssl http2;")
    site = site.replace("https://$host$request_uri", f"https://$host:{https}$request_uri")
    site = site.replace("server 127.0.0.1:8000", f"server 127.0.0.1:{app}")
    site = site.replace("/etc/ssl/survey", str(tmp_path))
    return site.replace("/var/log/nginx", str(tmp_path))


def _start_nginx(tmp_path, site: str) -> subprocess.Popen:
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", f"/CN={HOST}", "-keyout", tmp_path / "privkey.pem",
         "-out", tmp_path / "fullchain.pem"],
        check=True, capture_output=True,
    )  # fmt: skip
    (tmp_path / "site.conf").write_text(site)
    temp = {name: tmp_path / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    (tmp_path / "nginx.conf").write_text(
        f"daemon off; worker_processes 1; pid {tmp_path}/nginx.pid;\n"
        f"error_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ include /etc/nginx/mime.types;\n"
        f"client_body_temp_path {temp['body']}; proxy_temp_path {temp['proxy']};\n"
        f"fastcgi_temp_path {temp['fastcgi']}; uwsgi_temp_path {temp['uwsgi']};\n"
        f"scgi_temp_path {temp['scgi']};\ninclude {tmp_path}/site.conf; }}\n"
    )
    check = subprocess.run(["nginx", "-t", "-c", tmp_path / "nginx.conf"], capture_output=True)
    assert check.returncode == 0, check.stderr.decode()
    return subprocess.Popen(["nginx", "-c", tmp_path / "nginx.conf"])


@pytest.fixture
def deployment(tmp_path, settings):
    """The env template filled in for this machine, static files collected, gunicorn and a
    worker started from their units' ExecStart lines, nginx in front."""
    require("nginx", "openssl")
    app, http, https = free_port(), free_port(), free_port()
    env = read_env_file(DEPLOY / "survey.env.example")
    env.update(
        SECRET_KEY=secrets.token_urlsafe(64),
        PERSONAL_DATA_KEYS=Fernet.generate_key().decode(),
        PERSONAL_DATA_HASH_KEY=secrets.token_urlsafe(32),
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}:{https}",
        DATABASE_URL=database_url(),
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(settings.MEDIA_ROOT),
        GUNICORN_BIND=f"127.0.0.1:{app}",
        GUNICORN_WORKERS="2",
        JOBS_HEARTBEAT_SECONDS="0.5",
    )
    env_file = tmp_path / "survey.env"
    env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
    process_env = {**os.environ, **env}
    process_env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    subprocess.run(
        [str(ROOT / ".venv/bin/python"), "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT, env=process_env, check=True,
    )  # fmt: skip
    units = {name: installed_unit(name, env_file) for name in UNITS}
    web = subprocess.Popen(exec_start(units["survey-web.service"]), cwd=ROOT, env=process_env)
    worker = subprocess.Popen(
        exec_start(units["survey-worker@.service"]), cwd=ROOT, env=process_env
    )
    nginx = _start_nginx(tmp_path, _nginx_site(tmp_path, http=http, https=https, app=app))
    try:
        wait_for_port(https)
        wait_until_ready(app, HOST)
        yield {"http": http, "https": https, "env": process_env, "units": units, "logs": tmp_path}
    finally:
        for process in (nginx, worker, web):
            stop(process)


def test_the_deployment_serves_pages_static_files_and_health_through_nginx(deployment, settings):
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # the app's
    ana = User.objects.create_user(username="ana", password="pw-Deploy-2026", role=Role.ANALYST)
    authenticator = TOTPDevice.objects.create(user=ana, name="authenticator", confirmed=True)
    base = f"https://127.0.0.1:{deployment['https']}"
    session = requests.Session()
    session.trust_env = False  # REQUESTS_CA_BUNDLE would override verify=False
    session.verify = False
    session.headers["Host"] = HOST

    plain = session.get(
        f"http://127.0.0.1:{deployment['http']}/login/", headers={"Host": HOST},
        allow_redirects=False, timeout=10,
    )  # fmt: skip
    login = session.get(f"{base}/login/", timeout=10)
    stylesheet = re.search(r'href="(/static/css/app\.[0-9a-f]{12}\.css)"', login.text)
    static = session.get(base + stylesheet.group(1), timeout=10) if stylesheet else None
    session.post(
        f"{base}/login/",
        data={"username": "ana", "password": "pw-Deploy-2026",
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"https://{HOST}:{deployment['https']}/login/"},
        timeout=10,
    )  # fmt: skip
    session.post(  # the analyst's second factor
        f"{base}/account/two-step/verify/",
        data={"code": authenticator_code(authenticator),
              "csrfmiddlewaretoken": session.cookies["csrftoken"]},
        headers={"Referer": f"https://{HOST}:{deployment['https']}/account/two-step/verify/"},
        timeout=10,
    )  # fmt: skip
    jobs_page = session.get(f"{base}/jobs/", timeout=10)
    session.get(f"{base}/jobs/", params={"status": "failed", "q": "13800000000"}, timeout=10)
    health = session.get(
        f"http://127.0.0.1:{deployment['http']}/healthz", allow_redirects=False, timeout=10
    )

    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")
    assert login.status_code == 200 and stylesheet, "hashed static files (collectstatic)"
    assert static.status_code == 200 and "immutable" in static.headers["Cache-Control"]
    assert session.cookies.get("sessionid") and jobs_page.status_code == 200
    assert jobs_page.url.endswith("/jobs/")
    assert health.status_code == 200  # the load balancer's check, over plain HTTP
    access_log = (deployment["logs"] / "survey.access.log").read_text()
    assert access_log.count('"GET /jobs/"') == 2  # with and without a query string
    assert "?" not in access_log and "13800000000" not in access_log


def test_health_reports_the_worker_and_the_schedule_run_starts_its_jobs(deployment):
    urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    url = f"https://127.0.0.1:{deployment['https']}/healthz"

    wait_until(lambda: Worker.objects.exists(), what="the worker's heartbeat")
    session = requests.Session()
    session.trust_env = False
    health = session.get(url, headers={"Host": HOST}, verify=False, timeout=10).json()
    schedules = subprocess.run(
        exec_start(deployment["units"]["survey-schedules.service"]),
        cwd=ROOT, env=deployment["env"], capture_output=True, text=True,
    )  # fmt: skip

    assert health["status"] == "ok" and health["database"] and health["storage"]
    assert health["queue"]["workers_alive"] == 1
    assert schedules.returncode == 0, schedules.stderr
    wait_until(
        lambda: Job.objects.filter(status=Job.Status.SUCCEEDED).exists(),
        what="the scheduled job to run on the worker",
    )
