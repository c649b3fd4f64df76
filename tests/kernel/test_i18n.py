"""One message catalogue: messages rendered in the request's language, problem+json in Russian and
English, validation reasons, stored notes, and a catalogue that covers what the code says."""

from __future__ import annotations

import ast
import copy
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Literal

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from servicedesk.kernel.app import ServiceSpec, create_service_app
from servicedesk.kernel.errors import NotFound, invalid_field
from servicedesk.kernel.i18n import (
    LANGUAGES,
    TEXTS_DIR,
    Catalogue,
    Message,
    _t,
    current_language,
    fields_of,
    from_accept_language,
    from_stored,
    joined,
    language_var,
    load_texts,
    localized_stored,
    stored,
    translate,
    use_language,
)
from servicedesk.kernel.i18n.validation import INVALID_VALUE, TEMPLATES
from servicedesk.kernel.settings import KeycloakSettings, ServiceSettings
from tests.support.apps import serve

SRC = Path(__file__).resolve().parents[2] / "src" / "servicedesk"
RU = {"Accept-Language": "ru-RU,ru;q=0.9,en;q=0.5"}
router = APIRouter(prefix="/things")


class NewThing(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=5)
    kind: Literal["box", "bag"] = "box"

    @field_validator("name")
    @classmethod
    def _not_secret(cls, value: str) -> str:
        if value == "x":
            raise ValueError(_t("only agents may {what}", what=_t("edit incidents")))
        return value


@router.post("")
async def create_thing(thing: NewThing) -> NewThing:
    return thing


@router.get("/missing/{reference}")
async def missing(reference: str) -> None:
    raise NotFound(_t("incident {reference} does not exist", reference=reference))


@router.get("/taken")
async def taken() -> None:
    raise invalid_field("name", "taken")


@router.get("/unknown-category")
async def unknown_category() -> None:
    reason = _t("unknown category {category!r}; known: {known}", category="x", known="a, b")
    raise invalid_field("category", reason)


@router.get("/language")
async def language() -> dict[str, str]:
    return {"language": current_language()}


@pytest.fixture(scope="module")
async def api() -> AsyncIterator[httpx.AsyncClient]:
    spec = ServiceSpec(
        "things",
        "things",
        ServiceSettings(max_body_bytes=1024),
        KeycloakSettings(client_id="servicedesk-tickets", client_secret=SecretStr("x")),
        routers=[router],
        uses_redis=False,
        uses_broker=False,
    )
    async with serve(create_service_app(spec)) as client:
        yield client


# ---- messages ---------------------------------------------------------------------------------


def test_a_message_is_its_english_text_and_keeps_how_it_was_made() -> None:
    reference = "INC-000042"
    message = _t("incident {reference!r} is at version {version}", reference=reference, version=3)
    assert message == f"incident {reference!r} is at version {3}"
    assert isinstance(message, str)
    assert json.dumps({"detail": message}) == json.dumps({"detail": str(message)})
    assert (message.template, dict(message.params)) == (
        "incident {reference!r} is at version {version}",
        {"reference": reference, "version": 3},
    )
    assert copy.deepcopy(message).params == message.params
    assert _t("use {braces} as they are") == "use {braces} as they are"


def test_messages_are_rendered_in_either_language_their_parameters_too() -> None:
    message = _t("only agents may {what}", what=_t("read an incident's history"))
    assert translate(message, "en") == "only agents may read an incident's history"
    assert translate(message, "ru") == "только агенты могут читать историю инцидента"
    assert translate("Not found", "ru") == "Не найдено"  # plain text: looked up as it is
    assert translate("no such text in the catalogue", "ru") == "no such text in the catalogue"
    assert translate(_t("nor {this}", this=1), "ru") == "nor 1"


def test_a_list_of_messages_joined_stays_translatable() -> None:
    phrases = joined([_t("a value"), _t("a field"), "x{y}"])
    assert phrases == "a value, a field, x{y}"
    words = _t("{phrases} or {last}", phrases=phrases, last=_t("the end of the query"))
    assert translate(words, "ru") == "значение, поле, x{y} или конец запроса"
    assert joined([]) == ""
    assert joined(["a", "b"], " {or} ") == "a {or} b"


