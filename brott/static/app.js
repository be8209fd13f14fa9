// The page behaviour that used to sit in on…= attributes, which the Content-Security-Policy
// (script-src 'self') no longer runs. Every page loads this file; each rule is opt-in by a
// data attribute, so a page without one is untouched.
"use strict";

// <form data-confirm="Question?">: asks before submitting
document.addEventListener("submit", (event) => {
  const question = event.target.dataset ? event.target.dataset.confirm : undefined;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

document.addEventListener("click", (event) => {
  // <button data-print>: prints the page
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

// <input data-select-on-focus>: the whole value is selected, ready to copy
document.addEventListener("focusin", (event) => {
  if (event.target.matches && event.target.matches("[data-select-on-focus]")) {
    event.target.select();
  }
});
