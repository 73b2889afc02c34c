"""The app behind Debian's nginx with TLS, as the README recommends: deploy/delaktig.nginx.conf, run.

nginx runs as this user in the foreground, with a self-signed certificate for the public name (made by the
`openssl` command) and the site file from deploy/ with only its ports and file paths changed. Behind it,
the app is started from deploy/delaktig.service's ExecStartPre and ExecStart lines (systemd cannot run in
a test, so those command lines are run as they stand, on a free port and with one worker) with the
settings of deploy/delaktig.env.example, but for a fresh database of the suite's kind. Clients connect
to nginx from loopback addresses of their own (127.0.0.2, 127.0.0.3), which must reach the app as the
client's address (for rate limits) and never appear in any log.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from participation import create_app
from participation.extensions import db
from tests.conftest import TEST_DATABASE_URL
from tests.factories import PASSWORD, gen_forum_session, gen_placement, gen_survey, gen_user
from tests.processes import (
    NGINX_SITE,
    PUBLIC_HOST,
    Client,
    app_environment,
    csrf_from,
    env_file,
    free_port,
    fresh_database,
    gunicorn,
    run_exec_start_pre,
    stop,
    wait_for,
)

CLIENT, OTHER_CLIENT = "127.0.0.2", "127.0.0.3"
NGINX = shutil.which("nginx") or next(
    (path for path in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(path, os.X_OK)), None
)

if NGINX is None and os.environ.get("REQUIRE_BROWSER") != "1":
    pytest.skip("nginx is not installed (apt-get install nginx)", allow_module_level=True)


@dataclass
class Site:
    https: int
    http: int
    app: int
    code: str
    placement_id: int
    slug: str
    forum_code: str
    email: str
    logs: list[Path]

    def client(self, source: str = CLIENT) -> Client:
        return Client(self.https, tls=True, host=PUBLIC_HOST, source=source)


def site_file(tmp: Path, *, https: int, http: int, app: int) -> Path:
    """deploy/delaktig.nginx.conf with the test's ports, certificate and log; each replaced line must be there."""
    text = NGINX_SITE.read_text()
    for old, new in {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{https} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{http};",
        "http://127.0.0.1:8000;": f"http://127.0.0.1:{app};",
        f"/etc/letsencrypt/live/{PUBLIC_HOST}/fullchain.pem": str(tmp / "cert.pem"),
        f"/etc/letsencrypt/live/{PUBLIC_HOST}/privkey.pem": str(tmp / "key.pem"),
        "/var/log/nginx/delaktig.error.log": str(tmp / "delaktig.error.log"),
    }.items():
        assert old in text, f"{NGINX_SITE.name} no longer has {old!r}"
        text = text.replace(old, new)
    path = tmp / "delaktig.conf"
    path.write_text(text)
    return path


def nginx_conf(tmp: Path, site: Path) -> Path:
    """A main configuration like Debian's /etc/nginx/nginx.conf (the http block includes the site)."""
    for name in ("logs", "temp"):
        (tmp / name).mkdir(exist_ok=True)
    temp = tmp / "temp"
    user = pwd.getpwuid(os.getuid()).pw_name
    conf = tmp / "nginx.conf"
    conf.write_text(
        f"""
{"user " + user + ";" if os.getuid() == 0 else ""}
worker_processes 1;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {tmp / "logs" / "access.log"};
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {site};
}}
"""
    )
    return conf


def certificate(tmp: Path) -> None:
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-keyout", str(tmp / "key.pem"), "-out", str(tmp / "cert.pem"),
            "-subj", f"/CN={PUBLIC_HOST}", "-addext", f"subjectAltName=DNS:{PUBLIC_HOST}",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip


def _seed(url: str, secret: str) -> dict[str, object]:
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": secret})
    with app.app_context():
        survey = gen_survey("proxad")
        placement = gen_placement(survey, "NGINX1")
        forum = gen_forum_session(items=("Ja", "Nej"))
        seeded = {
            "code": placement.code,
            "placement_id": placement.id,
            "slug": survey.slug,
            "forum_code": forum.code,
            "email": gen_user("staff").email,
        }
        db.session.remove()
        db.engine.dispose()
    return seeded


