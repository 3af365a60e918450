// Progressive enhancement for finder pages: apply a filter as soon as it changes, without a
// full page load. Without JavaScript the form's "Apply filters" button does the same job.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var finder = form.closest(".finder");

  // finder.css shows the filters on wide screens through ::details-content; where a browser
  // lacks it, open the fold instead. Phones keep it closed, so the results come first.
  var fold = form.closest("details");
  var wide = window.matchMedia && window.matchMedia("(min-width: 48rem)").matches;
  var cssShowsContent = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (fold && wide && !cssShowsContent) { fold.open = true; }

  function swap(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var focusedId = document.activeElement && document.activeElement.id;
    ["filters", "results"].forEach(function (id) {
      var fresh = page.getElementById(id);
      var current = document.getElementById(id);
      if (fresh && current) { current.innerHTML = fresh.innerHTML; }
    });
    // The count is a live region: change its text, never the element, so it is announced.
    // The number on the "Filters (n)" fold follows the filters chosen.
    ["result-count", "active-filter-count"].forEach(function (id) {
      var current = document.getElementById(id);
      var fresh = page.getElementById(id);
      if (current && fresh) { current.textContent = fresh.textContent; }
    });
    document.title = page.title;
    enableFinds();
    history.pushState({}, "", url);
    var focused = focusedId && document.getElementById(focusedId);
    if (focused) { focused.focus(); }
  }

  function load(url) {
    finder.setAttribute("aria-busy", "true");
    fetch(url, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) { swap(html, url); })
      .catch(function () { window.location.assign(url); })
      .finally(function () { finder.removeAttribute("aria-busy"); });
  }

  // Long facets: a box that narrows the options as the reader types. The first keystroke
  // swaps in the facet with every option (the same page with more=<facet>), so the box
  // searches them all, not just the top ten shown.
  function narrow(box) {
    var fieldset = box.closest(".facet");
    var text = box.value.trim().toLowerCase();
    fieldset.querySelectorAll(".facet-option").forEach(function (option) {
      option.hidden = text !== "" && option.textContent.toLowerCase().indexOf(text) === -1;
    });
  }

  function expand(box) {
    var more = box.closest(".facet").querySelector("a.facet-more[data-facet]");
    if (!more || box.dataset.expanding) { narrow(box); return; }
    box.dataset.expanding = "true";
    fetch(more.href, { headers: { "X-Requested-With": "fetch" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var fresh = page.getElementById("facet-" + box.dataset.facet);
        var current = box.closest(".facet");
        var list = fresh && fresh.querySelector(".facet-options");
        if (list) { current.querySelector(".facet-options").replaceWith(list); }
        if (more.parentNode) { more.parentNode.remove(); }
        narrow(box);
      })
      .catch(function () { narrow(box); });
  }

  function enableFinds() {
    form.querySelectorAll(".facet-find").forEach(function (find) { find.hidden = false; });
  }
  enableFinds();
  form.addEventListener("input", function (event) {
    if (event.target.dataset && event.target.dataset.facet) { expand(event.target); }
  });

  form.addEventListener("change", function (event) {
    if (!event.target.name || event.target.name === "q" || event.target.name === "active_in") { return; }
    var query = new URLSearchParams(new FormData(form));
    Array.from(query.keys()).forEach(function (key) {
      if (!query.get(key)) { query.delete(key); }
    });
    load(form.action + "?" + query.toString());
  });
  window.addEventListener("popstate", function () { window.location.reload(); });
})();
