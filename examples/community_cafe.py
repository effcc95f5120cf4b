"""The seed's community partner (社区合伙人): a café in donated space, over one quarter.

The café commits to 2 community meetings a month, 3 local jobs and 10% of its profit to the
community fund. In Q1 2024 it held one meeting too few in March. The ledger shows fulfilment per
commitment, the overdue commitment with its reason, and the three-way exchange: what the community
gave (space, publicity), what the café gave, and what residents got.

Run: python examples/community_cafe.py
"""

from __future__ import annotations

from datetime import datetime

from jiceng.demos.participation import CST, QUARTER_END, QUARTER_START, cafe_ledger
from jiceng.models import CommitmentKind
from jiceng.participation import Delivery


def main() -> None:
    """Print the café's quarter: fulfilment, overdue, exchange; then a correction."""
    ledger = cafe_ledger()
    cafe = ledger.partners[0]
    print(ledger.statement(cafe, start=QUARTER_START, end=QUARTER_END))
    print()
    for late in ledger.overdue(QUARTER_END):
        print("逾期:", late.reason.text("zh"))
        print("overdue:", late.reason.text("en"))
    print()
    for row in ledger.fulfilment(cafe, start=QUARTER_START, end=QUARTER_END):
        print(
            f"{row.commitment.kind.name:<13} due {row.due:>8,.0f}  delivered {row.delivered:>8,.0f}"
            f"  fulfilment {row.ratio:.1%}"
        )

    # The ledger is append-only: a miscounted attendance is corrected by a new entry, with a note.
    first_meeting = next(
        i
        for i, e in enumerate(ledger.entries)
        if isinstance(e, Delivery) and e.kind is CommitmentKind.MEETINGS
    )
    before = len(ledger.entries)
    ledger.correct(
        first_meeting,
        amount=1,
        beneficiaries=30,
        at=datetime(2024, 4, 2, 10, 0, tzinfo=CST),
        note="签到表复核：1 月 10 日实到 30 人",
    )
    print()
    print(f"entries before/after the correction: {before} -> {len(ledger.entries)} (none removed)")
    print(ledger.exchange(cafe, start=QUARTER_START, end=QUARTER_END).render("en"))


if __name__ == "__main__":
    main()
