/* The household roster on the door-to-door case page: add and remove rows.
 *
 * Rows are <tr data-roster-row> inside [data-roster-rows]; "Add a member" copies the last row
 * with its inputs emptied, each row's remove button takes it away (the last row is emptied
 * instead, so the form always has one). Row numbers follow. The server reads the inputs
 * member_name, member_sex, member_age and member_birthday in page order, one set per row.
 */
(function () {
  "use strict";

  function renumber(body) {
    body.querySelectorAll("[data-roster-row]").forEach(function (row, index) {
      var cell = row.querySelector("[data-roster-number]");
      if (cell) cell.textContent = String(index + 1);
    });
  }

  function empty(row) {
    row.querySelectorAll("input, select").forEach(function (field) { field.value = ""; });
  }

  function setUp(form) {
    var body = form.querySelector("[data-roster-rows]");
    var add = form.querySelector("[data-roster-add]");
    if (!body || !add) return;
    add.addEventListener("click", function () {
      var rows = body.querySelectorAll("[data-roster-row]");
      var copy = rows[rows.length - 1].cloneNode(true);
      empty(copy);
      body.append(copy);
      renumber(body);
      copy.querySelector("input").focus();
    });
    body.addEventListener("click", function (event) {
      var remove = event.target.closest("[data-roster-remove]");
      if (!remove) return;
      var row = remove.closest("[data-roster-row]");
      if (body.querySelectorAll("[data-roster-row]").length > 1) row.remove();
      else empty(row);
      renumber(body);
    });
  }

  document.querySelectorAll("#roster-form").forEach(setUp);
})();
