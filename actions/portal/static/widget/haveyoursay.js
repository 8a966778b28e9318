/*
 * Have Your Say chat widget. Embed on any page with one tag (docs/widget.md):
 *   <script src="https://PORTAL/widget/haveyoursay.js" data-server="https://RASA-SERVER" defer></script>
 * Options (all optional): data-title, data-consultation="<slug>" (start on that consultation),
 * data-privacy="<privacy notice URL>". A page URL with ?consultation=<slug> opens the chat on that consultation.
 * Preview mode, for the portal's preview page only (docs/portal.md): data-preview-grant (an officer's signed grant,
 * sent with every message; the action server checks it), data-preview-session (the session id the grant is bound
 * to), data-preview-restart (the page that mints a new grant: "Start again" goes there) and data-container (the id
 * of the element to show the open chat in, instead of the corner of the page).
 *
 * Talks to Rasa's socket.io channel (session persistence on) through the pinned socket.io-client, loaded
 * from the same place as this file. The session id lives in sessionStorage, so closing the browser on a
 * shared library computer forgets the chat. Text from anyone is only ever inserted as text, never as HTML.
 *
 * Survey questions arrive with their answer control as data ("question": type, options, limits, hint, and
 * the step's id). Only the latest controls can be used: answering, or any newer message with controls,
 * retires the older ones, and an answer carries the id of the step it was shown for, so the server can
 * refuse a late one. Accessibility follows Bot Framework Web Chat: each new message is announced once,
 * with its options, through one polite live region; focus never moves on its own; the transcript is one
 * Tab stop, navigated with the arrow keys, Home and End.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) { return; }
  var SLUG = /^[a-z0-9][a-z0-9-]{0,99}$/;
  var server = script.getAttribute("data-server") || window.location.origin;
  var title = script.getAttribute("data-title") || "Have your say";
  var privacyUrl = script.getAttribute("data-privacy") || "";
  var base = new URL(".", script.src).href;
  var UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  var previewGrant = script.getAttribute("data-preview-grant") || "";
  var previewSession = script.getAttribute("data-preview-session") || "";
  var preview = !!previewGrant && UUID.test(previewSession);
  var restartUrl = script.getAttribute("data-preview-restart") || "";
  var container = document.getElementById(script.getAttribute("data-container") || "");
  // A preview keeps its own session and transcript, so it never mixes with a resident chat in the same tab.
  var prefix = preview ? "hys-preview-" + previewSession + "-" : "hys-";
  var SESSION_KEY = prefix + "session-id";
  var TRANSCRIPT_KEY = prefix + "transcript";
  var TOPIC_KEY = prefix + "topic";  // the consultation this session's chat was last opened on
  var REPLY_TIMEOUT_MS = 20000;
  var URL_PATTERN = /(https?:\/\/[^\s<>"')]+[^\s<>"').,;:!?])/g;

  function slugOrNull(value) { return value && SLUG.test(value) ? value : null; }
  var pageTopic = slugOrNull(script.getAttribute("data-consultation"));
  var linkTopic = null;
  try { linkTopic = slugOrNull(new URLSearchParams(window.location.search).get("consultation")); } catch (e) { /* old browser */ }
  var topic = linkTopic || pageTopic;

  var counter = 0;
  function uid(prefix) { counter += 1; return "hys-" + prefix + "-" + counter; }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) { node.setAttribute(name, attrs[name]); }
    });
    if (text) { node.textContent = text; }
    return node;
  }

  function stored(key, fallback) {
    try { var value = window.sessionStorage.getItem(key); return value === null ? fallback : value; } catch (e) { return fallback; }
  }
  function store(key, value) {
    try {
      if (value === null) { window.sessionStorage.removeItem(key); } else { window.sessionStorage.setItem(key, value); }
    } catch (e) { /* storage blocked: keep in memory only */ }
  }

  var memorySession = null;
  function sessionId() {
    var id = preview ? previewSession : stored(SESSION_KEY, null) || memorySession;
    if (!id) { id = window.crypto.randomUUID(); store(SESSION_KEY, id); }
    memorySession = id;
    return id;
  }

  function loadTranscript() {
    try { return JSON.parse(stored(TRANSCRIPT_KEY, "[]")) || []; } catch (e) { return []; }
  }
  function saveTranscript() { store(TRANSCRIPT_KEY, JSON.stringify(transcript.slice(-80))); }

  // Bot text becomes text nodes plus <a> elements for http(s) links: no HTML is ever parsed.
  function appendLinkified(container, text) {
    var last = 0;
    text.replace(URL_PATTERN, function (match, _url, offset) {
      container.appendChild(document.createTextNode(text.slice(last, offset)));
      container.appendChild(el("a", { href: match, target: "_blank", rel: "noopener noreferrer" }, match));
      last = offset + match.length;
      return match;
    });
    container.appendChild(document.createTextNode(text.slice(last)));
  }

  function clock(iso) {
    var when = new Date(iso);
    if (isNaN(when.getTime())) { return ""; }
    return when.toLocaleTimeString(document.documentElement.lang || "en-GB", { hour: "2-digit", minute: "2-digit" });
  }

  // --- the frame ---------------------------------------------------------------------------------------

  var stylesheet = el("link", { rel: "stylesheet", href: base + "haveyoursay.css" });
  document.head.appendChild(stylesheet);

  var root = el("aside", { class: "hys-root" + (container ? " hys-inline" : ""), "aria-label": "Chat: " + title });
  var launcher = el("button", { type: "button", class: "hys-launcher", "aria-expanded": "false", "aria-controls": "hys-panel" });
  launcher.appendChild(el("span", { class: "hys-launcher-icon", "aria-hidden": "true" }));
  launcher.appendChild(document.createTextNode(title));
  var panel = el("section", { id: "hys-panel", class: "hys-panel", "aria-labelledby": "hys-title", hidden: "" });

  var header = el("div", { class: "hys-header" });
  header.appendChild(el("span", { class: "hys-logo", "aria-hidden": "true" }));
  header.appendChild(el("h2", { id: "hys-title" }, title));
  var closeButton = el("button", { type: "button", class: "hys-close" }, "Close");
  closeButton.appendChild(el("span", { class: "hys-sr" }, " chat"));
  header.appendChild(closeButton);

  var tools = el("div", { class: "hys-tools" });
  var restartButton = el("button", { type: "button", class: "hys-tool" }, "Start again");
  var laterButton = el("button", { type: "button", class: "hys-tool" }, "Save and finish later");
  tools.appendChild(restartButton); tools.appendChild(laterButton);

  var confirmBox = el("div", { class: "hys-confirm", role: "group", "aria-labelledby": "hys-confirm-text", hidden: "" });
  confirmBox.appendChild(el("p", { id: "hys-confirm-text" },
    "Start a new chat? This conversation will be cleared from this screen, and a response you haven't sent won't be sent."));
  var confirmYes = el("button", { type: "button", class: "hys-primary" }, "Yes, start again");
  var confirmNo = el("button", { type: "button", class: "hys-secondary" }, "Cancel");
  confirmBox.appendChild(confirmYes); confirmBox.appendChild(confirmNo);

  var log = el("div", { class: "hys-log", role: "region", "aria-label": "Conversation", "aria-describedby": "hys-log-help" });
  var logHelp = el("p", { id: "hys-log-help", class: "hys-sr" }, "Use the up and down arrow keys to move between messages.");
  var typing = el("div", { class: "hys-typing", "aria-hidden": "true", hidden: "" });
  typing.appendChild(el("span")); typing.appendChild(el("span")); typing.appendChild(el("span"));
  var status = el("div", { class: "hys-status" });

  var form = el("form", { class: "hys-form" });
  form.appendChild(el("label", { for: "hys-input", class: "hys-sr" }, "Type a message"));
  var input = el("input", { id: "hys-input", class: "hys-input", type: "text", autocomplete: "off", maxlength: "2000", placeholder: "Type a message" });
  var send = el("button", { type: "submit", class: "hys-send" }, "Send");
  form.appendChild(input); form.appendChild(send);

  var footer = el("p", { class: "hys-footer" });
  if (privacyUrl && /^https?:\/\//.test(privacyUrl)) {
    var privacy = el("a", { href: privacyUrl, target: "_blank", rel: "noopener noreferrer" }, "How we use your information");
    privacy.appendChild(el("span", { class: "hys-sr" }, " (opens in a new tab)"));
    footer.appendChild(privacy);
  } else {
    var askPrivacy = el("button", { type: "button", class: "hys-link" }, "How we use your information");
    askPrivacy.addEventListener("click", function () { submit("how do you use my data", "How do you use my information?"); });
    footer.appendChild(askPrivacy);
  }

  [header, tools, confirmBox, log, logHelp, typing, status, form, footer].forEach(function (part) { panel.appendChild(part); });
  // One polite live region for everything the assistant says: each message once, with its options.
  var announcer = el("div", { class: "hys-sr hys-announcer", "aria-live": "polite", "aria-atomic": "false" });
  root.appendChild(panel); root.appendChild(launcher); root.appendChild(announcer);
  (container || document.body).appendChild(root);

  // --- state ----------------------------------------------------------------------------------------

  var transcript = loadTranscript();
  var socket = null;
  var confirmed = false;
  var confirmedId = null;
  var pending = [];
  var lastSent = null;
  var replyTimer = null;
  var ioReady = typeof window.io === "function";
  var live = [];  // controls that can still be used: those of the latest messages only

  function announce(text) {
    announcer.appendChild(el("p", {}, text));
    while (announcer.childNodes.length > 6) { announcer.removeChild(announcer.firstChild); }
  }

  function setTyping(on) { typing.hidden = !on; }

  function setStatus(text, retry) {
    var same = text && status.firstChild && status.firstChild.textContent === text;
    status.textContent = "";
    status.className = "hys-status" + (text ? " hys-error" : "");
    if (!text) { return; }
    status.appendChild(el("span", {}, text));
    if (retry) {
      var again = el("button", { type: "button", class: "hys-secondary" }, "Try again");
      again.addEventListener("click", retry);
      status.appendChild(again);
    }
    if (!same) { announce(text); }  // reconnection attempts fail one after another: say it once
  }

  // --- the transcript: one Tab stop, arrow keys between messages ----------------------------------------

  function articles() { return Array.prototype.slice.call(log.querySelectorAll(".hys-message")); }

  function makeCurrent(article) {
    articles().forEach(function (other) { other.setAttribute("tabindex", other === article ? "0" : "-1"); });
  }

  log.addEventListener("focusin", function (event) {
    if (event.target.classList && event.target.classList.contains("hys-message")) { makeCurrent(event.target); }
  });
  log.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.classList || !target.classList.contains("hys-message")) { return; }
    var all = articles();
    var at = all.indexOf(target);
    var next = { ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: all.length - 1 }[event.key];
    if (next === undefined) { return; }
    event.preventDefault();
    var chosen = all[Math.max(0, Math.min(all.length - 1, next))];
    if (chosen) { makeCurrent(chosen); chosen.focus(); }
  });

  function addArticle(item) {
    var id = uid("m");
    var article = el("article", { class: "hys-message " + (item.who === "bot" ? "hys-bot" : "hys-user"), tabindex: "-1",
      "aria-labelledby": id + "-who " + id + "-text" });
    var meta = el("p", { class: "hys-meta" });
    var who = el("span", { class: "hys-who", id: id + "-who" }, item.who === "bot" ? "Assistant" : "You");
    who.appendChild(el("span", { class: "hys-sr" }, " said:"));
    meta.appendChild(who);
    var time = clock(item.at);
    if (time) { meta.appendChild(el("time", { datetime: item.at }, time)); }
    article.appendChild(meta);
    var body = el("div", { class: "hys-text", id: id + "-text" });
    if (item.who === "bot") { appendLinkified(body, item.text || ""); } else { body.textContent = item.text || ""; }
    article.appendChild(body);
    if (item.answer) { article.appendChild(answerLine(item.answer)); }
    log.appendChild(article);
    if (!log.contains(document.activeElement)) { makeCurrent(article); }
    return article;
  }

  // New messages scroll into view unless the resident has scrolled up to read.
  function nearBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 120; }
  function toBottom() { log.scrollTop = log.scrollHeight; }

  function answerLine(shown) {
    var line = el("p", { class: "hys-answer" });
    line.appendChild(el("span", { class: "hys-sr" }, "Your answer: "));
    line.appendChild(el("span", { class: "hys-tick", "aria-hidden": "true" }, "✓ "));
    line.appendChild(document.createTextNode(shown));
    return line;
  }

  // --- controls ---------------------------------------------------------------------------------------

  // Retire every control still live: disabled in place, and ignored even if something clicks it anyway.
  function retireAll() {
    live.forEach(function (control) {
      control.live = false;
      control.node.classList.add("hys-stale");
      Array.prototype.forEach.call(control.node.querySelectorAll("button, input, textarea"), function (field) { field.disabled = true; });
    });
    live = [];
  }

  // Use a control: it is replaced by the chosen answer, and the message says which step it answered.
  function answerWith(control, message, shown) {
    if (!control.live) { return; }
    control.live = false;
    live = live.filter(function (other) { return other !== control; });
    control.item.answer = shown;
    control.node.replaceWith(answerLine(shown));
    submit(message, shown, control.step ? { question: control.step } : null);
  }

  function optionButton(label, onChoose, extraClass) {
    var button = el("button", { type: "button", class: "hys-option" + (extraClass ? " " + extraClass : "") }, label);
    button.addEventListener("click", onChoose);
    return button;
  }

  function hintFor(container, text) {
    if (!text) { return null; }
    var hint = el("p", { class: "hys-hint", id: uid("hint") }, text);
    container.appendChild(hint);
    return hint.id;
  }

  function errorFor(container) {
    var error = el("p", { class: "hys-field-error", id: uid("error"), hidden: "" });
    container.appendChild(error);
    return {
      id: error.id,
      show: function (text, field) {
        error.textContent = text; error.hidden = false;
        if (field) { field.setAttribute("aria-invalid", "true"); }
        announce(text);
      },
      clear: function (field) { error.hidden = true; if (field) { field.removeAttribute("aria-invalid"); } },
    };
  }

  function skipButton(control, q, footerRow) {
    if (!q.skip) { return; }
    var label = q.stage === "question" ? "Skip this question" : "Skip";
    footerRow.appendChild(optionButton(label, function () { answerWith(control, q.skip, "Skip"); }, "hys-skip"));
  }

  function fieldset(q) {
    var set = el("fieldset", { class: "hys-control hys-control-" + q.type });
    set.appendChild(el("legend", { class: "hys-sr" }, q.label || "Your answer"));
    return set;
  }

  var builders = {
    buttons: function (control, q) {
      var set = fieldset(q);
      hintFor(set, q.hint);
      var list = el("div", { class: "hys-options" });
      q.options.forEach(function (option) {
        list.appendChild(optionButton(option.label, function () { answerWith(control, option.value, option.label); }));
      });
      set.appendChild(list);
      var row = el("div", { class: "hys-row" });
      skipButton(control, q, row);
      if (row.childNodes.length) { set.appendChild(row); }
      var spoken = " " + q.options.length + " choices: " + q.options.map(function (o) { return o.label; }).join(", ") + ".";
      return { node: set, spoken: spoken + (q.hint ? " " + q.hint : "") + (q.skip ? " Or skip." : "") };
    },

    multi: function (control, q) {
      var set = fieldset(q);
      var hint = hintFor(set, q.hint);
      var boxes = [];
      var list = el("div", { class: "hys-options" });
      q.options.forEach(function (option) {
        var id = uid("check");
        var row = el("div", { class: "hys-check" });
        var box = el("input", { type: "checkbox", id: id, value: option.value, "aria-describedby": hint });
        box.dataset.label = option.label;
        box.dataset.exclusive = (q.exclusive || []).indexOf(option.label) >= 0 ? "true" : "false";
        row.appendChild(box);
        row.appendChild(el("label", { for: id }, option.label));
        list.appendChild(row);
        boxes.push(box);
      });
      set.appendChild(list);
      var max = q.max_choices || boxes.length;
      var count = el("p", { class: "hys-count", id: uid("count") });
      set.appendChild(count);
      var error = errorFor(set);
      function chosen() { return boxes.filter(function (box) { return box.checked; }); }
      function update(changed) {
        if (changed && changed.checked) {
          boxes.forEach(function (box) {
            var clash = changed.dataset.exclusive === "true" ? box !== changed : box.dataset.exclusive === "true";
            if (clash) { box.checked = false; }
          });
        }
        var picked = chosen().length;
        boxes.forEach(function (box) { box.disabled = !box.checked && picked >= max; });
        count.textContent = max < boxes.length ? picked + " of " + max + " chosen" : picked + " chosen";
        if (picked) { error.clear(); }
      }
      boxes.forEach(function (box) { box.addEventListener("change", function () { update(box); }); });
      update(null);
      var row = el("div", { class: "hys-row" });
      var done = el("button", { type: "button", class: "hys-primary", "aria-describedby": count.id }, "Done");
      done.addEventListener("click", function () {
        var picked = chosen();
        if (!picked.length) { error.show(q.skip ? "Choose at least one, or skip this question." : "Choose at least one."); return; }
        answerWith(control, picked.map(function (box) { return box.value; }).join(", "),
          picked.map(function (box) { return box.dataset.label; }).join("; "));
      });
      row.appendChild(done);
      skipButton(control, q, row);
      set.appendChild(row);
      var spoken = " Checkboxes: " + q.options.map(function (o) { return o.label; }).join(", ") + ". " + q.hint + (q.skip ? " Or skip." : "");
      return { node: set, spoken: spoken };
    },

    rank: function (control, q) {
      var set = fieldset(q);
      hintFor(set, q.hint);
      var list = el("ol", { class: "hys-rank" });
      function items() { return Array.prototype.slice.call(list.children); }
      function refresh() {
        var all = items();
        all.forEach(function (item, index) {
          item.querySelector(".hys-up").setAttribute("aria-disabled", index === 0 ? "true" : "false");
          item.querySelector(".hys-down").setAttribute("aria-disabled", index === all.length - 1 ? "true" : "false");
        });
      }
      function move(item, by, button) {
        var all = items();
        var at = all.indexOf(item);
        var to = at + by;
        var label = item.dataset.label;
        if (to < 0 || to >= all.length) {
          announce(label + " is already " + (to < 0 ? "first." : "last."));
          return;
        }
        if (by < 0) { list.insertBefore(item, all[to]); } else { list.insertBefore(item, all[to].nextSibling); }
        refresh();
        button.focus();  // moving the item in the page drops focus; it stays on the button that was pressed
        announce(label + ", now " + (to + 1) + " of " + all.length + ".");
      }
      q.options.forEach(function (option) {
        var item = el("li", { class: "hys-rank-item" });
        item.dataset.label = option.label;
        item.dataset.value = option.value;
        item.appendChild(el("span", { class: "hys-rank-label" }, option.label));
        var buttons = el("span", { class: "hys-rank-buttons" });
        var up = el("button", { type: "button", class: "hys-move hys-up" }, "Move up");
        up.appendChild(el("span", { class: "hys-sr" }, ": " + option.label));
        var down = el("button", { type: "button", class: "hys-move hys-down" }, "Move down");
        down.appendChild(el("span", { class: "hys-sr" }, ": " + option.label));
        up.addEventListener("click", function () { if (control.live) { move(item, -1, up); } });
        down.addEventListener("click", function () { if (control.live) { move(item, 1, down); } });
        buttons.appendChild(up); buttons.appendChild(down);
        item.appendChild(buttons);
        list.appendChild(item);
      });
      refresh();
      set.appendChild(list);
      var row = el("div", { class: "hys-row" });
      var done = el("button", { type: "button", class: "hys-primary" }, "Done");
      done.addEventListener("click", function () {
        var order = items();
        answerWith(control, order.map(function (item) { return item.dataset.value; }).join(", "),
          order.map(function (item, index) { return (index + 1) + ". " + item.dataset.label; }).join(", "));
      });
      row.appendChild(done);
      skipButton(control, q, row);
      set.appendChild(row);
      var spoken = " A list to put in order: " + q.options.map(function (o) { return o.label; }).join(", ") + ". " + q.hint + (q.skip ? " Or skip." : "");
      return { node: set, spoken: spoken };
    },

    number: function (control, q) { return fieldForm(control, q, "number"); },
    text: function (control, q) { return fieldForm(control, q, "text"); },
    postcode: function (control, q) { return fieldForm(control, q, "postcode"); },
  };

  function fieldForm(control, q, kind) {
    var box = el("form", { class: "hys-control hys-control-" + kind, novalidate: "" });
    var id = uid("field");
    box.appendChild(el("label", { for: id, class: "hys-field-label" }, kind === "postcode" ? "Your postcode" : "Your answer"));
    var hint = hintFor(box, q.hint);
    var field;
    if (kind === "text") {
      field = el("textarea", { id: id, rows: "4", maxlength: String(q.max_length || 2000) });
    } else if (kind === "number") {
      field = el("input", { id: id, type: "number", inputmode: "decimal", step: "any",
        min: q.min === null || q.min === undefined ? null : String(q.min), max: q.max === null || q.max === undefined ? null : String(q.max) });
    } else {
      field = el("input", { id: id, type: "text", autocomplete: "postal-code", spellcheck: "false" });
    }
    box.appendChild(field);
    var described = [hint];
    var count = null;
    if (kind === "text") {
      var limit = q.max_length || 2000;
      count = el("p", { class: "hys-count", id: uid("count") });
      var showCount = function () { count.textContent = field.value.length.toLocaleString("en-GB") + " of " + limit.toLocaleString("en-GB") + " characters"; };
      field.addEventListener("input", showCount);
      showCount();
      box.appendChild(count);
      described.push(count.id);
    }
    var error = errorFor(box);
    described.push(error.id);
    field.setAttribute("aria-describedby", described.filter(Boolean).join(" "));
    var row = el("div", { class: "hys-row" });
    row.appendChild(el("button", { type: "submit", class: "hys-primary" }, "Send answer"));
    skipButton(control, q, row);
    box.appendChild(row);
    if (kind === "text") {
      field.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) { event.preventDefault(); box.requestSubmit(); }
      });
    }
    box.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = field.value.trim();
      if (kind === "number") {
        var number = Number(value);
        var low = q.min === null || q.min === undefined ? -Infinity : q.min;
        var high = q.max === null || q.max === undefined ? Infinity : q.max;
        if (value === "" || isNaN(number) || number < low || number > high) {
          error.show("Please enter " + (q.hint ? q.hint.charAt(0).toLowerCase() + q.hint.slice(1) : "a number."), field);
          return;
        }
      } else if (!value) {
        error.show(kind === "postcode" ? "Please type your postcode, or skip." : (q.skip ? "Please type your answer, or skip this question." : "Please type your answer."), field);
        return;
      }
      error.clear(field);
      answerWith(control, value, value);
    });
    var spoken = (kind === "text" ? " A text box." : kind === "number" ? " A number field." : " A postcode field.") +
      (q.hint ? " " + q.hint : "") + (q.skip ? " Or skip." : "");
    return { node: box, spoken: spoken };
  }

  function validQuestion(q) {
    if (!q || typeof q !== "object" || typeof q.id !== "string" || !builders[q.type]) { return null; }
    if ((q.type === "buttons" || q.type === "multi" || q.type === "rank") && !(Array.isArray(q.options) && q.options.length)) { return null; }
    return q;
  }

  function quickReplies(item, replies) {
    var control = { live: true, item: item, step: null };
    var group = el("div", { class: "hys-replies", role: "group", "aria-label": "Suggested replies" });
    replies.forEach(function (reply) {
      var button = el("button", { type: "button", class: "hys-reply" }, reply.title);
      button.addEventListener("click", function () { answerWith(control, reply.payload, reply.title); });
      group.appendChild(button);
    });
    control.node = group;
    return control;
  }

  // --- messages ---------------------------------------------------------------------------------------

  function onBotMessage(data) {
    if (!data || typeof data !== "object") { return; }
    clearTimeout(replyTimer);
    setTyping(false);
    setStatus("");
    var q = validQuestion(data.question);
    var replies = (data.quick_replies || data.buttons || []).filter(function (b) { return b && b.title && b.payload; })
      .map(function (b) { return { title: String(b.title), payload: String(b.payload) }; });
    var text = q && q.display ? q.display : String(data.text || "");
    if (data.attachment && data.attachment.payload && data.attachment.payload.src) { text += (text ? "\n" : "") + data.attachment.payload.src; }
    if (!text && !q && !replies.length) { return; }
    var item = { who: "bot", text: text, at: new Date().toISOString() };
    if (q || replies.length) { retireAll(); }
    var stick = nearBottom();
    var article = addArticle(item);
    var spoken = "Assistant said: " + text;
    var control = null;
    if (q) {
      control = { live: true, item: item, step: q.id };
      var built = builders[q.type](control, q);
      control.node = built.node;
      spoken += built.spoken;
      article.setAttribute("data-step", q.id);
    } else if (replies.length) {
      control = quickReplies(item, replies);
      spoken += " Suggested replies: " + replies.map(function (r) { return r.title; }).join(", ") + ".";
    }
    if (control) {
      article.appendChild(control.node);
      live.push(control);
    }
    if (stick) { toBottom(); }
    transcript.push(item); saveTranscript();
    announce(spoken);
  }

  function unreachable() {
    setTyping(false);
    setStatus("Sorry, we can't reach the assistant at the moment.", function () {
      setStatus("");
      if (socket) { socket.connect(); } else { connect(); }
      if (lastSent) { pending.push(lastSent); setTyping(true); }
      flush();
    });
  }

  function emit(entry) {
    lastSent = entry;
    var data = { message: entry.message, session_id: confirmedId || sessionId() };
    if (entry.metadata) { data.metadata = entry.metadata; }
    if (preview) { data.metadata = Object.assign({}, data.metadata || {}, { preview_grant: previewGrant }); }
    socket.emit("user_uttered", data);
    clearTimeout(replyTimer);
    if (entry.message !== "/check_updates") { replyTimer = setTimeout(unreachable, REPLY_TIMEOUT_MS); }
  }

  function flush() {
    if (!socket || !confirmed) { return; }
    while (pending.length) { emit(pending.shift()); }
  }

  function submit(message, shown, metadata) {
    var text = (message || "").trim();
    if (!text) { return; }
    retireAll();
    var item = { who: "user", text: shown || text, at: new Date().toISOString() };
    transcript.push(item); saveTranscript(); addArticle(item);
    toBottom();
    setTyping(true);
    pending.push({ message: text, metadata: metadata || null });
    connect();
    flush();
    input.focus();  // the control that was used is gone; typing carries on in the message box
  }

  function connect() {
    if (socket) { return; }
    if (!ioReady) { return; }  // connects when socket.io-client has loaded
    socket = window.io(server, { path: "/socket.io", transports: ["websocket", "polling"], reconnectionAttempts: 5 });
    socket.on("connect", function () {
      confirmed = false;
      socket.emit("session_request", { session_id: sessionId() });
    });
    socket.on("session_confirm", function (id) {
      // The server may issue a new session id (it accepts only random UUIDs): keep the one it confirmed.
      if (typeof id === "string" && id) { store(SESSION_KEY, id); confirmedId = id; memorySession = id; }
      confirmed = true;
      flush();
    });
    socket.on("bot_uttered", onBotMessage);
    socket.on("connect_error", unreachable);
    socket.io.on("reconnect_failed", unreachable);
  }

  // Opening the chat: a greeting the first time (on the page's consultation, if it has one), or on a
  // consultation not yet talked about in this session; otherwise "anything new?".
  function greet() {
    var about = topic && stored(TOPIC_KEY, null) !== topic ? topic : null;
    if (!transcript.length || about) {
      pending.push({ message: "/greet", metadata: topic ? { consultation: topic } : null });
      if (topic) { store(TOPIC_KEY, topic); }
      setTyping(true);
    } else {
      pending.push({ message: "/check_updates", metadata: null });
    }
    connect();
    flush();
  }

  function open(moveFocus) {
    var wasOpen = !panel.hidden;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    if (!wasOpen) { toBottom(); }
    if (moveFocus) { input.focus(); }
    if (!wasOpen) { greet(); }
  }

  function close() {
    hideConfirm(false);
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }

  function hideConfirm(refocus) {
    if (confirmBox.hidden) { return; }
    confirmBox.hidden = true;
    if (refocus) { restartButton.focus(); }
  }

  function startAgain() {
    hideConfirm(false);
    // A preview's grant is bound to its conversation: a new conversation needs a new grant, from the page.
    if (preview && restartUrl.charAt(0) === "/") { window.location.assign(restartUrl); return; }
    if (socket) { socket.disconnect(); }
    socket = null; confirmed = false; confirmedId = null; memorySession = null; pending = []; lastSent = null;
    clearTimeout(replyTimer);
    store(SESSION_KEY, null); store(TRANSCRIPT_KEY, null); store(TOPIC_KEY, null);
    transcript = []; live = [];
    log.textContent = "";
    setStatus("");
    topic = linkTopic || pageTopic;
    greet();
    input.focus();
  }

  transcript.forEach(function (item) { addArticle(item); });
  toBottom();
  launcher.addEventListener("click", function () { open(true); });
  closeButton.addEventListener("click", close);
  restartButton.addEventListener("click", function () { confirmBox.hidden = false; confirmYes.focus(); });
  confirmNo.addEventListener("click", function () { hideConfirm(true); });
  confirmYes.addEventListener("click", startAgain);
  laterButton.addEventListener("click", function () { submit("pause", "Save and finish later"); });
  panel.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") { return; }
    if (!confirmBox.hidden) { hideConfirm(true); } else { close(); }
  });
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    submit(text);
  });

  // Links and buttons on the page with data-hys-consultation="<slug>" open the chat on that consultation
  // (their href, such as ?consultation=<slug>, still works where the widget isn't loaded).
  document.addEventListener("click", function (event) {
    var target = event.target && event.target.closest ? event.target.closest("[data-hys-consultation]") : null;
    if (!target || root.contains(target)) { return; }
    var slug = slugOrNull(target.getAttribute("data-hys-consultation"));
    if (!slug) { return; }
    event.preventDefault();
    topic = slug;
    if (panel.hidden) { open(true); } else { greet(); input.focus(); }
  });

  var loader = el("script", { src: base + "socket.io.min.js" });
  loader.addEventListener("load", function () {
    ioReady = typeof window.io === "function";
    if (!panel.hidden) { connect(); flush(); }
  });
  loader.addEventListener("error", function () { setStatus("The chat could not load. Please refresh the page."); });
  document.head.appendChild(loader);

  // A link to this page with ?consultation=<slug> opens the chat on that consultation straight away,
  // without taking focus from the page.
  if (linkTopic || preview) { open(false); }
})();
