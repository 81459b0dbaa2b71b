/* Kefu chat widget: one <script src="https://HOST/chat/widget.js" data-site="KEY" async> tag, no framework.
 * Resumable: every visitor message has a client id and is kept until the server acks it; on reconnect the
 * widget sends the last server id it saw and its unacknowledged messages (see connectors/webchat/consumers.py). */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-site][src*='/chat/widget.js']");
  if (!script || window.__kefuChat) return;
  window.__kefuChat = true;
  var site = script.getAttribute("data-site");
  var base = new URL(script.src, location.href);
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/chat/" + encodeURIComponent(site) + "/";
  var zh = /^zh/i.test(document.documentElement.lang || navigator.language || "");
  var T = zh
    ? { open: "在线客服", title: "在线客服", send: "发送", placeholder: "请输入消息…", queue: "您前面还有 {n} 位，请稍候",
        agent: "客服 {name} 为您服务", ended: "对话已结束", close: "关闭", end: "结束对话", you: "我", offline: "正在重新连接…" }
    : { open: "Chat with us", title: "Customer service", send: "Send", placeholder: "Type a message…",
        queue: "You are number {n} in the queue", agent: "{name} is helping you", ended: "The chat has ended",
        close: "Close", end: "End chat", you: "You", offline: "Reconnecting…" };
  var storeKey = "kefu-chat:" + site;
  var state = load();
  var socket = null, retry = 0, seen = {};

  function load() {
    try { return JSON.parse(localStorage.getItem(storeKey)) || {}; } catch (e) { return {}; }
  }
  function save() {
    try { localStorage.setItem(storeKey, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  state.pending = state.pending || [];
  state.lastSeen = state.lastSeen || 0;

  var css = document.createElement("link");
  css.rel = "stylesheet";
  css.href = new URL("/chat/widget.css", base).href;
  document.head.appendChild(css);

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }
  var root = el("div", "kefu-chat");
  var button = el("button", "kefu-chat-button", T.open);
  button.type = "button";
  var panel = el("div", "kefu-chat-panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", T.title);
  var header = el("div", "kefu-chat-header");
  var title = el("span", "kefu-chat-title", T.title);
  var endButton = el("button", "kefu-chat-end", T.end);
  endButton.type = "button";
  var closeButton = el("button", "kefu-chat-close", "×");
  closeButton.type = "button";
  closeButton.setAttribute("aria-label", T.close);
  header.append(title, endButton, closeButton);
  var status = el("div", "kefu-chat-status");
  var log = el("div", "kefu-chat-log");
  log.setAttribute("aria-live", "polite");
  var form = el("form", "kefu-chat-form");
  var input = el("textarea", "kefu-chat-input");
  input.rows = 2;
  input.maxLength = 2000;
  input.placeholder = T.placeholder;
  var send = el("button", "kefu-chat-send", T.send);
  send.type = "submit";
  form.append(input, send);
  panel.append(header, status, log, form);
  root.append(button, panel);
  (document.body || document.documentElement).appendChild(root);

  function show(message) {
    if (message.id && seen[message.id]) return;
    if (message.id) seen[message.id] = true;
    var mine = message.author === "visitor";
    var line = el("div", "kefu-chat-line " + (mine ? "is-mine" : "is-theirs"));
    if (message.client_id) line.setAttribute("data-client", message.client_id);
    if (!mine && message.name) line.appendChild(el("div", "kefu-chat-name", message.name));
    line.appendChild(el("div", "kefu-chat-text", message.text));
    if (message.pending) line.classList.add("is-pending");
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
  }
  function setStatus(text) { status.textContent = text || ""; }

  function connect() {
    socket = new WebSocket(wsUrl);
    socket.onopen = function () {
      retry = 0;
      setStatus("");
      socket.send(JSON.stringify({ type: "hello", token: state.token || "", last_seen: state.lastSeen,
        lang: zh ? "zh-hans" : "en", pending: state.pending }));
    };
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      if (frame.type === "welcome") {
        state.token = frame.token;
        if (frame.agent) setStatus(T.agent.replace("{name}", frame.agent));
        save();
      } else if (frame.type === "message") {
        if (frame.author === "visitor" && frame.client_id && pendingLine(frame.client_id)) markSent(frame.client_id, frame.id);
        else show(frame);
        state.lastSeen = Math.max(state.lastSeen, frame.id);
        save();
      } else if (frame.type === "ack") {
        markSent(frame.client_id, frame.id);
      } else if (frame.type === "queue") {
        setStatus(T.queue.replace("{n}", frame.position));
      } else if (frame.type === "agent") {
        setStatus(T.agent.replace("{name}", frame.name));
      } else if (frame.type === "ended") {
        setStatus(T.ended);
        state.lastSeen = 0;
        save();
      } else if (frame.type === "error") {
        setStatus(frame.message);
      }
    };
    socket.onclose = function () {
      socket = null;
      setStatus(T.offline);
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }
  function markSent(clientId, id) {
    state.pending = state.pending.filter(function (p) { return p.client_id !== clientId; });
    state.lastSeen = Math.max(state.lastSeen, id);
    save();
    var line = pendingLine(clientId);
    if (line) line.classList.remove("is-pending");
    seen[id] = true;
  }
  function pendingLine(clientId) {
    var lines = log.querySelectorAll(".kefu-chat-line[data-client]");
    for (var i = 0; i < lines.length; i++) if (lines[i].getAttribute("data-client") === clientId) return lines[i];
    return null;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    var clientId = "c" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    var item = { client_id: clientId, text: text };
    state.pending.push(item);
    save();
    show({ author: "visitor", text: text, client_id: clientId, pending: true });
    input.value = "";
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "message", client_id: clientId, text: text }));
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  endButton.addEventListener("click", function () {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "end" }));
  });
  button.addEventListener("click", function () {
    panel.hidden = false;
    button.hidden = true;
    if (!socket) connect();
    input.focus();
  });
  closeButton.addEventListener("click", function () {
    panel.hidden = true;
    button.hidden = false;
  });
  if (state.token && state.lastSeen) connect(); // a chat was going on: resume it at once
})();
