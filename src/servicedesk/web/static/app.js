// htmx settings of the console. Loaded (deferred) right after htmx and before the page is ready,
// so they apply before htmx starts. No inline scripts anywhere: the Content-Security-Policy
// allows scripts from our own origin only.
(function () {
  "use strict";
  if (!window.htmx) {
    return; // the page works without it, as plain links and forms
  }
  Object.assign(window.htmx.config, {
    allowEval: false, // no hx-on / js: expressions: listen for htmx events in this file instead
    allowScriptTags: false,
    includeIndicatorStyles: false, // app.css styles .htmx-indicator (no inline <style>)
    // Not "style": htmx would copy an element's old style attribute onto the swapped-in copy
    // with setAttribute (e.g. the height a user gave the comment box by resizing it), which
    // the Content-Security-Policy (style-src 'self') refuses as an inline style.
    attributesToSettle: ["class", "width", "height"],
    selfRequestsOnly: true,
    historyCacheSize: 0, // no copies of pages in localStorage
    refreshOnHistoryMiss: true,
    historyRestoreAsHxRequest: false, // a history restore gets the whole page, not a fragment
    // 422 (a form with field errors) is swapped in like a success; other errors are not.
    responseHandling: [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "422", swap: true },
      { code: "[45]..", swap: false, error: true },
    ],
  });

  // A refusal or failure of an htmx request (403, 404, 409, 5xx) comes as the console's error
  // page in the user's language: show it in place of the page's content, never nothing.
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    var type = (xhr && xhr.getResponseHeader("content-type")) || "";
    if (!xhr || type.indexOf("text/html") !== 0) {
      return;
    }
    var answer = new DOMParser().parseFromString(xhr.responseText, "text/html");
    var shown = answer.getElementById("main");
    var main = document.getElementById("main");
    if (!shown || !main) {
      return;
    }
    main.replaceChildren.apply(main, Array.prototype.slice.call(shown.childNodes));
    document.title = answer.title || document.title;
    main.focus();
  });
})();
