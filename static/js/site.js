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
});
