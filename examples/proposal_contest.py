"""A proposal contest round (社区提案大赛) in which greedy-by-score selection goes wrong.

Chengdu funds resident proposals up to 50,000 yuan each. This 200,000-yuan round has ten
proposals. Two common hand methods fail when the budget binds:

- "fund down the ranking until the money runs out, and round up the last one" overspends;
- "fund down the ranking, skipping what no longer fits" (greedy) underspends and scores less.

The exact selection maximises the total score within the budget, explains every rejection, and
the implementation log gives the implementation rate (Chengdu reported over 60%).

Run: python examples/proposal_contest.py
"""

from __future__ import annotations

from jiceng.demos.participation import contest_proposals, contest_round, contest_tracker


def main() -> None:
    """Print the ranking-line, greedy and optimal selections, then implementation."""
    rnd = contest_round()
    proposals = contest_proposals()
    best = rnd.select(proposals)
    greedy = rnd.greedy_select(proposals)

    # The ranking line: fund in score order (eligible, within the cap) until the budget is reached.
    eligible = [
        p
        for p in proposals
        if p.id not in best.rejected or best.rejected[p.id].code == "not_selected"
    ]
    line, spent = [], 0.0
    for p in sorted(eligible, key=lambda p: -p.score):
        if spent >= rnd.budget:
            break
        line.append(p.id)
        spent += p.amount
    print(
        f"按排名划线（含越线项）：{', '.join(line)}，共 {spent:,.0f} 元 —— 超支 "
        f"{spent - rnd.budget:,.0f} 元 (ranking line overspends)"
    )
    print(
        f"按得分贪心：{', '.join(greedy.awarded_ids)}，共 {greedy.total:,} 元，总分 {greedy.score}"
        f" —— 结余 {greedy.remaining:,} 元 (greedy underspends)"
    )
    print()
    print(best.render())
    print()
    print(best.render("en"))
    print()
    tracker = contest_tracker(best)
    print(tracker.render())
    print(tracker.render("en"))


if __name__ == "__main__":
    main()
