"""Running one benchmark from the command line: a temporary folder, clean stops, an exit code."""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from benchmarks.harness.client import ClientError


def _raise_keyboard_interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def stop_on_sigterm() -> None:
    """Clean up on kill as on Ctrl+C."""
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)


def run_benchmark(body: Callable[[Path], int], prefix: str, keep: bool = False) -> int:
    """Run one benchmark in a temporary folder and turn the usual failures into an exit code.

    The folder (instance, SQLite file, gunicorn log) is removed afterwards unless `keep` is set.
    """
    temp = Path(tempfile.mkdtemp(prefix=prefix))
    try:
        return body(temp)
    except subprocess.CalledProcessError as exc:
        print(f"Failed: {' '.join(map(str, exc.cmd))} exited with {exc.returncode}.", file=sys.stderr)
        return 1
    except ClientError as exc:
        print(f"Failed: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; gunicorn stopped.", file=sys.stderr)
        return 130
    finally:
        if not keep:
            shutil.rmtree(temp, ignore_errors=True)
