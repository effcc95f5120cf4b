"""The seed's two real failures and a well-built system, assessed (包容性数字评估).

Run:  python examples/assessment_cases.py [--en]

The cases live as plain data in ``jiceng.demos.assessment`` (SMART_DOOR, ZOMBIE_PLATFORM,
WELL_BUILT), so tests and the CLI demo use the same profiles as this script.
"""

from __future__ import annotations

import sys

from jiceng.assessment import InclusiveAssessment
from jiceng.demos.assessment import (
    smart_door_profile,
    well_built_profile,
    zombie_platform_profile,
)


def main(argv: list[str]) -> None:
    """Assess the three cases and print their reports."""
    lang = "en" if "--en" in argv else "zh"
    assessment = InclusiveAssessment()
    for build in (smart_door_profile, zombie_platform_profile, well_built_profile):
        report = assessment.assess(build())
        print(report.render(lang))
        print("\n" + "=" * 72 + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
