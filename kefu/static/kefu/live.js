// Kefu live connection: one websocket per staff page (no framework, no inline script, CSP-safe).
//
// Include on staff pages with `<script src="{% static 'kefu/live.js' %}" defer></script>`. It opens
// `body[data-ws-url]` + "/ws/agent/" (or the page's own origin when that is empty), pings every 20 s,
// reconnects with backoff, and stops for good on close code 4401 (signed out).
//
// Pages react to pushes in two ways, both without code of their own:
//   - `queue.changed` fires a "queue-changed" DOM event on <body> (at most once per 5 s, and only while the
//     tab is visible): a list can refresh with `hx-trigger="queue-changed from:body"`.
//   - window.KefuLive.on(type, fn) for page scripts (presence.js uses it): types are the server's frame types
//     plus "open" (after every (re)connect) and "closed".
// Pushes are hints: whatever a page shows comes from the server's HTML, never from a frame's content.
(function () {
  "use strict";

  var PING_MS = 20000;
  var MAX_BACKOFF_MS = 30000;
  var QUEUE_HINT_MS = 5000;
  var CLOSE_UNAUTHORIZED = 4401;

  var socket = null;
  var attempts = 0;
  var pingTimer = null;
  var stopped = false;
  var userId = null;
  var handlers = {};

  function socketUrl() {
    var base = (document.body.getAttribute("data-ws-url") || "").replace(/\/+$/, "");
    if (!base) {
      base = (location.protocol === "https:" ? "wss://" : "ws://") + location.host;
    }
    return base + "/ws/agent/";
  }

  function on(type, fn) {
    (handlers[type] = handlers[type] || []).push(fn);
    // A script loaded after the socket opened still gets its "open" (deferred scripts can run late).
    if (type === "open" && userId !== null && socket && socket.readyState === WebSocket.OPEN) {
      setTimeout(function () { fn({ type: "hello", user: userId }); }, 0);
    }
  }

  function fire(type, frame) {
    (handlers[type] || []).forEach(function (fn) {
      try {
        fn(frame);
      } catch (err) {
        if (window.console) console.error(err);
      }
    });
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function connect() {
    if (stopped) return;
    try {
      socket = new WebSocket(socketUrl());
    } catch (err) {
      reconnectLater();
      return;
    }
    socket.addEventListener("open", function () {
      attempts = 0;
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, PING_MS);
    });
    socket.addEventListener("message", function (event) {
      var frame;
      try {
        frame = JSON.parse(event.data);
      } catch (err) {
        return;
      }
      if (!frame || typeof frame.type !== "string") return;
      if (frame.type === "hello") {
        userId = frame.user;
        fire("open", frame);  // after hello, so handlers know who they are
        return;
      }
      fire(frame.type, frame);
    });
    socket.addEventListener("close", function (event) {
      clearInterval(pingTimer);
      socket = null;
      fire("closed", { code: event.code });
      if (event.code === CLOSE_UNAUTHORIZED) {
        stopped = true;  // signed out: retrying cannot help until the page reloads
        return;
      }
      reconnectLater();
    });
  }

  function reconnectLater() {
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, attempts));
    attempts += 1;
    setTimeout(connect, delay / 2 + Math.random() * delay / 2);
  }

  // Queue hints: coalesce bursts, and wait for a hidden tab to come back.
  var lastQueueHint = 0;
  var queueHintTimer = null;
  var queueHintPending = false;

  function fireQueueChanged() {
    queueHintTimer = null;
    if (document.hidden) {
      queueHintPending = true;
      return;
    }
    queueHintPending = false;
    lastQueueHint = Date.now();
    document.body.dispatchEvent(new CustomEvent("queue-changed", { bubbles: true }));
  }

  on("queue.changed", function () {
    if (queueHintTimer) return;
    var wait = Math.max(0, lastQueueHint + QUEUE_HINT_MS - Date.now());
    queueHintTimer = setTimeout(fireQueueChanged, wait);
  });

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden && queueHintPending && !queueHintTimer) fireQueueChanged();
  });

  window.KefuLive = {
    on: on,
    send: send,
    userId: function () { return userId; },
  };

  if (typeof WebSocket !== "undefined") connect();
})();