def test_a_translation_that_does_not_fit_falls_back_to_english(tmp_path: Path) -> None:
    (tmp_path / "broken.ru.json").write_text(
        json.dumps({"order {number} is late": "заказ {nomer} опаздывает"}), encoding="utf-8"
    )
    texts = Catalogue(tmp_path)
    assert texts.translate(_t("order {number} is late", number=7), "ru") == "order 7 is late"


def test_a_stored_message_is_json_and_renders_later_in_any_language() -> None:
    note = _t("closed with problem {key}: {resolution}", key="PRB-000001", resolution="fixed")
    kept = json.loads(json.dumps(stored(note)))
    assert kept == {
        "msg": "closed with problem {key}: {resolution}",
        "params": {"key": "PRB-000001", "resolution": "fixed"},
    }
    assert from_stored(kept) == note
    assert translate(from_stored(kept), "ru") == "закрыт вместе с проблемой PRB-000001: fixed"
    nested = from_stored(stored(_t("only agents may {what}", what=_t("edit incidents"))))
    assert translate(nested, "ru") == "только агенты могут изменять инциденты"
    assert stored("typed by a person") == {"msg": "typed by a person", "params": {}}


def test_a_kept_note_is_shown_in_the_current_language() -> None:
    kept = stored(_t("registered via {channel}", channel="email"))
    token = use_language("ru")
    try:
        assert localized_stored(kept, "registered via email") == "зарегистрирован через канал email"
        assert localized_stored(None, "its own new problem") == "своя новая проблема"
        assert localized_stored(None, "typed by a person") == "typed by a person"
        assert localized_stored({"params": {}}, "old note") == "old note"
        assert localized_stored(None, None) is None
    finally:
        language_var.reset(token)
    assert localized_stored(kept) == "registered via email"


@pytest.mark.parametrize(
    ("header", "chosen"),
    [
        ("ru-RU,ru;q=0.9,en-US;q=0.8", "ru"),
        ("en-GB", "en"),
        ("de-DE,en;q=0.8,ru;q=0.9", "ru"),
        ("de, fr;q=0.5", None),
        ("ru;q=0, en;q=0.1", "en"),
        ("ru;q=abc", None),
        ("", None),
    ],
)
def test_the_language_of_accept_language(header: str, chosen: str | None) -> None:
    assert from_accept_language(header) == chosen


# ---- the APIs ---------------------------------------------------------------------------------


async def test_a_problem_in_russian_and_by_default_in_english(api: httpx.AsyncClient) -> None:
    russian = await api.get("/things/missing/INC-000007", headers=RU)
    assert russian.status_code == 404
    assert russian.headers["content-language"] == "ru"
    assert russian.json()["title"] == "Не найдено"
    assert russian.json()["detail"] == "инцидента INC-000007 нет"
    english = await api.get("/things/missing/INC-000007")
    assert english.headers["content-language"] == "en"
    assert english.json()["title"] == "Not found"
    assert english.json()["detail"] == "incident INC-000007 does not exist"
    other = await api.get("/things/missing/INC-000007", headers={"Accept-Language": "de"})
    assert other.json()["detail"] == "incident INC-000007 does not exist"


async def test_field_errors_keep_their_codes_and_translate_their_words(
    api: httpx.AsyncClient,
) -> None:
    taken = (await api.get("/things/taken", headers=RU)).json()
    assert taken["title"] == "Неверные данные"
    assert taken["errors"] == [{"field": "name", "location": "body", "reason": "taken"}]
    assert taken["detail"] == "name: taken"
    unknown = (await api.get("/things/unknown-category", headers=RU)).json()
    assert unknown["errors"][0]["reason"] == "неизвестная категория 'x'; известны: a, b"
    assert unknown["detail"] == "category: неизвестная категория 'x'; известны: a, b"
    english = (await api.get("/things/unknown-category")).json()
    assert english["detail"] == "category: unknown category 'x'; known: a, b"


