// Kefu's small shared script (no framework): keep it tiny; page-specific code lives in its own file.
// Everything is wired by event delegation on the document, so content swapped in by htmx needs no set-up.
// No inline handlers anywhere: the Content-Security-Policy allows only static script files.
(function () {
  "use strict";

  var doc = document;

  function $(selector, root) { return (root || doc).querySelector(selector); }
  function $all(selector, root) { return Array.prototype.slice.call((root || doc).querySelectorAll(selector)); }

  // ---- notices: the #flash area ---------------------------------------------------------------

  function flash(message, level) {
    var area = $("#flash");
    if (!area) return;
    var notice = doc.createElement("div");
    notice.className = "notice notice-" + (level || "error");
    notice.setAttribute("role", level === "error" ? "alert" : "status");
    notice.textContent = message;
    area.appendChild(notice);
  }

  // Success and info notices leave by themselves after 5 s; errors and warnings stay until dismissed (their
  // close button, a click on them, or Escape). Every notice gets a close button, however it arrived.
  var NOTICE_SECONDS = 5;
  function scheduleDismissals() {
    var area = $("#flash");
    $all("#flash .notice:not([data-scheduled])").forEach(function (notice) {
      notice.setAttribute("data-scheduled", "");
      var close = doc.createElement("button");
      close.type = "button";
      close.className = "notice-close"; // its × is drawn by CSS: the notice's text stays the message alone
      close.setAttribute("aria-label", (area && area.getAttribute("data-close-label")) || "Close");
      notice.appendChild(close);
      if (!/notice-(error|warning)/.test(notice.className)) {
        setTimeout(function () {
          notice.classList.add("is-leaving");
          setTimeout(function () { notice.remove(); }, 300);
        }, NOTICE_SECONDS * 1000);
      }
    });
  }
  // Notices arrive by page load, htmx (swaps, out-of-band) and flash(): watching the area catches them all.
  function watchNotices() {
    var area = $("#flash");
    if (area && window.MutationObserver) new MutationObserver(scheduleDismissals).observe(area, { childList: true });
  }

  doc.addEventListener("click", function (event) {
    var notice = event.target.closest("#flash .notice");
    if (notice) notice.remove();
  });

  // ---- htmx: errors and swaps -----------------------------------------------------------------

  // A refused request (DomainError) comes back 4xx with HX-Retarget: #flash; show that fragment.
  function isRetargetedError(xhr) {
    return xhr && xhr.status >= 400 && !!xhr.getResponseHeader("HX-Retarget");
  }
  // In DEBUG, django-htmx's helper replaces the whole page with any 4xx response; ours are meant for
  // #flash, so keep them from that listener (capture on window runs before it; htmx carries on).
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    if (isRetargetedError(event.detail.xhr)) event.stopPropagation();
  }, true);
  doc.addEventListener("htmx:beforeSwap", function (event) {
    if (isRetargetedError(event.detail.xhr)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // Anything else that failed (403 page, 500, lost CSRF token): a short, translated sentence.
  doc.addEventListener("htmx:responseError", function (event) {
    var text = doc.body.getAttribute("data-error-text") || "Error";
    flash(text + " (" + event.detail.xhr.status + ")", "error");
  });
  doc.addEventListener("htmx:sendError", function () {
    flash(doc.body.getAttribute("data-offline-text") || "Network error", "error");
  });
  doc.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    // A macro put text into the reply box: continue typing at its end.
    if (target && target.matches && target.matches("[data-reply-box]")) {
      target.focus();
      target.setSelectionRange(target.value.length, target.value.length);
      var picker = $("[data-macro-picker] select");
      if (picker) picker.value = "";
    }
    updateSelection();
  });
  // Live hints (live.js fires "queue-changed" / "ticket-changed" on <body>) refresh parts of the page,
  // but never under the agent's hands: not while a form there has unsaved input, focus or selected rows.
  doc.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (!trigger || (trigger.type !== "queue-changed" && trigger.type !== "ticket-changed")) return;
    var element = event.detail.elt;
    var busy = element.querySelector(".is-dirty, [data-row-check]:checked") ||
      (doc.activeElement && doc.activeElement !== doc.body && element.contains(doc.activeElement));
    if (busy) event.preventDefault();
  });
  // Keep the highlighted queue row across a refresh of the rows. Only swaps that replace the rows
  // count (the notification bell swaps too), and a row the agent highlighted meanwhile wins.
  var currentTicket = null;
  function holdsRows(element) { return element && element.querySelector && element.querySelector("[data-queue-row]"); }
  doc.addEventListener("htmx:beforeSwap", function (event) {
    if (!holdsRows(event.detail.target)) return;
    var row = currentRow();
    currentTicket = row ? row.getAttribute("data-queue-row") : null;
  });
  doc.addEventListener("htmx:afterSettle", function () {
    var wanted = currentTicket;
    currentTicket = null;
    if (!wanted || currentRow()) return;
    var row = $('[data-queue-row="' + wanted + '"]');
    if (row) { row.classList.add("is-current"); row.setAttribute("aria-current", "true"); }
  });
  doc.addEventListener("htmx:afterSettle", scheduleDismissals);
  doc.addEventListener("htmx:oobAfterSwap", scheduleDismissals);

  // ---- forms: unsaved changes, selection in the queue -----------------------------------------

  doc.addEventListener("input", markDirty);
  doc.addEventListener("change", function (event) {
    markDirty(event);
    var target = event.target;
    if (target.matches("[data-select-all]")) {
      var form = target.closest("form") || doc;
      $all("[data-row-check]", form).forEach(function (box) { box.checked = target.checked; });
    }
    if (target.matches("[data-select-all], [data-row-check]")) updateSelection();
  });

  function markDirty(event) {
    var form = event.target.closest && event.target.closest("[data-dirty-watch]");
    if (form) form.classList.add("is-dirty");
  }

  function updateSelection() {
    $all("[data-bulk-bar]").forEach(function (bar) {
      var form = bar.closest("form") || doc;
      var count = $all("[data-row-check]:checked", form).length;
      bar.classList.toggle("has-selection", count > 0);
      var label = $("[data-selected-count]", bar);
      if (label) {
        var template = count ? label.getAttribute("data-some") : label.getAttribute("data-none");
        label.textContent = (template || "").replace("{n}", String(count));
      }
      var all = $("[data-select-all]", form);
      var boxes = $all("[data-row-check]", form).length;
      if (all) {
        all.checked = boxes > 0 && count === boxes;
        all.indeterminate = count > 0 && count < boxes;
      }
    });
  }

  // ---- keyboard shortcuts ---------------------------------------------------------------------

  var pendingG = false;
  var pendingTimer = null;

  function isTyping(element) {
    if (!element || element === doc.body) return false;
    if (element.isContentEditable) return true;
    if (element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
    if (element.tagName !== "INPUT") return false;
    return !/^(checkbox|radio|button|submit|reset|file)$/i.test(element.type);
  }

  function rows() { return $all("[data-queue-row]"); }

  function moveRow(step) {
    var list = rows();
    if (!list.length) return;
    var index = list.findIndex(function (row) { return row.classList.contains("is-current"); });
    var next = index < 0 ? (step > 0 ? 0 : list.length - 1) : Math.min(list.length - 1, Math.max(0, index + step));
    list.forEach(function (row) { row.classList.remove("is-current"); row.removeAttribute("aria-current"); });
    list[next].classList.add("is-current");
    list[next].setAttribute("aria-current", "true");
    list[next].scrollIntoView({ block: "nearest" });
  }

  function currentRow() { return $("[data-queue-row].is-current"); }

  function openCurrentRow() {
    var row = currentRow();
    var link = row && $("[data-row-link]", row);
    if (link) { window.location.href = link.href; return true; }
    return false;
  }

  function startComposing(kind) {
    var tab = $('[data-reply-kind="' + kind + '"]');
    var box = $("[data-reply-box]");
    if (!box) return false;
    if (tab) { tab.checked = true; tab.dispatchEvent(new Event("change", { bubbles: true })); }
    box.scrollIntoView({ block: "center" });
    box.focus();
    return true;
  }

  function click(selector) {
    var element = $(selector);
    if (element && !element.disabled) { element.click(); return true; }
    return false;
  }

  function toggleHelp() {
    var dialog = $("#shortcut-help");
    if (!dialog || typeof dialog.showModal !== "function") return false;
    if (dialog.open) dialog.close(); else dialog.showModal();
    return true;
  }

  doc.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
    var active = doc.activeElement;
    if (event.key === "Escape") {
      var errors = $all("#flash .notice");
      if (errors.length) errors.forEach(function (n) { n.remove(); });
      if (isTyping(active)) active.blur();
      return;
    }
    if (isTyping(active)) return;
    if ($("dialog[open]") && event.key !== "?") return;

    var key = event.key;
    var handled = false;
    if (pendingG) {
      pendingG = false;
      clearTimeout(pendingTimer);
      if (key === "q") {
        var queue = $('[data-shortcut="queue"]');
        if (queue) { window.location.href = queue.href; handled = true; }
      } else if (key === "c") {
        var customers = $('[data-shortcut="customers"]');
        if (customers) { window.location.href = customers.href; handled = true; }
      }
    } else if (key === "g") {
      pendingG = true;
      pendingTimer = setTimeout(function () { pendingG = false; }, 1200);
      handled = true;
    } else if (key === "j") { moveRow(1); handled = rows().length > 0; }
    else if (key === "k") { moveRow(-1); handled = rows().length > 0; }
    else if (key === "Enter") {
      // A focused link or button does its own thing; Enter on the page opens the highlighted row.
      if (!active || active === doc.body || active.matches("[data-queue-row], [data-queue-row] *:not(a):not(button)")) {
        handled = openCurrentRow();
      }
    } else if (key === "x") {
      var row = currentRow();
      var box = row && $("[data-row-check]", row);
      if (box) { box.checked = !box.checked; updateSelection(); handled = true; }
    } else if (key === "r") { handled = startComposing("reply"); }
    else if (key === "n") { handled = startComposing("note"); }
    else if (key === "a") { handled = click('[data-shortcut="assign-me"]'); }
    else if (key === "/") {
      var search = $('[data-shortcut="search"]');
      if (search) { search.focus(); search.select(); handled = true; }
    } else if (key === "?") { handled = toggleHelp(); }
    if (handled) event.preventDefault();
  });

  doc.addEventListener("click", function (event) {
    var opener = event.target.closest("[data-open-help]");
    if (opener) { event.preventDefault(); toggleHelp(); }
    if (event.target.closest("[data-history-back]")) { event.preventDefault(); window.history.back(); }
    var closer = event.target.closest("[data-close-dialog]");
    if (closer) { var dialog = closer.closest("dialog"); if (dialog) dialog.close(); }
  });

  // ---- start ----------------------------------------------------------------------------------

  function start() {
    scheduleDismissals();
    watchNotices();
    updateSelection();
  }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", start); else start();

  window.Kefu = { flash: flash };
})();
