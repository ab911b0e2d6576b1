// Small enhancements only: every page works without JavaScript.
document.addEventListener("DOMContentLoaded", function () {
  // Move focus to the error summary so that screen readers announce it first.
  var summary = document.getElementById("erreurs");
  if (summary) { summary.focus(); }
  // Buttons that ask before a destructive action: data-confirm="Question ?"
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
  setUpMenu();
});

// The main navigation folds behind one button on narrow screens (the CSS decides
// when the button shows). Without JavaScript, the button stays hidden and the list open.
function setUpMenu() {
  var nav = document.querySelector(".main-nav");
  var button = nav && nav.querySelector(".menu-button");
  if (!button) { return; }
  function set(open) {
    nav.setAttribute("data-menu", open ? "open" : "closed");
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  document.documentElement.classList.add("js-menu");
  button.hidden = false;
  set(false);
  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  // Escape closes the open menu and gives the focus back to its button.
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
}
