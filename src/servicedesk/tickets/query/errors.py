"""The one error of the query language: where in the text, what is wrong, what would do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from servicedesk.kernel.i18n import _t


class QueryError(ValueError):
    """An invalid query. `position` is a 0-based offset into the text, `line` and `column` are
    1-based; `length` spans the offending token (0 at the end of the text). `suggestions` are
    replacements for that span, best first (possibly none)."""

    def __init__(
        self,
        message: str,
        *,
        position: int = 0,
        length: int = 0,
        line: int = 1,
        column: int = 1,
        suggestions: Sequence[str] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.position = position
        self.length = length
        self.line = line
        self.column = column
        self.suggestions = list(suggestions)

    @classmethod
    def at(
        cls,
        text: str,
        position: int,
        length: int,
        problem: str,
        *,
        suggestions: Sequence[str] = (),
        hint: str | None = None,
        mention: bool = True,
    ) -> QueryError:
        """`problem at column N`, then `— did you mean "x"?` for the first suggestions (when
        `mention`), else `; hint`."""
        position = max(0, min(position, len(text)))
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        message: str = _t("{problem} at column {column}", problem=problem, column=column)
        if line > 1:
            message = _t(
                "{problem} at line {line}, column {column}",
                problem=problem,
                line=line,
                column=column,
            )
        if suggestions and mention:
            choices = _either([f'"{s}"' for s in suggestions[:3]])
            message = _t("{message} — did you mean {choices}?", message=message, choices=choices)
        elif hint:
            message = _t("{message}; {hint}", message=message, hint=hint)
        return cls(
            message,
            position=position,
            length=max(0, length),
            line=line,
            column=column,
            suggestions=suggestions,
        )

    def as_dict(self) -> dict[str, Any]:
        """For an API error body."""
        return {
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "position": self.position,
            "length": self.length,
            "suggestions": list(self.suggestions),
        }

    def __repr__(self) -> str:
        return f"QueryError({self.message!r})"


def _either(choices: Sequence[str]) -> str:
    """`"a" or "b" or "c"`, its "or" in the reader's language."""
    said = choices[0]
    for choice in choices[1:]:
        said = _t("{phrases} or {last}", phrases=said, last=choice)
    return said
