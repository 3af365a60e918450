/*
 * Fixes what axe finds in the admin's widgets. Names the search boxes of the admin's
 * autocomplete widgets (select2) for assistive
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

  // A multiple select's "clear all" cross is a <span> that select2 puts inside its list of
  // choices, where only list items may be (axe: list). select2 finds it by its class anywhere
  // in the widget, so it can stand just after the list instead.
  function moveClearButtons() {
    document.querySelectorAll(".select2-selection__rendered > .select2-selection__clear").forEach(function (cross) {
      cross.parentElement.after(cross);
    });
  }

  // The tabular inline's first column heading (over each row's name) is empty; name it for
  // screen readers after the inline's own heading.
  function nameEmptyColumnHeadings() {
    document.querySelectorAll(".tabular thead th.original").forEach(function (heading) {
      if (heading.textContent.trim()) {
        return;
      }
      const title = heading.closest(".tabular").querySelector("h2");
      const text = document.createElement("span");
      text.className = "visually-hidden";
      text.textContent = title ? title.textContent.trim() : "";
      heading.append(text);
    });
  }

  // A single select's box names itself after the choice it shows, nothing when none is
  // chosen (axe: aria-input-field-name): it is named by the field's label, then the choice.
  // (select2 keeps both elements' attributes when it redraws the choice.)
  function labelSingleSelects() {
    document.querySelectorAll(".select2-selection--single[aria-labelledby]").forEach(function (box) {
      const container = box.closest(".select2-container");
      const select = container && container.previousElementSibling;
      const label = select && select.id && document.querySelector('label[for="' + select.id + '"]');
      if (!label || box.getAttribute("aria-labelledby").includes(" ")) {
        return;
      }
      label.id = label.id || select.id + "_label";
      box.setAttribute("aria-labelledby", label.id + " " + box.getAttribute("aria-labelledby"));
      // The choice inside is a read-only text box of its own, empty when none is chosen.
      const shown = box.querySelector(".select2-selection__rendered");
      if (shown) {
        shown.setAttribute("aria-label", label.textContent.replace(/:\s*$/, "").trim());
      }
    });
  }

  function tidy() {
    labelSearchFields();
    labelSingleSelects();
    moveClearButtons();
  }

  document.addEventListener("DOMContentLoaded", function () {
    tidy();
    nameEmptyColumnHeadings();
    new MutationObserver(tidy).observe(document.body, { childList: true, subtree: true });
  });
})();
