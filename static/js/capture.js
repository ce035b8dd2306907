/* Location, photo and audio questions of the interview page (fieldwork.interview.media).
 *
 * - [data-geopoint]: "Record the location" asks the browser for the position (high accuracy)
 *   and fills latitude, longitude, accuracy and altitude; without a fix (denied, no signal)
 *   the interviewer types latitude and longitude.
 * - [data-media=image]: the photo taken (or chosen) is shrunk to 1600 pixels on its long side
 *   as a JPEG and put in the question's hidden field as a data URL, so the page posts it, or
 *   keeps it offline (offline.js), like any other answer.
 * - [data-media=audio]: Record / Stop with MediaRecorder, or a recording chosen from the
 *   device; the recording goes in the hidden field the same way.
 * The server checks type and size again (the browser's checks only spare a wasted upload).
 */
(function () {
  "use strict";
  var LONG_SIDE = 1600;
  var form = document.querySelector("form[data-media-base]");
  var mediaBase = form ? form.getAttribute("data-media-base") : "";

  function say(box, text) {
    var status = box.querySelector("[data-media-status], [data-geo-status]");
    if (status) status.textContent = text;
  }

  // --- location ---------------------------------------------------------------------------
  document.querySelectorAll("[data-geopoint]").forEach(function (box) {
    var button = box.querySelector("[data-geo-locate]");
    function input(name) { return box.querySelector("[data-geo=" + name + "]"); }
    button.addEventListener("click", function () {
      if (!("geolocation" in navigator)) { say(box, box.getAttribute("data-failed")); return; }
      say(box, box.getAttribute("data-waiting"));
      navigator.geolocation.getCurrentPosition(function (position) {
        var c = position.coords;
        input("latitude").value = c.latitude.toFixed(6);
        input("longitude").value = c.longitude.toFixed(6);
        input("accuracy").value = Math.round(c.accuracy * 10) / 10;
        input("altitude").value = c.altitude === null ? "" : Math.round(c.altitude * 10) / 10;
        say(box, box.getAttribute("data-found") + " " + Math.round(c.accuracy) + " m");
      }, function (error) {
        say(box, box.getAttribute(error.code === 1 ? "data-denied" : "data-failed"));
      }, { enableHighAccuracy: true, timeout: 20000, maximumAge: 0 });
    });
  });

  // --- photo and audio --------------------------------------------------------------------
  function preview(box, kind, url) {
    var place = box.querySelector("[data-media-preview]");
    var element = document.createElement(kind === "image" ? "img" : "audio");
    element.src = url;
    if (kind === "image") element.alt = "";
    else element.controls = true;
    place.replaceChildren(element);
  }

  function keep(box, dataUrl) {
    var limit = Number(box.getAttribute("data-max-bytes"));
    var bytes = Math.floor((dataUrl.length - dataUrl.indexOf(",") - 1) * 3 / 4);
    if (bytes > limit) { say(box, box.getAttribute("data-too-big")); return; }
    box.querySelector("[data-media-value]").value = dataUrl;
    preview(box, box.getAttribute("data-media"), dataUrl);
    say(box, box.getAttribute("data-kept"));
  }

  function readAsDataUrl(blob) {
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = reject;
      reader.readAsDataURL(blob);
    });
  }

  function shrink(file) {
    // Read as a data URL (the page's Content-Security-Policy allows data: images, not blob:).
    return readAsDataUrl(file).then(function (url) { return draw(url); });
  }

  function draw(url) {
    return new Promise(function (resolve, reject) {
      var image = new Image();
      image.onload = function () {
        var scale = Math.min(1, LONG_SIDE / Math.max(image.naturalWidth, image.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(image.naturalWidth * scale);
        canvas.height = Math.round(image.naturalHeight * scale);
        canvas.getContext("2d").drawImage(image, 0, 0, canvas.width, canvas.height);
        resolve(canvas.toDataURL("image/jpeg", 0.85));
      };
      image.onerror = function () { reject(new Error("unreadable")); };
      image.src = url;
    });
  }

  document.querySelectorAll("[data-media]").forEach(function (box) {
    var kind = box.getAttribute("data-media");
    var stored = box.getAttribute("data-stored");
    var current = box.querySelector("[data-media-value]").value;
    if (stored && mediaBase) preview(box, kind, mediaBase.replace("__name__", stored));
    else if (current.indexOf("data:") === 0) preview(box, kind, current); // shown again
    box.querySelector("[data-media-file]").addEventListener("change", function (event) {
      var file = event.target.files[0];
      if (!file) return;
      (kind === "image" ? shrink(file) : readAsDataUrl(file)).then(function (dataUrl) {
        keep(box, dataUrl);
      }, function () { say(box, box.getAttribute("data-unreadable")); });
    });
    var record = box.querySelector("[data-media-record]");
    var stop = box.querySelector("[data-media-stop]");
    if (!record) return;
    var recorder = null;
    record.addEventListener("click", function () {
      if (!window.MediaRecorder || !navigator.mediaDevices) {
        say(box, box.getAttribute("data-no-recorder"));
        return;
      }
      navigator.mediaDevices.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        recorder = new MediaRecorder(stream, { audioBitsPerSecond: 32000 });
        recorder.ondataavailable = function (event) { chunks.push(event.data); };
        recorder.onstop = function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var blob = new Blob(chunks, { type: (recorder.mimeType || "audio/webm").split(";")[0] });
          readAsDataUrl(blob).then(function (dataUrl) { keep(box, dataUrl); });
          record.hidden = false;
          stop.hidden = true;
        };
        recorder.start();
        record.hidden = true;
        stop.hidden = false;
        say(box, box.getAttribute("data-recording"));
      }, function () { say(box, box.getAttribute("data-no-recorder")); });
    });
    stop.addEventListener("click", function () { if (recorder) recorder.stop(); });
  });
})();
