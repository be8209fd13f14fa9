// A refused form: bring the user to what needs fixing. Focus moves to the error summary at
// the top of the first refused form (screen readers read it; its links lead to the fields),
// or straight to the field when only one is in error. A separate file: the page's
// Content-Security-Policy allows no inline script.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (!summary) {
    return;
  }
  var invalid = summary.closest("form")
    ? summary.closest("form").querySelectorAll("[aria-invalid='true']")
    : document.querySelectorAll("[aria-invalid='true']");
  var target = invalid.length === 1 ? invalid[0] : summary;
  target.scrollIntoView({ block: "center" });
  target.focus({ preventScroll: true });
  summary.querySelectorAll("a[href^='#']").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (field) {
        event.preventDefault();
        field.scrollIntoView({ block: "center" });
        field.focus();
      }
    });
  });
});
