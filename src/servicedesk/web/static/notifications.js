// The bell of every signed-in page (templates/notifications/_bell.html) and its live stream.
// - The bell opens a panel of the latest notifications (htmx loads /notifications/panel); the
//   count is set by the server on each page, then kept live.
// - One EventSource per tab on /notifications/stream (the console relays the notifications
//   service's Server-Sent Events): `notification` sets the count, adds it to an open panel or
//   to the first page of /notifications, and shows a short toast; `unread` sets the count;
//   `changed` (an incident or problem changed) is passed on as the document event
//   "sd:changed", which static/live.js turns into a refresh of the open page.
// No inline scripts anywhere (CSP); without this file the bell is a link to /notifications.
(function () {
  "use strict";

  var bell = document.getElementById("bell");
  if (!bell) {
    return;
  }
  var button = document.getElementById("bell-button");
  var panel = document.getElementById("bell-panel");
  var countBadge = document.getElementById("bell-count");
  var label = document.getElementById("bell-label");
  var lang = document.documentElement.lang || undefined;
  var TOAST_MS = 6000;
  var MAX_TOASTS = 3;

  function text(name, values) {
    var template = bell.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      template = template.split("{" + key + "}").join(String(values[key]));
    });
    return template;
  }

  // --- the count ---------------------------------------------------------------------------

  function setCount(value) {
    var count = Number(value);
    if (!isFinite(count) || count < 0) {
      return;
    }
    countBadge.setAttribute("data-count", String(count));
    countBadge.textContent = count > 0 ? (count > 99 ? "99+" : String(count)) : "";
    countBadge.hidden = count === 0;
    label.textContent = count > 0 ? text("label-some", { count: count }) : text("label-none");
  }

  // Answers of htmx (mark read, mark all read) carry the new count as the event "sd-unread".
  document.body.addEventListener("sd-unread", function (event) {
    if (event.detail && event.detail.unread !== undefined) {
      setCount(event.detail.unread);
    }
  });

  // --- the panel ---------------------------------------------------------------------------

  function panelOpen() {
    return !panel.hidden;
  }

  function closePanel(focusBell) {
    panel.hidden = true;
    button.setAttribute("aria-expanded", "false");
    if (focusBell) {
      button.focus();
    }
  }

  function openPanel() {
    panel.hidden = false;
    button.setAttribute("aria-expanded", "true");
    window.htmx.ajax("GET", bell.getAttribute("data-panel-url"), {
      target: panel,
      swap: "innerHTML",
    });
  }

  button.addEventListener("click", function (event) {
    if (!window.htmx || event.ctrlKey || event.metaKey || event.shiftKey || event.button) {
      return; // a new tab, or no htmx: the link to /notifications
    }
    event.preventDefault();
    if (panelOpen()) {
      closePanel(false);
    } else {
      openPanel();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && panelOpen()) {
      closePanel(true);
    }
  });

  document.addEventListener("click", function (event) {
    if (panelOpen() && event.target instanceof Node && !bell.contains(event.target)) {
      closePanel(false);
    }
  });

  // --- items added live --------------------------------------------------------------------

  var timeFormat = new Intl.DateTimeFormat(lang, { dateStyle: "short", timeStyle: "short" });

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (error) {
      return "";
    }
  }

  function goUrl(item) {
    var to = typeof item.link === "string" && item.link.charAt(0) === "/" ? item.link : "/";
    return "/notifications/" + encodeURIComponent(item.id) + "/go?to=" + encodeURIComponent(to);
  }

  function element(tag, className, content) {
    var made = document.createElement(tag);
    if (className) {
      made.className = className;
    }
    if (content !== undefined) {
      made.textContent = content;
    }
    return made;
  }

  function hidden(name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  // The same markup as templates/notifications/_item.html (without its delivery log).
  function itemElement(item, view, list) {
    var li = element("li", "inbox-item inbox-item--unread");
    li.id = view + "-n-" + item.id;
    li.setAttribute("data-id", String(item.id));
    var title = element("p", "inbox-title");
    var dot = element("span", "inbox-dot");
    dot.setAttribute("aria-hidden", "true");
    var link = element("a", "inbox-link", item.title || "");
    link.href = goUrl(item);
    title.append(dot, link);
    li.appendChild(title);
    if (item.body) {
      li.appendChild(element("p", "inbox-body", item.body));
    }
    var meta = element("p", "inbox-meta muted");
    var time = element("time");
    time.dateTime = item.created_at || "";
    var created = new Date(item.created_at);
    time.textContent = isNaN(created.getTime()) ? "" : timeFormat.format(created);
    meta.appendChild(time);
    var extra = [item.actor, item.key].filter(Boolean).join(" · ");
    if (extra) {
      meta.appendChild(document.createTextNode(" · " + extra));
    }
    li.appendChild(meta);
    var action = "/notifications/" + encodeURIComponent(item.id) + "/read";
    var form = element("form");
    form.method = "post";
    form.action = action;
    form.setAttribute("hx-post", action);
    form.setAttribute("hx-target", view === "panel" ? "#bell-panel-body" : "#inbox-list");
    form.setAttribute("hx-swap", "outerHTML");
    form.append(hidden("csrf_token", csrfToken()), hidden("view", view));
    if (view === "page" && list) {
      form.append(hidden("show", list.getAttribute("data-show") || "all"), hidden("before", ""));
    }
    var read = element("button", "button button--quiet button--small");
    read.type = "submit";
    read.textContent = text("text-read");
    form.appendChild(read);
    var actions = element("div", "inbox-actions");
    actions.appendChild(form);
    li.appendChild(actions);
    return li;
  }

  function prepend(listId, emptyId, item, view, list) {
    var items = document.getElementById(listId);
    if (!items || document.getElementById(view + "-n-" + item.id)) {
      return;
    }
    var li = itemElement(item, view, list);
    items.insertBefore(li, items.firstChild);
    var empty = document.getElementById(emptyId);
    if (empty) {
      empty.remove();
    }
    if (window.htmx) {
      window.htmx.process(li);
    }
  }

  // --- toasts ------------------------------------------------------------------

  var toasts = document.getElementById("toasts");

  function toast(item) {
    if (!toasts) {
      return;
    }
    var box = element("div", "toast");
    var link = element("a", "toast-link", item.title || text("text-new"));
    link.href = goUrl(item);
    var close = element("button", "toast-close", "×");
    close.type = "button";
    close.setAttribute("aria-label", text("text-close"));
    close.addEventListener("click", function () {
      box.remove();
    });
    box.append(link, close);
    toasts.appendChild(box);
    while (toasts.childElementCount > MAX_TOASTS) { // a burst (a replay after a reconnect)
      toasts.firstElementChild.remove();
    }
    window.setTimeout(function () {
      box.remove();
    }, TOAST_MS);
  }

  // --- the stream --------------------------------------------------------------------------

  function parsed(event) {
    try {
      return JSON.parse(event.data);
    } catch (error) {
      return null;
    }
  }

  function onNotification(item) {
    if (!item || item.id === undefined) {
      return;
    }
    if (item.unread !== undefined) {
      setCount(item.unread);
    }
    if (panelOpen()) {
      prepend("bell-items", "bell-empty", item, "panel", null);
    }
    var list = document.getElementById("inbox-list");
    if (list && list.getAttribute("data-first-page") === "true") {
      prepend("inbox-items", "inbox-empty", item, "page", list);
    }
    toast(item);
  }

  var source = null;
  var backoffMs = 5000;
  var MAX_BACKOFF_MS = 60000;

  function connect() {
    if (!window.EventSource) {
      return;
    }
    source = new EventSource(bell.getAttribute("data-stream-url"));
    source.addEventListener("open", function () {
      backoffMs = 5000;
    });
    source.addEventListener("notification", function (event) {
      onNotification(parsed(event));
    });
    source.addEventListener("unread", function (event) {
      var data = parsed(event);
      if (data) {
        setCount(data.unread);
      }
    });
    source.addEventListener("changed", function (event) {
      var change = parsed(event);
      if (change) {
        document.dispatchEvent(new CustomEvent("sd:changed", { detail: change }));
      }
    });
    source.addEventListener("error", function () {
      // EventSource reconnects by itself unless the answer was an error status (signed out,
      // the console restarting): then try again later, less and less often.
      if (source.readyState === EventSource.CLOSED) {
        source = null;
        window.setTimeout(connect, backoffMs);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    });
  }

  window.addEventListener("pagehide", function () {
    if (source) {
      source.close();
      source = null;
    }
  });
  window.addEventListener("pageshow", function (event) {
    if (event.persisted && !source) {
      connect(); // back from the back-forward cache
    }
  });

  connect();
})();
