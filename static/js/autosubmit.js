/* A select marked data-autosubmit sends its form when its value changes (the language, the
 * filters of the case and job lists). Kept out of the templates: the Content-Security-Policy
 * allows no inline script or event handler. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("select[data-autosubmit]") || !field.form) return;
    if (field.form.requestSubmit) field.form.requestSubmit();
    else field.form.submit();
  });
})();
