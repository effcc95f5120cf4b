"""The command line: ``python -m jiceng demo | simulate | replay | assess``.

This is the only module of jiceng that does I/O: it reads files named on the command line and
prints. Everything it shows is computed by the library.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import os
import sys
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

__all__ = ["main"]

#: The demo's sections, in order: (module under jiceng.demos, heading).
DEMO_SECTIONS: tuple[tuple[str, str], ...] = (
    ("lifecycle", "一、工单闭环 The task lifecycle"),
    ("calendar", "二、工作时限 Working-time deadlines"),
    ("dispatch", "三、智能派单 Dispatch policies and their reasons"),
    ("coordination", "四、协同与考核 Lead resolution, whistle, three-rate scorecards"),
    ("participation", "五、共建共治 Partners and proposal rounds"),
    ("assessment", "六、包容性评估 Inclusive assessment of a smart door"),
    ("simulation", "七、仿真 What-if simulation"),
    ("interop", "八、互联互通 Open311 and real 311 data"),
)


def _demo(args: argparse.Namespace) -> int:
    chosen = [s for s in DEMO_SECTIONS if not args.section or s[0] in args.section]
    for index, (name, heading) in enumerate(chosen):
        module = importlib.import_module(f"jiceng.demos.{name}")
        if index:
            print()
        print("=" * 78)
        print(heading)
        print("=" * 78)
        print(module.run())
    return 0


def _bar(fraction: float, width: int = 40) -> str:
    done = round(fraction * width)
    return f"[{'#' * done}{'.' * (width - done)}] {fraction:6.1%}"


def _simulate(args: argparse.Namespace) -> int:
    from jiceng.simulation import format_metrics, mmc_scenario, simulate

    scenario = mmc_scenario(
        per_hour=args.per_hour,
        handlers=args.handlers,
        days=args.days,
        service_mean_hours=args.service_hours,
    )
    interactive = sys.stderr.isatty()

    def progress(fraction: float) -> None:
        end = "\n" if fraction >= 1.0 else ""
        if interactive:
            print("\r" + _bar(fraction), end=end, file=sys.stderr, flush=True)
        elif fraction >= 1.0:
            print(_bar(fraction), file=sys.stderr)

    result = simulate(scenario, seed=args.seed, progress=progress)
    print(format_metrics(result))
    return 0


def _replay(args: argparse.Namespace) -> int:
    from jiceng.interop.records import FieldMap, from_records
    from jiceng.metrics import summarize

    presets = {"nyc_311": FieldMap.nyc_311, "beijing_12345": FieldMap.beijing_12345}
    field_map = presets[args.preset]()
    with Path(args.file).open(newline="", encoding=args.encoding, errors="replace") as handle:
        result = from_records(csv.DictReader(handle), field_map)
    print(f"tasks: {len(result.tasks)}   errors: {len(result.errors)}")
    for error in result.errors[: args.show_errors]:
        print(f"  row {error.row}: {error.reason}")
    now = max(
        (t.closed_at or t.reported_at for t in result.tasks),
        default=datetime.now(timezone.utc),
    )
    groups = summarize(result.tasks, now=now, by="department")
    print(f"{'department':<12} {'arrived':>8} {'closed':>8} {'open':>6} {'mean handling':>16}")
    for key, metrics in sorted(groups.items(), key=lambda kv: -kv[1].arrived):
        mean = metrics.handling_time.mean
        shown = "—" if mean is None else str(timedelta(seconds=round(mean.total_seconds())))
        print(f"{key!s:<12} {metrics.arrived:>8} {metrics.closed:>8} {metrics.open:>6} {shown:>16}")
    return 0


def _assess(args: argparse.Namespace) -> int:
    from jiceng.assessment import InclusiveAssessment
    from jiceng.demos import assessment as cases

    profiles = {
        "smart_door": cases.smart_door_profile,
        "zombie_platform": cases.zombie_platform_profile,
        "well_built": cases.well_built_profile,
    }
    report = InclusiveAssessment().assess(profiles[args.case]())
    print(report.render(lang=args.lang))
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for tests and shell completion)."""
    parser = argparse.ArgumentParser(
        prog="python -m jiceng", description="jiceng (基层): grassroots governance core."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the seed's scenarios end to end and print them")
    demo.add_argument(
        "--section",
        action="append",
        choices=[s[0] for s in DEMO_SECTIONS],
        help="only these sections",
    )
    demo.set_defaults(run=_demo)

    sim = commands.add_parser("simulate", help="simulate an M/M/c 12345 desk and print its metrics")
    sim.add_argument("--per-hour", type=float, default=9.0, help="arrivals per hour (default 9)")
    sim.add_argument("--handlers", type=int, default=10, help="parallel handlers (default 10)")
    sim.add_argument("--days", type=float, default=30.0, help="simulated days (default 30)")
    sim.add_argument(
        "--service-hours", type=float, default=1.0, help="mean service time in hours (default 1)"
    )
    sim.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    sim.set_defaults(run=_simulate)

    replay = commands.add_parser(
        "replay", help="replay a 311/12345 CSV export and summarise it per department"
    )
    replay.add_argument("file", help="the CSV file")
    replay.add_argument("--preset", choices=["nyc_311", "beijing_12345"], default="nyc_311")
    replay.add_argument("--encoding", default="utf-8")
    replay.add_argument("--show-errors", type=int, default=5, help="how many row errors to print")
    replay.set_defaults(run=_replay)

    assess = commands.add_parser(
        "assess", help="print an inclusive-assessment report for a seed case"
    )
    assess.add_argument(
        "case",
        nargs="?",
        default="smart_door",
        choices=["smart_door", "zombie_platform", "well_built"],
    )
    assess.add_argument("--lang", choices=["zh", "en"], default="zh")
    assess.set_defaults(run=_assess)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except BrokenPipeError:
        # The reader went away (``... | head``): stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
