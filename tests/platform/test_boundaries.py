"""Services never import one another; import-linter enforces it and is shown to catch a breach."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

from servicedesk.ops.catalogue import SERVICES

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_the_contracts_hold_for_the_code_base() -> None:
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_a_service_importing_another_breaks_the_contract(tmp_path: Path) -> None:
    package = tmp_path / "src" / "servicedesk"
    for name, body in {
        "__init__.py": "",
        "kernel/__init__.py": "",
        "tickets/__init__.py": "",
        "clients/__init__.py": "",
        "clients/models.py": "CLIENT = 1\n",
        "tickets/leak.py": "from servicedesk.clients.models import CLIENT\n",
    }.items():
        path = package / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body)
    (tmp_path / ".importlinter").write_text(
        textwrap.dedent(
            """
            [importlinter]
            root_package = servicedesk

            [importlinter:contract:services]
            name = Services are independent of one another
            type = independence
            modules =
                servicedesk.tickets
                servicedesk.clients
            """
        )
    )
    result = subprocess.run(
        [LINT_IMPORTS, "--no-cache", "--config", ".importlinter"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(tmp_path / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode != 0
    assert "servicedesk.tickets.leak -> servicedesk.clients.models" in result.stdout


def test_every_service_package_is_under_the_contract() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    contracts = config["tool"]["importlinter"]["contracts"]
    independent = next(c for c in contracts if c["type"] == "independence")["modules"]
    packages = {
        f"servicedesk.{p.name}"
        for p in (ROOT / "src" / "servicedesk").iterdir()
        if (p / "app.py").exists() and p.name != "kernel"
    }
    fakes = ROOT / "src" / "servicedesk" / "fakes"  # the fakes of outside systems, one package
    if any((f / "app.py").exists() for f in fakes.iterdir()):
        packages.add("servicedesk.fakes")
    assert packages == set(independent)
    apps = {s.app_factory.removesuffix(".app:create_app") for s in SERVICES}
    assert {a if not a.startswith("servicedesk.fakes.") else "servicedesk.fakes" for a in apps} <= (
        packages
    )
