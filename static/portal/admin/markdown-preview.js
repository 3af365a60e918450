/*
 * The live preview beside an article's Markdown body (portal/admin/preview.py).
 *
 * As the editor types, the text is posted (debounced) to the admin's preview endpoint with the
 * form's CSRF token, and the panel shows the HTML it returns: the public pages' own renderer and
 * sanitiser, footnotes resolved against the sources chosen in the form's Sources rows. Footnote
 * problems the form would refuse on save are listed above the preview. A static file, since the
 * site's Content-Security-Policy runs no inline script; without JavaScript the panel stays
 * hidden and the article's Preview page still works.
 */
"use strict";

(function () {
  const DELAY_MS = 300;

  function chosenSources(form) {
    const ids = [];
    form.querySelectorAll('select[name$="-source"]').forEach(function (select) {
      const prefix = select.name.slice(0, -"source".length);
      const deleted = form.querySelector('input[name="' + prefix + 'DELETE"]');
      if (select.value && !(deleted && deleted.checked)) {
        ids.push(select.value);
      }
    });
    return ids;
  }

  function listItem(text) {
    const item = document.createElement("li");
    item.textContent = text;
    return item;
  }

  function setUp(editor) {
    const textarea = editor.querySelector("textarea");
    const panel = editor.querySelector(".markdown-preview");
    const body = panel.querySelector(".markdown-preview-body");
    const problems = panel.querySelector(".markdown-preview-problems");
    const form = textarea.form;
    const token = form.querySelector('input[name="csrfmiddlewaretoken"]').value;
    let timer = null;
    let pending = null;

    function refresh() {
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      const data = new FormData();
      data.append("text", textarea.value);
      data.append("language", editor.dataset.language);
      chosenSources(form).forEach(function (id) {
        data.append("sources", id);
      });
      fetch(editor.dataset.previewUrl, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": token },
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (result) {
          if (result) {
            body.innerHTML = result.html; // Sanitised by the server (nh3), as on public pages.
            problems.replaceChildren.apply(problems, result.problems.map(listItem));
            editor.dataset.previewed = String(Number(editor.dataset.previewed || 0) + 1);
          }
        })
        .catch(function () {
          // Aborted by a newer request, or the network failed: the next keystroke retries.
        });
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(refresh, DELAY_MS);
    }

    textarea.addEventListener("input", later);
    // The Sources rows: their selects are select2 widgets, which announce changes through
    // jQuery only, so listen there too.
    form.addEventListener("change", function (event) {
      if (/-(source|DELETE)$/.test(event.target.name || "")) {
        later();
      }
    });
    if (window.django && window.django.jQuery) {
      window.django.jQuery(form).on("change", 'select[name$="-source"]', later);
    }
    panel.hidden = false;
    editor.classList.add("with-preview");
    refresh();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdown-editor[data-preview-url]").forEach(setUp);
  });
})();
