// The bell in the staff header: a live `notifications.changed` push makes the bell reload its count.
// Works on pages that load live.js (the socket); elsewhere the bell shows the count of the page load.
// No framework, no inline script, CSP-safe. The count always comes from the server's HTML.
(function () {
  "use strict";

  function start() {
    var live = window.KefuLive;
    if (!live) return;
    live.on("notifications.changed", function () {
      document.body.dispatchEvent(new CustomEvent("notifications-changed", { bubbles: true }));
    });
    // After a reconnect (not the first connect: the page just loaded the bell), pushes may have been
    // missed while the socket was down.
    var opened = 0;
    live.on("open", function () {
      if (opened++ > 0) {
        document.body.dispatchEvent(new CustomEvent("notifications-changed", { bubbles: true }));
      }
    });
  }

  // live.js may come later in the page (both deferred): wait until every deferred script has run.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
