"""HTTP load from wrk (a C load generator): the API measured without a Python client's cost."""

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
_RESULT = re.compile(r"RESULT (\d+) ([\d.]+) ([\d.]+) ([\d.]+) (\d+)")


def available() -> bool:
    return shutil.which("wrk") is not None


async def run(
    base_url: str, paths: Sequence[str], token: str, *, concurrency: int, seconds: int
) -> Figures:
    with tempfile.TemporaryDirectory() as folder:
        listing = Path(folder) / "paths.txt"
        listing.write_text("\n".join(paths) + "\n")
        script = Path(folder) / "load.lua"
        script.write_text(LUA % {"paths": listing, "token": token})
        process = await asyncio.create_subprocess_exec(
            "wrk",
            "-t1",
            f"-c{concurrency}",
            f"-d{seconds}s",
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
