"""Bodies of the control API (`/control`): what a person does, and what the tests read back."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Sender = Literal["user", "bot"]


class PersonIn(BaseModel):
    """A Telegram user; fields left out keep what the fake knows of them (or defaults)."""

    id: int = Field(gt=0, description="Telegram user id, also the private chat's id")
    first_name: str | None = Field(None, min_length=1, max_length=64)
    last_name: str | None = Field(None, max_length=64)
    username: str | None = Field(None, pattern=r"^[A-Za-z0-9_]{5,32}$")
    language_code: str | None = Field(None, pattern=r"^[a-z]{2}(-[A-Za-z0-9]+)?$")


class FileIn(BaseModel):
    """A file the person sends: its bytes in base64, or only a declared size (e.g. 25 MB, to
    see getFile refuse a file over 20 MB)."""

    file_name: str | None = Field(None, max_length=255)
    mime_type: str | None = None
    content_base64: str | None = None
    size: int | None = Field(None, gt=0, description="declared size when no content is sent")

    @model_validator(mode="after")
    def content_or_size(self) -> FileIn:
        if self.content_base64 is None and self.size is None:
            raise ValueError("send content_base64, or a declared size")
        return self


class _FromPerson(BaseModel):
    model_config = ConfigDict(populate_by_name=True)

    sender: PersonIn = Field(alias="from")


class MessageIn(_FromPerson):
    """A message the person writes: text (a `/command payload` too), or a document or photo."""

    text: str | None = Field(None, min_length=1, max_length=4096)
    document: FileIn | None = None
    photo: FileIn | None = None
    caption: str | None = Field(None, min_length=1, max_length=1024)
    reply_to_message_id: int | None = None

    @model_validator(mode="after")
    def one_kind(self) -> MessageIn:
        kinds = [kind for kind in (self.text, self.document, self.photo) if kind is not None]
        if len(kinds) != 1:
            raise ValueError("send exactly one of text, document, photo")
        if self.caption is not None and self.text is not None:
            raise ValueError("a caption goes with a document or a photo")
        return self


class MessageWritten(BaseModel):
    update_id: int | None = Field(description="None when allowed_updates leaves messages out")
    message_id: int


class CallbackIn(_FromPerson):
    """A press on an inline button of the bot's message `message_id`."""

    message_id: int
    data: str = Field(min_length=1, max_length=64)


class CallbackPressed(BaseModel):
    update_id: int | None
    callback_query_id: str


class MemberStatusIn(_FromPerson):
    """The person blocks the bot ("kicked" in my_chat_member) or unblocks it ("member")."""

    status: Literal["blocked", "unblocked"]


class MemberStatusChanged(BaseModel):
    update_id: int | None = Field(description="None when the status was already so")
    blocked: bool


class Faults(BaseModel):
    too_many_requests: int = Field(0, ge=0, description="the next N send* calls answer 429")
    retry_after: int = Field(5, ge=1, le=3600, description="seconds, in parameters.retry_after")


class ChatBlocked(BaseModel):
    chat_id: int
    blocked: bool


class PersonView(BaseModel):
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None


class ChatSummary(BaseModel):
    chat_id: int
    person: PersonView
    blocked: bool
    message_count: int


class CommandView(BaseModel):
    command: str
    description: str


class BotView(BaseModel):
    id: int
    username: str
    first_name: str
    seen_by_api: bool = Field(description="its token has called the Bot API")
    webhook_url: str | None
    webhook_has_secret_token: bool
    webhook_max_connections: int | None
    pending_update_count: int
    last_error_date: int | None
    last_error_message: str | None
    too_many_requests: int
    commands: list[CommandView]
    chats: list[ChatSummary]


class FileView(BaseModel):
    file_id: str
    kind: Literal["document", "photo"]
    file_name: str | None
    mime_type: str | None
    file_size: int
    download_path: str | None = Field(description="control API path of its bytes, if it has any")


class PressView(BaseModel):
    callback_query_id: str
    data: str
    date: int
    answered: bool
    answer_text: str | None
    show_alert: bool


class MessageView(BaseModel):
    message_id: int
    date: int
    sender: Sender
    text: str | None
    entities: list[dict[str, Any]]
    caption: str | None
    reply_markup: dict[str, Any] | None
    document: FileView | None
    photo: FileView | None
    reply_to_message_id: int | None
    edit_date: int | None
    deleted: bool
    presses: list[PressView]


class ChatLog(BaseModel):
    chat_id: int
    person: PersonView
    blocked: bool
    action: str | None = Field(description="the bot's chat action of the last 5 seconds")
    messages: list[MessageView] = Field(description="oldest first")


class DeliveryView(BaseModel):
    update_id: int
    attempt: int
    status_code: int | None
    error: str | None
    at: datetime
    duration_ms: float
