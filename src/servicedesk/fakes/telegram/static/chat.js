// The chat page of the Telegram fake: a person talking to the local bot through /control.
"use strict";

const POLL_MS = 1000;
const PERSON_KEY = "telegram-fake-person";
const DEFAULT_PERSON = {
  id: 5550001, first_name: "Анна", last_name: "Иванова",
  username: "anna_ivanova", language_code: "ru",
};

const $ = (id) => document.getElementById(id);
let botId = document.body.dataset.bot || "";
let person = loadPerson();
let lastChat = "";
let lastBots = "";
let blocked = false;
const answersShown = new Set();

function loadPerson() {
  try {
    return { ...DEFAULT_PERSON, ...JSON.parse(localStorage.getItem(PERSON_KEY) || "{}") };
  } catch {
    return { ...DEFAULT_PERSON };
  }
}

function savePerson() {
  localStorage.setItem(PERSON_KEY, JSON.stringify(person));
  $("person-name").textContent = describe(person);
}

function describe(p) {
  const name = [p.first_name, p.last_name].filter(Boolean).join(" ");
  return `${name}${p.username ? " @" + p.username : ""} (id ${p.id}, ${p.language_code})`;
}

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value);
  }
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

function notice(text, isError = false) {
  const box = $("notice");
  box.textContent = text;
  box.className = isError ? "error" : "";
}

async function call(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const answer = await fetch(path, options);
  if (!answer.ok) {
    const problem = await answer.json().catch(() => ({}));
    throw new Error(problem.detail || `${answer.status} ${answer.statusText}`);
  }
  return answer.status === 204 ? null : answer.json();
}

// --- the person

function fillPersonForm() {
  $("first-name").value = person.first_name || "";
  $("last-name").value = person.last_name || "";
  $("username").value = person.username || "";
  $("user-id").value = person.id;
  $("language").value = person.language_code || "ru";
  savePerson();
}

function readPersonForm() {
  const id = Number($("user-id").value);
  if (!Number.isInteger(id) || id < 1) return;
  person = {
    id,
    first_name: $("first-name").value.trim() || "User",
    last_name: $("last-name").value.trim() || null,
    username: $("username").value.trim() || null,
    language_code: $("language").value,
  };
  savePerson();
  lastChat = "";
  refresh();
}

function showPeople(chats) {
  const select = $("person-select");
  const wanted = chats.map((c) => `${c.chat_id}:${describe(c.person)}`).join("|");
  if (select.dataset.shown === wanted) return;
  select.dataset.shown = wanted;
  select.replaceChildren(el("option", { value: "" }, "new person…"));
  for (const chat of chats) {
    select.append(el("option", { value: chat.chat_id }, describe(chat.person)));
  }
  select.value = chats.some((c) => c.chat_id === person.id) ? String(person.id) : "";
  select.onchange = () => {
    const chosen = chats.find((c) => String(c.chat_id) === select.value);
    if (chosen) {
      person = { ...chosen.person };
      fillPersonForm();
      lastChat = "";
      refresh();
    }
  };
}

// --- the bot

function showBots(bots) {
  const text = JSON.stringify(bots);
  if (text === lastBots) return;
  lastBots = text;
  if (!botId && bots.length) botId = String(bots[0].id);
  const bot = bots.find((b) => String(b.id) === botId);
  $("bot-picker").hidden = bots.length < 2;
  $("bot-select").replaceChildren(
    ...bots.map((b) => el("option", { value: b.id }, `@${b.username} (${b.id})`)));
  $("bot-select").value = botId;
  if (!bot) return;
  const line = $("bot-line");
  line.replaceChildren("Bot ", el("b", {}, `@${bot.username}`), ` (id ${bot.id}) `);
  if (bot.webhook_url) {
    line.append("delivers updates to the webhook ", el("code", {}, bot.webhook_url), ".");
  } else {
    line.append("keeps updates for getUpdates (no webhook is set).");
  }
  const status = [`${bot.pending_update_count} update(s) pending`];
  if (bot.last_error_message) status.push(`last webhook error: ${bot.last_error_message}`);
  if (bot.commands.length) {
    status.push("commands: " + bot.commands.map((c) => "/" + c.command).join(" "));
  }
  $("bot-status").textContent = status.join(" · ");
  showPeople(bot.chats);
}

// --- the chat

function pressButton(messageId, data) {
  call("POST", `/control/bots/${botId}/callbacks`, { from: person, message_id: messageId, data })
    .then(() => notice(`Pressed “${data}”.`))
    .catch((error) => notice(error.message, true));
}

function inlineKeyboard(message) {
  const rows = (message.reply_markup || {}).inline_keyboard;
  if (!rows) return null;
  return el("div", { class: "keyboard" }, ...rows.map((row) => el("div", { class: "row" },
    ...row.map((button) => {
      if (button.url) return el("a", { href: button.url, target: "_blank", rel: "noopener" },
        button.text);
      if (button.callback_data === undefined) return el("button", { disabled: "" }, button.text);
      return el("button", {
        type: "button", onclick: () => pressButton(message.message_id, button.callback_data),
      }, button.text);
    }))));
}

