// Refreshing the open page in place when the incident or problem it shows changes elsewhere
// (the document event "sd:changed", from static/notifications.js and the notifications
// service's stream):
// - an incident or problem page ([data-live-item], the item's type, id and key) that someone
//   else changed, or that links the changed item, fetches itself again and swaps its parts
//   ([data-live-region]) in, then says "updated by <actor>" (#live-notice);
// - a list or board ([data-live-list="incident|problem"]) that shows or may show the changed
//   item fetches its results again (at most once a second).
// A part holding something the user is typing or has changed and not sent is left as it is;
// so is a board while a card is being moved. No inline scripts anywhere (CSP).
(function () {
  "use strict";

  var bell = document.getElementById("bell");
  if (!bell || !window.fetch) {
    return;
  }
  var me = bell.getAttribute("data-username") || "";
  var ITEM_DEBOUNCE_MS = 300;
  var LIST_DEBOUNCE_MS = 1000;
  var NOTICE_MS = 10000;

  function text(name, values) {
    var template = bell.getAttribute("data-" + name) || "";
    Object.keys(values || {}).forEach(function (key) {
      template = template.split("{" + key + "}").join(String(values[key]));
    });
    return template;
  }

  var noticeTimer = null;

  function showNotice(actor) {
    var notice = document.getElementById("live-notice");
    if (!notice) {
      return;
    }
    window.clearTimeout(noticeTimer);
    notice.textContent = actor ? text("text-updated-by", { actor: actor }) : text("text-updated");
    notice.hidden = false;
    noticeTimer = window.setTimeout(function () {
      notice.hidden = true;
    }, NOTICE_MS);
  }

  // --- refreshing the open page in place ---------------------------------------------------

  // The option a select shows when nobody has touched it.
  function defaultIndex(select) {
    for (var i = 0; i < select.options.length; i += 1) {
      if (select.options[i].defaultSelected) {
        return i;
      }
    }
    return 0;
  }

  // Something the user typed or chose and has not sent: that part is not replaced.
  function isDirty(region) {
    var active = document.activeElement;
    if (active && region.contains(active) && active.matches("input, textarea, select")) {
      return true;
    }
    var fields = region.querySelectorAll("input, textarea, select");
    for (var i = 0; i < fields.length; i += 1) {
      var field = fields[i];
      if (field.type === "hidden" || field.disabled) {
        continue;
      }
      if (field.type === "file" && field.files && field.files.length) {
        return true;
      }
      if ((field.type === "checkbox" || field.type === "radio") && field.checked !== field.defaultChecked) {
        return true;
      }
      if (field.tagName === "SELECT") {
        if (field.options.length && field.selectedIndex !== defaultIndex(field)) {
          return true;
        }
      } else if (field.type !== "checkbox" && field.type !== "radio" && field.value !== field.defaultValue) {
        return true;
      }
    }
    return region.querySelector("details[open] form") !== null;
  }

  function regionsOf(scope) {
    var found = Array.prototype.slice.call(scope.querySelectorAll("[data-live-region]"));
    if (scope.hasAttribute("data-live-region")) {
      found.unshift(scope);
    }
    return found;
  }

  function swapRegions(scope, fresh) {
    var swapped = 0;
    regionsOf(scope).forEach(function (region) {
      var name = region.getAttribute("data-live-region");
      var next = fresh.querySelector('[data-live-region="' + name + '"]');
      if (!next || isDirty(region)) {
        return;
      }
      if ((region.sdSource || region.outerHTML) === next.outerHTML) {
        return; // nothing on it changed: no flicker, focus and scroll stay
      }
      var focusedId = document.activeElement && region.contains(document.activeElement)
        ? document.activeElement.id : "";
      var placed;
      if (region.getAttribute("data-live-swap") === "children") {
        region.replaceChildren.apply(
          region,
          Array.prototype.map.call(next.childNodes, function (node) {
            return document.importNode(node, true);
          })
        );
        placed = region;
      } else {
        placed = document.importNode(next, true);
        region.replaceWith(placed);
      }
      placed.sdSource = next.outerHTML;
      if (window.htmx) {
        window.htmx.process(placed);
      }
      if (focusedId && document.getElementById(focusedId)) {
        document.getElementById(focusedId).focus();
      }
      swapped += 1;
    });
    return swapped;
  }

  function busy(scope) {
    return scope.querySelector(".board-card--busy, .board-card--chosen, .sortable-ghost") !== null
      || (document.getElementById("move-panel") || { childElementCount: 0 }).childElementCount > 0;
  }

  var timers = { item: null, list: null };
  var afters = { item: null, list: null };
  var pendingActor = { value: undefined };

  function refresh(kind, after) {
    var scopes = document.querySelectorAll(kind === "item" ? "[data-live-item]" : "[data-live-list]");
    if (!scopes.length) {
      return;
    }
    if (Array.prototype.some.call(scopes, busy)) {
      schedule(kind, LIST_DEBOUNCE_MS, after); // after the move the user is making
      return;
    }
    // A list asks for its results alone where the page can answer so (htmx); an item, the page.
    var headers = kind === "list" ? { Accept: "text/html", "HX-Request": "true" } : { Accept: "text/html" };
    fetch(window.location.href, { credentials: "same-origin", headers: headers, cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(new Error(String(response.status)));
      })
      .then(function (html) {
        var now = document.querySelectorAll(kind === "item" ? "[data-live-item]" : "[data-live-list]");
        if (Array.prototype.some.call(now, busy)) {
          schedule(kind, LIST_DEBOUNCE_MS, after); // a move began meanwhile: after it
          return;
        }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var swapped = 0;
        Array.prototype.forEach.call(
          document.querySelectorAll(kind === "item" ? "[data-live-item]" : "[data-live-list]"),
          function (scope) {
            swapped += swapRegions(scope, fresh);
          }
        );
        if (swapped && after) {
          after();
        }
      })
      .catch(function () {
        // the next change, or a reload, brings the page up to date
      });
  }

  // At most one refresh per `delay`, `delay` after the first change of a burst (a steady
  // stream of changes must not put it off for ever).
  function schedule(kind, delay, after) {
    if (after) {
      afters[kind] = after;
    }
    if (timers[kind]) {
      return;
    }
    timers[kind] = window.setTimeout(function () {
      var then = afters[kind];
      timers[kind] = null;
      afters[kind] = null;
      refresh(kind, then);
    }, delay);
  }

  function links(scope, key) {
    return scope.querySelector(
      'a[href="/incidents/' + key + '"], a[href="/problems/' + key + '"]'
    ) !== null;
  }

  function onChanged(change) {
    if (!change || !change.aggregate_type) {
      return;
    }
    var mine = change.actor && change.actor === me;
    var items = document.querySelectorAll("[data-live-item]");
    Array.prototype.forEach.call(items, function (scope) {
      var same = scope.getAttribute("data-aggregate-type") === change.aggregate_type
        && (scope.getAttribute("data-aggregate-id") === change.aggregate_id
          || scope.getAttribute("data-key") === change.key);
      if (mine || !(same || (change.key && links(scope, change.key)))) {
        return;
      }
      pendingActor.value = change.actor || "";
      schedule("item", ITEM_DEBOUNCE_MS, function () {
        showNotice(pendingActor.value);
      });
    });
    var lists = document.querySelectorAll("[data-live-list]");
    Array.prototype.forEach.call(lists, function (scope) {
      if (mine && scope.hasAttribute("data-live-skip-own")) {
        return; // a board shows the user's own moves already (boards.js)
      }
      if (scope.getAttribute("data-live-list") === change.aggregate_type
          || (change.key && links(scope, change.key))) {
        schedule("list", LIST_DEBOUNCE_MS, null);
      }
    });
  }

  document.addEventListener("sd:changed", function (event) {
    onChanged(event.detail);
  });
})();
