// "Copy" for the citation on detail pages (templates/portal/includes/_record_meta.html).
// Without JavaScript the button stays hidden and the citation is plain, selectable text.
"use strict";

document.querySelectorAll("button[data-copy-target]").forEach((button) => {
  const target = document.getElementById(button.dataset.copyTarget);
  const status = document.getElementById(button.dataset.copyStatus);
  if (!target || !status || !navigator.clipboard) {
    return;
  }
  button.hidden = false;
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      status.textContent = button.dataset.copied;
    } catch {
      // Refused (no permission, or an insecure page): select it for the reader to copy.
      window.getSelection().selectAllChildren(target);
      status.textContent = button.dataset.selected;
    }
  });
});
