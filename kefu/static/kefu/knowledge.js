// Knowledge base helpers: insert a suggested article's text or link into the ticket's reply box.
(function () {
  "use strict";
  if (window.kefuKnowledge) return;
  window.kefuKnowledge = true;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert]");
    if (!button) return;
    var item = button.closest("[data-kb-article]");
    var box = document.getElementById("reply-text");
    if (!item || !box) return;
    var text = button.dataset.kbInsert === "link"
      ? button.dataset.kbLink
      : item.querySelector("template[data-kb-text]").content.textContent.trim();
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    var glue = before && !before.endsWith("\n") ? "\n" : "";
    box.value = before + glue + text + after;
    box.focus();
    box.selectionStart = box.selectionEnd = (before + glue + text).length;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
