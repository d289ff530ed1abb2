"""Write each suite's figures from one ``newsbot eval --all --json`` run into
``tests/eval_suites.yaml`` as its ``floor`` (questions right, answerable and declined).

Run after a change that answers more questions right (docs/quality.md "Floors"), never to
lower a floor to make a failing run pass: ``make eval`` fails below a recorded floor.

    .venv/bin/newsbot eval --all --json > /tmp/eval.json
    .venv/bin/python tools/record_floors.py /tmp/eval.json
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

MANIFEST = Path(__file__).resolve().parent.parent / "tests" / "eval_suites.yaml"
_ENTRY_RE = re.compile(r"(\{questions: (?P<path>[^,]+),.*?)(?:, floor: \{[^}]*\})?\}", re.S)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    report = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    figures = {
        Path(s["questions"]).stem: (s["answerable_right"], s["declined_right"])
        for s in report["suites"]
    }
    text = MANIFEST.read_text(encoding="utf-8")
    missing = []

    def with_floor(match: re.Match[str]) -> str:
        name = Path(match["path"].strip()).stem
        if name not in figures:
            missing.append(name)
            return match.group(0)
        answerable, declined = figures[name]
        return f"{match.group(1)}, floor: {{answerable: {answerable}, declined: {declined}}}}}"

    MANIFEST.write_text(_ENTRY_RE.sub(with_floor, text), encoding="utf-8")
    if missing:
        print(f"no figures for: {', '.join(missing)}", file=sys.stderr)
        return 1
    print(f"recorded {len(figures)} floors in {MANIFEST}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
