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
})();
