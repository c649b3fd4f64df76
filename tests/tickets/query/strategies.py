"""Hypothesis strategies over the query model: valid, canonical queries of either entity."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from servicedesk.tickets.query import (
    FIELDS,
    And,
    Comparison,
    Condition,
    DateValue,
    Empty,
    Entity,
    FieldSpec,
    Function,
    Kind,
    ListValue,
    Not,
    Number,
    Operator,
    Or,
    OrderItem,
    Query,
    RelativeDate,
    Scalar,
    Text,
    Vocabulary,
)

# Anything a value may hold: no C0 controls, no DEL, no lone surrogates (the model's rule).
_FORBIDDEN = [chr(c) for c in range(0x20)] + ["\x7f"]
CHARACTERS = st.characters(blacklist_categories=["Cs"], blacklist_characters=_FORBIDDEN)
TEXTS = st.text(CHARACTERS, max_size=12)
NASTY = st.sampled_from(
    [
        "'; drop table tickets.incidents; --",
        'a"b\\c',
        "100%_off",
        "in progress",
        "and",
        "order by",
        "-7d",
        "2026-01-31",
        "Рога и копыта",
        "ёжик",
        "",
        " ",
        "\u00a0",
        "\x85",
    ]
)
TEXTUAL = st.one_of(TEXTS, NASTY)
_PREFIX = {"incident": "INC", "problem": "PRB"}


def _key(prefix: str) -> st.SearchStrategy[Scalar]:
    numbers = st.integers(0, 10**12)
    return st.one_of(
        numbers.map(lambda n: Number(value=n)),
        numbers.map(lambda n: Text(value=f"{prefix}-{n:06d}")),
    )


def _dates() -> st.SearchStrategy[Scalar]:
    days = st.dates(dt.date(1900, 1, 1), dt.date(2999, 12, 31))
    times = st.one_of(st.none(), st.times().map(lambda t: t.replace(microsecond=0)))
    return st.one_of(
        st.builds(DateValue, date=days, time=times),
        st.builds(
            RelativeDate,
            amount=st.integers(-99_999, 99_999),
            unit=st.sampled_from(["m", "h", "d", "w"]),
        ),
        st.just(Function(name="now")),
    )


def scalars(
    spec: FieldSpec, op: Operator, entity: Entity, vocabulary: Vocabulary
) -> st.SearchStrategy[Scalar]:
    """Values a field takes with an operator, canonical (as the parser would leave them)."""
    kind = spec.kind
    if kind is Kind.KEY:
        return _key(_PREFIX[entity])
    if kind is Kind.PROBLEM:
        return _key("PRB")
    if kind in (Kind.ENUM, Kind.RANKED):
        assert spec.vocabulary is not None
        ids = [choice.id for choice in vocabulary.choices(spec.vocabulary)]
        return st.sampled_from(ids).map(lambda v: Text(value=v))
    if kind is Kind.TIME:
        return _dates()
    if kind is Kind.BOOL:
        return st.sampled_from(["true", "false"]).map(lambda v: Text(value=v))
    if kind is Kind.FULLTEXT:
        words = st.tuples(TEXTUAL, st.sampled_from(["принтер", "vpn", "a", "7"]))
        return words.map(lambda pair: Text(value=f"{pair[0]} {pair[1]}".strip()))
    texts = TEXTUAL.map(lambda v: Text(value=v))
    if kind is Kind.USER and op != "~":
        return st.one_of(texts, st.just(Function(name="me")))
    return texts


def comparisons(entity: Entity, vocabulary: Vocabulary) -> st.SearchStrategy[Comparison]:
    @st.composite
    def build(draw: st.DrawFn) -> Comparison:
        spec = draw(st.sampled_from(list(FIELDS[entity].values())))
        op = draw(st.sampled_from(spec.operators))
        if op in ("is", "is not"):
            return Comparison(field=spec.name, op=op, value=Empty())
        if op in ("in", "not in"):
            items = st.lists(scalars(spec, "=", entity, vocabulary), min_size=1, max_size=4)
            lists = items.map(lambda v: ListValue(items=tuple(v)))
            if spec.kind is Kind.GROUP:
                lists = st.one_of(lists, st.just(Function(name="my_groups")))
            return Comparison(field=spec.name, op=op, value=draw(lists))
        return Comparison(field=spec.name, op=op, value=draw(scalars(spec, op, entity, vocabulary)))

    return build()


def conditions(entity: Entity, vocabulary: Vocabulary) -> st.SearchStrategy[Condition]:
    def extend(children: st.SearchStrategy[Condition]) -> st.SearchStrategy[Condition]:
        many = st.lists(children, min_size=2, max_size=3).map(tuple)
        return st.one_of(
            many.map(lambda items: And(items=items)),
            many.map(lambda items: Or(items=items)),
            children.map(lambda item: Not(item=item)),
        )

    return st.recursive(comparisons(entity, vocabulary), extend, max_leaves=6)


def queries(entity: Entity, vocabulary: Vocabulary | None = None) -> st.SearchStrategy[Query]:
    vocabulary = vocabulary or Vocabulary.default(entity)
    orderable = [f.name for f in FIELDS[entity].values() if f.orderable]
    groupable = [f.name for f in FIELDS[entity].values() if f.groupable]
    order_items = st.lists(st.sampled_from(orderable), max_size=3, unique=True).flatmap(
        lambda names: st.tuples(
            *(
                st.builds(OrderItem, field=st.just(n), direction=st.sampled_from(["asc", "desc"]))
                for n in names
            )
        )
    )
    return st.builds(
        Query,
        entity=st.just(entity),
        where=st.one_of(st.none(), conditions(entity, vocabulary)),
        order_by=order_items,
        group_by=st.one_of(st.none(), st.sampled_from(groupable)),
    )


def any_query() -> st.SearchStrategy[Query]:
    return st.one_of(queries("incident"), queries("problem"))
