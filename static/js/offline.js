/* Pages submitted without a connection wait on the device and are sent, once, when it returns.
 *
 * A form takes part when it holds an <input name="submission_key"> (the interview wizard, the
 * door-to-door visit forms). Each rendered form gets a fresh key (uuid4) here unless the server
 * gave one back (a page shown again with errors keeps its key); the server applies a key at most
 * once (fieldwork.interview.submissions), so sending a page again is always safe.
 *
 * - Offline (navigator.onLine false): the submit is stopped and the page is queued in
 *   localStorage as {url, key, body: [[name, value], ...], created, label, attention}.
 * - Online: the browser submits as usual, but the page is remembered as "in flight" until the
 *   next page loads. It is settled if the server's cookie names its key; it was answered if the
 *   page shown carries its key (shown again with errors, for the interviewer to correct);
 *   otherwise (the request died on the way, an error page, then Back) it is queued.
 * - The queue is sent in order on the `online` event and on every page load. A page leaves the
 *   queue only when the server settled it: a response marked X-Submission-Applied,
 *   X-Duplicate-Submission or X-Stale-Submission, or (behind a redirect, whose headers fetch
 *   hides) the cookie naming its key. Then the browser opens the last answered address.
 * - Any other answer (the page shown again with errors, 403, 404) keeps the page, marked as
 *   needing attention: sending stops there and the page is opened for the interviewer, who
 *   corrects it (same key) or discards it from the banner. A server error or the login page
 *   keeps it too, to be sent again later.
 * Photos and recordings travel as data URLs in the page's fields (capture.js); when the device
 * has no room left to keep a page, the interviewer is told and the page stays on screen.
 * Every page shows the queue in #offline-queue. Queues are kept per user (a shared tablet), and
 * the cookie is cleared before each submission, so only that submission's answer can set it.
 */
