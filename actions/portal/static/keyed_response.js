/* Keying in a response: questions whose ask_if is false on the answers above them are shown as not asked,
   and their fields disabled (so they are not sent). The server checks again: without this script an answer
   to a question not asked is refused with a message beside it. Same rules as Condition.holds. */
(function () {
  "use strict";
  var form = document.querySelector("form.keyed");
  if (!form) { return; }
  var questions = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));

  function answerOf(fieldset) {
    if (fieldset.disabled) { return null; }
    var type = fieldset.getAttribute("data-type");
    var name = "q-" + fieldset.getAttribute("data-question");
    var inputs = Array.prototype.slice.call(fieldset.querySelectorAll("[name='" + name + "']"));
    if (type === "multi") {
      var ticked = inputs.filter(function (i) { return i.checked; }).map(function (i) { return i.value; });
      return ticked.length ? ticked : null;
    }
    if (type === "scale" || type === "choice" || type === "yesno") {
      var chosen = inputs.filter(function (i) { return i.checked && i.value; });
      return chosen.length ? chosen[0].value : null;
    }
    if (type === "number") {
      var text = inputs.length ? inputs[0].value.replace(/,/g, "").trim() : "";
      var number = Number(text);
      return text && isFinite(number) ? number : null;
    }
    if (type === "text") {
      return inputs.length && inputs[0].value.trim() ? inputs[0].value.trim() : null;
    }
    return null;
  }

  function holds(condition, answers) {
    if (condition.all) { return condition.all.every(function (part) { return holds(part, answers); }); }
    if (condition.any) { return condition.any.some(function (part) { return holds(part, answers); }); }
    var answer = answers[condition.question];
    if (answer === null || answer === undefined) { return false; }
    if ("includes" in condition) { return Array.isArray(answer) && answer.indexOf(condition.includes) >= 0; }
    if ("one_of" in condition) { return condition.one_of.indexOf(answer) >= 0; }
    if ("is" in condition) { return answer === condition.is; }
    if ("is_not" in condition) { return answer !== condition.is_not; }
    if (typeof answer !== "number") { return false; }
    if ("at_least" in condition) { return answer >= condition.at_least; }
    if ("at_most" in condition) { return answer <= condition.at_most; }
    return false;
  }

  function update() {
    var answers = {};
    questions.forEach(function (fieldset) {
      var rule = fieldset.getAttribute("data-ask-if");
      if (rule) {
        var asked = holds(JSON.parse(rule), answers);
        fieldset.disabled = !asked;
        fieldset.classList.toggle("is-not-asked", !asked);
        var notice = fieldset.querySelector(".not-asked");
        if (notice) { notice.hidden = asked; }
      }
      answers[fieldset.getAttribute("data-question")] = answerOf(fieldset);
    });
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
  // After a refused post, start keyboard and screen-reader users at the list of problems (or the duplicate warning).
  var summary = document.getElementById("problems") || document.getElementById("duplicates");
  if (summary) { summary.focus(); }
})();
