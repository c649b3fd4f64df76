"""Progress bars of the seeding commands: the stage of the run and a bar per table."""

from __future__ import annotations

from typing import Protocol

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class SeedProgress(Protocol):
    """What a seeding run reports as it goes."""

    def stage(self, text: str) -> None: ...

    def table(self, name: str, total: int) -> None: ...

    def advance(self, name: str, rows: int) -> None: ...


class SilentProgress:
    def stage(self, text: str) -> None:
        pass

    def table(self, name: str, total: int) -> None:
        pass

    def advance(self, name: str, rows: int) -> None:
        pass


class RowsPerSecond(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed else "", style="progress.data.speed")


class RichProgress:
    """Shows the stage of the run and a bar per table."""

    def __init__(self, progress: Progress) -> None:
        self._progress = progress
        self._stage = progress.add_task("preparing", total=None)
        self._tables: dict[str, TaskID] = {}

    def stage(self, text: str) -> None:
        self._progress.update(self._stage, description=text)

    def table(self, name: str, total: int) -> None:
        self._tables[name] = self._progress.add_task(name, total=total)

    def advance(self, name: str, rows: int) -> None:
        self._progress.advance(self._tables[name], rows)


def progress_bar(console: Console) -> Progress:
    return Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        RowsPerSecond(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
    )
