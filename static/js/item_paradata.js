/* Per-question paradata of the interview page: when each question was shown, focused and
 * answered, each change of answer, and when the page went to the background.
 *
 * Times are milliseconds from the page being shown, on the browser's monotonic clock
 * (performance.now()), so a tablet whose clock is wrong records the same. The log goes in the
 * form's hidden field `item_paradata` when the page is submitted (Next, Back or a language
 * switch), so it travels with the page, and with a page kept offline (offline.js reads the
 * form after this script filled it). The server checks it, masks what could identify the
 * respondent and stores a summary (fieldwork.interview.item_events); the format is described
 * there. Text answers are sent as typed, like the answer itself, and never stored.
 */
(function () {
  "use strict";
  var form = document.getElementById("interview-form");
  if (!form) return;
  var field = form.querySelector("input[name=item_paradata]");
  if (!field) return;
  var MAX_EVENTS = 780; // the server refuses more than 800
  var start = performance.now();
  var events = [];
  var focused = null;
  var visible = new Set();

  function now() { return Math.max(0, Math.round(performance.now() - start)); }

  function log(code, name, value) {
    if (events.length >= MAX_EVENTS && code !== "h" && code !== "v") return;
    var event = [now(), code];
    if (name !== undefined) event.push(name);
    if (value !== undefined) event.push(value);
    events.push(event);
  }

  function questionOf(element) {
    var box = element && element.closest ? element.closest("[data-question]") : null;
    return box && form.contains(box) ? box : null;
  }

  function valueOf(box) {
    var inputs = Array.from(box.querySelectorAll("input, select, textarea")).filter(function (i) {
      return i.type !== "hidden" || i.hasAttribute("data-media-value");
    });
    var choices = inputs.filter(function (i) { return i.type === "radio" || i.type === "checkbox"; });
    if (choices.length) {
      return choices.filter(function (i) { return i.checked; }).map(function (i) { return i.value; }).join(" ");
    }
    return inputs.map(function (i) {
      if (i.hasAttribute("data-media-value")) return i.value ? "(file)" : "";
      return i.value;
    }).filter(Boolean).join(" ");
  }

  function noteShown() {
    form.querySelectorAll("[data-question]").forEach(function (box) {
      var name = box.getAttribute("data-question");
      var isShown = !box.hidden;
      if (isShown && !visible.has(name)) log("s", name);
      if (isShown) visible.add(name);
      else visible.delete(name);
    });
  }

  form.addEventListener("focusin", function (event) {
    var box = questionOf(event.target);
    if (!box) return;
    var name = box.getAttribute("data-question");
    if (name === focused) return;
    focused = name;
    log("f", name);
  });

  form.addEventListener("change", function (event) {
    var box = questionOf(event.target);
    if (!box) return;
    log("a", box.getAttribute("data-question"), valueOf(box));
  });

  document.addEventListener("visibilitychange", function () {
    log(document.hidden ? "h" : "v");
    if (!document.hidden) focused = null;
  });

  // Relevance opens and closes questions as the interviewer answers (live.js).
  new MutationObserver(noteShown).observe(form, {
    attributes: true, attributeFilter: ["hidden"], subtree: true,
  });

  form.addEventListener("submit", function () {
    field.value = JSON.stringify({
      v: 1,
      d: now(),
      lang: form.getAttribute("data-language") || "", // the language the page was shown in
      e: events,
    });
  });

  noteShown();
  window.itemParadata = { events: function () { return events.slice(); } };
})();
