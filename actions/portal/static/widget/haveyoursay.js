/*
 * Have Your Say chat widget. Embed on any page with:
 *   <script src="https://PORTAL/widget/haveyoursay.js" data-server="https://RASA-SERVER" defer></script>
 *
 * Talks to Rasa's socket.io channel (session persistence on) through the maintained
 * socket.io-client, loaded from the same place as this file. The session id lives in
 * sessionStorage, so closing the browser on a shared library computer forgets the chat.
 * Resident text is only ever inserted as text, never as HTML.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var server = script.getAttribute("data-server") || window.location.origin;
  var title = script.getAttribute("data-title") || "Have your say";
  var base = new URL(".", script.src).href;
  var SESSION_KEY = "hys-session-id";
  var TRANSCRIPT_KEY = "hys-transcript";
  var REPLY_TIMEOUT_MS = 20000;
  var URL_PATTERN = /(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/g;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function sessionId() {
    var id = null;
    try { id = window.sessionStorage.getItem(SESSION_KEY); } catch (e) { /* storage blocked */ }
    if (!id) {
      id = window.crypto.randomUUID();
      try { window.sessionStorage.setItem(SESSION_KEY, id); } catch (e) { /* keep in memory only */ }
    }
    return id;
  }

  function loadTranscript() {
    try { return JSON.parse(window.sessionStorage.getItem(TRANSCRIPT_KEY) || "[]"); } catch (e) { return []; }
  }

  function saveTranscript(items) {
    try { window.sessionStorage.setItem(TRANSCRIPT_KEY, JSON.stringify(items.slice(-60))); } catch (e) { /* ignore */ }
  }

  // Bot text becomes text nodes plus <a> elements for http(s) links: no HTML is ever parsed.
  function appendLinkified(container, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (match, _url, offset) {
      container.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = el("a", { href: match, target: "_blank", rel: "noopener noreferrer" }, match);
      container.appendChild(link);
      last = offset + match.length;
      return match;
    });
    container.appendChild(document.createTextNode(text.slice(last)));
  }

  var stylesheet = el("link", { rel: "stylesheet", href: base + "haveyoursay.css" });
  document.head.appendChild(stylesheet);

  var root = el("div", { class: "hys-root" });
  var launcher = el("button", { type: "button", class: "hys-launcher", "aria-expanded": "false", "aria-controls": "hys-panel" }, title);
  var panel = el("section", { id: "hys-panel", class: "hys-panel", "aria-labelledby": "hys-title", hidden: "" });
  var header = el("div", { class: "hys-header" });
  header.appendChild(el("h2", { id: "hys-title" }, title));
  var closeButton = el("button", { type: "button", class: "hys-close", "aria-label": "Close chat" }, "Close");
  header.appendChild(closeButton);
  var log = el("div", { class: "hys-log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-label": "Conversation" });
  var status = el("div", { class: "hys-status", role: "status", "aria-live": "polite" });
  var form = el("form", { class: "hys-form" });
  var label = el("label", { for: "hys-input" }, "Your message");
  var input = el("input", { id: "hys-input", class: "hys-input", type: "text", autocomplete: "off", maxlength: "2000" });
  var send = el("button", { type: "submit", class: "hys-send" }, "Send");
  form.appendChild(label); form.appendChild(input); form.appendChild(send);
  panel.appendChild(header); panel.appendChild(log); panel.appendChild(status); panel.appendChild(form);
  root.appendChild(panel); root.appendChild(launcher);
  document.body.appendChild(root);

  var transcript = loadTranscript();
  var socket = null;
  var confirmed = false;
  var confirmedId = null;
  var pending = [];
  var lastSent = null;
  var replyTimer = null;

  function render(item, restoring) {
    var li = el("div", { class: "hys-message " + (item.who === "bot" ? "hys-bot" : "hys-user") });
    li.appendChild(el("span", { class: "hys-who" }, item.who === "bot" ? "Assistant:" : "You:"));
    var body = el("span", { class: "hys-text" });
    if (item.who === "bot") { appendLinkified(body, item.text || ""); } else { body.textContent = item.text || ""; }
    li.appendChild(body);
    if (item.who === "bot" && item.replies && item.replies.length && !restoring) {
      var replies = el("div", { class: "hys-replies", role: "group", "aria-label": "Suggested replies" });
      item.replies.forEach(function (reply) {
        var button = el("button", { type: "button", class: "hys-reply" }, reply.title);
        button.addEventListener("click", function () { submit(reply.payload, reply.title); });
        replies.appendChild(button);
      });
      li.appendChild(replies);
    }
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function setStatus(text, isError, retry) {
    status.textContent = "";
    status.className = "hys-status" + (isError ? " hys-error" : "");
    if (!text) { return; }
    if (text === "typing") {
      var typing = el("span", { class: "hys-typing", "aria-hidden": "true" });
      typing.appendChild(el("span")); typing.appendChild(el("span")); typing.appendChild(el("span"));
      status.appendChild(typing);
      status.appendChild(el("span", { class: "hys-sr" }, "The assistant is typing"));
      return;
    }
    status.appendChild(document.createTextNode(text));
    if (retry) {
      var again = el("button", { type: "button" }, "Try again");
      again.addEventListener("click", retry);
      status.appendChild(again);
    }
  }

  function unreachable() {
    setStatus("Sorry, we can't reach the assistant at the moment.", true, function () {
      setStatus("Reconnecting…");
      if (socket) { socket.connect(); }
      if (lastSent) { pending.push(lastSent); }
      flush();
    });
  }

  function emit(message) {
    lastSent = message;
    socket.emit("user_uttered", { message: message, session_id: confirmedId || sessionId() });
    clearTimeout(replyTimer);
    replyTimer = setTimeout(unreachable, REPLY_TIMEOUT_MS);
  }

  function flush() {
    if (!socket || !confirmed) { return; }
    while (pending.length) { emit(pending.shift()); }
  }

  function submit(message, shown) {
    var text = (message || "").trim();
    if (!text) { return; }
    var item = { who: "user", text: shown || text };
    transcript.push(item); saveTranscript(transcript); render(item);
    setStatus("typing");
    pending.push(text);
    connect();
    flush();
    input.focus();
  }

  function onBotMessage(data) {
    clearTimeout(replyTimer);
    setStatus("");
    var replies = (data.quick_replies || data.buttons || []).map(function (b) { return { title: b.title, payload: b.payload }; });
    var item = { who: "bot", text: data.text || "", replies: replies };
    if (data.attachment && data.attachment.payload && data.attachment.payload.src) { item.text += (item.text ? "\n" : "") + data.attachment.payload.src; }
    transcript.push({ who: "bot", text: item.text }); saveTranscript(transcript);
    render(item);
  }

  function connect() {
    if (socket) { return; }
    if (typeof window.io !== "function") { unreachable(); return; }
    socket = window.io(server, { path: "/socket.io", transports: ["websocket", "polling"], reconnectionAttempts: 5 });
    socket.on("connect", function () {
      confirmed = false;
      socket.emit("session_request", { session_id: sessionId() });
    });
    socket.on("session_confirm", function (id) {
      // The server may issue a new session id (it accepts only random UUIDs): keep the one it confirmed.
      if (typeof id === "string" && id) {
        try { window.sessionStorage.setItem(SESSION_KEY, id); } catch (e) { /* storage blocked */ }
        confirmedId = id;
      }
      confirmed = true;
      flush();
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("connect_error", unreachable);
    socket.io.on("reconnect_failed", unreachable);
  }

  function open() {
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    input.focus();
    if (!transcript.length) {
      pending.push("/greet");
      setStatus("typing");
    } else {
      pending.push("/check_updates");  // outcomes published since this session last spoke
    }
    connect();
    flush();
  }

  function close() {
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  transcript.forEach(function (item) { render(item, true); });
  launcher.addEventListener("click", open);
  closeButton.addEventListener("click", close);
  panel.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    submit(text);
  });

  var loader = el("script", { src: base + "socket.io.min.js" });
  loader.addEventListener("error", function () { status.textContent = "The chat could not load. Please refresh the page."; });
  document.head.appendChild(loader);
})();