async def test_validation_reasons_in_russian(api: httpx.AsyncClient) -> None:
    body = {"name": "toolong", "kind": "sack", "colour": "red"}
    russian = (await api.post("/things", json=body, headers=RU)).json()
    reasons = {error["field"]: error["reason"] for error in russian["errors"]}
    assert reasons == {
        "name": "Максимальная длина — 5 симв.",
        "kind": "Допустимые значения: 'box' или 'bag'",
        "colour": "Лишние поля не допускаются",
    }
    assert russian["title"] == "Неверные данные"
    assert "name: Максимальная длина — 5 симв." in russian["detail"]
    missing = (await api.post("/things", json={}, headers=RU)).json()
    assert missing["errors"][0]["reason"] == "Обязательное поле"
    raised = (await api.post("/things", json={"name": "x"}, headers=RU)).json()
    assert raised["errors"][0]["reason"] == "только агенты могут изменять инциденты"


async def test_validation_reasons_in_english_are_pydantics(api: httpx.AsyncClient) -> None:
    english = (await api.post("/things", json={"name": "toolong"})).json()
    assert english["errors"] == [
        {"field": "name", "location": "body", "reason": "String should have at most 5 characters"}
    ]
    raised = (await api.post("/things", json={"name": "x"})).json()
    assert raised["errors"][0]["reason"] == "Value error, only agents may edit incidents"


async def test_the_kernels_own_answers_in_russian(api: httpx.AsyncClient) -> None:
    unknown = await api.get("/nowhere", headers=RU)
    assert (unknown.status_code, unknown.json()["title"]) == (404, "Не найдено")
    large = await api.post("/things", content=b"x" * 2048, headers=RU)
    assert large.status_code == 413
    assert large.json()["title"] == "Слишком большой запрос"
    assert large.json()["detail"] == "тело запроса больше 1024 байт"


async def test_the_request_language_is_the_current_language(api: httpx.AsyncClient) -> None:
    assert (await api.get("/things/language", headers=RU)).json() == {"language": "ru"}
    assert (await api.get("/things/language")).json() == {"language": "en"}
    assert current_language() == "en"


# ---- the catalogue covers the code ------------------------------------------------------------


def _messages_and_console(lang: str) -> tuple[dict[str, str], dict[str, str]]:
    console = {}  # texts by symbolic key: the console's, and the channels' replies to people
    for pattern in (f"console*.{lang}.json", f"channels.{lang}.json", f"notifications.{lang}.json"):
        for path in TEXTS_DIR.glob(pattern):
            console |= json.loads(path.read_text(encoding="utf-8"))
    every = load_texts(TEXTS_DIR, lang)
    return {k: v for k, v in every.items() if k not in console}, console


def test_translations_have_the_fields_of_their_english_template() -> None:
    messages, _ = _messages_and_console("ru")
    assert len(messages) > 200
    for template, russian in messages.items():
        # A translation may leave a value out ("{field_type}"), never name one the code lacks.
        assert set(fields_of(russian)) <= set(fields_of(template)), template
        assert Message(template, dict.fromkeys(fields_of(template), "x")), template
    english, _ = _messages_and_console("en")
    assert english == {}, "English messages are their own keys: no en file for them"


def _literal_calls(name: str) -> set[tuple[str, str]]:
    found = set()
    for path in SRC.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == name
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add((path.name, node.args[0].value))
    return found


def test_every_message_the_code_makes_is_in_russian() -> None:
    """Like `pybabel extract`: every `_t("…")` in src has its Russian translation."""
    messages, _ = _messages_and_console("ru")
    made = _literal_calls("_t")
    assert ("middleware.py", "the request body exceeds {max_bytes} bytes") in made
    passed_through = {"{field}: {reason}"}
    missing = sorted(f"{name}: {text}" for name, text in made if text not in messages)
    assert [m for m in missing if m.split(": ", 1)[1] not in passed_through] == []


def test_every_problem_title_is_in_russian() -> None:
    titles = set()
    for path in SRC.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        titles |= set(re.findall(r'\bcode, title = .*"([^"]+)"$', text, re.MULTILINE))
    assert len(titles) > 15
    messages, _ = _messages_and_console("ru")
    assert sorted(t for t in titles if t not in messages) == []


def test_every_validation_reason_is_in_russian() -> None:
    messages, _ = _messages_and_console("ru")
    assert sorted(t for t in [*TEMPLATES.values(), INVALID_VALUE] if t not in messages) == []


def test_one_catalogue_for_every_language() -> None:
    for lang in LANGUAGES:
        assert load_texts(TEXTS_DIR, lang)  # a key defined twice would raise
    assert not (SRC / "web" / "i18n").exists(), "the console's texts are in the kernel's"
