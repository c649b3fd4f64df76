"""Attachments: accepted types checked against the content, the size limit, downloads that are
never rendered inline, internal files hidden from reporters, and cleaned file names."""

from __future__ import annotations

import hashlib
import os
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from servicedesk.tickets.app import create_app
from tests.legacy.conftest import wait_for_standby
from tests.support.apps import serve
from tests.support.tokens import TokenShop
from tests.tickets.conftest import tickets_settings
from tests.tickets.factories import INCIDENTS, PROBLEM_JSON, headers_of, open_incident

PNG = b"\x89PNG\r\n\x1a\n" + os.urandom(64)
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
TEXT = "Журнал ошибок: принтер не отвечает\n".encode()
SMALL_LIMIT = 1024


@pytest.fixture
async def agent(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "agent1")


@pytest.fixture
async def reporter(tokens: TokenShop) -> dict[str, str]:
    return await headers_of(tokens, "reporter1")


@pytest.fixture(scope="module")
async def small_api(proxy_urls: dict[str, str]) -> AsyncIterator[httpx.AsyncClient]:
    """The tickets service with a 1 KiB attachment limit."""
    settings = tickets_settings(proxy_urls["migration"], attachment_max_bytes=SMALL_LIMIT)
    async with serve(create_app(settings)) as client:
        yield client


async def upload(
    api: httpx.AsyncClient,
    headers: dict[str, str],
    incident: dict[str, Any],
    filename: str,
    data: bytes,
    content_type: str,
    visibility: str | None = None,
) -> httpx.Response:
    form = {} if visibility is None else {"visibility": visibility}
    return await api.post(
        f"{INCIDENTS}/{incident['id']}/attachments",
        files={"file": (filename, data, content_type)},
        data=form,
        headers=headers,
    )


@pytest.mark.parametrize(
    ("filename", "data", "content_type", "stored_type"),
    [
        ("screen.png", PNG, "image/png", "image/png"),
        ("invoice.pdf", PDF, "application/pdf", "application/pdf"),
        ("log.txt", TEXT, "text/plain; charset=utf-8", "text/plain"),
        ("data.csv", b"a;b\n1;2\n", "text/csv", "text/csv"),
        ("cfg.json", b'{"ok": true}', "application/json", "application/json"),
        ("photo.jpg", b"\xff\xd8\xff\xe0" + os.urandom(32), "IMAGE/JPEG", "image/jpeg"),
    ],
    ids=["png", "pdf", "text", "csv", "json", "jpeg"],
)
async def test_accepted_files_are_stored_and_served_back(
    tickets_api: httpx.AsyncClient,
    agent: dict[str, str],
    filename: str,
    data: bytes,
    content_type: str,
    stored_type: str,
) -> None:
    incident = await open_incident(tickets_api, agent)
    response = await upload(tickets_api, agent, incident, filename, data, content_type)
    assert response.status_code == 201, response.text
    attachment = response.json()
    assert (attachment["filename"], attachment["content_type"]) == (filename, stored_type)
    assert (attachment["size"], attachment["sha256"]) == (
        len(data),
        hashlib.sha256(data).hexdigest(),
    )
    assert (attachment["visibility"], attachment["uploaded_by"]) == ("public", "agent1")
    assert attachment["incident_id"] == incident["id"]

    url = f"{INCIDENTS}/{incident['key']}/attachments"
    listed = await tickets_api.get(url, headers=agent)
    assert [a["id"] for a in listed.json()] == [attachment["id"]]
    download = await tickets_api.get(f"{url}/{attachment['id']}", headers=agent)
    assert download.status_code == 200, download.text
    assert download.content == data
    assert download.headers["content-type"].split(";")[0] == stored_type
    assert download.headers["content-disposition"] == f"attachment; filename*=UTF-8''{filename}"
    assert download.headers["x-content-type-options"] == "nosniff"
    assert download.headers["content-security-policy"] == "sandbox"

    history = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/history", headers=agent)
    assert ("attachment", None, filename) in {
        (h["field"], h["old_value"], h["new_value"]) for h in history.json()
    }


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (b"MZ\x90\x00", "application/x-msdownload"),
        (b"<html><script>alert(1)</script></html>", "text/html"),
        (b"<svg onload='alert(1)'/>", "image/svg+xml"),
        (b"#!/bin/sh\nrm -rf /\n", "application/x-sh"),
        (b"anything", "application/octet-stream"),
        (b"anything", ""),
        (b"This is plain text", "image/png"),  # declared one thing, is another
        (PNG, "application/pdf"),
        (PDF, "image/jpeg"),
        (b"text with a \x00 byte", "text/plain"),
        (b"\xff\xfe not utf-8 \xc3\x28", "text/plain"),
        (b"RIFF\x00\x00\x00\x00AVI ", "image/webp"),
        (b"", "text/plain"),  # empty
    ],
    ids=lambda value: value.decode("latin-1")[:12] if isinstance(value, bytes) else value,
)
async def test_refused_types_are_415(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], data: bytes, content_type: str
) -> None:
    incident = await open_incident(tickets_api, agent)
    response = await upload(tickets_api, agent, incident, "file.bin", data, content_type)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["type"].endswith("/unsupported-attachment")
    listed = await tickets_api.get(f"{INCIDENTS}/{incident['id']}/attachments", headers=agent)
    assert listed.json() == []


