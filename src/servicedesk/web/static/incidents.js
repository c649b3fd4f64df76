// The incident and problem pages: the query bar's completion (a combobox, ARIA 1.2 pattern),
// the "save as filter" form taking the bar's text, focus after htmx swaps a form back in.
// No inline scripts anywhere (CSP); without this file every page still works as plain forms.
(function () {
  "use strict";

  var INPUT = "query-input";
  var LIST = "query-suggestions";
  var CURSOR = "query-cursor";
  var active = -1;

  function input() { return document.getElementById(INPUT); }
  function list() { return document.getElementById(LIST); }
  function options() {
    var box = list();
    return box ? Array.prototype.slice.call(box.querySelectorAll('[role="option"]')) : [];
  }
  function isOpen() {
    var box = list();
    return !!box && !box.hidden && options().length > 0;
  }

  function rememberCursor() {
    var field = input();
    var hidden = document.getElementById(CURSOR);
    if (field && hidden) {
      hidden.value = String(field.selectionStart === null ? field.value.length : field.selectionStart);
    }
  }

  function setActive(index) {
    var all = options();
    var field = input();
    active = index >= 0 && index < all.length ? index : -1;
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
      option.classList.toggle("is-active", i === active);
    });
    if (field) {
      if (active >= 0) {
        field.setAttribute("aria-activedescendant", all[active].id);
        all[active].scrollIntoView({ block: "nearest" });
      } else {
        field.removeAttribute("aria-activedescendant");
      }
    }
  }

  function move(delta) {
    var count = options().length;
    if (!count) { return; }
    if (active < 0) {
      setActive(delta > 0 ? 0 : count - 1);
    } else {
      setActive((active + delta + count) % count);
    }
  }

  function close() {
    var box = list();
    var field = input();
    if (box) { box.hidden = true; }
    if (field) {
      field.setAttribute("aria-expanded", "false");
      field.removeAttribute("aria-activedescendant");
    }
    active = -1;
  }

  function opened() {
    var box = list();
    var field = input();
    if (!box || !field) { return; }
    var all = options();
    var any = all.length > 0 && document.activeElement === field;
    box.hidden = !any;
    field.setAttribute("aria-expanded", any ? "true" : "false");
    // An option chosen with the arrows between the swap and now stays chosen.
    var chosen = -1;
    all.forEach(function (option, i) {
      if (option.getAttribute("aria-selected") === "true") { chosen = i; }
    });
    setActive(any ? chosen : -1);
  }

  function accept(option) {
    var field = input();
    if (!field || !option) { return; }
    var value = option.getAttribute("data-value") || "";
    var cursor = parseInt(option.getAttribute("data-cursor") || String(value.length), 10);
    field.value = value;
    field.focus();
    field.setSelectionRange(cursor, cursor);
    close();
    rememberCursor();
    // Ask for what may come next at the new cursor (htmx listens for "input").
    field.dispatchEvent(new Event("input", { bubbles: true }));
  }

  document.addEventListener("keydown", function (event) {
    if (!event.target || event.target.id !== INPUT) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!isOpen()) {
        if (event.key === "ArrowDown") {
          rememberCursor();
          event.target.dispatchEvent(new Event("query-cursor", { bubbles: true }));
          event.preventDefault();
        }
        return;
      }
      event.preventDefault();
      move(event.key === "ArrowDown" ? 1 : -1);
    } else if (event.key === "Enter" && isOpen() && active >= 0) {
      event.preventDefault(); // insert the suggestion, do not run the query yet
      accept(options()[active]);
    } else if (event.key === "Escape" && isOpen()) {
      event.preventDefault();
      close();
    } else if (event.key === "Tab" && isOpen()) {
      close();
    }
  });

  document.addEventListener("keyup", function (event) {
    if (!event.target || event.target.id !== INPUT) { return; }
    if (["ArrowLeft", "ArrowRight", "Home", "End"].indexOf(event.key) >= 0) {
      rememberCursor();
      event.target.dispatchEvent(new Event("query-cursor", { bubbles: true }));
    }
  });

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === INPUT) { rememberCursor(); }
  });

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    if (target.id === INPUT) {
      rememberCursor();
      target.dispatchEvent(new Event("query-cursor", { bubbles: true }));
      return;
    }
    var option = target.closest('#' + LIST + ' [role="option"]');
    if (option) { accept(option); }
  });

  // A click on an option must not take the focus from the bar first.
  document.addEventListener("mousedown", function (event) {
    var target = event.target;
    if (target instanceof Element && target.closest("#" + LIST)) { event.preventDefault(); }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target && event.target.id === INPUT) { window.setTimeout(close, 150); }
  });

  // The save-as-filter form saves what the bar says now (even if not run yet).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var field = input();
    if (!(form instanceof HTMLFormElement) || !field) { return; }
    form.querySelectorAll("input[data-sync-query]").forEach(function (hidden) {
      hidden.value = field.value;
    });
    if (form.id === "query-form") { close(); }
  }, true);

  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail;
    if (detail && detail.elt && detail.elt.id === INPUT) {
      var field = input();
      detail.parameters.cursor = String(field ? field.selectionStart : "");
    }
  });

  // Fired on what was swapped in (for an outerHTML swap: the new element).
  document.addEventListener("htmx:afterSettle", function (event) {
    var settled = event.target;
    if (!(settled instanceof Element)) { return; }
    if (settled.id === LIST) {
      opened();
      return;
    }
    if (settled.id === "incident-table" && input()) {
      // The bar is invalid while the results say what is wrong with it.
      if (settled.querySelector(".query-problem")) {
        input().setAttribute("aria-invalid", "true");
      } else {
        input().removeAttribute("aria-invalid");
      }
    }
    // A form came back with errors (422): take the user to the first field to correct.
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status === 422) {
      var invalid = settled.querySelector('[aria-invalid="true"]');
      if (invalid && typeof invalid.focus === "function") { invalid.focus(); }
    }
  });
})();
