// Progressive enhancement for finder pages: apply a filter as soon as it changes, without a
// full page load. Without JavaScript the form's "Apply filters" button does the same job.
(function () {
  "use strict";
  var form = document.getElementById("filters");
  if (!form || !window.fetch || !window.DOMParser) { return; }
  var finder = form.closest(".finder");

  function swap(html, url) {
    var page = new DOMParser().parseFromString(html, "text/html");
    var focusedId = document.activeElement && document.activeElement.id;
    ["filters", "results"].forEach(function (id) {
      var fresh = page.getElementById(id);
      var current = document.getElementById(id);
      if (fresh && current) { current.innerHTML = fresh.innerHTML; }
    });
    // The count is a live region: change its text, never the element, so it is announced.
    var count = document.getElementById("result-count");
    var freshCount = page.getElementById("result-count");
    if (count && freshCount) { count.textContent = freshCount.textContent; }
    document.title = page.title;
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

  form.addEventListener("change", function (event) {
    if (event.target.name === "q" || event.target.name === "active_in") { return; }
    var query = new URLSearchParams(new FormData(form));
    Array.from(query.keys()).forEach(function (key) {
      if (!query.get(key)) { query.delete(key); }
    });
    load(form.action + "?" + query.toString());
  });
  window.addEventListener("popstate", function () { window.location.reload(); });
})();
