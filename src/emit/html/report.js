// sandtrap HTML report: filters by severity and rule, and each rule's embedded documentation.
(function () {
  "use strict";
  var form = document.querySelector("form.filters");
  var findings = Array.prototype.slice.call(document.querySelectorAll("article.finding"));
  function checked(name) {
    return Array.prototype.slice
      .call(document.querySelectorAll("input[name=" + name + "]:checked"))
      .map(function (input) { return input.value; });
  }
  function apply() {
    var severities = checked("severity");
    var codes = checked("code");
    var shown = 0;
    findings.forEach(function (finding) {
      var visible = severities.indexOf(finding.dataset.severity) >= 0 &&
        codes.indexOf(finding.dataset.code) >= 0;
      finding.hidden = !visible;
      if (visible) shown += 1;
    });
    document.querySelectorAll("section.stack-group, section.region-group").forEach(function (group) {
      group.hidden = group.querySelector("article.finding:not([hidden])") === null;
    });
    var status = document.querySelector(".shown");
    if (status) status.textContent = shown + " of " + findings.length + " findings shown";
  }
  if (form) {
    form.addEventListener("change", apply);
    apply();
  }
  document.querySelectorAll("button.doc").forEach(function (button) {
    button.addEventListener("click", function () {
      var dialog = document.getElementById(button.dataset.doc);
      if (dialog && dialog.showModal) dialog.showModal();
    });
  });
})();
