// The consultation editor, enhanced: show only the fields that fit each question's type, and the custom
// scale's labels only for "your own labels". Everything works without this script (all fields shown).
(function () {
  "use strict";
  function update(row) {
    var type = row.querySelector("select[name$='-type']");
    var scale = row.querySelector("select[name$='-scale']");
    if (!type) return;
    row.querySelectorAll("[data-types]").forEach(function (part) {
      part.hidden = part.getAttribute("data-types").split(" ").indexOf(type.value) === -1;
    });
    var labels = row.querySelector("textarea[name$='-scale_labels']");
    if (labels && scale) labels.closest(".field").hidden = scale.value !== "custom";
  }
  document.querySelectorAll("[data-question]").forEach(function (row) {
    update(row);
    row.addEventListener("change", function (event) {
      if (event.target.matches("select[name$='-type'], select[name$='-scale']")) update(row);
    });
  });
  var summary = document.getElementById("error-summary");
  if (summary && !document.querySelector("[autofocus]")) summary.focus();
  // A link in the error summary puts the keyboard in the field it names, not just scrolls to it.
  if (summary) summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus();
  });
})();
