/* Tablet option for the interview wizard: one question per screen.
 *
 * The page's questions (and whole grids or rosters) become screens shown one at a time, with
 * Previous/Next question buttons; the page's own Next/Finish appears on the last screen. The
 * choice is kept on the device. Everything stays in one form, so the page is submitted (and
 * saved, or kept offline) exactly as in the whole-page layout.
 */
(function () {
  "use strict";
  var PREFERENCE = "one-question";
  var toggle = document.querySelector("[data-one-question-toggle]");
  if (!toggle) return;
  var form = toggle.closest("form");
  var screens = Array.from(form.children).filter(function (el) {
    return el.matches(".question, table.grid, table.roster");
  });
  var next = form.querySelector("#next");
  if (next && next.parentElement) next.parentElement.classList.add("page-buttons");
  var current = 0;

  var nav = document.createElement("p");
  nav.className = "question-nav";
  var previousButton = document.createElement("button");
  previousButton.type = "button";
  previousButton.className = "secondary";
  previousButton.textContent = "‹ " + toggle.getAttribute("data-previous");
  var nextButton = document.createElement("button");
  nextButton.type = "button";
  nextButton.textContent = toggle.getAttribute("data-next") + " ›";
  nav.append(previousButton, nextButton);
  if (next && next.parentElement) form.insertBefore(nav, next.parentElement);

  function showScreen(index) {
    current = Math.max(0, Math.min(index, screens.length - 1));
    screens.forEach(function (screen, i) {
      screen.classList.add("screen");
      screen.classList.toggle("current", i === current);
    });
    previousButton.disabled = current === 0;
    nextButton.hidden = current >= screens.length - 1;
    form.classList.toggle("at-last", current >= screens.length - 1);
  }

  function setMode(on) {
    form.classList.toggle("one-question", on);
    toggle.textContent = toggle.getAttribute(on ? "data-off" : "data-on");
    localStorage.setItem(PREFERENCE, on ? "1" : "0");
    if (on) {
      // Start at the first question the server found a problem with, else the first.
      var withError = screens.findIndex(function (s) { return s.querySelector(".errorlist"); });
      showScreen(withError >= 0 ? withError : 0);
    }
  }

  // Questions hidden by their condition (live.js) are not screens until they are shown.
  function step(direction) {
    var i = current + direction;
    while (i >= 0 && i < screens.length && screens[i].hidden) i += direction;
    if (i >= 0 && i < screens.length) showScreen(i);
  }
  previousButton.addEventListener("click", function () { step(-1); });
  nextButton.addEventListener("click", function () { step(1); });
  toggle.addEventListener("click", function () {
    setMode(!form.classList.contains("one-question"));
  });
  // A required answer missing on a hidden screen: show that screen so the browser can say so.
  form.addEventListener("invalid", function (event) {
    if (!form.classList.contains("one-question")) return;
    var index = screens.findIndex(function (s) { return s.contains(event.target); });
    if (index >= 0 && index !== current) showScreen(index);
  }, true);

  if (!screens.length) {
    toggle.hidden = true;
    return;
  }
  setMode(localStorage.getItem(PREFERENCE) === "1");
})();
