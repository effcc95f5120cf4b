"""A deliberation meeting (议事会) with 15% turnout, diagnosed against the seed's three causes.

The seed: meetings held on weekday daytimes drew 15% participation, mostly older residents,
because working people could not come; agendas missed what residents care about; adopted opinions
got no feedback. The diagnosis flags each cause with a recommendation, and a re-run of the same
meeting on a Saturday evening with a relevant agenda clears the time-slot and topic findings.

Run: python examples/deliberation_meeting.py
"""

from __future__ import annotations

from datetime import datetime, timedelta

import attrs

from jiceng.demos.participation import CST, RESIDENT_REPORTS, weekday_meeting
from jiceng.participation import ParticipationThresholds, TimeSlot, diagnose


def main() -> None:
    """Print the weekday-daytime diagnosis and the re-planned meeting's diagnosis."""
    meeting = weekday_meeting()
    working_share = 0.62  # 62% of the eligible residents work
    diagnosis = diagnose(meeting, working_share=working_share, reported=RESIDENT_REPORTS)
    print(diagnosis.render())
    print()
    print(diagnosis.render("en"))
    print()

    replanned = attrs.evolve(
        meeting,
        slot=TimeSlot(datetime(2024, 4, 13, 19, 0, tzinfo=CST), timedelta(hours=1, minutes=30)),
        agenda=("停车管理", "噪音扰民", "楼道堆物"),
    )
    print("改在周六晚间、议程来自居民诉求后 (Saturday evening, agenda from reports):")
    print(diagnose(replanned, working_share=working_share, reported=RESIDENT_REPORTS).render())
    print()
    strict = ParticipationThresholds(working_share=0.3, top_n=3)
    print(
        "stricter thresholds:",
        [
            f.cause.name
            for f in diagnose(
                meeting, working_share=working_share, reported=RESIDENT_REPORTS, thresholds=strict
            ).flagged
        ],
    )


if __name__ == "__main__":
    main()
