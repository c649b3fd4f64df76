"""What every event contract is: a versioned pydantic model of an event's `data`.

A contract names its event (`incident.created`), its version (1) and the aggregate it is about;
its CloudEvents `type` is `servicedesk.<event>.v<version>`, which is also the routing key on the
events exchange. A new incompatible shape is a new version (a new model), published alongside
the old one until no consumer needs the old one.

Publishers are strict (a field the contract does not name is an error, also when a model is
built: the models forbid extra fields); consumers are tolerant readers (`validate_incoming`
drops fields they do not know and validates the rest), so adding an optional field is
compatible.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, ValidationError

TYPE_PREFIX = "servicedesk"
_WORD = r"[a-z][a-z0-9_]*"
_TYPE = re.compile(rf"^{TYPE_PREFIX}\.(?P<name>{_WORD}(?:\.{_WORD})+)\.v(?P<v>\d+)$")


def cloud_type(name: str, version: int) -> str:
    """`incident.created`, 1 → `servicedesk.incident.created.v1`."""
    return f"{TYPE_PREFIX}.{name}.v{version}"


def split_type(event_type: str) -> tuple[str, int] | None:
    """`servicedesk.incident.created.v1` → (`incident.created`, 1); None if not one of ours."""
    match = _TYPE.match(event_type)
    return (match["name"], int(match["v"])) if match else None


@dataclass(frozen=True, slots=True)
class EventSpec:
    """The identity of a contract: event name, version, aggregate, and who publishes it."""

    name: str
    version: int
    aggregate: str
    producer: str
    summary: str

    @property
    def type(self) -> str:
        return cloud_type(self.name, self.version)


class EventData(BaseModel):
    """Base of every event's `data`. Subclasses set `contract`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    contract: ClassVar[EventSpec]


class EventShape(BaseModel):
    """A nested part of an event's `data` (not an event of its own)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ContractViolation(ValueError):
    """An event does not match its contract; `reason` is a short code for headers and metrics."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Registry:
    """The contracts by CloudEvents type."""

    def __init__(self, contracts: Iterable[type[EventData]] = ()) -> None:
        self._by_type: dict[str, type[EventData]] = {}
        for model in contracts:
            self.register(model)

    def register(self, model: type[EventData]) -> type[EventData]:
        known = self._by_type.get(model.contract.type)
        if known is not None and known is not model:
            raise ValueError(f"two contracts for {model.contract.type}: {known}, {model}")
        self._by_type[model.contract.type] = model
        return model

    def __iter__(self) -> Iterator[type[EventData]]:
        return iter(sorted(self._by_type.values(), key=lambda m: m.contract.type))

    def get(self, event_type: str) -> type[EventData] | None:
        return self._by_type.get(event_type)

    def of(self, name: str, version: int = 1) -> type[EventData]:
        model = self._by_type.get(cloud_type(name, version))
        if model is None:
            raise ContractViolation("unknown-type", f"no contract for {cloud_type(name, version)}")
        return model

    def validate_incoming(self, event_type: str, data: Any) -> EventData:
        """A consumer's view: the contract of `event_type`, extra fields ignored."""
        model = self._by_type.get(event_type)
        if model is None:
            raise ContractViolation("unknown-type", f"no contract for {event_type!r}")
        try:
            return _tolerant(model, data)
        except ValidationError as exc:
            raise ContractViolation("contract", _summary(exc)) from exc

    def validate_outgoing(self, name: str, version: int, payload: dict[str, Any]) -> EventData:
        """A publisher's view: exactly the contract's fields (nothing undocumented leaves)."""
        model = self.of(name, version)
        try:
            return model.model_validate(payload)
        except ValidationError as exc:
            raise ContractViolation("contract", f"{model.contract.type}: {_summary(exc)}") from exc


def _tolerant(model: type[EventData], data: Any) -> EventData:
    """Validates `data`, ignoring fields the model does not know (at any depth)."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        extra = [e["loc"] for e in exc.errors() if e["type"] == "extra_forbidden"]
        if not extra or len(extra) < len(exc.errors()):
            raise
    known = copy.deepcopy(data)
    for location in extra:
        node = known
        for step in location[:-1]:
            node = node[step]
        del node[location[-1]]
    return model.model_validate(known)


def _summary(exc: ValidationError) -> str:
    parts = [
        f"{'.'.join(str(p) for p in error['loc']) or '(data)'}: {error['msg']}"
        for error in exc.errors()[:5]
    ]
    return "; ".join(parts)
