"""The policy registry: names to policy factories, and the ``jiceng.policies`` entry points (private).

Like pluggy, a plug-in is checked when it is registered, not when it first fails: a factory must be
callable, and a class must have a callable ``decide``. ``create_policy`` checks what a factory
returns as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from importlib import metadata
from typing import Any, TypeVar

from attrs import define, field

from jiceng.dispatch._classifier import TextClassifierPolicy
from jiceng.dispatch._core import DispatchPolicy
from jiceng.dispatch._policies import (
    CategoryPolicy,
    Chain,
    KeywordPolicy,
    LeastLoadedPolicy,
    RoundRobinPolicy,
    TerritoryPolicy,
)
from jiceng.errors import UnknownPolicyError, ValidationError

__all__ = [
    "ENTRY_POINT_GROUP",
    "PolicyRegistry",
    "create_policy",
    "load_entry_point_policies",
    "policy_names",
    "register_policy",
    "unregister_policy",
]

ENTRY_POINT_GROUP = "jiceng.policies"
"""The entry-point group that :func:`load_entry_point_policies` reads."""

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")

PolicyFactory = Callable[..., DispatchPolicy]
_F = TypeVar("_F", bound=Callable[..., Any])


def _problems(name: object, factory: object) -> list[str]:
    """Everything wrong with registering ``factory`` under ``name``."""
    problems = []
    if not isinstance(name, str) or not _NAME.match(name):
        problems.append(
            f"name={name!r}: must be an identifier-like string (letters, digits, _ . -)"
        )
    if not callable(factory):
        problems.append(f"policy {name!r}: factory {factory!r} is not callable")
    elif isinstance(factory, type) and not callable(getattr(factory, "decide", None)):
        problems.append(f"policy {name!r}: class {factory.__name__} has no decide(task, context)")
    return problems


@define
class PolicyRegistry:
    """Names to policy factories (a class, or any callable that returns a policy).

    >>> registry = PolicyRegistry()
    >>> @registry.register("never")
    ... class Never:
    ...     def decide(self, task, context, /):
    ...         return None
    >>> type(registry.create("never")).__name__, registry.names()
    ('Never', ('never',))
    """

    _factories: dict[str, PolicyFactory] = field(factory=dict)

    def names(self) -> tuple[str, ...]:
        """The registered names, sorted."""
        return tuple(sorted(self._factories))

    def add(self, name: str, factory: PolicyFactory) -> None:
        """Register ``factory`` under ``name``.

        Raises:
            ValidationError: A taken name, a bad name, or a factory that cannot make a policy.
        """
        problems = _problems(name, factory)
        if name in self._factories:
            problems.append(f"name={name!r}: already registered ({self._factories[name]!r})")
        if problems:
            raise ValidationError.collect(problems, what=f"policy {name!r}")
        self._factories[name] = factory

    def remove(self, name: str) -> None:
        """Forget the policy registered as ``name`` (for tests, or to replace a plug-in).

        Raises:
            UnknownPolicyError: ``name`` is not registered.
        """
        if name not in self._factories:
            raise UnknownPolicyError(name, self._factories)
        del self._factories[name]

    def register(self, name: str) -> Callable[[_F], _F]:
        """A decorator: ``@registry.register("mine")`` on a policy class or factory function."""

        def decorate(factory: _F) -> _F:
            self.add(name, factory)
            return factory

        return decorate

    def create(self, name: str, /, **params: Any) -> DispatchPolicy:
        """Build the policy registered as ``name`` with ``params``.

        Raises:
            UnknownPolicyError: ``name`` is not registered (the message lists the known names).
            ValidationError: ``params`` do not fit, or the factory returned no policy.
        """
        factory = self._factories.get(name)
        if factory is None:
            raise UnknownPolicyError(name, self._factories)
        try:
            policy = factory(**params)
        except TypeError as exc:
            raise ValidationError(
                f"policy={name!r}: bad parameters {sorted(params)}: {exc}",
                field="params",
                value=params,
            ) from exc
        if not isinstance(policy, DispatchPolicy):
            raise ValidationError.for_field(
                "policy", name, f"the factory returned {policy!r}, which has no decide()"
            )
        return policy

    def load_entry_points(self, group: str = ENTRY_POINT_GROUP) -> tuple[str, ...]:
        """Register every plug-in in the entry-point ``group``; all or nothing.

        A plug-in already registered under its name with the very same object is skipped, so
        calling this twice is harmless.

        Returns:
            The names newly registered, sorted.

        Raises:
            ValidationError: Listing every plug-in that failed to load or to validate; then none of
                the group's plug-ins is registered.
        """
        found: dict[str, PolicyFactory] = {}
        problems: list[str] = []
        for entry in metadata.entry_points(group=group):
            try:
                factory = entry.load()
            except Exception as exc:  # any import failure becomes one listed problem
                problems.append(
                    f"entry point {entry.name!r} ({entry.value}): failed to load: {exc!r}"
                )
                continue
            if self._factories.get(entry.name) is factory:
                continue
            found_problems = _problems(entry.name, factory)
            if entry.name in self._factories or entry.name in found:
                found_problems.append(f"name={entry.name!r}: already registered")
            problems.extend(f"entry point {entry.value}: {p}" for p in found_problems)
            if not found_problems:
                found[entry.name] = factory
        if problems:
            raise ValidationError.collect(problems, what=f"entry points {group!r}")
        self._factories.update(found)
        return tuple(sorted(found))


_REGISTRY = PolicyRegistry()


def register_policy(name: str) -> Callable[[_F], _F]:
    """Register a policy class or factory under ``name`` in the global registry (a decorator).

    Raises:
        ValidationError: The name is taken or malformed, or the object cannot make a policy.
    """
    return _REGISTRY.register(name)


def unregister_policy(name: str) -> None:
    """Remove a policy from the global registry, e.g. at the end of a test.

    Raises:
        UnknownPolicyError: ``name`` is not registered.
    """
    _REGISTRY.remove(name)


def create_policy(name: str, /, **params: Any) -> DispatchPolicy:
    """Build a registered policy by name, e.g. ``create_policy("category", table={...})``.

    >>> create_policy("category", table={"环境卫生": "城管局"}).fallback is None
    True
    >>> create_policy("nope")
    Traceback (most recent call last):
    jiceng.errors.UnknownPolicyError: policy='nope': unknown; known policies: category, chain, ...

    Raises:
        UnknownPolicyError: An unknown name; the message lists the known ones.
        ValidationError: Parameters that do not fit the policy.
    """
    return _REGISTRY.create(name, **params)


def policy_names() -> tuple[str, ...]:
    """The names the global registry knows, sorted."""
    return _REGISTRY.names()


def load_entry_point_policies() -> tuple[str, ...]:
    """Load the ``jiceng.policies`` entry points into the global registry (only when called).

    Returns:
        The names newly registered.

    Raises:
        ValidationError: Every plug-in that failed, listed at once; nothing is registered then.
    """
    return _REGISTRY.load_entry_points(ENTRY_POINT_GROUP)


def _chain_factory(*, policies: Iterable[object]) -> DispatchPolicy:
    """``create_policy("chain", policies=[...])``: members are policies or ``{"policy": name, ...}``."""
    members: list[DispatchPolicy] = []
    for member in policies:
        if isinstance(member, Mapping):
            spec = dict(member)
            name = spec.pop("policy", None)
            if not isinstance(name, str):
                raise ValidationError.for_field("policies", member, "a spec needs a 'policy' name")
            members.append(create_policy(name, **spec))
        else:
            members.append(member)  # type: ignore[arg-type]  # Chain validates its members
    return Chain(*members)


def _register_builtins() -> None:
    for name, factory in (
        ("category", CategoryPolicy),
        ("keyword", KeywordPolicy),
        ("territory", TerritoryPolicy),
        ("least_loaded", LeastLoadedPolicy),
        ("round_robin", RoundRobinPolicy),
        ("text_classifier", TextClassifierPolicy),
        ("chain", _chain_factory),
    ):
        _REGISTRY.add(name, factory)


_register_builtins()
