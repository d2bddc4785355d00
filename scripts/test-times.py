"""Where each pytest session's time went, by test directory: read from the sessions' JUnit
XML reports (scripts/test writes one per session), so that the sessions can be balanced from
a clean clone's figures rather than from guesses. Prints; never fails the run."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path


def main(reports: list[str]) -> None:
    for report in sorted(reports):
        path = Path(report)
        try:
            root = ET.parse(path).getroot()  # noqa: S314  (this run's own pytest report)
        except (OSError, ET.ParseError) as err:
            print(f"{path.name}: unreadable ({err})")
            continue
        spent: dict[str, float] = defaultdict(float)
        for case in root.iter("testcase"):
            parts = (case.get("classname") or "").split(".")
            folder = "/".join(parts[:2]) if len(parts) > 2 else parts[0]
            spent[folder] += float(case.get("time") or 0)
        total = sum(spent.values())
        session = path.stem.removeprefix("junit-")
        print(f"\n{session}: {total / 60:.1f} min in tests, by directory")
        for folder, seconds in sorted(spent.items(), key=lambda kv: -kv[1]):
            print(f"  {folder:<28} {seconds / 60:6.1f} min")


if __name__ == "__main__":
    main(sys.argv[1:])
