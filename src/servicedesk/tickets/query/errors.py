"""The one error of the query language: where in the text, what is wrong, what would do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


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
        where = f"at column {column}" if line == 1 else f"at line {line}, column {column}"
        message = f"{problem} {where}"
        if suggestions and mention:
            message += " — did you mean " + " or ".join(f'"{s}"' for s in suggestions[:3]) + "?"
        elif hint:
            message += f"; {hint}"
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
