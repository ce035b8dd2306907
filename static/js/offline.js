/* Pages submitted without a connection wait on the device and are sent, once, when it returns.
 *
 * A form takes part when it holds an <input name="submission_key"> (the interview wizard). Each
 * rendered page gets a fresh key (uuid4) here; the server applies a key at most once
 * (fieldwork.capi_views), so sending a page again is always safe.
 *
 * - Offline (navigator.onLine false): the submit is stopped and the page is queued in
 *   localStorage as {url, key, body: [[name, value], ...], created, label}.
 * - Online: the browser submits as usual, but the page is remembered as "in flight" until a
 *   page loads with the server's cookie naming its key. If the request died on the way (an
 *   error page, then Back), the page is queued instead of lost.
 * - The queue is sent in order on the `online` event and on every page load; a page leaves the
 *   queue once the server answered it (applied, duplicate or stale), then the browser opens the
 *   last answered address (the interview resumes at its next page).
 * Every page shows the queue in #offline-queue. Queues are kept per user (a shared tablet).
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
    localStorage.setItem(QUEUE, JSON.stringify(entries));
    show();
  }

  function enqueue(entry) {
    // The same page submitted twice offline: its latest answers replace the earlier ones.
    setQueue(queue().filter(function (e) { return e.key !== entry.key; }).concat([entry]));
  }

  function remove(key) {
    setQueue(queue().filter(function (e) { return e.key !== key; }));
  }

  function text(name) { return box ? box.getAttribute("data-" + name) || "" : ""; }

  function show() {
    if (!box) return;
    var entries = queue();
    var title = box.querySelector("[data-offline-title]");
    var list = box.querySelector("[data-offline-list]");
    box.hidden = entries.length === 0 && navigator.onLine;
    box.classList.toggle("is-offline", !navigator.onLine);
    if (entries.length) {
      var unit = entries.length === 1 ? text("page") : text("pages");
      title.textContent = (sending ? text("sending") : text("waiting")) + ": " + entries.length + " " + unit;
    } else {
      title.textContent = navigator.onLine ? "" : text("offline");
    }
    list.replaceChildren.apply(list, entries.map(function (entry) {
      var item = document.createElement("li");
      item.setAttribute("data-key", entry.key);
      item.textContent = entry.label + " · " + new Date(entry.created).toLocaleTimeString();
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
    if (plain) sessionStorage.setItem(IN_FLIGHT, JSON.stringify(entryFor(form)));
  }

  function settleInFlight() {
    var entry = read(sessionStorage, IN_FLIGHT, null);
    if (!entry) return;
    sessionStorage.removeItem(IN_FLIGHT);
    if (cookie(RECEIVED_COOKIE) !== entry.key) enqueue(entry); // it never reached the server
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
    try {
      for (var entry of queue()) {
        var body = new URLSearchParams(entry.body);
        var token = cookie(CSRF_COOKIE); // the token may have changed since the page was kept
        if (token) body.set("csrfmiddlewaretoken", token);
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
        remove(entry.key);
        last = response;
      }
    } catch (error) {
      // The connection dropped again: what is left waits for the next `online` event.
    } finally {
      sending = false;
      show();
    }
    if (last) window.location.assign(last.url);
  }

  function start() {
    fillKeys();
    settleInFlight();
    show();
    send();
  }

  document.addEventListener("submit", onSubmit);
  window.addEventListener("online", function () { show(); send(); });
  window.addEventListener("offline", show);
  window.addEventListener("pageshow", function (event) {
    if (event.persisted) start(); // back from an error page: the in-flight page is queued
  });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();

  window.offlineQueue = { queue: queue, send: send };
})();
