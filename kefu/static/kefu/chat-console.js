// Kefu agent chat console: accept queued chats, write messages and internal notes, see typing and read
// state, transfer, keep as a ticket, link to a ticket, end; supervisors join or take over any live chat.
// Everything goes over the live socket (window.KefuLive from live.js). Message text is always inserted as
// text, never as HTML. Unacknowledged messages are re-sent after a reconnect (the client id de-duplicates).
(function () {
  "use strict";
  var root = document.getElementById("chat-console");
  if (!root || !window.KefuLive) return;
  var live = window.KefuLive;
  var windows = document.getElementById("chat-windows");
  var queueList = document.getElementById("chat-queue-list");
  var seen = {};
  var pending = {}; // client id -> frame, until acknowledged
  var opened = false;
  var typingTimers = {};

  function label(name) { return root.getAttribute("data-" + name + "-label") || ""; }
  function ticketUrl(id) { return root.getAttribute("data-ticket-url").replace(/0\/?$/, id + "/"); }
  function windowFor(id) {
    return windows.querySelector('.chat-window[data-conversation="' + id + '"]');
  }
  function conversationOf(node) {
    var win = node.closest(".chat-window");
    return win ? Number(win.getAttribute("data-conversation")) : 0;
  }
  function newClientId(prefix) {
    return prefix + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }
  function send(frame) {
    if (frame.client_id) pending[frame.client_id] = frame;
    live.send(frame);
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
    if (message.author === "note") {
      var tag = document.createElement("span");
      tag.className = "muted small";
      tag.textContent = label("note") + " ";
      li.appendChild(tag);
    }
    if (message.file) {
      var link = document.createElement("a");
      link.href = message.file.url;
      link.target = "_blank";
      link.rel = "noopener";
      if (message.file.image) {
        var img = document.createElement("img");
        img.src = message.file.url;
        img.alt = message.file.name;
        img.className = "chat-image";
        link.appendChild(img);
      } else {
        link.textContent = message.file.name;
      }
      li.appendChild(link);
    } else {
      li.appendChild(document.createTextNode(message.text));
    }
    var log = win.querySelector(".chat-log");
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
    if (message.author === "visitor" && document.visibilityState === "visible") {
      live.send({ type: "chat.read", conversation: Number(win.getAttribute("data-conversation")), id: message.id });
    }
  }
  function fillProfile(win, frame) {
    var p = frame.profile || {};
    win.querySelector(".chat-customer").textContent = frame.customer || "";
    win.querySelector(".chat-vip").hidden = !p.vip;
    var ticket = win.querySelector(".chat-ticket");
    ticket.textContent = "#" + p.ticket;
    ticket.href = ticketUrl(p.ticket);
    win.querySelector(".chat-email").textContent = p.email || "";
    win.querySelector(".chat-phone").textContent = p.phone || "";
    win.querySelector(".chat-topic").textContent = p.topic || "";
    win.querySelector(".chat-page").textContent = p.page || "";
    win.querySelector(".chat-previous").textContent = p.previous_chats || 0;
    var history = win.querySelector(".chat-history");
    history.textContent = "";
    (p.tickets || []).forEach(function (t) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = ticketUrl(t.id);
      a.textContent = "#" + t.id + " " + t.subject;
      li.appendChild(a);
      history.appendChild(li);
    });
  }
  var WIDE = window.matchMedia("(min-width: 1100px)");
  function openWindow(frame) {
    var win = windowFor(frame.conversation);
    if (!win) {
      var template = document.getElementById("chat-window-template");
      win = template.content.firstElementChild.cloneNode(true);
      win.setAttribute("data-conversation", frame.conversation);
      var box = win.querySelector("textarea");
      box.id = "chat-text-" + frame.conversation;
      win.querySelector(".chat-send label[for]").setAttribute("for", box.id);
      windows.appendChild(win);
    }
    win.classList.toggle("is-joined", !!frame.joined);
    if (WIDE.matches) win.querySelector(".chat-profile").open = true;  // room to show it beside the log
    fillProfile(win, frame);
    (frame.messages || []).forEach(function (m) { addLine(win, m); });
    var item = queueList.querySelector('[data-conversation="' + frame.conversation + '"]');
    if (item) item.remove();
    return win;
  }
  function closeWindow(id, text) {
    var win = windowFor(id);
    if (!win) return;
    var note = document.createElement("p");
    note.className = "muted chat-closed";
    note.textContent = text;
    var form = win.querySelector(".chat-send");
    if (form) win.replaceChild(note, form);
    var actions = win.querySelector(".chat-actions");
    if (actions) actions.remove();
  }
  windows.querySelectorAll(".chat-line[data-id]").forEach(function (li) { seen[li.getAttribute("data-id")] = true; });

  root.addEventListener("click", function (event) {
    var button = event.target.closest("[data-accept], [data-join], [data-take], [data-end]");
    if (!button) return;
    if (button.hasAttribute("data-accept")) {
      live.send({ type: "chat.accept", conversation: Number(button.getAttribute("data-accept")) });
    } else if (button.hasAttribute("data-join")) {
      live.send({ type: "chat.join", conversation: Number(button.getAttribute("data-join")) });
    } else if (button.hasAttribute("data-take")) {
      live.send({ type: "chat.take", conversation: Number(button.getAttribute("data-take")) });
    } else {
      live.send({ type: "chat.end", conversation: conversationOf(button) });
    }
  });
  root.addEventListener("submit", function (event) {
    var form = event.target;
    var id = conversationOf(form);
    if (!id) return;
    event.preventDefault();
    if (form.classList.contains("chat-send")) {
      var box = form.querySelector("textarea");
      var text = box.value.trim();
      if (!text) return;
      var note = form.querySelector(".chat-as-note").checked || form.closest(".is-joined");
      var frame = { type: note ? "chat.note" : "chat.send", conversation: id, client_id: newClientId("a"), text: text };
      send(frame);
      box.value = "";
      live.send({ type: "chat.typing", conversation: id, on: false });
    } else if (form.classList.contains("chat-transfer")) {
      var target = form.elements.target.value.split(":");
      if (target.length !== 2) return;
      var transfer = { type: "chat.transfer", conversation: id, note: form.elements.note.value };
      transfer[target[0]] = Number(target[1]);
      live.send(transfer);
    } else if (form.classList.contains("chat-convert")) {
      live.send({ type: "chat.convert", conversation: id, subject: form.elements.subject.value });
    } else if (form.classList.contains("chat-link")) {
      live.send({ type: "chat.link", conversation: id, ticket: Number(form.elements.ticket.value) });
    }
  });
  root.addEventListener("keydown", function (event) {
    if (event.target.matches(".chat-send textarea") && event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      event.target.form.requestSubmit();
    }
  });
  root.addEventListener("change", function (event) {
    if (!event.target.matches(".chat-canned") || !event.target.value) return;
    var option = event.target.selectedOptions[0];
    var win = event.target.closest(".chat-window");
    var name = win.querySelector(".chat-customer").textContent;
    var box = win.querySelector(".chat-send textarea");
    box.value = option.getAttribute("data-body").replace(/\{\{\s*customer\.name\s*\}\}/g, name);
    event.target.value = "";
    box.focus();
  });
  root.addEventListener("input", function (event) {
    if (!event.target.matches(".chat-send textarea")) return;
    var id = conversationOf(event.target);
    if (!typingTimers[id]) live.send({ type: "chat.typing", conversation: id, on: true });
    clearTimeout(typingTimers[id]);
    typingTimers[id] = setTimeout(function () {
      typingTimers[id] = null;
      live.send({ type: "chat.typing", conversation: id, on: false });
    }, 3000);
  });

  // After a reconnect: fetch what each open window missed (lines are de-duplicated by id), re-send the rest.
  live.on("open", function () {
    if (opened) {
      windows.querySelectorAll(".chat-window[data-conversation]").forEach(function (win) {
        if (win.querySelector(".chat-send")) live.send({ type: "chat.sync", conversation: Number(win.getAttribute("data-conversation")) });
      });
      Object.keys(pending).forEach(function (key) { live.send(pending[key]); });
    }
    opened = true;
  });
  live.on("chat.accepted", openWindow);
  live.on("chat.ack", function (frame) {
    var sent = pending[frame.client_id];
    delete pending[frame.client_id];
    if (sent) {
      addLine(windowFor(frame.conversation), {
        id: frame.id, author: sent.type === "chat.note" ? "note" : "agent", text: sent.text, name: "",
      });
    }
  });
  live.on("chat.message", function (frame) { addLine(windowFor(frame.conversation), frame); });
  live.on("chat.typing", function (frame) {
    var win = windowFor(frame.conversation);
    if (win) win.querySelector(".chat-typing").hidden = !frame.on;
  });
  live.on("chat.read", function (frame) {
    var win = windowFor(frame.conversation);
    if (!win) return;
    win.querySelectorAll(".chat-line.is-agent").forEach(function (li) {
      if (Number(li.getAttribute("data-id")) <= frame.id) li.classList.add("is-read");
    });
  });
  live.on("chat.ended", function (frame) { closeWindow(frame.conversation, label("ended")); });
  live.on("chat.gone", function (frame) { closeWindow(frame.conversation, label("gone")); });
  live.on("chat.done", function (frame) {
    var win = windowFor(frame.conversation);
    if (!win) return;
    var status = document.createElement("p");
    status.className = "muted small chat-done";
    status.textContent = label("done") + (frame.ticket ? " #" + frame.ticket : "");
    win.querySelector(".chat-actions").appendChild(status);
  });
  function addToQueue(frame) {
    if (queueList.querySelector('[data-conversation="' + frame.conversation + '"]') || windowFor(frame.conversation)) return;
    var li = document.createElement("li");
    li.setAttribute("data-conversation", frame.conversation);
    var name = document.createElement("span");
    name.textContent = frame.customer || "";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "small";
    button.setAttribute("data-accept", frame.conversation);
    button.textContent = label("accept");
    li.append(name, document.createTextNode(" "), button);
    queueList.appendChild(li);
  }
  live.on("chat.offer", addToQueue);
  // The queue (and the supervisors' overview) moved: re-read them from the server's page.
  var refreshing = null;
  live.on("chat.queue", function () {
    if (refreshing) return;
    refreshing = setTimeout(function () {
      refreshing = null;
      fetch(location.href, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (!html) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        ["chat-queue-list", "chat-queue-count", "chat-overview"].forEach(function (id) {
          var fresh = page.getElementById(id);
          var here = document.getElementById(id);
          if (fresh && here) here.replaceWith(document.importNode(fresh, true));
        });
        queueList = document.getElementById("chat-queue-list");
        queueList.querySelectorAll("[data-conversation]").forEach(function (li) {
          if (windowFor(li.getAttribute("data-conversation"))) li.remove();
        });
      });
    }, 300);
  });
  live.on("chat.error", function (frame) {
    if (frame.error === "taken" && frame.conversation) {
      var item = queueList.querySelector('[data-conversation="' + frame.conversation + '"]');
      if (item) item.remove();
    }
    var win = frame.conversation && windowFor(frame.conversation);
    if (win) {
      var problem = document.createElement("p");
      problem.className = "error small";
      problem.setAttribute("role", "alert");
      problem.textContent = frame.message;
      win.appendChild(problem);
      setTimeout(function () { problem.remove(); }, 8000);
    } else {
      window.alert(frame.message);
    }
  });
})();
