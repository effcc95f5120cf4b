"""Who acts on a task (:class:`Actor`) and who reported it (:class:`Reporter`)."""

from __future__ import annotations

from typing import Any

from attrs import evolve, field, frozen

from jiceng.errors import ValidationError
from jiceng.models._enums import ActorRole
from jiceng.models._validate import check_text

__all__ = ["Actor", "Reporter", "mask_id_number", "mask_phone"]


def _optional_grid(value: str | None) -> str | None:
    return None if value is None else check_text("grid", value)


@frozen
class Actor:
    """Someone (or something) taking a step on a task. Build one with the classmethods.

    Attributes:
        role: What kind of actor this is.
        id: Who, within the role: a department's name, a worker's id, ``"platform"``, ``"system"``.
        grid: For a grid worker (网格员), the grid they serve.

    >>> str(Actor.department("城管局"))
    'department:城管局'
    >>> Actor.grid_worker("W7", grid="G1").grid
    'G1'
    """

    role: ActorRole = field(kw_only=True)
    id: str = field(kw_only=True)
    grid: str | None = field(default=None, kw_only=True, converter=_optional_grid)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.role, ActorRole):
            raise ValidationError.for_field("role", self.role, "must be an ActorRole")
        check_text("id", self.id)
        if (self.grid is not None) != (self.role is ActorRole.GRID_WORKER):
            raise ValidationError.for_field(
                "grid", self.grid, "a grid is given for grid workers, and only for them"
            )

    @classmethod
    def platform(cls) -> Actor:
        """The platform operator (12345 受理/派单中心)."""
        return cls(role=ActorRole.PLATFORM, id="platform")

    @classmethod
    def system(cls) -> Actor:
        """Automation acting for the platform; allowed wherever the platform is."""
        return cls(role=ActorRole.SYSTEM, id="system")

    @classmethod
    def supervisor(cls, id: str) -> Actor:
        """A supervisor or leader (督办人员/领导)."""
        return cls(role=ActorRole.SUPERVISOR, id=id)

    @classmethod
    def department(cls, name: str) -> Actor:
        """A department acting on its own tasks (承办部门)."""
        return cls(role=ActorRole.DEPARTMENT, id=name)

    @classmethod
    def grid_worker(cls, id: str, *, grid: str) -> Actor:
        """A grid worker (网格员) serving ``grid``."""
        return cls(role=ActorRole.GRID_WORKER, id=id, grid=grid)

    @classmethod
    def resident(cls, id: str) -> Actor:
        """A resident, such as the one who reported a task."""
        return cls(role=ActorRole.RESIDENT, id=id)

    @property
    def is_admin(self) -> bool:
        """True for the platform, a supervisor, or the system: the roles that run the loop."""
        return self.role in _ADMIN

    def __str__(self) -> str:
        if self.role is ActorRole.GRID_WORKER:
            return f"grid_worker:{self.id}@{self.grid}"
        return f"{self.role.value}:{self.id}"


_ADMIN = frozenset({ActorRole.PLATFORM, ActorRole.SUPERVISOR, ActorRole.SYSTEM})


def mask_phone(phone: str) -> str:
    """Mask a phone number, keeping the first 3 and last 4 digits (PIPL data minimisation).

    >>> mask_phone("13812345678")
    '138****5678'
    >>> mask_phone("12345")
    '*****'
    """
    if len(phone) < 8:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]


def mask_id_number(id_number: str) -> str:
    """Mask an ID number, keeping only its first and last character.

    >>> mask_id_number("110105199001011234")
    '1****************4'
    """
    if len(id_number) < 3:
        return "*" * len(id_number)
    return id_number[0] + "*" * (len(id_number) - 2) + id_number[-1]


def _is_str(_inst: object, attribute: Any, value: Any) -> None:
    if not isinstance(value, str):
        raise ValidationError.for_field(attribute.name, value, "must be a string")


def _repr_phone(value: str) -> str:
    return repr(mask_phone(value))


def _repr_id_number(value: str) -> str:
    return repr(mask_id_number(value))


@frozen
class Reporter:
    """The person who reported a task. Phone and ID number are masked in ``repr`` and ``str``.

    Attributes:
        name: The reporter's name, or "" for anonymous reports.
        phone: A contact phone number ("" if none).
        id_number: An ID document number ("" if none).
        resident: The reporter's resident id, so that they may record the callback themselves.

    >>> Reporter(name="张三", phone="13812345678")
    Reporter(name='张三', phone='138****5678', id_number='', resident=None)
    """

    name: str = field(default="", kw_only=True, validator=_is_str)
    phone: str = field(default="", kw_only=True, validator=_is_str, repr=_repr_phone)
    id_number: str = field(default="", kw_only=True, validator=_is_str, repr=_repr_id_number)
    resident: str | None = field(default=None, kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.resident is not None:
            check_text("resident", self.resident)

    def masked(self) -> Reporter:
        """A copy with the phone and ID number masked, for export."""
        return evolve(self, phone=mask_phone(self.phone), id_number=mask_id_number(self.id_number))

    def __str__(self) -> str:
        who = self.name or "匿名"
        return f"{who} ({mask_phone(self.phone)})" if self.phone else who
