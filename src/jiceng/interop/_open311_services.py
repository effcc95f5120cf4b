"""GeoReport v2 services, service definitions and receipts (private; re-exported by ``open311``)."""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence

from attrs import field, frozen

from jiceng.interop._open311_wire import (
    JSONValue,
    optional_id,
    parse_datetime,
    problem,
    required_id,
    text_field,
)
from jiceng.models import ResponsibilityList, Task

__all__ = [
    "DATATYPES",
    "Receipt",
    "Service",
    "ServiceAttribute",
    "ServiceDefinition",
    "service_definition",
    "services_from_responsibilities",
]

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
"""The six attribute datatypes of a GeoReport v2 service definition."""

_LIST_TYPES = frozenset({"singlevaluelist", "multivaluelist"})


# -- receipts ---------------------------------------------------------------------------------


@frozen
class Receipt:
    """The answer to ``POST /requests`` (or ``GET /tokens``): an id, or a token to look it up by.

    >>> Receipt.from_payload(
    ...     [{"service_request_id": 293944, "service_notice": "", "account_id": None}]
    ... )
    Receipt(service_request_id='293944', token=None, service_notice='', account_id=None)
    """

    service_request_id: str | None = field(default=None, kw_only=True)
    token: str | None = field(default=None, kw_only=True)
    service_notice: str = field(default="", kw_only=True)
    account_id: str | None = field(default=None, kw_only=True)

    @classmethod
    def for_task(cls, task: Task, *, service_notice: str = "") -> Receipt:
        """The receipt for a task just created from a request."""
        return cls(service_request_id=task.id, service_notice=service_notice)

    @classmethod
    def from_payload(cls, payload: object) -> Receipt:
        """Read a receipt (a one-element list, as servers send it, or the object itself).

        Raises:
            Open311Error: Neither an id nor a token (code 400).
        """
        item = payload[0] if isinstance(payload, list) and len(payload) == 1 else payload
        if not isinstance(item, Mapping):
            raise problem("receipt", payload, "must be an object, or a list of one")
        ident = optional_id(item, "service_request_id")
        token = optional_id(item, "token")
        if ident is None and token is None:
            raise problem("service_request_id", None, "a receipt needs service_request_id or token")
        return cls(
            service_request_id=ident,
            token=token,
            service_notice=text_field(item, "service_notice"),
            account_id=optional_id(item, "account_id"),
        )

    def to_payload(self) -> list[dict[str, JSONValue]]:
        """The body a server sends: a list of one object."""
        item: dict[str, JSONValue] = {"service_request_id": self.service_request_id}
        if self.token is not None:
            item["token"] = self.token
        else:
            item["service_notice"] = self.service_notice or None
            item["account_id"] = self.account_id
        return [item]


# -- services ---------------------------------------------------------------------------------


