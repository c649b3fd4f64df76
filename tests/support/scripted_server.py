"""A real HTTP/1.1 server on a local port that answers from a script: statuses, hangs, resets.

    async with scripted_server([503, 503, Answer(200, {"id": 1})]) as server:
        ...  # call server.url; server.seen lists the requests it received

Each request takes the next answer; the last one repeats. `HANG` holds the connection without
answering (a timeout), `RESET` closes it without a word (a dropped connection).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

HANG: Literal["hang"] = "hang"
RESET: Literal["reset"] = "reset"


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Step = Answer | int | Literal["hang", "reset"]


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes


@dataclass
class ScriptedServer:
    script: Sequence[Step]
    url: str = ""
    seen: list[Seen] = field(default_factory=list)

    def next_step(self) -> Step:
        return self.script[min(len(self.seen) - 1, len(self.script) - 1)]


async def _read_request(reader: asyncio.StreamReader) -> Seen | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except (asyncio.IncompleteReadError, ConnectionError):
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, path, _ = lines[0].split(" ", 2)
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Seen(method, path, headers, body)


def _render(answer: Answer) -> bytes:
    body = b"" if answer.body is None else json.dumps(answer.body).encode()
    headers = {"Content-Type": "application/json", **answer.headers}
    head = [f"HTTP/1.1 {answer.status} Scripted", f"Content-Length: {len(body)}"]
    head += [f"{name}: {value}" for name, value in headers.items()]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


@asynccontextmanager
async def scripted_server(script: Sequence[Step]) -> AsyncIterator[ScriptedServer]:
    server = ScriptedServer(script)
    handlers: set[asyncio.Task[Any]] = set()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            handlers.add(task)
        try:
            while (request := await _read_request(reader)) is not None:
                server.seen.append(request)
                step = server.next_step()
                if step == HANG:
                    await asyncio.sleep(30)
                    return
                if step == RESET:
                    return
                answer = step if isinstance(step, Answer) else Answer(int(step))
                writer.write(_render(answer))
                await writer.drain()
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    listening = await asyncio.start_server(serve, "127.0.0.1", 0)
    server.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
    try:
        yield server
    finally:
        listening.close()
        for task in handlers:
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