(function () {
  "use strict";
  if (window.offlineQueue) return;

  var box = document.getElementById("offline-queue");
  // One queue per user: on a shared tablet, nobody else's session sends (and loses) them.
  var user = box ? box.getAttribute("data-user") : "";
  var QUEUE = "offline-queue:v1:" + user;
  var IN_FLIGHT = "offline-in-flight:v1:" + user;
  var RECEIVED_COOKIE = "submission_received";
  var CSRF_COOKIE = "csrftoken";
  var SETTLED_HEADERS = ["X-Submission-Applied", "X-Duplicate-Submission", "X-Stale-Submission"];
  var sending = false;

  function uuid4() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // works on plain-http intranets, unlike randomUUID()
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.from(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function cookie(name) {
    var found = document.cookie.split("; ").find(function (c) { return c.indexOf(name + "=") === 0; });
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function clearReceived() {
    document.cookie = RECEIVED_COOKIE + "=; Max-Age=0; path=/; SameSite=Lax";
  }

  function isSettled(response, key) {
    var marked = SETTLED_HEADERS.some(function (name) { return response.headers.get(name) === "1"; });
    return marked || cookie(RECEIVED_COOKIE) === key;
  }

  function read(store, name, fallback) {
    try {
      var value = JSON.parse(store.getItem(name));
      return value === null ? fallback : value;
    } catch (error) {
      return fallback;
    }
  }

  function queue() { return read(localStorage, QUEUE, []); }

  function setQueue(entries) {
    try {
      localStorage.setItem(QUEUE, JSON.stringify(entries));
    } catch (error) {
      // The device's room for kept pages (about 5 MB) is full: photos and recordings fill it.
      window.alert(text("full"));
      return;
    }
    show();
  }

  function enqueue(entry) {
    // The same page submitted twice offline: its latest answers replace the earlier ones.
    setQueue(queue().filter(function (e) { return e.key !== entry.key; }).concat([entry]));
  }

  function remove(key) {
    setQueue(queue().filter(function (e) { return e.key !== key; }));
  }

  function needsAttention(key) {
    setQueue(queue().map(function (e) { return e.key === key ? Object.assign({}, e, { attention: true }) : e; }));
  }

  var FALLBACK = {
    attention: "Needs attention",
    open: "Open",
    discard: "Discard",
    "confirm-discard": "Discard this page? Its answers will be lost.",
    full: "No room left on this device to keep this page offline.",
  };

  function text(name) { return (box && box.getAttribute("data-" + name)) || FALLBACK[name] || ""; }

  function button(label, action, key) {
    var element = document.createElement("button");
    element.type = "button";
    element.className = "secondary";
    element.textContent = label;
    element.setAttribute("data-offline-" + action, key);
    return element;
  }

  function show() {
    if (!box) return;
    var entries = queue();
    var title = box.querySelector("[data-offline-title]");
    var list = box.querySelector("[data-offline-list]");
    box.hidden = entries.length === 0 && navigator.onLine;
    box.classList.toggle("is-offline", !navigator.onLine);
    var stuck = entries.some(function (entry) { return entry.attention; });
    box.classList.toggle("needs-attention", stuck);
    if (entries.length) {
      var unit = entries.length === 1 ? text("page") : text("pages");
      var state = stuck ? text("attention") : sending ? text("sending") : text("waiting");
      title.textContent = state + ": " + entries.length + " " + unit;
    } else {
      title.textContent = navigator.onLine ? "" : text("offline");
    }
    list.replaceChildren.apply(list, entries.map(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("data-key", entry.key);
      item.textContent = entry.label + " · " + new Date(entry.created).toLocaleTimeString();
      if (entry.attention) {
        var flag = document.createElement("strong");
        flag.className = "error";
        flag.setAttribute("data-offline-attention", "");
        flag.textContent = " " + text("attention") + " ";
        item.append(flag, button(text("open"), "open", entry.key), " ",
          button(text("discard"), "discard", entry.key));
      }
      return item;
    }));
  }

  function entryFor(form) {
    var body = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string") body.push([name, value]);
    });
    var heading = document.querySelector("h1");
    return {
      url: form.action || window.location.href,
      key: form.querySelector("input[name=submission_key]").value,
      body: body,
      created: new Date().toISOString(),
      label: (heading ? heading.textContent.trim() : "") || document.title,
    };
  }

  function fillKeys() {
    document.querySelectorAll("input[name=submission_key]").forEach(function (input) {
      if (!input.value) input.value = uuid4();
    });
  }

  function onSubmit(event) {
    var form = event.target;
    if (!form.querySelector || !form.querySelector("input[name=submission_key]")) return;
    // Only the page's own submit (Next/Finish) is kept; Back, language or roster buttons need
    // the server and simply wait for the connection.
    var plain = !event.submitter || !event.submitter.name;
    if (!navigator.onLine) {
      event.preventDefault();
      if (plain) enqueue(entryFor(form));
      show();
      return;
    }
    if (plain) {
      clearReceived();
      try {
        sessionStorage.setItem(IN_FLIGHT, JSON.stringify(entryFor(form)));
      } catch (error) {
        sessionStorage.removeItem(IN_FLIGHT); // too big to remember: the submit goes ahead
      }
    }
  }

  function openEntry(entry) {
    // Show the server's answer to a kept page (its errors, or why it was refused) by sending
    // it as an ordinary form; it stays in the queue until the server settles its key.
    var form = document.createElement("form");
    form.method = "post";
    form.action = entry.url;
    form.hidden = true;
    var token = cookie(CSRF_COOKIE);
    entry.body.forEach(function (pair) {
      if (pair[0] === "csrfmiddlewaretoken" && token) return;
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = pair[0];
      input.value = pair[1];
      form.append(input);
    });
    if (token) {
      var csrf = document.createElement("input");
      csrf.type = "hidden";
      csrf.name = "csrfmiddlewaretoken";
      csrf.value = token;
      form.append(csrf);
    }
    document.body.append(form);
    clearReceived();
    sessionStorage.setItem(IN_FLIGHT, JSON.stringify(Object.assign({}, entry, { attention: true })));
    HTMLFormElement.prototype.submit.call(form); // no submit event: not queued again
  }

  function shownAgain(key) {
    return Array.from(document.querySelectorAll("input[name=submission_key]")).some(function (input) {
      return input.value === key;
    });
  }

  function settleInFlight() {
    var entry = read(sessionStorage, IN_FLIGHT, null);
    if (!entry) return;
    sessionStorage.removeItem(IN_FLIGHT);
    if (cookie(RECEIVED_COOKIE) === entry.key) remove(entry.key); // settled: a kept copy too
    else if (shownAgain(entry.key)) return; // answered: the page is on screen, with its errors
    else enqueue(entry); // it never reached the server, or was refused: kept
  }

  function isLoginPage(url) {
    var login = box && box.getAttribute("data-login-url");
    return Boolean(login) && new URL(url).pathname === login;
  }

  async function send() {
    if (sending || !navigator.onLine || !queue().length) return;
    sending = true;
    show();
    var last = null;
    var refused = null;
    try {
      for (var entry of queue()) {
        if (entry.attention) break; // waits for the interviewer; later pages wait behind it
        var body = new URLSearchParams(entry.body);
        var token = cookie(CSRF_COOKIE); // the token may have changed since the page was kept
        if (token) body.set("csrfmiddlewaretoken", token);
        clearReceived();
        var response = await fetch(entry.url, {
          method: "POST",
          body: body,
          credentials: "same-origin",
          headers: { "X-Offline-Replay": "1" },
        });
        if (response.status >= 500 || isLoginPage(response.url)) {
          // Not applied (a server error, or the session ended): it stays in the queue, and
          // the page stays put rather than reload into the same failure.
          last = null;
          break;
        }
        if (!isSettled(response, entry.key)) {
          // Answered but not applied (errors, 403, 404): kept, and shown to the interviewer.
          needsAttention(entry.key);
          refused = entry;
          break;
        }
        remove(entry.key);
        last = response;
      }
    } catch (error) {
      // The connection dropped again: what is left waits for the next `online` event.
    } finally {
      sending = false;
      show();
    }
    if (refused) openEntry(refused);
    else if (last) window.location.assign(last.url);
  }

  function onBannerClick(event) {
    var target = event.target.closest ? event.target.closest("button") : null;
    if (!target) return;
    var openKey = target.getAttribute("data-offline-open");
    var discardKey = target.getAttribute("data-offline-discard");
    if (openKey) {
      var entry = queue().find(function (e) { return e.key === openKey; });
      if (entry && navigator.onLine) openEntry(entry);
    } else if (discardKey && window.confirm(text("confirm-discard"))) {
      remove(discardKey);
    }
  }

  function start() {
    fillKeys();
    settleInFlight();
    show();
    send();
  }

  document.addEventListener("submit", onSubmit);
  if (box) box.addEventListener("click", onBannerClick);
  window.addEventListener("online", function () { show(); send(); });
  window.addEventListener("offline", show);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) start(); // back from an error page: the in-flight page is queued
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  window.offlineQueue = { queue: queue, send: send };
})();
