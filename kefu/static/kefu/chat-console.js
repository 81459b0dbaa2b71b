// Kefu agent chat console: accept queued chats, write and read messages, end chats, over the live socket
// (window.KefuLive from live.js). Message text is always inserted as text, never as HTML.
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root || !window.KefuLive) return;
  var live = window.KefuLive;
  var windows = document.getElementById("chat-windows");
  var queueList = document.getElementById("chat-queue-list");
  var seen = {};

  function windowFor(id) {
    return windows.querySelector('.chat-window[data-conversation="' + id + '"]');
  }
  function addLine(win, message) {
    if (!win || seen[message.id]) return;
    seen[message.id] = true;
    var li = document.createElement("li");
    li.className = "chat-line is-" + message.author;
    li.setAttribute("data-id", message.id);
    if (message.name) {
      var who = document.createElement("span");
      who.className = "muted small";
      who.textContent = message.name + " ";
      li.appendChild(who);
    }
    li.appendChild(document.createTextNode(message.text));
    var log = win.querySelector(".chat-log");
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }
  function openWindow(frame) {
    var win = windowFor(frame.conversation);
    if (!win) {
      var template = document.getElementById("chat-window-template");
      win = template.content.firstElementChild.cloneNode(true);
      win.setAttribute("data-conversation", frame.conversation);
      win.querySelector("h2").textContent = frame.customer || "";
      win.querySelector("[data-end]").setAttribute("data-end", frame.conversation);
      win.querySelector("[data-send]").setAttribute("data-send", frame.conversation);
      windows.appendChild(win);
    }
    (frame.messages || []).forEach(function (m) { addLine(win, m); });
    return win;
  }
  windows.querySelectorAll(".chat-line[data-id]").forEach(function (li) { seen[li.getAttribute("data-id")] = true; });

  root.addEventListener("click", function (event) {
    var accept = event.target.closest("[data-accept]");
    if (accept) {
      live.send({ type: "chat.accept", conversation: Number(accept.getAttribute("data-accept")) });
      var item = accept.closest("li");
      if (item) item.remove();
      return;
    }
    var end = event.target.closest("[data-end]");
    if (end) live.send({ type: "chat.end", conversation: Number(end.getAttribute("data-end")) });
  });
  root.addEventListener("submit", function (event) {
    var form = event.target.closest("[data-send]");
    if (!form) return;
    event.preventDefault();
    var box = form.querySelector("textarea");
    var text = box.value.trim();
    if (!text) return;
    var clientId = "a" + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
    live.send({ type: "chat.send", conversation: Number(form.getAttribute("data-send")), client_id: clientId, text: text });
    box.value = "";
    form.setAttribute("data-pending-" + clientId, text);
  });
  root.addEventListener("keydown", function (event) {
    if (event.target.matches(".chat-send textarea") && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });

  live.on("chat.accepted", openWindow);
  live.on("chat.ack", function (frame) {
    var win = windowFor(frame.conversation);
    if (!win) return;
    var form = win.querySelector("[data-send]");
    var text = form.getAttribute("data-pending-" + frame.client_id);
    form.removeAttribute("data-pending-" + frame.client_id);
    if (text !== null) addLine(win, { id: frame.id, author: "agent", text: text, name: "" });
  });
  live.on("chat.message", function (frame) { addLine(windowFor(frame.conversation), frame); });
  live.on("chat.ended", function (frame) {
    var win = windowFor(frame.conversation);
    if (!win) return;
    var note = document.createElement("p");
    note.className = "muted";
    note.textContent = root.getAttribute("data-ended-label");
    win.replaceChild(note, win.querySelector("[data-send]"));
  });
  function addToQueue(frame) {
    if (queueList.querySelector('[data-conversation="' + frame.conversation + '"]')) return;
    var li = document.createElement("li");
    li.setAttribute("data-conversation", frame.conversation);
    var name = document.createElement("span");
    name.textContent = frame.customer || "";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.setAttribute("data-accept", frame.conversation);
    button.textContent = root.getAttribute("data-accept-label");
    li.append(name, document.createTextNode(" "), button);
    queueList.appendChild(li);
  }
  live.on("chat.offer", addToQueue);
  live.on("chat.error", function (frame) {
    if (frame.error === "taken" && frame.conversation) {
      var item = queueList.querySelector('[data-conversation="' + frame.conversation + '"]');
      if (item) item.remove();
    }
    window.alert(frame.message);
  });
})();