@pytest.fixture()
def site(tmp_path: Path) -> Iterator[Site]:
    assert NGINX is not None, "nginx is not installed (apt-get install nginx); REQUIRE_BROWSER=1 needs it"
    with fresh_database(TEST_DATABASE_URL, tmp_path) as url:
        settings = env_file()
        assert settings["PARTICIPATION_PUBLIC_BASE_URL"] == f"https://{PUBLIC_HOST}"
        assert settings["PARTICIPATION_TRUSTED_PROXIES"] == "1"
        settings.update(
            PARTICIPATION_DATABASE_URL=url,
            PARTICIPATION_SECRET_KEY=secrets.token_hex(32),
            PARTICIPATION_INSTANCE_PATH=str(tmp_path / "instance"),
            # One worker counts in memory what Redis counts for several (tests/deploy/test_scale_out.py).
            PARTICIPATION_RATELIMIT_STORAGE_URI="memory://",
        )
        env = app_environment(settings)
        run_exec_start_pre(env)
        seeded = _seed(url, settings["PARTICIPATION_SECRET_KEY"])
        ports = {"https": free_port(), "http": free_port(), "app": free_port()}
        certificate(tmp_path)
        conf = nginx_conf(tmp_path, site_file(tmp_path, **ports))
        logs = [tmp_path / name for name in ("app.log", "nginx.log", "delaktig.error.log", "logs/access.log")]
        with gunicorn(env, ports["app"], logs[0], workers=1), logs[1].open("wb") as output:
            nginx = subprocess.Popen(
                [NGINX, "-p", str(tmp_path), "-c", str(conf), "-g", f"daemon off; pid {tmp_path}/nginx.pid;"],
                stdout=output,
                stderr=subprocess.STDOUT,
            )
            try:
                proxied = Site(logs=logs, **ports, **seeded)  # type: ignore[arg-type]
                wait_for(lambda: proxied.client().get("/healthz")[0] == 200, nginx, logs[1])
                yield proxied
            finally:
                stop(nginx)


def _cookie_attributes(line: str) -> set[str]:
    return {part.strip().split("=")[0].lower() for part in line.split(";")[1:]}


def test_behind_nginx_cookies_are_secure_hsts_is_sent_and_pages_are_compressed(site: Site) -> None:
    phone = site.client()
    status, headers, _page = phone.get(f"/q/{site.code}")
    assert status == 302
    status, headers, page = phone.get(headers["Location"], headers={"Accept-Encoding": "gzip"})
    assert status == 200 and 'name="submission_key"' in page
    assert headers["Strict-Transport-Security"] == "max-age=31536000"
    assert headers["Content-Encoding"] == "gzip"  # by nginx: the app sends pages uncompressed
    assert {"secure", "httponly"} <= _cookie_attributes(phone.set_cookies["delaktig_device"])

    for asset in ("/static/css/app.css", "/static/js/survey.js"):
        status, headers, _body = phone.get(asset, headers={"Accept-Encoding": "gzip"})
        assert (status, headers["Content-Encoding"]) == (200, "gzip"), asset

    staff = site.client()
    token = csrf_from(staff.get("/staff/login")[2])
    login = staff.post("/staff/login", {"csrf_token": token, "email": site.email, "password": PASSWORD})
    assert login[0] == 302
    assert {"secure", "httponly"} <= _cookie_attributes(staff.set_cookies["delaktig_session"])

    # Plain HTTP only sends people on to HTTPS; the app itself gives HSTS only over HTTPS.
    status, headers, _body = Client(site.http, host=PUBLIC_HOST, source=CLIENT).get("/sv/")
    assert (status, headers["Location"]) == (301, f"https://{PUBLIC_HOST}/sv/")
    status, headers, _body = Client(site.app).get("/healthz")
    assert status == 200 and "Strict-Transport-Security" not in headers


def test_posters_and_the_forum_screen_give_the_public_https_address(site: Site) -> None:
    staff = site.client()
    token = csrf_from(staff.get("/staff/login")[2])
    assert (
        staff.post("/staff/login", {"csrf_token": token, "email": site.email, "password": PASSWORD})[0] == 302
    )
    status, _headers, poster = staff.get(f"/staff/placements/{site.placement_id}/poster")
    assert status == 200
    assert f"{PUBLIC_HOST}/q/{site.code}" in poster
    assert "127.0.0.1" not in poster  # nor the warning that the codes point at this computer
    status, _headers, screen = site.client().get(f"/sv/f/{site.forum_code}/screen")
    assert status == 200 and f"{PUBLIC_HOST}/q/{site.forum_code}" in screen
    # The QR codes encode the same address; an SVG from nginx comes compressed.
    status, headers, _svg = staff.get(
        f"/staff/placements/{site.placement_id}/qr.svg", headers={"Accept-Encoding": "gzip"}
    )
    assert (status, headers["Content-Encoding"]) == (200, "gzip")


def test_rate_limits_count_each_client_behind_the_proxy_and_no_log_has_its_address(site: Site) -> None:
    """The proxy's X-Forwarded-For is the client's address: a survey's 30 sends a minute per address.

    (Per phone, once it has its cookie; without one, as here, per address: behind the proxy without
    the forwarded address every participant in town would share one count.)
    """
    path, broken = f"/sv/s/{site.slug}", {"submission_key": "-"}  # refused at once (400), but counted
    sender = site.client(CLIENT)
    assert [sender.post(path, broken)[0] for _ in range(30)] == [400] * 30
    assert sender.post(path, broken)[0] == 429
    # A header sent by the client itself is replaced by nginx: no way round the limit.
    assert sender.request("POST", path, broken, headers={"X-Forwarded-For": "198.51.100.7"})[0] == 429
    assert site.client(OTHER_CLIENT).post(path, broken)[0] == 400  # someone else, through the same proxy

    logged = "\n".join(log.read_text() if log.exists() else "" for log in site.logs)
    assert '"route": "/<lang>/s/<slug>", "status": 429' in logged  # the app's request log is there
    assert [address for address in (CLIENT, OTHER_CLIENT, "198.51.100.7") if address in logged] == []
