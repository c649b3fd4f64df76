"""The figures of the notifications burst, and the tables it prints."""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table

from bench.harness import percentile

if TYPE_CHECKING:
    from bench.notifications_burst import BrokerFigures, Burst
    from bench.notifications_people import Preference

TARGET_P99_S = 1.0
MIB = 1024 * 1024


@dataclass(frozen=True)
class Latencies:
    count: int
    p50: float  # seconds
    p99: float
    max: float

    @classmethod
    def of(cls, samples: list[float]) -> Latencies:
        if not samples:
            return cls(0, float("nan"), float("nan"), float("nan"))
        return cls(len(samples), percentile(samples, 0.5), percentile(samples, 0.99), max(samples))

    def row(self) -> str:
        return f"{self.p50 * 1000:,.0f} / {self.p99 * 1000:,.0f} / {self.max * 1000:,.0f} ms"


@dataclass(frozen=True)
class Figures:
    events: int
    processed: int
    first_publish: float
    publish_seconds: float
    last_commit: float  # epoch seconds of the last event's decision committed
    notifications: int
    in_app_rows: int
    by_kind: Counter[str]
    dispatches: list[tuple[str, str, int]]
    event_commit: Latencies  # event time → its decision committed (NOTIFY heard)
    in_app: Latencies  # event time → the notification announced (NOTIFY heard)
    decision_start: Latencies  # event time → the decision's transaction started (created_at)
    unannounced: int  # notifications whose NOTIFY the bench did not hear
    vanished: int  # announced, then gone from the table before the bench read it
    skipped_elsewhere: int  # dispatches given up by a dispatcher without the bench's people

    @property
    def seconds(self) -> float:
        return self.last_commit - self.first_publish


@dataclass(frozen=True)
class SqlFigures:
    events: int
    notifications: int
    dispatches: int
    seconds: float
    transactions: Latencies


def _rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.1f}" if seconds > 0 else "—"


def _main_rows(
    args: argparse.Namespace,
    burst: Burst,
    figures: Figures,
    broker: BrokerFigures,
    sql: SqlFigures,
) -> list[tuple[str, str]]:
    f = figures
    broker_rate = len(broker.latencies) / broker.seconds
    met = "yes" if f.in_app.p99 <= TARGET_P99_S else "NO"
    return [
        ("events published (confirmed)", f"{f.events:,} in {f.publish_seconds:.1f} s"),
        ("events processed", f"{f.processed:,} of {f.events:,}"),
        ("first publish → last decision committed", f"{f.seconds:.1f} s"),
        ("events decided/s", _rate(f.processed, f.seconds)),
        ("notifications decided (in-app)", f"{f.notifications:,} ({f.in_app_rows:,})"),
        ("notifications decided/s", _rate(f.notifications, f.seconds)),
        ("event → decision committed p50 / p99 / max", f.event_commit.row()),
        ("event → in-app p50 / p99 / max", f.in_app.row()),
        (f"in-app p99 ≤ {TARGET_P99_S:.0f} s", met),
        ("event → decision started p50 / p99 / max", f.decision_start.row()),
        ("service RSS before / peak / after", _rss(burst)),
        (
            "service CPU in the burst (per event)",
            f"{burst.cpu_seconds:.1f} s ({burst.cpu_seconds / max(1, f.processed) * 1000:.1f} ms)",
        ),
        ("broker: first publish → last consumed", f"{broker.seconds:.1f} s"),
        ("broker: messages/s", f"{broker_rate:,.1f}"),
        ("broker: publish → consume p50 / p99 / max", Latencies.of(broker.latencies).row()),
        ("SQL: the same rows, events/s", _rate(sql.events, sql.seconds)),
        ("SQL: notifications/s", _rate(sql.notifications, sql.seconds)),
        ("SQL: transaction p50 / p99 / max", sql.transactions.row()),
        ("events/s: service / broker", f"{f.processed / f.seconds / broker_rate:.0%}"),
        ("events/s: service / SQL", f"{f.processed / f.seconds / (sql.events / sql.seconds):.0%}"),
    ]


def _rss(burst: Burst) -> str:
    return (
        f"{burst.rss_before / MIB:.0f} / {burst.rss_peak / MIB:.0f} /"
        f" {burst.rss_after / MIB:.0f} MiB"
    )


def report(
    args: argparse.Namespace,
    chosen: list[Preference],
    burst: Burst,
    figures: Figures,
    broker: BrokerFigures,
    sql: SqlFigures,
    mail: int,
) -> None:
    console = Console(width=140)
    paced = f"at {args.rate:.0f} events/s" if args.rate else "all at once"
    table = Table(
        title=(
            f"Notifications burst: {figures.events:,} events over {args.incidents:,} incidents,"
            f" {paced}, 200 people; dispatch {args.dispatch}"
        )
    )
    table.add_column("figure", justify="left")
    table.add_column("value", justify="right")
    for name, value in _main_rows(args, burst, figures, broker, sql):
        table.add_row(name, value)
    console.print(table)
    _details(console, chosen, burst, figures, sql, mail)


def _details(
    console: Console,
    chosen: list[Preference],
    burst: Burst,
    figures: Figures,
    sql: SqlFigures,
    mail: int,
) -> None:
    kinds = ", ".join(f"{k} {n:,}" for k, n in figures.by_kind.most_common())
    dispatches = ", ".join(f"{c} {s} {n:,}" for c, s, n in figures.dispatches)
    profiles: Counter[str] = Counter(p.profile for p in chosen)
    lines: list[Any] = [
        f"notifications by kind: {kinds}",
        f"dispatches at the end: {dispatches or 'none'}",
        f"mail delivered to the bench's mailboxes: {mail:,}",
        "preferences: "
        + ", ".join(f"{k} {n}" for k, n in profiles.most_common())
        + f", role defaults {200 - len(chosen)}"
        + f" (quiet hours holding the run: {sum(1 for p in chosen if p.quiet_now)})",
        f"SQL baseline: {sql.events:,} transactions, {sql.notifications:,} notifications,"
        f" {sql.dispatches:,} dispatches in {sql.seconds:.1f} s",
        f"consumers of the queue seen during the burst (1 = the bench's alone):"
        f" {burst.max_consumers}; messages waiting in it before: {burst.foreign_waiting};"
        f" the tests' due dispatches put back as they were: {burst.restored}",
        f"notifications whose NOTIFY was not heard: {figures.unannounced}",
        _disturbed(burst, figures),
    ]
    for line in lines:
        console.print(line)


def _disturbed(burst: Burst, figures: Figures) -> str:
    """Whether something else worked on the tests' queue or the bench's rows meanwhile."""
    seen = []
    if burst.max_consumers > 1:
        seen.append(f"{burst.max_consumers} consumers on the queue (another service took events)")
    if figures.vanished:
        seen.append(f"{figures.vanished:,} notifications deleted by someone else")
    if figures.skipped_elsewhere:
        seen.append(f"{figures.skipped_elsewhere:,} dispatches given up by another dispatcher")
    if not seen:
        return "undisturbed: no other consumer, no rows of the run touched by others"
    return "[bold red]DISTURBED[/bold red]: " + "; ".join(seen) + " (figures not comparable)"
