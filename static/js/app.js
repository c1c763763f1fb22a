// Site-wide behaviour, kept out of inline handlers so a strict CSP can forbid them.
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) {
    event.target.form.requestSubmit();
  }
});

// <form data-confirm="Question?"> asks before submitting.
document.addEventListener("submit", (event) => {
  const question = event.target.dataset.confirm;
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Long selects (hundreds of contacts) get a filter box above them.
const LONG_SELECT = 15;
document.querySelectorAll("select").forEach((select) => {
  if (select.options.length <= LONG_SELECT || select.dataset.autosubmit !== undefined) return;
  const filter = document.createElement("input");
  filter.type = "search";
  filter.className = "form-control form-control-sm mb-1 select-filter";
  filter.placeholder = gettext("Filter…");
  filter.setAttribute("aria-label", filter.placeholder);
  filter.addEventListener("input", () => {
    const term = filter.value.trim().toLowerCase();
    for (const option of select.options) {
      option.hidden = term !== "" && option.value !== "" && !option.text.toLowerCase().includes(term) && !option.selected;
    }
  });
  select.before(filter);
});
