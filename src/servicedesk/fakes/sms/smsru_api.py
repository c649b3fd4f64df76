"""SMS.ru's HTTP API as the fake serves it: `/sms/send`, `/sms/status`, `/my/balance`.

Parameters come in the query or a form body (urlencoded or multipart). Like SMS.ru, every
answer is HTTP 200: JSON with `json=1` (`status` "OK"/"ERROR", `status_code`, `status_text`),
else SMS.ru's plain-text lines. A wrong `api_id` is code 200, a GET is code 210, an empty text
203, more than 8 parts 205, a bad number 202 (for that number only), an armed `fail_next`
fault 220 (service unavailable).
"""

from __future__ import annotations

import hmac
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from servicedesk.fakes.sms.lifecycle import accept
from servicedesk.fakes.sms.numbers import NotAPhone, e164, split
from servicedesk.fakes.sms.state import SmsFakeState, SmsFakeStateDep

smsru_router = APIRouter(tags=["smsru"], include_in_schema=False)
MAX_PARTS = 8
MAX_NUMBERS = 100
SMSRU_FINAL = frozenset({103, 104, 105, 106, 107, 108})
TEXTS = {
    -1: "Сообщение не найдено",
    100: "Сообщение находится в нашей очереди",
    101: "Сообщение передается оператору",
    102: "Сообщение отправлено (в пути)",
    103: "Сообщение доставлено",
    104: "Не может быть доставлено: время жизни истекло",
    105: "Не может быть доставлено: удалено оператором",
    106: "Не может быть доставлено: сбой в телефоне",
    107: "Не может быть доставлено: неизвестная причина",
    108: "Не может быть доставлено: отклонено",
    200: "Неправильный api_id",
    202: "Неправильно указан номер телефона получателя, либо на него нет маршрута",
    203: "Нет текста сообщения",
    205: "Сообщение слишком длинное (превышает 8 СМС)",
    210: "Используется GET, где необходимо использовать POST",
    213: "Более 100 номеров в списке получателей",
    220: "Сервис временно недоступен, попробуйте чуть позже",
}


async def _params(request: Request) -> dict[str, str]:
    params = dict(request.query_params)
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "application/x-www-form-urlencoded":
        body = (await request.body()).decode("utf-8", "replace")
        params.update(parse_qsl(body, keep_blank_values=True))
    elif kind == "multipart/form-data":
        form = await request.form()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
    return params


def _answer(params: dict[str, str], body: dict[str, Any], plain: list[str]) -> Response:
    if params.get("json") == "1":
        return JSONResponse(body)
    return PlainTextResponse("\n".join(plain))


def _error(params: dict[str, str], code: int) -> Response:
    body = {"status": "ERROR", "status_code": code, "status_text": TEXTS[code]}
    return _answer(params, body, [str(code)])


def _refusal(request: Request, params: dict[str, str], state: SmsFakeState) -> Response | None:
    if request.method != "POST":
        return _error(params, 210)
    expected = state.settings.smsru_api_id.get_secret_value().encode()
    if not hmac.compare_digest(params.get("api_id", "").encode(), expected):
        return _error(params, 200)
    return None


def _balance(state: SmsFakeState) -> float:
    return round(state.balance, 2)


@smsru_router.api_route("/sms/send", methods=["GET", "POST"])
async def send_sms(request: Request, state: SmsFakeStateDep) -> Response:
    """Sends `msg` to each number in `to` (comma-separated, digits)."""
    params = await _params(request)
    refusal = _refusal(request, params, state)
    if refusal is not None:
        return refusal
    if state.take_failure("smsru"):
        return _error(params, 220)
    text = params.get("msg", "")
    numbers = [number.strip() for number in params.get("to", "").split(",") if number.strip()]
    if not text.strip():
        return _error(params, 203)
    if split(text).parts > MAX_PARTS:
        return _error(params, 205)
    if not numbers:
        return _error(params, 202)
    if len(numbers) > MAX_NUMBERS:
        return _error(params, 213)
    results: dict[str, dict[str, Any]] = {}
    lines = ["100"]
    for number in numbers:
        try:
            phone = e164(number)
        except NotAPhone:
            results[number] = {"status": "ERROR", "status_code": 202, "status_text": TEXTS[202]}
            lines.append("202")
            continue
        desk = params.get("from") or state.settings.smsru_number
        message = accept(state, "smsru", phone, text, desk=desk)
        state.balance -= state.settings.smsru_part_price * message.segments.parts
        results[number] = {"status": "OK", "status_code": 100, "sms_id": message.message_id}
        lines.append(message.message_id)
    lines.append(f"balance={_balance(state)}")
    body = {"status": "OK", "status_code": 100, "sms": results, "balance": _balance(state)}
    return _answer(params, body, lines)


@smsru_router.api_route("/sms/status", methods=["GET", "POST"])
async def sms_status(request: Request, state: SmsFakeStateDep) -> Response:
    """The current status of each `sms_id` (comma-separated)."""
    params = await _params(request)
    refusal = _refusal(request, params, state)
    if refusal is not None:
        return refusal
    found: dict[str, dict[str, Any]] = {}
    lines = ["100"]
    for sms_id in [part.strip() for part in params.get("sms_id", "").split(",") if part.strip()]:
        message = state.find("smsru", sms_id)
        if message is None or message.direction != "to_phone":
            found[sms_id] = {"status": "ERROR", "status_code": -1, "status_text": TEXTS[-1]}
            lines.append("-1")
            continue
        code = int(message.status)
        found[sms_id] = {
            "status": "OK",
            "status_code": code,
            "status_text": TEXTS[code],
            "cost": f"{state.settings.smsru_part_price * message.segments.parts:.2f}",
            "sms": message.segments.parts,
        }
        lines.append(str(code))
    body = {"status": "OK", "status_code": 100, "sms": found, "balance": _balance(state)}
    return _answer(params, body, lines)


@smsru_router.api_route("/my/balance", methods=["GET", "POST"])
async def my_balance(request: Request, state: SmsFakeStateDep) -> Response:
    params = await _params(request)
    refusal = _refusal(request, params, state)
    if refusal is not None:
        return refusal
    body = {"status": "OK", "status_code": 100, "balance": _balance(state)}
    return _answer(params, body, ["100", str(_balance(state))])
