"""What every benchmark's report begins with, and the percentiles it gives."""

from __future__ import annotations

import contextlib
import os
import platform
from importlib import metadata
from pathlib import Path


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, -(-len(sorted_values) * p // 100))
    return sorted_values[int(rank) - 1]


def cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def setup_lines(database: str, workers: int, threads: int) -> list[str]:
    """The machine, the versions, the database and the server, as every benchmark's report begins."""
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return [
        f"- Machine: {nproc} CPUs (nproc), {cpu_model()}, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}, Flask {metadata.version('flask')}, "
        f"SQLAlchemy {metadata.version('sqlalchemy')}, gunicorn {metadata.version('gunicorn')}",
        f"- Database: {database}",
        f"- Server: gunicorn, {workers} workers × {threads} threads (gthread), 127.0.0.1",
    ]


def cpu_ms_per_request(cpu_seconds: float, requests: int) -> float:
    """CPU seconds spent on a scenario, per request, in milliseconds (NaN for no requests)."""
    return 1000 * cpu_seconds / requests if requests else float("nan")