async def test_files_over_the_limit_are_413(
    small_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    incident = await open_incident(small_api, agent)
    at_limit = await upload(small_api, agent, incident, "a.txt", b"a" * SMALL_LIMIT, "text/plain")
    assert at_limit.status_code == 201, at_limit.text
    over = await upload(small_api, agent, incident, "b.txt", b"b" * (SMALL_LIMIT + 1), "text/plain")
    assert over.status_code == 413, over.text
    assert over.headers["content-type"] == PROBLEM_JSON
    assert over.json()["type"].endswith("/attachment-too-large")
    assert over.json()["limit"] == SMALL_LIMIT
    listed = await small_api.get(f"{INCIDENTS}/{incident['id']}/attachments", headers=agent)
    assert [a["filename"] for a in listed.json()] == ["a.txt"]


async def test_internal_files_are_hidden_from_the_reporter(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], reporter: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, reporter)
    public = await upload(tickets_api, reporter, incident, "mine.png", PNG, "image/png")
    internal = await upload(
        tickets_api, agent, incident, "notes.txt", TEXT, "text/plain", "internal"
    )
    assert (public.status_code, internal.status_code) == (201, 201), internal.text
    assert internal.json()["visibility"] == "internal"
    await wait_for_standby()  # the reporter reads the standby: hidden, not merely not there yet
    url = f"{INCIDENTS}/{incident['id']}/attachments"

    staff_view = await tickets_api.get(url, headers=agent)
    assert {a["filename"] for a in staff_view.json()} == {"mine.png", "notes.txt"}
    reporter_view = await tickets_api.get(url, headers=reporter)
    assert [a["filename"] for a in reporter_view.json()] == ["mine.png"]
    hidden = await tickets_api.get(f"{url}/{internal.json()['id']}", headers=reporter)
    assert hidden.status_code == 404, hidden.text
    assert hidden.json()["type"].endswith("/attachment-not-found")
    assert (await tickets_api.get(f"{url}/{internal.json()['id']}", headers=agent)).content == TEXT
    assert (await tickets_api.get(f"{url}/{public.json()['id']}", headers=reporter)).content == PNG

    refused = await upload(tickets_api, reporter, incident, "x.txt", TEXT, "text/plain", "internal")
    assert refused.status_code == 403, refused.text


async def test_attachments_belong_to_their_incident(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], reporter: dict[str, str]
) -> None:
    one, other = await open_incident(tickets_api, agent), await open_incident(tickets_api, agent)
    stored = await upload(tickets_api, agent, one, "a.txt", TEXT, "text/plain")
    await wait_for_standby()
    elsewhere = await tickets_api.get(
        f"{INCIDENTS}/{other['id']}/attachments/{stored.json()['id']}", headers=agent
    )
    assert elsewhere.status_code == 404
    unknown = await tickets_api.get(
        f"{INCIDENTS}/{one['id']}/attachments/{other['id']}", headers=agent
    )
    assert unknown.status_code == 404
    not_theirs = await upload(tickets_api, reporter, one, "b.txt", TEXT, "text/plain")
    assert not_theirs.status_code == 404, "a reporter cannot attach to another's incident"
    peek = await tickets_api.get(
        f"{INCIDENTS}/{one['id']}/attachments/{stored.json()['id']}", headers=reporter
    )
    assert peek.status_code == 404


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("../../etc/passwd.txt", "passwd.txt"),
        ("C:\\Users\\ivan\\Desktop\\report.txt", "report.txt"),
        ("/var/log/syslog.txt", "syslog.txt"),
        ("..", "attachment"),
        ("  .hidden.txt. ", "hidden.txt"),
        ("отчёт за май.txt", "отчёт за май.txt"),
        ("invoice\u202etxt.exe", "invoicetxt.exe"),  # no right-to-left override tricks
        ("x" * 300 + ".txt", "x" * 255),
    ],
)
async def test_file_names_are_cleaned(
    tickets_api: httpx.AsyncClient, agent: dict[str, str], sent: str, kept: str
) -> None:
    incident = await open_incident(tickets_api, agent)
    response = await upload(tickets_api, agent, incident, sent, TEXT, "text/plain")
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == kept
    download = await tickets_api.get(
        f"{INCIDENTS}/{incident['id']}/attachments/{response.json()['id']}", headers=agent
    )
    disposition = download.headers["content-disposition"]
    assert disposition == f"attachment; filename*=UTF-8''{quote(kept)}"
    assert "/" not in disposition
    assert "\\" not in disposition


async def test_control_characters_leave_the_file_name(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    """Sent raw: httpx itself would percent-encode them."""
    incident = await open_incident(tickets_api, agent)
    boundary = "sd-test-boundary"
    content = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="file"; filename="tab\there\x07.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
        "hello\r\n"
        f"--{boundary}--\r\n"
    ).encode()
    response = await tickets_api.post(
        f"{INCIDENTS}/{incident['id']}/attachments",
        content=content,
        headers={**agent, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "tabhere.txt"


async def test_malformed_uploads_are_422(
    tickets_api: httpx.AsyncClient, agent: dict[str, str]
) -> None:
    incident = await open_incident(tickets_api, agent)
    url = f"{INCIDENTS}/{incident['id']}/attachments"
    no_file = await tickets_api.post(url, data={"visibility": "public"}, headers=agent)
    assert no_file.status_code == 422, no_file.text
    assert [e["field"] for e in no_file.json()["errors"]] == ["file"]
    bad = await upload(tickets_api, agent, incident, "a.txt", TEXT, "text/plain", "secret")
    assert bad.status_code == 422, bad.text
    assert [e["field"] for e in bad.json()["errors"]] == ["visibility"]
    as_json = await tickets_api.post(url, json={"file": "aGVsbG8="}, headers=agent)
    assert as_json.status_code == 422, as_json.text
