// The org chart's next-moves card: click a person on the chart to see only the moves toward them.
(() => {
  const card = document.getElementById("oc-moves");
  const chart = document.getElementById("org-chart");
  if (!card || !chart) return;
  const title = card.querySelector("[data-oc-moves-title]");
  const showAll = card.querySelector("[data-oc-moves-all]");
  const none = card.querySelector("[data-oc-moves-none]");
  const moves = [...card.querySelectorAll(".next-move")];

  const show = (contactId, name) => {
    let shown = 0;
    moves.forEach((move) => {
      const visible = !contactId || move.dataset.moveContact === contactId;
      move.classList.toggle("d-none", !visible);
      shown += visible ? 1 : 0;
    });
    none.classList.toggle("d-none", shown > 0);
    title.textContent = contactId ? card.dataset.personLabel.replace("%(name)s", name) : card.dataset.allLabel;
    showAll.classList.toggle("d-none", !contactId);
    chart.querySelectorAll(".oc-card.oc-selected").forEach((c) => c.classList.remove("oc-selected"));
  };

  chart.addEventListener("click", (event) => {
    const person = event.target.closest(".oc-card");
    if (!person || event.target.closest("a, button")) return;
    show(person.dataset.contact, person.querySelector(".oc-name").textContent.trim());
    person.classList.add("oc-selected");
    card.scrollIntoView({ block: "nearest", behavior: "smooth" });
  });
  chart.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.matches(".oc-card")) event.target.click();
  });
  showAll.addEventListener("click", () => show(null, ""));
})();
