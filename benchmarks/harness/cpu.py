"""Where the machine's CPU time went during a measurement (Linux /proc), so a disturbed run shows it."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path


def _stat_fields(pid: int | str) -> list[str]:
    """/proc/<pid>/stat from its third field on (state, ppid, …), or [] if the process is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return []
    return text[text.rindex(")") + 2 :].split()


def _ticks(pid: int | str) -> int:
    fields = _stat_fields(pid)
    return int(fields[11]) + int(fields[12]) if fields else 0  # utime + stime


def _machine_busy_ticks() -> int:
    values = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(values) - values[3] - values[4]  # all but idle and iowait


class CpuMeter:
    """Where the machine's CPU time went during a scenario: the load client (this process), the server
    (gunicorn's processes and this database's PostgreSQL backends) and everything else. Everything else
    should be close to zero; if it is not, other work on the machine skewed the numbers."""

    def __init__(self, server_pid: int, database_url: str) -> None:
        self.server_pid = server_pid
        self.backend_marker = ""
        if database_url.startswith("postgresql"):
            from sqlalchemy.engine import make_url

            parsed = make_url(database_url)
            self.backend_marker = f" {parsed.username or ''} {parsed.database or ''} "

    def _server_pids(self) -> list[str]:
        pids = [str(self.server_pid)]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            fields = _stat_fields(entry.name)
            if fields and fields[1] == str(self.server_pid):
                pids.append(entry.name)
            elif self.backend_marker:
                with contextlib.suppress(OSError):
                    command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                    if command.startswith("postgres:") and self.backend_marker in command:
                        pids.append(entry.name)
        return pids

    def snapshot(self) -> tuple[int, dict[str, int], int]:
        return _ticks("self"), {pid: _ticks(pid) for pid in self._server_pids()}, _machine_busy_ticks()

    def since(self, before: tuple[int, dict[str, int], int]) -> dict[str, float]:
        client0, server0, busy0 = before
        client1, server1, busy1 = self.snapshot()
        per_second = os.sysconf("SC_CLK_TCK")
        client = (client1 - client0) / per_second
        server = sum(ticks - server0.get(pid, 0) for pid, ticks in server1.items()) / per_second
        busy = (busy1 - busy0) / per_second
        return {"client": client, "server": server, "other": max(0.0, busy - client - server)}
