/* Kefu chat widget: one <script src="https://HOST/chat/widget.js" data-site="KEY" async> tag, no framework.
 * Resumable: every visitor message has a client id and is kept until the server acks it; on reconnect the
 * widget sends the last server id it saw and its unacknowledged messages (see connectors/webchat/consumers.py).
 * Text from the server is always inserted as text, never as HTML. Strings: the table T (zh-Hans and en).
 * After a chat a person answered, the `ended` frame (or, on a later visit, the welcome) asks for a rating:
 * shown under the log until sent or skipped, posted to /chat/survey/<site>/ with the visitor's token. */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector("script[data-site][src*='/chat/widget.js']");
  if (!script || window.__kefuChat) return;
  window.__kefuChat = true;
  var site = script.getAttribute("data-site");
  var base = new URL(script.src, location.href);
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/chat/" + encodeURIComponent(site) + "/";
  var uploadUrl = new URL("/chat/upload/" + encodeURIComponent(site) + "/", base).href;
  var surveyUrl = new URL("/chat/survey/" + encodeURIComponent(site) + "/", base).href;
  var zh = /^zh/i.test(document.documentElement.lang || navigator.language || "");
  var STRINGS = {
    zh: {
      open: "在线客服", title: "在线客服", send: "发送", placeholder: "请输入消息…",
      queue: "您前面排第 {n} 位，预计等待约 {m} 分钟", agent: "客服 {name} 为您服务", ended: "对话已结束",
      close: "关闭", end: "结束对话", you: "我", offline: "正在重新连接…", typing: "对方正在输入…", read: "已读",
      bot: "智能助手", start: "开始咨询", name: "姓名", email: "电子邮箱", phone: "手机号码", topic: "咨询类型",
      choose: "请选择", required: "（必填）", attach: "发送图片或文件", uploading: "正在上传…",
      uploadFailed: "文件发送失败", closed: "现在是非工作时间，请留言，我们会尽快回复您。",
      busy: "当前咨询人数较多，请留言，我们会尽快回复您。", leave: "留言", message: "留言内容",
      left: "留言已收到，我们会尽快与您联系。", transcript: "把聊天记录发到我的邮箱", sendTranscript: "发送",
      transcriptSent: "聊天记录已发送。", emoji: "表情", newChat: "新的咨询",
      rateQuestion: "您对本次服务满意吗？", rate1: "非常不满意", rate2: "不满意", rate3: "一般", rate4: "满意", rate5: "非常满意",
      rateComment: "还有什么想告诉我们的吗？（选填）", rateSend: "提交评价", rateSkip: "跳过",
      rateThanks: "感谢您的评价！", rateFailed: "评价未能提交，请稍后再试。", rateChoose: "请先选择 1 到 5 分。"
    },
    en: {
      open: "Chat with us", title: "Customer service", send: "Send", placeholder: "Type a message…",
      queue: "You are number {n} in the queue, about {m} min", agent: "{name} is helping you", ended: "The chat has ended",
      close: "Close", end: "End chat", you: "You", offline: "Reconnecting…", typing: "Typing…", read: "Read",
      bot: "Assistant", start: "Start chat", name: "Name", email: "E-mail", phone: "Phone", topic: "Topic",
      choose: "Choose…", required: " (required)", attach: "Send an image or file", uploading: "Uploading…",
      uploadFailed: "The file could not be sent", closed: "We are closed right now. Leave a message and we will get back to you.",
      busy: "All our agents are busy. Leave a message and we will get back to you.", leave: "Leave a message",
      message: "Your message", left: "Thank you, we have your message and will get back to you soon.",
      transcript: "E-mail me this chat", sendTranscript: "Send", transcriptSent: "The transcript is on its way.",
      emoji: "Emoji", newChat: "New chat",
      rateQuestion: "How satisfied are you with this chat?",
      rate1: "Very dissatisfied", rate2: "Dissatisfied", rate3: "Neutral", rate4: "Satisfied", rate5: "Very satisfied",
      rateComment: "Anything else you would like to tell us? (optional)", rateSend: "Send rating", rateSkip: "Skip",
      rateThanks: "Thank you for your rating!", rateFailed: "The rating could not be sent. Please try again.",
      rateChoose: "Please choose a score from 1 to 5 first."
    }
  };
  var T = zh ? STRINGS.zh : STRINGS.en;
  var RATE_LABELS = [T.rate1, T.rate2, T.rate3, T.rate4, T.rate5]; // scores 1 to 5
  var EMOJI = ["😀", "😊", "👍", "🙏", "😢", "😡", "❤️", "🎉"];
  var storeKey = "kefu-chat:" + site;
  var state = load();
  var socket = null, retry = 0, seen = {}, form = null, typingTimer = null, lastRead = 0;
  var waitingFile = null; // a file picked before the chat started: uploaded once its opening line is acked

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
  function button(cls, text, type) {
    var b = el("button", cls, text);
    b.type = type || "button";
    return b;
  }
  var root = el("div", "kefu-chat");
  var openButton = button("kefu-chat-button", T.open);
  var panel = el("div", "kefu-chat-panel");
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", T.title);
  var header = el("div", "kefu-chat-header");
  var title = el("span", "kefu-chat-title", T.title);
  var endButton = button("kefu-chat-end", T.end);
  var closeButton = button("kefu-chat-close", "×");
  closeButton.setAttribute("aria-label", T.close);
  header.append(title, endButton, closeButton);
  var status = el("div", "kefu-chat-status");
  status.setAttribute("role", "status");
  var log = el("div", "kefu-chat-log");
  log.setAttribute("aria-live", "polite");
  var typing = el("div", "kefu-chat-typing", T.typing);
  typing.hidden = true;
  var rating = el("div", "kefu-chat-rating"); // the ended chat's satisfaction survey
  rating.hidden = true;
  var extra = el("div", "kefu-chat-extra"); // pre-chat form, leave-a-message form, transcript form
  var composer = el("form", "kefu-chat-form");
  var input = el("textarea", "kefu-chat-input");
  input.rows = 2;
  input.maxLength = 2000;
  input.placeholder = T.placeholder;
  input.setAttribute("aria-label", T.placeholder);
  var tools = el("div", "kefu-chat-tools");
  var emojiButton = button("kefu-chat-tool", "☺");
  emojiButton.setAttribute("aria-label", T.emoji);
  var attachButton = button("kefu-chat-tool", "+");
  attachButton.setAttribute("aria-label", T.attach);
  var fileInput = el("input");
  fileInput.type = "file";
  fileInput.accept = "image/png,image/jpeg,image/gif,image/webp,application/pdf,text/plain";
  fileInput.hidden = true;
  var emojiBar = el("div", "kefu-chat-emoji");
  emojiBar.hidden = true;
  EMOJI.forEach(function (e) {
    var b = button("kefu-chat-tool", e);
    b.addEventListener("click", function () { input.value += e; emojiBar.hidden = true; input.focus(); });
    emojiBar.appendChild(b);
  });
  tools.append(emojiButton, attachButton, fileInput);
  var sendButton = button("kefu-chat-send", T.send, "submit");
  composer.append(tools, input, sendButton);
  panel.append(header, status, log, typing, rating, extra, emojiBar, composer);
  root.append(openButton, panel);
  (document.body || document.documentElement).appendChild(root);

  function show(message) {
    if (message.id && seen[message.id]) return;
    if (message.id) seen[message.id] = true;
    var mine = message.author === "visitor";
    var kind = mine ? "is-mine" : message.author === "system" ? "is-system" : "is-theirs";
    var line = el("div", "kefu-chat-line " + kind);
    if (message.client_id) line.setAttribute("data-client", message.client_id);
    if (message.id) line.setAttribute("data-id", message.id);
    var name = message.author === "bot" ? T.bot : message.name;
    if (!mine && name && message.author !== "system") line.appendChild(el("div", "kefu-chat-name", name));
    if (message.file) {
      var link = el("a", "kefu-chat-file");
      link.href = new URL(message.file.url, base).href;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      if (message.file.image) {
        var img = el("img");
        img.src = link.href;
        img.alt = message.file.name;
        link.appendChild(img);
      } else {
        link.textContent = message.file.name;
      }
      line.appendChild(link);
    } else {
      line.appendChild(el("div", "kefu-chat-text", message.text));
    }
    if (message.pending) line.classList.add("is-pending");
    log.appendChild(line);
    log.scrollTop = log.scrollHeight;
    if (!mine) markRead(message.id);
  }
  function setStatus(text) { status.textContent = text || ""; }
  function markRead(id) {
    if (!id || panel.hidden || id <= lastRead) return;
    lastRead = id;
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "read", id: id }));
  }
  function showRead(upTo) {
    log.querySelectorAll(".kefu-chat-line.is-mine[data-id]").forEach(function (line) {
      if (Number(line.getAttribute("data-id")) <= upTo) line.classList.add("is-read");
    });
  }
  function clearExtra() { extra.textContent = ""; }

  // --- forms: pre-chat, leave a message, transcript ----------------------------------------------

  function field(container, name, labelText, required, type) {
    var label = el("label", "kefu-chat-field");
    label.appendChild(el("span", "", labelText + (required ? T.required : "")));
    var control = type === "textarea" ? el("textarea") : el("input");
    if (type !== "textarea") control.type = type || "text";
    control.name = name;
    control.required = !!required;
    control.maxLength = type === "textarea" ? 2000 : 100;
    label.appendChild(control);
    container.appendChild(label);
    return control;
  }
  function prechatForm() {
    if (!form || !form.fields.length || state.token && state.lastSeen) return;
    clearExtra();
    var f = el("form", "kefu-chat-prechat");
    var contactBoth = form.fields.indexOf("email") >= 0 && form.fields.indexOf("phone") >= 0;
    form.fields.forEach(function (name) {
      var required = form.required.indexOf(name) >= 0 && !(contactBoth && (name === "email" || name === "phone"));
      if (name === "topic") {
        var label = el("label", "kefu-chat-field");
        label.appendChild(el("span", "", T.topic + (form.required.indexOf("topic") >= 0 ? T.required : "")));
        var select = el("select");
        select.name = "topic";
        select.required = form.required.indexOf("topic") >= 0;
        var none = el("option", "", T.choose);
        none.value = "";
        select.appendChild(none);
        form.topics.forEach(function (t) {
          var o = el("option", "", t.name);
          o.value = t.id;
          select.appendChild(o);
        });
        label.appendChild(select);
        f.appendChild(label);
      } else {
        field(f, name, T[name], required, name === "email" ? "email" : name === "phone" ? "tel" : "text");
      }
    });
    f.appendChild(button("kefu-chat-send", T.start, "submit"));
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      var answers = {};
      form.fields.forEach(function (name) {
        var value = f.elements[name].value.trim();
        if (value) answers[name] = name === "topic" ? Number(value) : value;
      });
      state.prechat = answers;
      save();
      clearExtra();
      composer.hidden = false;
      input.focus();
    });
    extra.appendChild(f);
    composer.hidden = true;
  }
  function leaveMessageForm(reason) {
    clearExtra();
    composer.hidden = true;
    extra.appendChild(el("p", "kefu-chat-note", reason === "busy" ? T.busy : T.closed));
    var f = el("form", "kefu-chat-leave");
    var name = field(f, "name", T.name, false, "text");
    var email = field(f, "email", T.email, false, "email");
    var phone = field(f, "phone", T.phone, false, "tel");
    var text = field(f, "text", T.message, true, "textarea");
    var pendingText = state.pending.map(function (p) { return p.text; }).join("\n");
    if (pendingText) text.value = pendingText;
    if (state.prechat) {
      name.value = state.prechat.name || "";
      email.value = state.prechat.email || "";
      phone.value = state.prechat.phone || "";
    }
    f.appendChild(button("kefu-chat-send", T.leave, "submit"));
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!socket || socket.readyState !== 1) return;
      socket.send(JSON.stringify({ type: "leave_message", client_id: newClientId("l"), name: name.value,
        email: email.value, phone: phone.value, text: text.value }));
    });
    extra.appendChild(f);
  }
  function transcriptForm() {
    clearExtra();
    var f = el("form", "kefu-chat-transcript");
    var email = field(f, "email", T.transcript, false, "email"); // optional: the label says nothing
    email.required = true; // (but a send needs an address)
    if (state.prechat && state.prechat.email) email.value = state.prechat.email;
    f.appendChild(button("kefu-chat-send", T.sendTranscript, "submit"));
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "transcript", email: email.value }));
    });
    var again = button("kefu-chat-end", T.newChat);
    again.addEventListener("click", function () {
      if (state.survey) closeRating(true);
      clearExtra();
      log.textContent = "";
      seen = {};
      composer.hidden = false;
      prechatForm();
    });
    extra.append(f, again);
  }

  // --- the rating of an ended chat -------------------------------------------------------------------

  function closeRating(skipped) {
    if (skipped && state.survey) state.surveySkipped = state.survey;
    state.survey = null;
    save();
    rating.textContent = "";
    rating.hidden = true;
  }
  function ratingForm(conversation) {
    if (!conversation || conversation === state.surveySkipped) return;
    if (!rating.hidden && rating.getAttribute("data-conversation") === String(conversation)) return; // shown
    state.survey = conversation;
    save();
    rating.textContent = "";
    rating.hidden = false;
    rating.setAttribute("data-conversation", conversation);
    var f = el("form", "kefu-chat-rate");
    f.noValidate = true;
    var scores = el("fieldset", "kefu-chat-scores");
    scores.appendChild(el("legend", "", T.rateQuestion));
    var row = el("div", "kefu-chat-stars");
    RATE_LABELS.forEach(function (label, index) {
      var option = el("label", "kefu-chat-star");
      var radio = el("input");
      radio.type = "radio";
      radio.name = "csat";
      radio.value = String(index + 1);
      radio.setAttribute("aria-label", index + 1 + " – " + label);
      var face = el("span", "kefu-chat-star-face", "★");
      face.setAttribute("aria-hidden", "true");
      option.title = label;
      option.append(radio, face, el("span", "kefu-chat-star-number", String(index + 1)));
      row.appendChild(option);
    });
    var chosen = el("div", "kefu-chat-star-label");
    chosen.setAttribute("aria-hidden", "true");
    row.addEventListener("change", function () {
      var value = Number(f.elements.csat.value);
      chosen.textContent = value ? RATE_LABELS[value - 1] : "";
      row.querySelectorAll(".kefu-chat-star").forEach(function (option, index) {
        option.classList.toggle("is-lit", index < value);
      });
    });
    scores.append(row, chosen);
    var comment = field(f, "comment", T.rateComment, false, "textarea");
    comment.rows = 2;
    f.insertBefore(scores, f.firstChild);
    var problem = el("p", "kefu-chat-rate-error");
    problem.setAttribute("role", "alert");
    var actions = el("div", "kefu-chat-rate-actions");
    var send = button("kefu-chat-send", T.rateSend, "submit");
    var skip = button("kefu-chat-end", T.rateSkip);
    skip.addEventListener("click", function () { closeRating(true); });
    actions.append(send, skip);
    f.append(problem, actions);
    f.addEventListener("submit", function (event) {
      event.preventDefault();
      var score = f.elements.csat.value;
      if (!score) { problem.textContent = T.rateChoose; return; }
      send.disabled = true;
      problem.textContent = "";
      var body = new URLSearchParams({ token: state.token || "", conversation: String(conversation), csat: score,
        comment: comment.value, lang: zh ? "zh-hans" : "en" });
      fetch(surveyUrl, { method: "POST", body: body, mode: "cors", credentials: "omit" })
        .then(function (response) { return response.json().then(function (data) { return [response.status, data]; }); })
        .then(function (result) {
          send.disabled = false;
          if (result[0] === 200) {
            closeRating(false);
            rating.hidden = false;
            rating.appendChild(el("p", "kefu-chat-note kefu-chat-thanks", T.rateThanks));
          } else if (result[0] === 404 || result[0] === 410) {
            closeRating(false); // answered elsewhere, closed, or no longer asked: nothing to do here
          } else {
            problem.textContent = result[1].message || T.rateFailed;
          }
        })
        .catch(function () { send.disabled = false; problem.textContent = T.rateFailed; });
    });
    rating.appendChild(f);
  }

  // --- the socket ---------------------------------------------------------------------------------

  function connect() {
    socket = new WebSocket(wsUrl);
    socket.onopen = function () {
      retry = 0;
      setStatus("");
      socket.send(JSON.stringify({ type: "hello", token: state.token || "", last_seen: state.lastSeen,
        lang: zh ? "zh-hans" : "en", page: location.href.slice(0, 500), pending: state.pending,
        survey: state.survey || 0 }));
    };
    socket.onmessage = function (event) {
      var frame = JSON.parse(event.data);
      var handler = HANDLERS[frame.type];
      if (handler) handler(frame);
    };
    socket.onclose = function () {
      socket = null;
      setStatus(T.offline);
      retry = Math.min(retry + 1, 6);
      setTimeout(connect, 500 * Math.pow(2, retry));
    };
  }
  var HANDLERS = {
    welcome: function (frame) {
      state.token = frame.token;
      form = frame.form;
      endButton.hidden = !frame.conversation;
      if (frame.agent) setStatus(T.agent.replace("{name}", frame.agent));
      if (frame.read) showRead(frame.read);
      save();
      if (!frame.conversation) {
        if (frame.survey && frame.survey.conversation !== state.surveySkipped) {
          setStatus(T.ended);
          ratingForm(frame.survey.conversation);
        } else if (state.survey) closeRating(false); // answered, closed or no longer asked
        if (form.offline && !state.pending.length) leaveMessageForm(form.offline);
        else if (!state.prechat) prechatForm();
      }
    },
    message: function (frame) {
      if (frame.author === "visitor" && frame.client_id && pendingLine(frame.client_id)) markSent(frame.client_id, frame.id);
      else show(frame);
      state.lastSeen = Math.max(state.lastSeen, frame.id);
      save();
    },
    ack: function (frame) { markSent(frame.client_id, frame.id); },
    queue: function (frame) { setStatus(T.queue.replace("{n}", frame.position).replace("{m}", frame.minutes)); },
    agent: function (frame) { setStatus(T.agent.replace("{name}", frame.name)); },
    typing: function (frame) { typing.hidden = !frame.on; },
    read: function (frame) { showRead(frame.id); },
    offline: function (frame) { waitingFile = null; leaveMessageForm(frame.reason); },
    left: function () {
      state.pending = [];
      save();
      clearExtra();
      log.querySelectorAll(".is-pending").forEach(function (line) { line.remove(); });
      extra.appendChild(el("p", "kefu-chat-note", T.left));
    },
    transcript_sent: function () { clearExtra(); extra.appendChild(el("p", "kefu-chat-note", T.transcriptSent)); },
    ended: function (frame) {
      setStatus(T.ended);
      endButton.hidden = true; // nothing left to end
      typing.hidden = true;
      composer.hidden = true;
      state.lastSeen = 0;
      state.prechat = null;
      save();
      transcriptForm();
      if (frame.survey) ratingForm(frame.survey.conversation);
    },
    error: function (frame) {
      setStatus(frame.message);
      if (frame.error === "form" && frame.client_id) {
        waitingFile = null;
        var line = pendingLine(frame.client_id);
        if (line) line.remove();
        state.pending = state.pending.filter(function (p) { return p.client_id !== frame.client_id; });
        state.prechat = null;
        save();
        if (form && form.fields.length) prechatForm();
      }
    }
  };
  function markSent(clientId, id) {
    state.pending = state.pending.filter(function (p) { return p.client_id !== clientId; });
    state.lastSeen = Math.max(state.lastSeen, id);
    save();
    var line = pendingLine(clientId);
    if (line) {
      line.classList.remove("is-pending");
      line.setAttribute("data-id", id);
    }
    seen[id] = true;
    endButton.hidden = false; // a chat is open now
    if (waitingFile && waitingFile.clientId === clientId) {
      upload(waitingFile.file);
      waitingFile = null;
    }
  }
  function pendingLine(clientId) {
    var lines = log.querySelectorAll(".kefu-chat-line[data-client]");
    for (var i = 0; i < lines.length; i++) if (lines[i].getAttribute("data-client") === clientId) return lines[i];
    return null;
  }
  function newClientId(prefix) {
    return prefix + Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
  }

  composer.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    sendText(text);
    input.value = "";
  });
  function sendText(text) {
    var item = { client_id: newClientId("c"), text: text };
    if (!state.lastSeen && state.prechat) item.prechat = state.prechat; // the first message opens the chat
    state.pending.push(item);
    save();
    show({ author: "visitor", text: text, client_id: item.client_id, pending: true });
    if (socket && socket.readyState === 1) {
      socket.send(JSON.stringify({ type: "message", client_id: item.client_id, text: text, prechat: item.prechat }));
      socket.send(JSON.stringify({ type: "typing", on: false }));
    }
    clearTimeout(typingTimer);
    typingTimer = null;
    return item;
  }
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      composer.requestSubmit();
    }
  });
  input.addEventListener("input", function () {
    if (!socket || socket.readyState !== 1 || !state.lastSeen) return;
    if (!typingTimer) socket.send(JSON.stringify({ type: "typing", on: true }));
    clearTimeout(typingTimer);
    typingTimer = setTimeout(function () {
      typingTimer = null;
      if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "typing", on: false }));
    }, 3000);
  });
  emojiButton.addEventListener("click", function () { emojiBar.hidden = !emojiBar.hidden; });
  attachButton.addEventListener("click", function () { fileInput.click(); });
  fileInput.addEventListener("change", function () {
    var file = fileInput.files[0];
    fileInput.value = "";
    if (!file || !state.token) return;
    if (state.lastSeen) upload(file);
    else waitingFile = { file: file, clientId: sendText("📎 " + file.name).client_id }; // the file opens the chat
  });
  function upload(file) {
    var body = new FormData();
    body.append("token", state.token);
    body.append("client_id", newClientId("f"));
    body.append("lang", zh ? "zh-hans" : "en");
    body.append("file", file);
    setStatus(T.uploading);
    fetch(uploadUrl, { method: "POST", body: body, mode: "cors", credentials: "omit" })
      .then(function (response) { return response.json().then(function (data) { return [response.ok, data]; }); })
      .then(function (result) {
        if (!result[0]) { setStatus(result[1].message || T.uploadFailed); return; }
        setStatus("");
        show({ id: result[1].id, author: "visitor", file: result[1].file });
      })
      .catch(function () { setStatus(T.uploadFailed); });
  }
  endButton.addEventListener("click", function () {
    if (socket && socket.readyState === 1) socket.send(JSON.stringify({ type: "end" }));
  });
  openButton.addEventListener("click", function () {
    panel.hidden = false;
    openButton.hidden = true;
    if (!socket) connect();
    input.focus();
    var last = log.querySelector(".kefu-chat-line.is-theirs:last-of-type");
    if (last) markRead(Number(last.getAttribute("data-id")));
  });
  closeButton.addEventListener("click", function () {
    panel.hidden = true;
    openButton.hidden = false;
  });
  if (state.token && state.lastSeen) connect(); // a chat was going on: resume it at once
})();
