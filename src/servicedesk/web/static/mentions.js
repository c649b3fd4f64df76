// @-mentions in the comment box (templates/incidents/_comments.html, .mention-box): typing "@"
// and letters asks /people/mentions for the people it may name and lists them under the box
// (a listbox: arrows move, Enter or Tab insert, Escape closes; a click inserts); the choice
// becomes "@username ". The box keeps working as a plain textarea without this file.
// No inline scripts anywhere (CSP).
(function () {
  "use strict";

  var TYPED = /(^|[^A-Za-z0-9._@-])@([A-Za-z0-9._-]{0,64})$/;
  var DELAY_MS = 150;
  var timer = null;
  var asked = 0;
  var active = -1;
  var current = null; // { box, field, list, start, end } while a list is open or asked for

  function boxOf(target) {
    return target instanceof Element ? target.closest(".mention-box") : null;
  }

  function fieldOf(box) {
    return box.querySelector("textarea");
  }

  function options(list) {
    return Array.prototype.slice.call(list.querySelectorAll('[role="option"]'));
  }

  function close() {
    if (current) {
      current.list.hidden = true;
      current.list.replaceChildren();
      current.field.setAttribute("aria-expanded", "false");
      current.field.removeAttribute("aria-activedescendant");
    }
    window.clearTimeout(timer);
    current = null;
    active = -1;
  }

  function setActive(index) {
    var all = options(current.list);
    active = index >= 0 && index < all.length ? index : -1;
    all.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === active ? "true" : "false");
      option.classList.toggle("is-active", i === active);
    });
    if (active >= 0) {
      current.field.setAttribute("aria-activedescendant", all[active].id);
    } else {
      current.field.removeAttribute("aria-activedescendant");
    }
  }

  function show(html, request) {
    if (!current || request !== asked) {
      return; // an older answer, or closed meanwhile
    }
    var template = document.createElement("template");
    template.innerHTML = html;
    current.list.replaceChildren(template.content);
    var any = options(current.list).length > 0;
    current.list.hidden = !any;
    current.field.setAttribute("aria-expanded", any ? "true" : "false");
    setActive(any ? 0 : -1);
  }

  function ask(box, field) {
    var caret = field.selectionStart;
    var typed = caret === null ? null : TYPED.exec(field.value.slice(0, caret));
    if (!typed) {
      close();
      return;
    }
    var list = box.querySelector(".mention-list");
    if (!list) {
      return;
    }
    current = { box: box, field: field, list: list, start: caret - typed[2].length - 1, end: caret };
    field.setAttribute("aria-autocomplete", "list");
    field.setAttribute("aria-controls", "mention-options");
    asked += 1;
    var request = asked;
    var url = box.getAttribute("data-mentions-url") + "?q=" + encodeURIComponent(typed[2]);
    fetch(url, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (response) {
        return response.ok ? response.text() : "";
      })
      .then(function (html) {
        show(html, request);
      })
      .catch(close);
  }

  function accept(option) {
    if (!current || !option) {
      return;
    }
    var field = current.field;
    var start = current.start;
    var end = current.end;
    var caretNow = field.selectionStart;
    var typed = caretNow === null ? null : TYPED.exec(field.value.slice(0, caretNow));
    if (typed) { // what is typed now, if more came after the list was asked for
      start = caretNow - typed[2].length - 1;
      end = caretNow;
    }
    var inserted = "@" + option.getAttribute("data-username") + " ";
    var value = field.value;
    field.value = value.slice(0, start) + inserted + value.slice(end);
    var caret = start + inserted.length;
    close();
    field.focus();
    field.setSelectionRange(caret, caret);
  }

  document.addEventListener("input", function (event) {
    var box = boxOf(event.target);
    if (!box || event.target !== fieldOf(box)) {
      return;
    }
    var field = event.target;
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      ask(box, field);
    }, DELAY_MS);
  });

  document.addEventListener("keydown", function (event) {
    if (!current || event.target !== current.field || current.list.hidden) {
      return;
    }
    var count = options(current.list).length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      setActive(active < 0 ? (step > 0 ? 0 : count - 1) : (active + step + count) % count);
    } else if ((event.key === "Enter" || event.key === "Tab") && active >= 0) {
      event.preventDefault();
      accept(options(current.list)[active]);
    } else if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });

  // A click on an option must not take the focus from the box first.
  document.addEventListener("mousedown", function (event) {
    if (event.target instanceof Element && event.target.closest(".mention-list")) {
      event.preventDefault();
    }
  });

  document.addEventListener("click", function (event) {
    var option = event.target instanceof Element
      ? event.target.closest('.mention-list [role="option"]') : null;
    if (option) {
      accept(option);
    }
  });

  document.addEventListener("focusout", function (event) {
    if (current && event.target === current.field) {
      window.setTimeout(function () {
        if (current && document.activeElement !== current.field) {
          close();
        }
      }, 150);
    }
  });
})();
