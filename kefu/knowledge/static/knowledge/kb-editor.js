// Article editor: insert one of the article's uploaded images (or a link to one of its files) into the body
// textarea at the cursor. The server keeps such images when saving; any other image address is removed.
(function () {
  "use strict";
  if (window.kefuKbEditor) return;
  window.kefuKbEditor = true;
  function escape(text) {
    return text.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-kb-insert-file]");
    if (!button) return;
    var item = button.closest("[data-kb-file]");
    var box = document.getElementById("id_body");
    if (!item || !box) return;
    var url = escape(item.dataset.kbUrl), name = escape(item.dataset.kbName);
    var html = button.dataset.kbInsertFile === "image"
      ? '<p><img src="' + url + '" alt="' + name + '"></p>'
      : '<a href="' + url + '">' + name + "</a>";
    var start = box.selectionStart || 0, end = box.selectionEnd || 0;
    var before = box.value.slice(0, start), after = box.value.slice(end);
    box.value = before + html + after;
    box.focus();
    box.selectionStart = box.selectionEnd = (before + html).length;
    box.dispatchEvent(new Event("input", { bubbles: true }));
  });
})();
