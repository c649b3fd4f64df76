"""Service processes started the way supervisord starts them, on ports of their own."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from servicedesk.ops.catalogue import by_name
from servicedesk.ops.processes import metrics_dir, service_command

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"


@dataclass
class RunningService:
    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def log_lines(self) -> list[str]:
        return self.log_path.read_text(encoding="utf-8").splitlines()


def start_service(name: str, port: int, env: dict[str, str] | None = None) -> RunningService:
    """Starts the service as supervisord does: its workers, and metrics shared through files."""
    log_dir = ARTIFACTS / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    if log_path.exists():  # a restart keeps what the process before it said
        log_path.replace(log_dir / f"{name}.previous.log")
    service = by_name(name)
    metrics = metrics_dir(service, ARTIFACTS) / str(port)
    shutil.rmtree(metrics, ignore_errors=True)
    metrics.mkdir(parents=True)
    command = service_command(service, ROOT, port)
    environment = os.environ | {"PROMETHEUS_MULTIPROC_DIR": str(metrics)} | (env or {})
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=environment, start_new_session=True
        )
    return RunningService(name, port, log_path, process)


async def wait_ready(service: RunningService, timeout_s: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout_s
    async with httpx.AsyncClient() as client:
        while True:
            if service.process.poll() is not None:
                raise RuntimeError(f"{service.name} exited:\n{service.log_path.read_text()}")
            try:
                response = await client.get(f"{service.url}/health/ready", timeout=3)
                if response.status_code == 200 or time.monotonic() > deadline:
                    return response
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
            await asyncio.sleep(0.3)


def stop(service: RunningService) -> None:
    """Stops the service's process group; one that has exited already is fine."""
    try:
        os.killpg(service.process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        service.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(service.process.pid, signal.SIGKILL)
