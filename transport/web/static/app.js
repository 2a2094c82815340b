// SettleNet progressive enhancement. Everything here is optional: every
// form works without it. No inline scripts: the CSP allows only this file.
(function () {
  "use strict";
  var token = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  // Bring a form's error summary into view and focus, as the page was
  // just submitted by the person and they need to know what went wrong.
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  // Markdown preview without a page load. The no-script button submits
  // the form with action=preview; here the same rendering comes as JSON.
  document.querySelectorAll("form[data-preview]").forEach(function (form) {
    var button = form.querySelector("[data-preview-button]");
    var out = form.querySelector(".preview");
    var body = form.querySelector("textarea[name=body]");
    if (!button || !out || !body) { return; }
    button.hidden = false;
    button.addEventListener("click", function (ev) {
      ev.preventDefault();
      var data = new URLSearchParams();
      data.set("body", body.value);
      fetch("/preview", {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": token, "Content-Type": "application/x-www-form-urlencoded" },
        body: data.toString()
      }).then(function (r) { return r.ok ? r.json() : null; }).then(function (j) {
        if (!j) { return; }
        out.textContent = "";
        var h = document.createElement("h3");
        h.textContent = button.getAttribute("data-preview-title");
        var div = document.createElement("div");
        div.className = "post-body";
        div.innerHTML = j.html; // sanitised by the server (bluemonday)
        out.appendChild(h);
        out.appendChild(div);
      });
    });
  });

  // Live updates: only when the server wires /api/v1/live (data-live names
  // the page's topic; data-live-me, a signed-in member's own topic). New
  // replies or threads are announced politely and offered behind a button,
  // new notifications raise the header's count; focus never moves on its own.
  var body = document.body;
  var topic = body.getAttribute("data-live");
  var topics = [];
  if (topic) { topics.push(topic); }
  if (body.hasAttribute("data-live-me")) { topics.push("me"); }
  if (!topics.length || !window.WebSocket) { return; }
  var announcer = document.getElementById("live-announcer");
  var box = document.getElementById("live-new");
  var btn = document.getElementById("live-new-button");
  var counted = box && box.getAttribute("data-type");
  var pending = [];
  var proto = location.protocol === "https:" ? "wss://" : "ws://";
  var ws;
  try { ws = new WebSocket(proto + location.host + "/api/v1/live"); } catch (e) { return; }
  ws.addEventListener("open", function () {
    ws.send(JSON.stringify({ subscribe: topics }));
  });
  function bumpUnread() {
    var link = document.querySelector(".notif-link");
    if (!link) { return; }
    var count = link.querySelector(".count");
    if (!count) {
      count = document.createElement("span");
      count.className = "count";
      count.appendChild(document.createTextNode("0"));
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = " " + link.getAttribute("data-unread-label");
      count.appendChild(label);
      link.appendChild(document.createTextNode(" "));
      link.appendChild(count);
    }
    count.firstChild.nodeValue = String((parseInt(count.firstChild.nodeValue.replace(/\D/g, ""), 10) || 0) + 1);
    if (announcer) { announcer.textContent = link.getAttribute("data-announce"); }
  }
  ws.addEventListener("message", function (ev) {
    var m;
    try { m = JSON.parse(ev.data); } catch (e) { return; }
    if (m.type === "subscribed") { body.setAttribute("data-live-state", "subscribed"); return; }
    if (m.type === "notification") { bumpUnread(); return; }
    if (counted && m.type === counted && btn) {
      if (m.post_id && document.getElementById("post-" + m.post_id)) { return; } // my own, already shown
      pending.push(m.post_id || m.thread_id);
      var n = pending.length;
      var text = (n === 1 ? box.getAttribute("data-one") : box.getAttribute("data-many")).replace("{N}", String(n));
      btn.textContent = text;
      box.hidden = false;
      if (announcer) { announcer.textContent = text; }
    }
    // Other activity is not read aloud: its summary is the poster's own
    // words (or a reaction's code), in no known language, and on a busy
    // page it would talk over whatever the reader is doing.
  });
  if (btn) {
    btn.addEventListener("click", function () {
      var first = pending[0];
      var url = location.pathname + "?r=" + Date.now() + (first && counted === "reply_posted" ? "#post-" + first : "");
      location.assign(url);
    });
  }
})();
