// Customer portal: disable a form's submit button once it is sent, so a double click sends it once.
// (The server ignores a resent form anyway: each form carries a one-time token.)
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) return;
  for (const button of form.querySelectorAll("button[type=submit]")) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  }
});

// Coming back with the browser's back button restores the page as it was: enable the buttons again.
window.addEventListener("pageshow", () => {
  for (const button of document.querySelectorAll("form[data-once] button[aria-busy]")) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
  }
});
