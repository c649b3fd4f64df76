// The phone page of the SMS fake: talks only to the control API, polls it every second.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { phone: "", provider: "smsru", shown: "", timer: null, counterTimer: null };

function notice(text, isError) {
  const line = $("status");
  line.textContent = text || "";
  line.className = isError ? "error" : "muted";
}

async function call(method, path, body) {
  const options = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const answer = await fetch(path, options);
  const text = await answer.text();
  const data = text ? JSON.parse(text) : null;
  if (!answer.ok) {
    const detail = data && (data.detail || data.title);
    throw new Error(typeof detail === "string" ? detail : `HTTP ${answer.status}`);
  }
  return data;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

function segmentsText(segments) {
  const parts = segments.parts === 1 ? "1 SMS" : `${segments.parts} SMS`;
  return `${parts} · ${segments.encoding === "gsm7" ? "GSM-7" : "UCS-2"} · ${segments.units} units`;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function bubble(message) {
  const mine = message.direction === "from_phone";
  const node = element("article", `message ${mine ? "mine" : "desk"} ${message.provider}`);
  node.append(element("p", "text", message.text));
  const provider = message.provider === "smsru" ? "SMS.ru" : "Twilio";
  const who = mine ? `you → desk via ${provider}` : `desk → you via ${provider}`;
  node.append(element("p", "meta", `${who} · ${time(message.created_at)}`));
  node.append(element("p", "meta", segmentsText(message.segments)));
  let status = message.status_label;
  if (message.error_code) status += ` (error ${message.error_code})`;
  if (mine) status = `desk webhook: ${message.callback}`;
  else if (message.callback !== "none") status += ` · callback: ${message.callback}`;
  node.append(element("p", `meta status${message.final ? " final" : ""}`, status));
  return node;
}

function render(conversation) {
  const key = JSON.stringify(conversation.messages);
  if (key === state.shown) return;
  state.shown = key;
  const box = $("conversation");
  const atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 40;
  box.replaceChildren();
  if (conversation.messages.length === 0) {
    box.append(element("p", "muted", "No SMS with this phone yet. Write one below."));
  }
  for (const message of conversation.messages) box.append(bubble(message));
  if (atBottom) box.scrollTop = box.scrollHeight;
}

async function refresh() {
  if (!state.phone) return;
  try {
    const conversation = await call("GET", `/control/phones/${encodeURIComponent(state.phone)}/messages`);
    state.phone = conversation.phone;
    render(conversation);
    if ($("status").className === "error") notice("");
  } catch (error) {
    notice(error.message, true);
  }
}

async function knownPhones() {
  try {
    const answer = await call("GET", "/control/phones");
    const list = $("known-phones");
    list.replaceChildren(...answer.phones.map((p) => {
      const option = element("option");
      option.value = p.phone;
      option.label = `${p.message_count} SMS (${p.providers.join(", ")})`;
      return option;
    }));
  } catch (error) {
    /* the list is only a convenience */
  }
}

async function open() {
  state.phone = $("phone").value.trim();
  state.provider = $("provider").value;
  state.shown = "";
  if (!state.phone) return;
  const query = new URLSearchParams({ phone: state.phone, provider: state.provider });
  history.replaceState(null, "", `/?${query}`);
  notice("");
  await refresh();
  if (state.timer === null) state.timer = setInterval(refresh, 1000);
}

async function countSegments() {
  const text = $("text").value;
  if (!text) {
    $("counter").textContent = "";
    return;
  }
  try {
    const s = await call("POST", "/control/segments", { text });
    const per = s.parts === 1 ? "" : ` (${s.per_part} per part)`;
    $("counter").textContent = `${[...text].length} characters · ${segmentsText(s)}${per}`;
  } catch (error) {
    $("counter").textContent = "";
  }
}

async function sendSms(event) {
  event.preventDefault();
  if (!state.phone) {
    notice("Pick a phone first.", true);
    return;
  }
  const text = $("text").value;
  if (!text.trim()) return;
  const button = $("composer").querySelector("button");
  button.disabled = true;
  try {
    const sent = await call("POST", `/control/${state.provider}/inbound`, { from: state.phone, text });
    $("text").value = "";
    $("counter").textContent = "";
    notice(`Sent as ${sent.message_id}.`);
    await refresh();
  } catch (error) {
    notice(error.message, true);
  } finally {
    button.disabled = false;
  }
}

$("pick").addEventListener("submit", (event) => {
  event.preventDefault();
  open();
});
$("provider").addEventListener("change", () => {
  state.provider = $("provider").value;
  if (state.phone) open();
});
$("composer").addEventListener("submit", sendSms);
$("text").addEventListener("input", () => {
  clearTimeout(state.counterTimer);
  state.counterTimer = setTimeout(countSegments, 200);
});
$("text").addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.shiftKey) {
    event.preventDefault();
    $("composer").requestSubmit();
  }
});

knownPhones();
setInterval(knownPhones, 5000);
if ($("phone").value.trim()) open();
