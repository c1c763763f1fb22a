// Site-wide behaviour, kept out of inline handlers so a strict CSP can forbid them.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});