function replyKeyboard(messages) {
  const box = $("reply-keyboard");
  const last = [...messages].reverse().find((m) => m.sender === "bot" && m.reply_markup);
  const markup = last ? last.reply_markup : {};
  if (!markup.keyboard) {
    box.replaceChildren();
    return;
  }
  box.replaceChildren(...markup.keyboard.map((row) => el("div", { class: "row" },
    ...row.map((button) => {
      const text = typeof button === "string" ? button : button.text;
      return el("button", { type: "button", onclick: () => sendText(text) }, text);
    }))));
}

function fileBlock(message) {
  if (message.photo && message.photo.download_path) {
    return el("img", { src: message.photo.download_path, alt: "photo" });
  }
  const file = message.document || message.photo;
  if (!file) return null;
  const label = `File: ${file.file_name || file.kind} (${file.file_size} bytes)`;
  return file.download_path
    ? el("a", { href: file.download_path, class: "file" }, label)
    : el("span", { class: "file" }, label + ", not downloadable");
}

function bubble(message) {
  const time = new Date(message.date * 1000).toLocaleTimeString();
  const meta = `#${message.message_id} · ${time}${message.edit_date ? " · edited" : ""}`;
  const answers = message.presses.filter((p) => p.answered && p.answer_text);
  for (const press of answers) {
    if (!answersShown.has(press.callback_query_id)) {
      answersShown.add(press.callback_query_id);
      notice(`${press.show_alert ? "Alert" : "Bot"}: ${press.answer_text}`);
    }
  }
  if (message.deleted) {
    return el("article", { class: `message ${message.sender} deleted` }, "message deleted");
  }
  return el("article", { class: `message ${message.sender}` },
    message.reply_to_message_id ? el("p", { class: "quote" },
      `↪ reply to #${message.reply_to_message_id}`) : null,
    fileBlock(message),
    message.text !== null ? el("p", { class: "text" }, message.text) : null,
    message.caption !== null ? el("p", { class: "text" }, message.caption) : null,
    inlineKeyboard(message),
    el("p", { class: "meta" }, meta));
}

function showChat(log) {
  const text = JSON.stringify(log);
  if (text === lastChat) return;
  lastChat = text;
  const chat = $("chat");
  const atBottom = chat.scrollHeight - chat.scrollTop - chat.clientHeight < 40;
  blocked = log ? log.blocked : false;
  $("block").textContent = blocked ? "Restart bot (unblock)" : "Block bot";
  $("action").textContent = log && log.action ? `bot: ${log.action}…` : "";
  const messages = log ? log.messages : [];
  chat.replaceChildren(...(messages.length ? messages.map(bubble)
    : [el("p", { class: "muted" }, "No messages yet: say /start.")]));
  replyKeyboard(messages);
  if (atBottom) chat.scrollTop = chat.scrollHeight;
}

async function refresh() {
  try {
    showBots(await call("GET", "/control/bots"));
    if (!botId) return;
    const known = JSON.parse(lastBots || "[]").find((b) => String(b.id) === botId);
    const hasChat = known && known.chats.some((c) => c.chat_id === person.id);
    showChat(hasChat ? await call("GET", `/control/bots/${botId}/chats/${person.id}/messages`)
      : null);
  } catch (error) {
    notice(`The fake does not answer: ${error.message}`, true);
  }
}

// --- what the person does

function needBot() {
  if (botId) return true;
  notice("No bot yet: nothing has called the Bot API of this fake.", true);
  return false;
}

async function sendText(text) {
  if (!needBot() || !text) return;
  await call("POST", `/control/bots/${botId}/messages`, { from: person, text });
  await refresh();
}

function readBase64(file) {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).split(",", 2)[1] || "");
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

async function sendFile(file, caption) {
  const content = { file_name: file.name, mime_type: file.type || null,
    content_base64: await readBase64(file) };
  const kind = file.type.startsWith("image/") ? "photo" : "document";
  await call("POST", `/control/bots/${botId}/messages`,
    { from: person, [kind]: content, caption: caption || null });
  await refresh();
}

$("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = $("text").value.trim();
  const file = $("file").files[0];
  try {
    if (!needBot()) return;
    if (file) await sendFile(file, text);
    else await sendText(text);
    $("text").value = "";
    $("file").value = "";
    $("file-name").textContent = "";
    notice("");
  } catch (error) {
    notice(error.message, true);
  }
});

$("file").addEventListener("change", () => {
  const file = $("file").files[0];
  $("file-name").textContent = file ? `Attached: ${file.name} (text becomes its caption)` : "";
});

$("block").addEventListener("click", async () => {
  if (!needBot()) return;
  const status = blocked ? "unblocked" : "blocked";
  try {
    await call("POST", `/control/bots/${botId}/member-status`, { from: person, status });
    lastChat = "";
    await refresh();
  } catch (error) {
    notice(error.message, true);
  }
});

$("bot-select").addEventListener("change", () => {
  botId = $("bot-select").value;
  lastBots = "";
  lastChat = "";
  refresh();
});

$("person-form").addEventListener("change", readPersonForm);
fillPersonForm();
refresh();
setInterval(refresh, POLL_MS);
