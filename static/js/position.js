/* Door-to-door visit forms: where the tablet is, from the browser, in hidden fields.
 *
 * Fills latitude, longitude, accuracy_m (metres) or position_error ("denied", "unavailable",
 * "timeout", "unsupported") in every form marked data-position. A form submitted before the
 * position is known waits for it (at most the timeout). The server records the visit in any
 * case and warns when the position is missing, inaccurate or far away (fieldwork.capi.geo).
 */
(function () {
  "use strict";
  var TIMEOUT_MS = 15000;
  var forms = document.querySelectorAll("form[data-position]");
  var status = document.querySelector("[data-position-status]");
  if (!forms.length) return;

  function say(name, extra) {
    if (status) status.textContent = status.getAttribute("data-" + name) + (extra || "");
  }

  function fill(values) {
    forms.forEach(function (form) {
      Object.keys(values).forEach(function (name) {
        var input = form.querySelector("input[name=" + name + "]");
        if (input) input.value = values[name];
      });
    });
  }

  var errors = { 1: "denied", 2: "unavailable", 3: "timeout" };
  var known = new Promise(function (resolve) {
    if (!("geolocation" in navigator)) {
      fill({ position_error: "unsupported" });
      say("failed");
      resolve();
      return;
    }
    say("waiting");
    navigator.geolocation.getCurrentPosition(
      function (position) {
        var c = position.coords;
        fill({ latitude: c.latitude, longitude: c.longitude, accuracy_m: c.accuracy, position_error: "" });
        say("found", " ±" + Math.round(c.accuracy) + " m");
        resolve();
      },
      function (error) {
        var code = errors[error.code] || "unavailable";
        fill({ latitude: "", longitude: "", accuracy_m: "", position_error: code });
        say(code === "denied" ? "denied" : "failed");
        resolve();
      },
      { enableHighAccuracy: true, timeout: TIMEOUT_MS, maximumAge: 60000 }
    );
  });

  var ready = false;
  known.then(function () { ready = true; });
  forms.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (ready) return;
      event.preventDefault();
      known.then(function () { form.submit(); });
    });
  });
})();
