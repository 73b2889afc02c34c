"""The app's settings for a run, the `flask` command and gunicorn serving benchmarks._bench_app:app."""

from __future__ import annotations

import contextlib
import http.client
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP_MODULE = "benchmarks._bench_app:app"
HEALTH_PATH = "/healthz"


def app_settings(url: str, instance: Path, port: int) -> dict[str, str]:
    """The app's PARTICIPATION_* settings for a benchmark run: its own database, instance and secret."""
    return {
        "PARTICIPATION_DATABASE_URL": url,
        "PARTICIPATION_INSTANCE_PATH": str(instance),
        "PARTICIPATION_SECRET_KEY": secrets.token_hex(32),
        "PARTICIPATION_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
    }


def app_environment(settings: dict[str, str]) -> dict[str, str]:
    """This process's environment without any other PARTICIPATION_* setting, plus the given ones."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PARTICIPATION_")}
    return {**env, **settings, "PYTHONDONTWRITEBYTECODE": "1"}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    """`flask --app participation …` in the repository, its output dropped; `stdin` is typed into it."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "participation", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        text=stdin is not None,
        check=True,
        stdout=subprocess.DEVNULL,
    )


@contextlib.contextmanager
def gunicorn(env: dict[str, str], *, port: int, workers: int, threads: int, log: Path) -> Iterator[int]:
    """Serve APP_MODULE with gunicorn until the block ends; stop it cleanly (SIGTERM) whatever happens."""
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"127.0.0.1:{port}",
        "--chdir",
        str(ROOT),
        "--no-control-socket",
        "--log-level",
        "warning",
        APP_MODULE,
    ]
    with log.open("wb") as log_file:
        # Its own session: Ctrl+C reaches only this script, which then stops gunicorn in order.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            wait_until_healthy(process, port, log)
            yield process.pid
        finally:
            stop_server(process)


def wait_until_healthy(process: subprocess.Popen[bytes], port: int, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail(log)}")
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            connection.request("GET", HEALTH_PATH)
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        finally:
            connection.close()
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn did not answer {HEALTH_PATH} within {timeout:.0f} s:\n{tail(log)}")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)  # gunicorn: graceful shutdown of the master and its workers
    try:
        process.wait(timeout=35)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def server_errors(log: Path) -> int:
    """How many tracebacks gunicorn logged; prints the log's tail when there are any."""
    count = log.read_text(errors="replace").count("Traceback")
    if count:
        print(f"gunicorn logged {count} tracebacks; the last lines:\n{tail(log)}", file=sys.stderr)
    return count
