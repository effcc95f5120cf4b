"""Properties of jiceng.coordination: the resolver, the rates and the composite."""

from __future__ import annotations

import random
from datetime import datetime, timezone

from hypothesis import given
from hypothesis import strategies as st

from jiceng.coordination import (
    EvaluationWeights,
    LeadResolver,
    LeadRule,
    Resolution,
    evaluate,
    scorecards,
)
from jiceng.errors import UnresolvedLeadError
from jiceng.metrics import summarize
from jiceng.models import Department, ResponsibilityList, Task
from jiceng.testing import CATEGORIES, DEPARTMENT_NAMES, GRID_IDS, departments, responsibility_lists
from jiceng.testing import tasks as task_strategy

directories = st.lists(departments(), max_size=6, unique_by=lambda d: d.name)
names = st.lists(st.sampled_from(DEPARTMENT_NAMES), min_size=1, max_size=6, unique=True)
rates = st.floats(min_value=0.0, max_value=1.0)


@st.composite
def weights(draw: st.DrawFn) -> EvaluationWeights:
    a = draw(st.integers(min_value=0, max_value=100))
    b = draw(st.integers(min_value=0, max_value=100 - a))
    return EvaluationWeights(
        response=a / 100,
        resolution=b / 100,
        satisfaction=(100 - a - b) / 100,
        basically_satisfied=draw(rates),
    )


def attempt(
    resolver: LeadResolver,
    category: str,
    given: list[str],
    grid: str | None,
    first_receiver: str | None = None,
) -> Resolution | tuple[str, ...]:
    try:
        return resolver.resolve(category, given, grid=grid, first_receiver=first_receiver)
    except UnresolvedLeadError as exc:
        return exc.rationale


@given(
    responsibility_lists(),
    directories,
    st.sampled_from(CATEGORIES),
    names,
    st.none() | st.sampled_from(GRID_IDS),
    st.none() | st.sampled_from(DEPARTMENT_NAMES),
    st.randoms(use_true_random=False),
)
def test_order_never_matters_and_everyone_has_a_place(  # noqa: PLR0917 -- drawn by @given
    rl: ResponsibilityList,
    directory: list[Department],
    category: str,
    given: list[str],
    grid: str | None,
    coordinator: str | None,
    rnd: random.Random,
) -> None:
    resolver = LeadResolver(rl, coordinator=coordinator)
    assert attempt(resolver, category, given, grid) == attempt(
        resolver, category, list(reversed(given)), grid
    )
    known = {d.name: d for d in directory}
    mixed: list[str | Department] = [known.get(n, n) for n in given]
    shuffled = list(mixed)
    rnd.shuffle(shuffled)
    a = _resolve(resolver, category, mixed, grid)
    b = _resolve(resolver, category, shuffled, grid)
    assert a == b
    if isinstance(a, Resolution):
        assert a.lead not in a.cooperating
        assert list(a.cooperating) == sorted(set(a.cooperating))
        assert set(given) <= {a.lead, *a.cooperating}
        assert a.contested == (len(set(given) & set(rl.leads_for(category, grid))) > 1)
        assert len(a.rationale) == len(a.rationale_en) >= 1


def _resolve(
    resolver: LeadResolver, category: str, given: list[str | Department], grid: str | None
) -> Resolution | tuple[str, ...]:
    try:
        return resolver.resolve(category, given, grid=grid)
    except UnresolvedLeadError as exc:
        return exc.rationale


@given(
    responsibility_lists(),
    st.sampled_from(CATEGORIES),
    names,
    st.sampled_from(DEPARTMENT_NAMES),
)
def test_first_receiver_leads_any_vacuum(
    rl: ResponsibilityList, category: str, given: list[str], receiver: str
) -> None:
    result = attempt(LeadResolver(rl), category, given, None, first_receiver=receiver)
    if isinstance(result, Resolution) and result.rule is LeadRule.FIRST_RECEIVER:
        assert result.lead == receiver
        assert not set(given) & set(rl.leads_for(category))
    if not set(given) & set(rl.leads_for(category)):
        assert isinstance(result, Resolution)
        assert result.lead == receiver


@given(weights(), rates, rates, rates, st.sampled_from([0, 1, 2]), rates)
def test_composite_is_monotonic_in_each_rate(  # noqa: PLR0917 -- drawn by @given
    w: EvaluationWeights, a: float, b: float, c: float, which: int, bump: float
) -> None:
    base = [a, b, c]
    higher = list(base)
    higher[which] = max(base[which], bump)
    assert w.composite(*higher) >= w.composite(*base) - 1e-12
    assert -1e-12 <= w.composite(*base) <= 1 + 1e-12


@given(st.lists(task_strategy(max_steps=10), max_size=10), weights())
def test_rates_in_unit_interval_and_streaming_equals_full_list(
    items: list[Task], w: EvaluationWeights
) -> None:
    cards = evaluate(iter(items), weights=w)
    assert cards == evaluate(items, weights=w)
    groups = summarize(items, now=datetime(2036, 1, 1, tzinfo=timezone.utc), by="department")
    assert cards == scorecards(groups, weights=w)
    composites = [c.composite for c in cards if c.composite is not None]
    assert composites == sorted(composites, reverse=True)
    seen_none = False
    for card in cards:
        if card.composite is None:
            seen_none = True
            assert card.rank is None
            continue
        assert not seen_none
        for rate in (card.response_rate, card.resolution_rate, card.satisfaction_rate):
            assert rate is not None
            assert 0.0 <= rate <= 1.0
        members = [t for t in items if t.department == card.key and t.callback is not None]
        assert card.valid_callbacks == len(members)
        assert card.contacted == sum(t.callback.contacted for t in members if t.callback)
