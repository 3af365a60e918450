// Progressive enhancement for the initiatives finder's "Compare" boxes: say how many are
// ticked, and let "Compare selected" submit only a number the compare page accepts. Without
// JavaScript the boxes still submit (they belong to the form through form="compare-form")
// and the compare page explains a wrong number. The choice also survives finder.js swapping
// in other results: initiatives ticked but no longer shown go with the form as hidden fields.
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  var results = document.getElementById("results");
  if (!form || !results) { return; }
  var min = Number(form.dataset.min);
  var max = Number(form.dataset.max);
  var button = form.querySelector("button[type=submit]");
  var count = form.querySelector(".compare-count");
  var chosen = [];

  function boxes() {
    return Array.from(document.querySelectorAll('input[type=checkbox][form="compare-form"]'));
  }

  function show() {
    var shown = {};
    boxes().forEach(function (box) {
      shown[box.value] = true;
      box.checked = chosen.indexOf(box.value) !== -1;
    });
    form.querySelectorAll("input[type=hidden]").forEach(function (field) { field.remove(); });
    chosen.forEach(function (slug) {
      if (shown[slug]) { return; }
      var field = document.createElement("input");
      field.type = "hidden";
      field.name = "items";
      field.value = slug;
      form.appendChild(field);
    });
    count.textContent = count.dataset.template.replace("{count}", chosen.length);
    button.disabled = chosen.length < min || chosen.length > max;
  }

  // Boxes the browser kept ticked (e.g. on coming back to the page) count from the start.
  chosen = boxes().filter(function (box) { return box.checked; }).map(function (box) { return box.value; });
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.getAttribute("form") !== "compare-form") { return; }
    chosen = chosen.filter(function (slug) { return slug !== box.value; });
    if (box.checked) { chosen.push(box.value); }
    show();
  });
  new MutationObserver(show).observe(results, { childList: true, subtree: true });
  show();
})();
