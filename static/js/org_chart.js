// The drawn org chart: collapse/expand, zoom, find a person, drag to re-parent.
(() => {
  const viewport = document.getElementById("org-chart");
  if (!viewport) return;
  const canvas = viewport.querySelector("[data-oc-canvas]");
  const collapseDepth = Number(viewport.dataset.collapseDepth || 99);
  let zoom = 1;

  const setCollapsed = (node, collapsed) => {
    node.classList.toggle("collapsed", collapsed);
    const toggle = node.querySelector(":scope > .oc-toggle");
    if (toggle) toggle.setAttribute("aria-expanded", String(!collapsed));
  };

  viewport.querySelectorAll(".oc-node.has-children").forEach((node) => {
    setCollapsed(node, Number(node.dataset.depth) >= collapseDepth);
  });

  // Start with the top of the organisation in view, whatever its width.
  const root = viewport.querySelector(".oc-tree > .oc-node > .oc-card");
  if (root) {
    const offset = root.getBoundingClientRect().left - viewport.getBoundingClientRect().left;
    viewport.scrollLeft += offset + root.offsetWidth / 2 - viewport.clientWidth / 2;
  }

  viewport.addEventListener("click", (event) => {
    const toggle = event.target.closest(".oc-toggle");
    if (toggle) setCollapsed(toggle.parentElement, !toggle.parentElement.classList.contains("collapsed"));
  });

  const applyZoom = () => {
    canvas.style.transform = `scale(${zoom})`;
    canvas.style.transformOrigin = "top left";
  };
  document.querySelectorAll("[data-oc-action]").forEach((button) => {
    button.addEventListener("click", () => {
      const action = button.dataset.ocAction;
      const nodes = viewport.querySelectorAll(".oc-node.has-children");
      if (action === "expand") nodes.forEach((n) => setCollapsed(n, false));
      if (action === "collapse") nodes.forEach((n) => setCollapsed(n, Number(n.dataset.depth) >= 2));
      if (action === "zoom-in") zoom = Math.min(1.5, zoom + 0.1);
      if (action === "zoom-out") zoom = Math.max(0.3, zoom - 0.1);
      if (action === "zoom-reset") zoom = 1;
      applyZoom();
    });
  });

  const search = document.querySelector("[data-oc-search]");
  if (search) {
    search.addEventListener("input", () => {
      const term = search.value.trim().toLowerCase();
      let first = null;
      viewport.querySelectorAll(".oc-card").forEach((card) => {
        const hit = term.length > 0 && card.dataset.search.includes(term);
        card.classList.toggle("oc-hit", hit);
        if (!hit) return;
        first = first || card;
        for (let node = card.parentElement.parentElement.closest(".oc-node"); node; node = node.parentElement.closest(".oc-node")) {
          setCollapsed(node, false);
        }
      });
      if (first) first.scrollIntoView({ behavior: "smooth", block: "center", inline: "center" });
    });
  }

  if (viewport.dataset.canEdit !== "1") return;
  const form = document.getElementById("oc-move-form");
  const urlFor = (id) => viewport.dataset.moveUrlTemplate.replace("/0/", `/${id}/`);
  const move = (contactId, fields, question) => {
    if (!window.confirm(question)) return;
    form.action = urlFor(contactId);
    for (const name of ["reports_to", "org_unit", "target"]) form.elements[name].value = fields[name] || "";
    form.requestSubmit();
  };
  let dragged = null;
  viewport.querySelectorAll(".oc-card").forEach((card) => {
    card.setAttribute("draggable", "true");
    card.addEventListener("dragstart", (event) => {
      dragged = card;
      card.classList.add("oc-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", card.dataset.contact);
    });
    card.addEventListener("dragend", () => {
      card.classList.remove("oc-dragging");
      viewport.querySelectorAll(".oc-drop").forEach((c) => c.classList.remove("oc-drop"));
    });
    card.addEventListener("dragover", (event) => {
      if (dragged && dragged !== card) {
        event.preventDefault();
        card.classList.add("oc-drop");
      }
    });
    card.addEventListener("dragleave", () => card.classList.remove("oc-drop"));
    card.addEventListener("drop", (event) => {
      event.preventDefault();
      event.stopPropagation();
      if (!dragged || dragged === card) return;
      const who = dragged.querySelector(".oc-name").textContent.trim();
      const to = card.querySelector(".oc-name").textContent.trim();
      const question = viewport.dataset.confirmMove.replace("%(who)s", who).replace("%(to)s", to);
      move(dragged.dataset.contact, { reports_to: card.dataset.contact, target: "manager" }, question);
    });
  });
  viewport.addEventListener("dragover", (event) => event.preventDefault());
  viewport.addEventListener("drop", (event) => {
    if (!dragged || event.target.closest(".oc-card")) return;
    event.preventDefault();
    const who = dragged.querySelector(".oc-name").textContent.trim();
    move(dragged.dataset.contact, { target: "manager" }, viewport.dataset.confirmTop.replace("%(who)s", who));
  });
  document.querySelectorAll("[data-unit]").forEach((unit) => {
    unit.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      unit.classList.add("oc-drop-unit");
    });
    unit.addEventListener("dragleave", () => unit.classList.remove("oc-drop-unit"));
    unit.addEventListener("drop", (event) => {
      event.preventDefault();
      unit.classList.remove("oc-drop-unit");
      if (!dragged) return;
      const who = dragged.querySelector(".oc-name").textContent.trim();
      const question = viewport.dataset.confirmUnit.replace("%(who)s", who).replace("%(to)s", unit.dataset.unitName);
      move(dragged.dataset.contact, { org_unit: unit.dataset.unit, target: "unit" }, question);
    });
  });
})();
