// Kanban boards: drag a card to another column (SortableJS), or send its "move to" form. Both
// post the card's own form to /boards/<id>/moves (with its CSRF token) and show the answer:
// the moved card (it stays in its new column), a refusal (the card goes back where it was and
// the reason is read out), or a form asking for the fields the transition needs (a resolution…),
// which sends the move again. Without this file the forms work as plain posts.
// No inline scripts anywhere: the Content-Security-Policy allows our own files only.
(function () {
  "use strict";

  var board = document.querySelector(".kanban[data-board]");
  if (!board) {
    return;
  }
  var message = document.getElementById("board-message");
  var panel = document.getElementById("move-panel");
  var failedText = board.getAttribute("data-moved-text") || "";
  var numbers = new Intl.NumberFormat(document.documentElement.lang || undefined);

  var pending = null;

  // The one message of the board: each replaces the last, so a red refusal never outlives a
  // later move (a late timer of an earlier message is cancelled too).
  function announce(text, kind) {
    window.clearTimeout(pending);
    message.classList.remove("board-message--ok", "board-message--error");
    if (kind && text) {
      message.classList.add("board-message--" + kind);
    }
    // A change of text is what screen readers announce in a live region.
    message.textContent = "";
    if (!text) {
      return;
    }
    pending = window.setTimeout(function () {
      message.textContent = text;
    }, 30);
  }

  function parse(html) {
    var template = document.createElement("template");
    template.innerHTML = html;
    return template.content;
  }

  function listOf(column) {
    var lists = board.querySelectorAll(".board-cards");
    for (var i = 0; i < lists.length; i += 1) {
      if (lists[i].getAttribute("data-column") === column) {
        return lists[i];
      }
    }
    return null;
  }

  function columns() {
    return Array.prototype.map.call(board.querySelectorAll(".kanban-column"), function (c) {
      return { value: c.getAttribute("data-column"), label: c.getAttribute("data-label") };
    });
  }

  function refreshColumn(list, delta) {
    var column = list.closest(".kanban-column");
    var count = column.querySelector(".column-count");
    if (delta && count && count.hasAttribute("data-count")) {
      var total = Math.max(0, Number(count.getAttribute("data-count")) + delta);
      count.setAttribute("data-count", String(total));
      count.textContent = numbers.format(total);
    }
    var empty = column.querySelector(".column-empty");
    if (empty) {
      empty.hidden = list.querySelector(".board-card") !== null;
    }
  }

  // The card's "move to" choices: every column but the one it is in; the next column (the
  // workflow's next state) is chosen, not the first.
  function fillChoices(card) {
    var select = card.querySelector("select[name=to_column]");
    if (!select) {
      return;
    }
    var here = card.getAttribute("data-column");
    var passed = false;
    var chosen = false;
    select.replaceChildren();
    columns().forEach(function (column) {
      if (column.value === here) {
        passed = true;
        return;
      }
      var next = passed && !chosen;
      select.appendChild(new Option(column.label, column.value, next, next));
      chosen = chosen || next;
    });
  }

  function send(form, toColumn) {
    var body = new URLSearchParams(new FormData(form));
    if (toColumn) {
      body.set("to_column", toColumn);
    }
    return fetch(form.action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true", Accept: "text/html" },
    }).then(function (response) {
      return response.text().then(function (text) {
        return { status: response.status, content: parse(text) };
      });
    });
  }

  function textOf(content) {
    var found = content.querySelector(".move-message");
    return found ? found.textContent.trim() : "";
  }

  // The card is in its new column: put the fresh copy (new status…) there.
  function placeMoved(card, origin, content, focusAfter) {
    var fresh = content.querySelector(".board-card");
    var target = fresh ? listOf(fresh.getAttribute("data-column")) : null;
    if (!fresh || !target) {
      return;
    }
    fillChoices(fresh);
    if (card.parentElement === target) {
      card.replaceWith(fresh);
    } else {
      card.remove();
      target.insertBefore(fresh, target.firstChild);
    }
    if (origin !== target) {
      refreshColumn(origin, -1);
      refreshColumn(target, 1);
    }
    if (focusAfter) {
      var select = fresh.querySelector("select");
      (select || fresh).focus();
    }
  }

  function askForFields(content) {
    announce("", null); // an earlier refusal is not what this move is about
    panel.replaceChildren(content);
    var first = panel.querySelector("textarea, input:not([type=hidden])");
    if (first) {
      first.focus();
    }
  }

  // `origin` is the list the card was in; `putBack` returns a dragged card there (a card
  // moved by its form never left it).
  function move(card, origin, form, toColumn, putBack, focusAfter) {
    card.classList.add("board-card--busy");
    return send(form, toColumn)
      .then(function (answer) {
        if (answer.status === 200) {
          panel.replaceChildren();
          placeMoved(card, origin, answer.content, focusAfter);
          announce(textOf(answer.content), "ok");
          return;
        }
        putBack();
        if (answer.status === 422 && answer.content.querySelector("form.move-fields")) {
          askForFields(answer.content);
          return;
        }
        announce(textOf(answer.content) || failedText, "error");
      })
      .catch(function () {
        putBack();
        announce(failedText, "error");
      })
      .finally(function () {
        card.classList.remove("board-card--busy");
      });
  }

  function cardNamed(key) {
    var cards = board.querySelectorAll(".board-card");
    for (var i = 0; i < cards.length; i += 1) {
      if (cards[i].getAttribute("data-card") === key) {
        return cards[i];
      }
    }
    return null;
  }

  function nothing() {}

  // The keyboard's way (and the fields form): the same posts, without leaving the page.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-move")) {
      return;
    }
    var card = form.closest(".board-card") || cardNamed(form.getAttribute("data-card") || "");
    if (!card) {
      return; // not on this page: let the browser post it
    }
    event.preventDefault();
    move(card, card.parentElement, form, null, nothing, true);
  });

  document.addEventListener("click", function (event) {
    var cancel = event.target instanceof Element && event.target.closest("[data-move-cancel]");
    if (cancel && panel.contains(cancel)) {
      event.preventDefault();
      panel.replaceChildren();
    }
  });

  if (!window.Sortable) {
    return; // no drag and drop: the forms still move cards
  }
  board.querySelectorAll(".board-cards").forEach(function (list) {
    window.Sortable.create(list, {
      group: "board-" + board.getAttribute("data-board"),
      sort: false,
      draggable: ".board-card",
      filter: "a, select, button, input, textarea, label",
      preventOnFilter: false,
      animation: 120,
      emptyInsertThreshold: 24,
      ghostClass: "board-card--ghost",
      chosenClass: "board-card--chosen",
      onEnd: function (event) {
        var card = event.item;
        var from = event.from;
        var to = event.to;
        if (from === to) {
          return;
        }
        var oldIndex = event.oldIndex;
        var putBack = function () {
          from.insertBefore(card, from.children[oldIndex] || null);
          refreshColumn(from, 0);
          refreshColumn(to, 0);
        };
        refreshColumn(to, 0);
        refreshColumn(from, 0);
        var form = card.querySelector("form[data-move]");
        move(card, from, form, to.getAttribute("data-column"), putBack, false);
      },
    });
  });
})();
