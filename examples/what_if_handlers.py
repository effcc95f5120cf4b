"""What if 城管局 had 12 handlers instead of 10? Replications with 95% intervals.

Run from the repository root:  python examples/what_if_handlers.py
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor

from jiceng.simulation import erlang_c_wait, mmc_scenario, replicate


def main() -> None:
    with ProcessPoolExecutor(max_workers=2) as pool:
        for handlers in (10, 11, 12):
            scenario = mmc_scenario(per_hour=9, handlers=handlers, days=200)
            runs = replicate(scenario, range(8), executor=pool)
            wait = runs.estimate("response_time.mean")  # seconds
            theory = erlang_c_wait(9.0, 1.0, handlers)  # hours
            print(
                f"{handlers} handlers: mean wait {wait.mean / 60:.1f} min "
                f"(95% CI {wait.low / 60:.1f}–{wait.high / 60:.1f}; Erlang C {theory * 60:.1f} min)"
            )


if __name__ == "__main__":
    main()
