/* Audio audit of the interview page (fieldwork.audits): records the page with MediaRecorder
 * once the respondent agreed (the questionnaire's consent question answered yes, on an earlier
 * page or on this one), shows the interviewer that it records, and on Next puts the recording
 * in the hidden field as a data URL, so it travels with the page and with a page kept offline
 * (offline.js). Stopping the recorder is asynchronous: the submit waits for the last data,
 * then goes ahead with the same button. A browser that cannot record says so; the interview
 * goes on without it (the server keeps nothing without consent either way).
 */
(function () {
  "use strict";
  var banner = document.getElementById("audio-audit");
  var form = document.getElementById("interview-form");
  if (!banner || !form) return;
  var field = form.querySelector("[data-audit-value]");
  var status = banner.querySelector("[data-audit-status]");
  var consentName = banner.getAttribute("data-consent-question");
  var yes = (banner.getAttribute("data-yes") || "").split(" ");
  var recorder = null;
  var chunks = [];
  var ready = false; // the recording is in the field: submit as usual

  function say(name) { status.textContent = banner.getAttribute("data-" + name); }

  function start() {
    if (recorder || !navigator.mediaDevices || !window.MediaRecorder) {
      if (!recorder) say("failed");
      return;
    }
    navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
      var type = MediaRecorder.isTypeSupported("audio/webm;codecs=opus") ? "audio/webm;codecs=opus" : "";
      recorder = new MediaRecorder(stream, type ? { mimeType: type, audioBitsPerSecond: 16000 } : {});
      recorder.addEventListener("dataavailable", function (event) {
        if (event.data && event.data.size) chunks.push(event.data);
      });
      recorder.start(1000);
      banner.classList.add("is-recording");
      say("recording");
    }).catch(function () { say("failed"); });
  }

  function consentGiven() {
    var box = form.querySelector('[data-question="' + consentName + '"]');
    if (!box) return false;
    return Array.from(box.querySelectorAll("input:checked, select")).some(function (input) {
      return yes.indexOf(input.value) !== -1;
    });
  }

  function finish() {
    return new Promise(function (resolve) {
      if (!recorder || recorder.state === "inactive") return resolve();
      recorder.addEventListener("stop", function () {
        recorder.stream.getTracks().forEach(function (track) { track.stop(); });
        if (!chunks.length) return resolve();
        var reader = new FileReader();
        reader.onload = function () {
          field.value = reader.result.replace(/^data:audio\/webm;[^,]*,/, "data:audio/webm;base64,");
          resolve();
        };
        reader.onerror = function () { resolve(); };
        reader.readAsDataURL(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }));
      }, { once: true });
      recorder.stop();
    });
  }

  form.addEventListener("submit", function (event) {
    // Only Next keeps the page; Back and the language switch go as they are.
    if (ready || (event.submitter && event.submitter.name) || !recorder) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    var submitter = event.submitter;
    finish().then(function () {
      ready = true;
      if (submitter) form.requestSubmit(submitter);
      else form.requestSubmit();
    });
  });

  form.addEventListener("change", function (event) {
    var box = event.target.closest ? event.target.closest("[data-question]") : null;
    if (box && box.getAttribute("data-question") === consentName && consentGiven()) start();
  });

  if (banner.getAttribute("data-consented") === "1") start();
})();
