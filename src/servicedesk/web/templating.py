"""Jinja2 templates (autoescaped, undefined names are errors) and the static files they link.

Static links carry a hash of the file (`/static/app.css?v=1a2b3c4d`), so browsers keep them for a
year and fetch them again only when they change.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from starlette.responses import FileResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from servicedesk.web.i18n import Formats

PACKAGE_DIR = Path(__file__).parent
TEMPLATE_DIR = PACKAGE_DIR / "templates"
STATIC_DIR = PACKAGE_DIR / "static"
VENDOR_PREFIX = "vendor/"


class StaticUrls:
    """`static_url("app.css")` → `/static/app.css?v=<hash>`; vendored files under `vendor/`."""

    def __init__(self, static_dir: Path, vendor_dir: Path) -> None:
        self.static_dir = static_dir
        self.vendor_dir = vendor_dir
        self._versions: dict[str, str] = {}

    def __call__(self, name: str) -> str:
        version = self._versions.get(name)
        if version is None:
            version = self._versions[name] = self._hash(name)
        return f"/static/{name}?v={version}" if version else f"/static/{name}"

    def _hash(self, name: str) -> str:
        if name.startswith(VENDOR_PREFIX):
            path = self.vendor_dir / name.removeprefix(VENDOR_PREFIX)
        else:
            path = self.static_dir / name
        try:
            return hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        except OSError:
            return ""  # not there (yet): linked without a version, not kept long


class CachedStaticFiles(StaticFiles):
    """Static files; a versioned link (`?v=`) is immutable, anything else is revalidated."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["cache-control"] = (
            "public, max-age=31536000, immutable" if versioned else "no-cache"
        )
        if isinstance(response, FileResponse) and str(full_path).endswith(".js"):
            response.headers["content-type"] = "text/javascript; charset=utf-8"
        return response


def build_environment(formats: Formats, static_url: StaticUrls) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )

    @pass_context
    def datetime_filter(context: Context, value: Any, style: str = "medium") -> str:
        return formats.datetime(value, context["lang"], style)

    @pass_context
    def date_filter(context: Context, value: Any, style: str = "medium") -> str:
        return formats.date(value, context["lang"], style)

    @pass_context
    def number_filter(context: Context, value: Any) -> str:
        return formats.number(value, context["lang"])

    @pass_context
    def money_filter(context: Context, value: Any, currency: str | None = None) -> str:
        return formats.money(value, currency, context["lang"])

    env.filters["datetime"] = datetime_filter
    env.filters["date"] = date_filter
    env.filters["number"] = number_filter
    env.filters["money"] = money_filter
    env.globals["static_url"] = static_url
    env.globals["product"] = "servicedesk"
    return env
