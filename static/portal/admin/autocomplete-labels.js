/*
 * Names the search boxes of the admin's autocomplete widgets (select2) for assistive
 * technology. select2 draws a text box inside each many-to-many widget (Sectors,
 * Initiatives, ...) with no label of its own, which axe reports as an unlabelled form field;
 * it redraws the box on every change, hence the observer. Each box is named after the label
 * of the select it stands for.
 */
"use strict";

(function () {
  function nameOf(field) {
    const container = field.closest(".select2-container");
    const select = container && container.previousElementSibling;
    const label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
    return label ? label.textContent.replace(/:\s*$/, "").trim() : null;
  }

  function labelSearchFields() {
    document.querySelectorAll(".select2-search__field:not([aria-label])").forEach(function (field) {
      const name = nameOf(field);
      if (name) {
        field.setAttribute("aria-label", name);
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    labelSearchFields();
    new MutationObserver(labelSearchFields).observe(document.body, { childList: true, subtree: true });
  });
})();
