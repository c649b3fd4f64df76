"""The query language over incidents and problems (docs/query-language.md, ADR 0018).

Text and the filter builder's JSON are two views of one model (`Query`): `parse_query` reads
text into it, `check_query` checks a model from JSON the same way, `render` writes the
canonical text, `compile_query` / `compile_grouped` turn it into SQLAlchemy statements and
`complete` says what may come at a cursor.
"""

from servicedesk.tickets.query.columns import QueryContext
from servicedesk.tickets.query.compiler import compile_grouped, compile_query
from servicedesk.tickets.query.complete import Suggestion, complete
from servicedesk.tickets.query.errors import QueryError
from servicedesk.tickets.query.fields import FIELDS, FieldSpec, Kind
from servicedesk.tickets.query.model import (
    And,
    Comparison,
    Condition,
    DateValue,
    Empty,
    Entity,
    Function,
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
    Value,
)
from servicedesk.tickets.query.parser import MAX_NESTING, check_query, parse_query
from servicedesk.tickets.query.render import render
from servicedesk.tickets.query.syntax import MAX_LENGTH
from servicedesk.tickets.query.vocabulary import Choice, Vocabulary

__all__ = [
    "FIELDS",
    "MAX_LENGTH",
    "MAX_NESTING",
    "And",
    "Choice",
    "Comparison",
    "Condition",
    "DateValue",
    "Empty",
    "Entity",
    "FieldSpec",
    "Function",
    "Kind",
    "ListValue",
    "Not",
    "Number",
    "Operator",
    "Or",
    "OrderItem",
    "Query",
    "QueryContext",
    "QueryError",
    "RelativeDate",
    "Scalar",
    "Suggestion",
    "Text",
    "Value",
    "Vocabulary",
    "check_query",
    "compile_grouped",
    "compile_query",
    "complete",
    "parse_query",
    "render",
]
