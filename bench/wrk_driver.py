"""HTTP load from wrk (a C load generator): the API measured without a Python client's cost.

GET mode cycles through a list of paths; POST mode sends JSON bodies from a list, each request
with an Idempotency-Key of its own (the run's prefix and a counter).
"""

from __future__ import annotations

import asyncio
import re
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from bench.harness import Figures

LUA = """
local paths = {}
for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
local token = "%(token)s"
local i = 0
request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% #paths) + 1], {["Authorization"] = "Bearer " .. token})
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%f %%f %%f %%d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""
POST_LUA = """
local bodies = {}
for line in io.lines("%(bodies)s") do bodies[#bodies + 1] = line end
local token = "%(token)s"
local prefix = "%(prefix)s"
local i = 0
request = function()
  i = i + 1
  return wrk.format("POST", "%(path)s", {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = prefix .. "-" .. i,
  }, bodies[(i %% #bodies) + 1])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT %%d %%f %%f %%f %%d\\n", summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
"""
_RESULT = re.compile(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)")


def available() -> bool:
    return shutil.which("wrk") is not None


async def run(
    base_url: str,
    paths: Sequence[str],
    token: str,
    *,
    concurrency: int,
    seconds: int,
    timeout_s: int | None = None,
) -> Figures:
    """GETs of `paths`, in turn. A request slower than `timeout_s` (wrk's default: 2 s) fails."""
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = Path(folder) / "load.lua"
        script.write_text(LUA % {"paths": listing, "token": token})
        return await _wrk(base_url, script, concurrency, seconds, timeout_s)


async def run_posts(
    base_url: str,
    path: str,
    bodies: Sequence[str],
    token: str,
    *,
    concurrency: int,
    seconds: int,
    key_prefix: str,
) -> Figures:
    """POSTs of the JSON `bodies` (one line each) to `path`, in turn, each request with the
    Idempotency-Key `<key_prefix>-<n>`: the prefix must be unique to the run."""
    if any("\n" in body for body in bodies):
        raise ValueError("a body must be on one line")
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "bodies.txt"
        listing.write_text("\n".join(bodies) + "\n", encoding="utf-8")
        script = Path(folder) / "post.lua"
        values = {"bodies": listing, "token": token, "prefix": key_prefix, "path": path}
        script.write_text(POST_LUA % values)
        return await _wrk(base_url, script, concurrency, seconds)


async def _wrk(
    base_url: str, script: Path, concurrency: int, seconds: int, timeout_s: int | None = None
) -> Figures:
    timeout = () if timeout_s is None else (f"--timeout={timeout_s}s",)
    process = await asyncio.create_subprocess_exec(
        "wrk",
        "-t1",
        f"-c{concurrency}",
        f"-d{seconds}s",
        *timeout,
        "-s",
        str(script),
        base_url,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output = (await process.communicate())[0].decode()
    found = _RESULT.search(output)
    if found is None:
        raise RuntimeError(f"wrk gave no result:\n{output}")
    count, seconds_run, p50, p99, errors = found.groups()
    if int(errors):
        raise RuntimeError(f"wrk saw {errors} failed requests:\n{output}")
    return Figures(int(count), float(seconds_run), float(p50), float(p99))
