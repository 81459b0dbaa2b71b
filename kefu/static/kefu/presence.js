// Collision detection on the ticket page: who else is viewing or replying, and "updated by someone else".
// Needs live.js loaded before it (both `defer`). No framework, no inline script, CSP-safe.
//
// The page provides:
//   <article data-ticket-id="12"> ... </article>           the open ticket
//   <div id="presence" aria-live="polite"
//        data-viewing="{names} 也在查看此工单"               labels come from {% translate %}; {names} is
//        data-replying="{names} 正在回复…"                    replaced by the list of names
//        data-changed="此工单已被他人更新。"
//        data-reload="刷新"></div>
//   an element (or a form around it) with data-reply-box    typing there tells the others "replying"
// When another user changes the ticket, "ticket-changed" fires on <body> (detail = the frame): a partial
// can refresh with `hx-trigger="ticket-changed from:body"`. If nothing on the page listens that way, a
// notice with a reload button appears in #presence instead.
(function () {
  "use strict";

  var IDLE_MS = 5000;
  var CHANGED_COALESCE_MS = 300;

  var live = window.KefuLive;
  var page = document.querySelector("[data-ticket-id]");
  var box = document.getElementById("presence");
  if (!live || !page) return;
  var ticketId = parseInt(page.getAttribute("data-ticket-id"), 10);
  if (!(ticketId > 0)) return;

  var replying = false;
  var idleTimer = null;
  var changedTimer = null;
  var lastChange = null;
  var others = [];  // the other viewers, as the server last told them
  var changed = false;  // show "someone else updated this ticket"

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function label(name, names) {
    var separator = (document.documentElement.lang || "").indexOf("zh") === 0 ? "、" : ", ";
    return (box.getAttribute("data-" + name) || "{names}").replace("{names}", names.join(separator));
  }

  // #presence is rebuilt from scratch and left empty when there is nothing to say (CSS hides :empty).
  function render() {
    if (!box) return;
    var writing = others.filter(function (v) { return v.replying; }).map(function (v) { return v.name; });
    var looking = others.filter(function (v) { return !v.replying; }).map(function (v) { return v.name; });
    box.textContent = "";
    if (writing.length) box.appendChild(element("p", "presence-replying", label("replying", writing)));
    if (looking.length) box.appendChild(element("p", "presence-viewing", label("viewing", looking)));
    if (changed) {
      var notice = box.appendChild(element("p", "presence-changed", label("changed", [])));
      notice.appendChild(document.createTextNode(" "));
      var button = notice.appendChild(element("button", "link presence-reload", box.getAttribute("data-reload") || "↻"));
      button.type = "button";
      button.addEventListener("click", function () { location.reload(); });
    }
  }

  function setViewers(viewers) {
    var me = live.userId();
    others = viewers.filter(function (v) { return v.id !== me; });
    render();
  }

  function showChangedNotice() {
    changed = true;
    render();
  }

  function ticketChanged() {
    changedTimer = null;
    document.body.dispatchEvent(new CustomEvent("ticket-changed", { bubbles: true, detail: lastChange }));
    if (!document.querySelector('[hx-trigger*="ticket-changed"]')) showChangedNotice();
  }

  function setReplying(value) {
    if (replying === value) return;
    replying = value;
    live.send({ type: "typing", ticket: ticketId, replying: value });
  }

  live.on("open", function () {
    live.send({ type: "watch", ticket: ticketId });
    if (replying) live.send({ type: "typing", ticket: ticketId, replying: true });
  });

  live.on("closed", function () { setViewers([]); });

  live.on("presence", function (frame) {
    if (frame.ticket === ticketId) setViewers(frame.viewers || []);
  });

  live.on("ticket.changed", function (frame) {
    if (frame.ticket !== ticketId || frame.actor === live.userId()) return;
    lastChange = frame;  // an assignment arrives as two frames: react once
    if (!changedTimer) changedTimer = setTimeout(ticketChanged, CHANGED_COALESCE_MS);
  });

  live.on("unwatched", function (frame) {
    if (frame.ticket !== ticketId) return;
    others = [];
    showChangedNotice();
  });

  document.addEventListener("input", function (event) {
    if (!event.target.closest || !event.target.closest("[data-reply-box]")) return;
    setReplying(true);
    clearTimeout(idleTimer);
    idleTimer = setTimeout(function () { setReplying(false); }, IDLE_MS);
  });

  document.addEventListener("submit", function (event) {
    if (event.target.querySelector && event.target.querySelector("[data-reply-box]") ||
        event.target.matches && event.target.matches("[data-reply-box]")) {
      clearTimeout(idleTimer);
      setReplying(false);
    }
  });
})();
