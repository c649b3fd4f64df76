// The profile page: a "Copy" button for the /start command of a Telegram link, and no refresh
// of the identities list (htmx polling) while an "Unbind" confirmation is open in it, so that
// the confirmation does not close under the user's finger. No inline scripts (CSP); without this
// file the page works as it is, the command selected by hand.
(function () {
  "use strict";

  function showCopyButtons(root) {
    if (!navigator.clipboard) {
      return;
    }
    Array.prototype.forEach.call(root.querySelectorAll("[data-copy]"), function (button) {
      button.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-copy]") : null;
    var source = button && document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) {
      return;
    }
    navigator.clipboard.writeText(source.textContent.trim()).then(function () {
      button.textContent = button.getAttribute("data-copied") || button.textContent;
    });
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var element = event.detail && event.detail.elt;
    if (
      element &&
      element.hasAttribute("data-poll-pauses-when-open") &&
      element.querySelector("details[open]")
    ) {
      event.preventDefault();
    }
  });

  if (window.htmx) {
    window.htmx.onLoad(showCopyButtons);
  } else {
    showCopyButtons(document);
  }
})();
