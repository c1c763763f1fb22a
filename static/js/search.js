// The global search box: an ARIA combobox over a listbox of results from /api/search/.
// Ctrl+K (or "/" outside a text field) focuses it; arrows move, Enter opens, Esc closes.
(function () {
  "use strict";
  const box = document.querySelector("[data-global-search]");
  if (!box) return;
  const input = box.querySelector("input");
  const list = box.querySelector("[role=listbox]");
  const status = box.querySelector("[aria-live]");
  const MIN_LENGTH = 2;
  let options = [];
  let active = -1;
  let pending = null;
  let timer = null;

  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function highlight(index) {
    options.forEach((option, i) => option.setAttribute("aria-selected", i === index ? "true" : "false"));
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    input.setAttribute("aria-activedescendant", options[index].id);
    options[index].scrollIntoView({ block: "nearest" });
  }

  function open(url) {
    if (url) window.location.assign(url);
  }

  function render(results) {
    list.replaceChildren();
    options = results.map((hit, i) => {
      const option = document.createElement("li");
      option.id = "global-search-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.className = "global-search-option";
      option.dataset.url = hit.url;
      option.dataset.kind = hit.kind;
      const kind = document.createElement("span");
      kind.className = "badge text-bg-light border global-search-kind";
      kind.textContent = hit.kind_label;
      const label = document.createElement("span");
      label.className = "global-search-label";
      label.textContent = hit.label;
      const detail = document.createElement("small");
      detail.className = "global-search-detail text-body-secondary";
      detail.textContent = hit.detail;
      option.append(kind, label, detail);
      list.append(option);
      return option;
    });
    if (options.length) {
      const all = document.createElement("li");
      all.id = "global-search-option-all";
      all.setAttribute("role", "option");
      all.setAttribute("aria-selected", "false");
      all.className = "global-search-option global-search-all";
      all.dataset.url = box.action + "?" + new URLSearchParams({ q: input.value.trim() });
      all.textContent = gettext("All results");
      list.append(all);
      options.push(all);
    }
    if (!options.length) {
      const empty = document.createElement("li");
      empty.className = "global-search-empty text-body-secondary";
      empty.textContent = gettext("Nothing found.");
      list.append(empty);
    }
    status.textContent = interpolate(ngettext("%s result", "%s results", results.length), [results.length]);
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    highlight(options.length ? 0 : -1);
  }

  function search() {
    const query = input.value.trim();
    if (pending) pending.abort();
    if (query.length < MIN_LENGTH) {
      close();
      return;
    }
    pending = new AbortController();
    const url = box.dataset.url + "?" + new URLSearchParams({ q: query });
    fetch(url, { signal: pending.signal, headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : { results: [] }))
      .then((data) => {
        if (input.value.trim() === query) render(data.results);
      })
      .catch((error) => {
        if (error.name !== "AbortError") close();
      });
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 150);
  });

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (list.hidden) {
        search();
        return;
      }
      if (!options.length) return;
      const step = event.key === "ArrowDown" ? 1 : -1;
      highlight((active + step + options.length) % options.length);
    } else if (event.key === "Enter") {
      if (active >= 0) {
        event.preventDefault();
        open(options[active].dataset.url);
      }
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        close();
      } else {
        input.value = "";
        input.blur();
      }
    }
  });

  // mousedown, not click: the input would lose focus (and close the list) first.
  list.addEventListener("mousedown", (event) => {
    const option = event.target.closest("[role=option]");
    if (!option) return;
    event.preventDefault();
    open(option.dataset.url);
  });
  list.addEventListener("mousemove", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) highlight(options.indexOf(option));
  });
  input.addEventListener("blur", () => setTimeout(close, 100));

  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    const shortcut = (event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "k";
    if (shortcut || (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey)) {
      event.preventDefault();
      input.focus();
      input.select();
    }
  });
})();