def _keywords(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(k.strip() for k in value.split(",") if k.strip())
    return tuple(str(k) for k in value)  # type: ignore[attr-defined]  # any iterable of words


@frozen
class Service:
    """One entry of ``GET /services``: a kind of request a resident can make.

    Attributes:
        service_code: Its code (a string).
        service_name: Its readable name; jiceng uses the category.
        description: What it covers.
        metadata: Whether it has a service definition (extra attributes).
        type: ``realtime``, ``batch`` or ``blackbox``.
        keywords: Search words.
        group: A group name; jiceng writes the lead department(s).
    """

    service_code: str
    service_name: str = field(kw_only=True)
    description: str = field(default="", kw_only=True)
    metadata: bool = field(default=False, kw_only=True)
    type: str = field(default="realtime", kw_only=True)
    keywords: tuple[str, ...] = field(default=(), kw_only=True, converter=_keywords)
    group: str = field(default="", kw_only=True)

    def __attrs_post_init__(self) -> None:
        if self.type not in ("realtime", "batch", "blackbox"):
            raise problem("type", self.type, "must be realtime, batch or blackbox")

    @classmethod
    def from_payload(cls, payload: object) -> Service:
        """Read one service from ``GET /services``.

        Raises:
            Open311Error: A missing code or name, or a bad type (code 400).
        """
        if not isinstance(payload, Mapping):
            raise problem("service", payload, "must be an object")
        code = required_id(payload, "service_code")
        metadata = payload.get("metadata", False)
        if isinstance(metadata, str):
            metadata = metadata.lower() == "true"
        return cls(
            code,
            service_name=text_field(payload, "service_name") or code,
            description=text_field(payload, "description"),
            metadata=bool(metadata),
            type=text_field(payload, "type") or "realtime",
            keywords=_keywords(payload.get("keywords")),
            group=text_field(payload, "group"),
        )

    def to_payload(self) -> dict[str, JSONValue]:
        """The service as ``GET /services`` lists it."""
        return {
            "service_code": self.service_code,
            "service_name": self.service_name,
            "description": self.description,
            "metadata": self.metadata,
            "type": self.type,
            "keywords": ", ".join(self.keywords),
            "group": self.group,
        }


def services_from_responsibilities(
    responsibilities: ResponsibilityList,
    *,
    codes: Mapping[str, str] | None = None,
    descriptions: Mapping[str, str] | None = None,
    definitions: Collection[str] = (),
    keywords: Mapping[str, Iterable[str]] | None = None,
) -> list[dict[str, JSONValue]]:
    """List the services of ``GET /services``: one per category of a responsibility list.

    Each service's name is the category, its code the category or ``codes[category]``, and its
    group the lead department(s) for it (joined with "、"), so a client can see who will handle it.

    Args:
        responsibilities: The 权责清单.
        codes: ``{category: service_code}``.
        descriptions: ``{category: description}``.
        definitions: The categories (or codes) that have a service definition (``metadata: true``).
        keywords: ``{category: words}``.

    >>> from jiceng.models import ResponsibilityList
    >>> rl = ResponsibilityList.from_mapping({"占道经营": "城管局", "噪音扰民": "生态环境局"})
    >>> [(s["service_code"], s["group"]) for s in services_from_responsibilities(rl)]
    [('占道经营', '城管局'), ('噪音扰民', '生态环境局')]
    """
    if not isinstance(responsibilities, ResponsibilityList):
        raise problem("responsibilities", responsibilities, "must be a ResponsibilityList")
    codes = codes or {}
    descriptions = descriptions or {}
    keywords = keywords or {}
    services: list[dict[str, JSONValue]] = []
    for category in responsibilities.categories:
        code = codes.get(category, category)
        service = Service(
            code,
            service_name=category,
            description=descriptions.get(category, ""),
            metadata=category in definitions or code in definitions,
            keywords=tuple(keywords.get(category, ())),
            group="、".join(responsibilities.leads_for(category)),
        )
        services.append(service.to_payload())
    return services


# -- service definitions ----------------------------------------------------------------------


def _values(value: object) -> tuple[tuple[str, str], ...]:
    if value is None:
        return ()
    items = value.items() if isinstance(value, Mapping) else value
    pairs: list[tuple[str, str]] = []
    for item in items:  # type: ignore[attr-defined]  # checked item by item below
        if isinstance(item, Mapping):
            key, name = item.get("key"), item.get("name")
        elif isinstance(item, (tuple, list)) and len(item) == 2:
            key, name = item
        else:
            raise problem("values", item, "each value is {key, name} or a (key, name) pair")
        if isinstance(key, bool) or not isinstance(key, (str, int)) or str(key) == "":
            raise problem("values.key", key, "must be a string (or an integer, converted)")
        pairs.append((str(key), str(name)))
    return tuple(pairs)


@frozen
class ServiceAttribute:
    """One attribute of a service definition: an extra question asked with a request.

    Attributes:
        code: The attribute's code (a string).
        datatype: One of :data:`DATATYPES`.
        description: The question shown to the resident.
        required: Whether an answer is required.
        variable: ``False`` for an informational attribute that takes no answer.
        order: Its position in the form.
        datatype_description: A hint about the expected format.
        values: ``(key, name)`` pairs, for the two list datatypes (and only for them).

    >>> ServiceAttribute(
    ...     "WHISHETN", datatype="singlevaluelist", description="Make?", values={"123": "Ford"}
    ... ).values
    (('123', 'Ford'),)
    """

    code: str
    datatype: str = field(kw_only=True)
    description: str = field(kw_only=True)
    required: bool = field(default=False, kw_only=True)
    variable: bool = field(default=True, kw_only=True)
    order: int | None = field(default=None, kw_only=True)
    datatype_description: str | None = field(default=None, kw_only=True)
    values: tuple[tuple[str, str], ...] = field(default=(), kw_only=True, converter=_values)

    def __attrs_post_init__(self) -> None:
        code: object = self.code
        if not isinstance(code, str) or not code:
            raise problem("code", code, "must be a non-empty string")
        if self.datatype not in DATATYPES:
            raise problem("datatype", self.datatype, f"must be one of {', '.join(DATATYPES)}")
        if self.datatype in _LIST_TYPES and not self.values:
            raise problem("values", self.values, f"a {self.datatype} needs values")
        if self.datatype not in _LIST_TYPES and self.values:
            raise problem("values", self.values, f"a {self.datatype} takes no values")

    @classmethod
    def from_payload(cls, payload: object) -> ServiceAttribute:
        """Read one attribute of a service definition (codes and keys may be numbers)."""
        if not isinstance(payload, Mapping):
            raise problem("attribute", payload, "must be an object")
        code = required_id(payload, "code")
        order = payload.get("order")
        if order is not None and (isinstance(order, bool) or not isinstance(order, int)):
            raise problem("order", order, "must be an integer")
        hint = payload.get("datatype_description")
        return cls(
            code,
            datatype=text_field(payload, "datatype"),
            description=text_field(payload, "description"),
            required=payload.get("required") is True,
            variable=payload.get("variable", True) is not False,
            order=order,
            datatype_description=hint if isinstance(hint, str) else None,
            values=_values(payload.get("values")),
        )

    def to_payload(self) -> dict[str, JSONValue]:
        """The attribute as the service definition lists it."""
        data: dict[str, JSONValue] = {
            "variable": self.variable,
            "code": self.code,
            "datatype": self.datatype,
            "required": self.required,
            "datatype_description": self.datatype_description,
            "order": self.order,
            "description": self.description,
        }
        if self.values:
            data["values"] = [{"key": key, "name": name} for key, name in self.values]
        return data

    def check(self, answer: object) -> None:
        """Check a resident's answer to this attribute, as a server must on ``POST /requests``.

        Raises:
            Open311Error: A missing required answer, or one of the wrong type or not in the list.
        """
        name = f"attribute[{self.code}]"
        if answer is None or answer in ("", []):
            if self.required and self.variable:
                raise problem(name, answer, "is required")
            return
        if self.datatype == "multivaluelist":
            answers = answer if isinstance(answer, (list, tuple)) else [answer]
        else:
            if isinstance(answer, (list, tuple)):
                raise problem(name, answer, f"a {self.datatype} takes one value")
            answers = [answer]
        keys = {key for key, _ in self.values}
        for one in answers:
            text = str(one)
            if self.datatype in _LIST_TYPES and text not in keys:
                raise problem(name, one, f"must be one of {', '.join(sorted(keys))}")
            if self.datatype == "number":
                try:
                    number = float(text)
                except ValueError:
                    raise problem(name, one, "must be a number") from None
                if not math.isfinite(number):
                    raise problem(name, one, "must be a finite number")
            if self.datatype == "datetime":
                parse_datetime(text, name)


def _attribute_tuple(value: Iterable[ServiceAttribute]) -> tuple[ServiceAttribute, ...]:
    attributes = tuple(value)
    for attribute in attributes:
        if not isinstance(attribute, ServiceAttribute):
            raise problem("attributes", attribute, "must be ServiceAttribute objects")
    return attributes


@frozen
class ServiceDefinition:
    """``GET /services/{service_code}``: the attributes asked for one service.

    >>> d = ServiceDefinition.from_payload(
    ...     {
    ...         "service_code": "DMV66",
    ...         "attributes": [
    ...             {
    ...                 "code": "WHISHETN",
    ...                 "datatype": "string",
    ...                 "description": "Plate number?",
    ...                 "required": True,
    ...             }
    ...         ],
    ...     }
    ... )
    >>> d.check({"WHISHETN": "京A12345"})
    >>> d.check({})
    Traceback (most recent call last):
    ...
    jiceng.errors.Open311Error: attribute[WHISHETN]=None: is required
    """

    service_code: str
    attributes: tuple[ServiceAttribute, ...] = field(
        default=(), kw_only=True, converter=_attribute_tuple
    )

    def __attrs_post_init__(self) -> None:
        codes = [a.code for a in self.attributes]
        if len(set(codes)) != len(codes):
            raise problem("attributes", codes, "attribute codes must be unique")

    @classmethod
    def from_payload(cls, payload: object) -> ServiceDefinition:
        """Read a service definition."""
        if not isinstance(payload, Mapping):
            raise problem("service_definition", payload, "must be an object")
        code = required_id(payload, "service_code")
        attributes = payload.get("attributes") or []
        if not isinstance(attributes, list):
            raise problem("attributes", attributes, "must be a list")
        return cls(code, attributes=tuple(ServiceAttribute.from_payload(a) for a in attributes))

    def to_payload(self) -> dict[str, JSONValue]:
        """The definition as ``GET /services/{service_code}`` returns it."""
        return {
            "service_code": self.service_code,
            "attributes": [a.to_payload() for a in self.attributes],
        }

    def check(self, answers: Mapping[str, object]) -> None:
        """Check every answer of a request against the attributes (unknown codes are refused).

        Raises:
            Open311Error: The first problem found (code 400).
        """
        known = {a.code for a in self.attributes}
        for code in sorted(set(answers) - known):
            raise problem(f"attribute[{code}]", answers[code], "not an attribute of this service")
        for attribute in self.attributes:
            attribute.check(answers.get(attribute.code))


def service_definition(
    service_code: str, attributes: Sequence[ServiceAttribute] = ()
) -> dict[str, JSONValue]:
    """The body of ``GET /services/{service_code}`` for ``attributes``.

    >>> service_definition(
    ...     "占道经营",
    ...     [
    ...         ServiceAttribute(
    ...             "TYPE",
    ...             datatype="singlevaluelist",
    ...             description="类型",
    ...             values=[("1", "流动摊贩")],
    ...         )
    ...     ],
    ... )
    ... # doctest: +NORMALIZE_WHITESPACE
    {'service_code': '占道经营', 'attributes': [{'variable': True, 'code': 'TYPE',
     'datatype': 'singlevaluelist', 'required': False, 'datatype_description': None, 'order': None,
     'description': '类型', 'values': [{'key': '1', 'name': '流动摊贩'}]}]}
    """
    return ServiceDefinition(service_code, attributes=attributes).to_payload()
