"""Modules stay readable: none over LINES_MAX lines, no function over COMPLEXITY_MAX (radon's cyclomatic count).

Run by `make lint` on the app and the benchmarks; prints every offender with its place, exits 1 if any.
The numbers are issue 11's: a module is split by what it does before it passes about 400 lines, and a
function with more than 15 paths is split into named steps.
"""

from __future__ import annotations

import sys
from pathlib import Path

from radon.complexity import cc_visit

LINES_MAX = 400
COMPLEXITY_MAX = 15
ROOTS = ("participation", "benchmarks")


def offenders(root: Path) -> list[str]:
    found = []
    for path in sorted(root.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        lines = source.count("\n")
        if lines > LINES_MAX:
            found.append(f"{path}: {lines} lines (at most {LINES_MAX})")
        for block in cc_visit(source):
            if block.complexity > COMPLEXITY_MAX:
                found.append(
                    f"{path}:{block.lineno}: {block.fullname} has complexity {block.complexity} "
                    f"(at most {COMPLEXITY_MAX})"
                )
    return found


def main() -> int:
    base = Path(__file__).resolve().parent.parent
    found = [line for root in ROOTS for line in offenders(base / root)]
    for line in found:
        print(line)
    print(f"module size and complexity: {len(found)} over the limits")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
