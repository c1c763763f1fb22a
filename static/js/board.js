// The pipeline board: drag a card onto another column to take the one transition
// that leads there. Mouse: HTML5 drag and drop; touch and pen: pointer events on the
// grip. The server decides (POST .../board-move/); a refused move snaps back and
// shows its reasons on the card; a step that needs a reason asks for it first.
(function () {
  "use strict";
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const ends = document.querySelector(".board-ends");
  const hint = document.querySelector(".board-hint");
  const live = document.getElementById("board-status");
  const dialog = document.getElementById("board-reason");
  const csrf = JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"];
  const columns = () => document.querySelectorAll("[data-board-column]");
  ends.hidden = false;
  hint.hidden = false;
  let dragged = null;

  function announce(text) {
    live.textContent = text;
  }

  function highlight(column) {
    columns().forEach((c) => c.classList.toggle("is-over", c === column));
  }

  function place(card, column) {
    const empty = column.querySelector(".board-empty");
    if (empty) empty.hidden = true;
    column.querySelector(".pipeline-column-head").after(card);
  }

  function bump(column, delta) {
    const badge = column.querySelector("[data-count]");
    if (badge) badge.textContent = String(Number(badge.textContent) + delta);
  }

  function clear(card) {
    card.querySelectorAll(".board-refusal").forEach((node) => node.remove());
  }

  function explain(card, reasons) {
    clear(card);
    const box = document.createElement("div");
    box.className = "board-refusal alert alert-warning small p-2 mt-2 mb-0";
    box.setAttribute("role", "alert");
    const list = document.createElement("ul");
    list.className = "mb-0 ps-3";
    Object.values(reasons).forEach((reason) => {
      const item = document.createElement("li");
      item.textContent = reason;
      list.append(item);
    });
    box.append(list);
    card.querySelector(".card-body").append(box);
    announce(Object.values(reasons).join(" "));
  }

  function askReason(label, then) {
    const text = dialog.querySelector("textarea");
    dialog.querySelector("h2").textContent = label;
    text.value = "";
    dialog.onclose = () => {
      if (dialog.returnValue === "ok" && text.value.trim()) then(text.value.trim());
    };
    dialog.returnValue = "";
    dialog.showModal();
    text.focus();
  }
  dialog.querySelector("[data-board-cancel]").addEventListener("click", () => dialog.close("cancel"));

  function drop(card, column, comment) {
    const origin = card.closest("[data-board-column]");
    if (!column || !origin || column === origin) return;
    const next = card.nextElementSibling;
    const leaving = column.hasAttribute("data-board-end");
    if (!leaving) place(card, column);
    clear(card);
    card.classList.add("is-saving");
    const snapBack = () => {
      if (next && next.parentElement === origin) origin.insertBefore(card, next);
      else place(card, origin);
    };
    const url = board.dataset.moveUrl.replace("/0/", "/" + card.dataset.deal + "/");
    const body = new URLSearchParams({ to: column.dataset.state, expected_state: card.dataset.state, comment: comment || "" });
    fetch(url, { method: "POST", body: body, credentials: "same-origin", headers: { "X-CSRFToken": csrf, Accept: "application/json" } })
      .then((response) => response.json())
      .then((data) => {
        card.classList.remove("is-saving");
        if (data.ok) {
          bump(origin, -1);
          if (leaving) card.remove();
          else {
            bump(column, 1);
            card.dataset.state = data.state;
          }
          announce(data.message);
          return;
        }
        snapBack();
        if (data.redirect) window.location.assign(data.redirect);
        else if (data.needs_reason) askReason(data.label, (reason) => drop(card, column, reason));
        else explain(card, data.reasons);
      })
      .catch(() => {
        card.classList.remove("is-saving");
        snapBack();
        explain(card, { error: gettext("The move could not be saved. Reload the page and try again.") });
      });
  }

  // Mouse: HTML5 drag and drop.
  board.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("[data-board-card]");
    if (!dragged) return;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.deal);
    dragged.classList.add("is-dragging");
  });
  document.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    highlight(null);
  });
  columns().forEach((column) => {
    column.addEventListener("dragover", (event) => {
      if (!dragged) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      highlight(column);
    });
    column.addEventListener("drop", (event) => {
      if (!dragged) return;
      event.preventDefault();
      const card = dragged;
      highlight(null);
      drop(card, column, "");
    });
  });

  // Touch and pen: the grip follows the finger; the column under it on release takes the card.
  board.addEventListener("pointerdown", (event) => {
    const grip = event.target.closest(".board-grip");
    if (!grip || event.pointerType === "mouse") return;
    const card = grip.closest("[data-board-card]");
    event.preventDefault();
    grip.setPointerCapture(event.pointerId);
    const ghost = card.cloneNode(true);
    ghost.classList.add("board-ghost");
    ghost.style.width = card.offsetWidth + "px";
    document.body.append(ghost);
    card.classList.add("is-dragging");
    const under = (e) => {
      const element = document.elementFromPoint(e.clientX, e.clientY);
      return element && element.closest("[data-board-column]");
    };
    const follow = (e) => {
      ghost.style.transform = "translate(" + (e.clientX - 20) + "px," + (e.clientY - 20) + "px)";
      highlight(under(e));
    };
    const finish = (e) => {
      grip.removeEventListener("pointermove", follow);
      grip.removeEventListener("pointerup", finish);
      grip.removeEventListener("pointercancel", finish);
      ghost.remove();
      card.classList.remove("is-dragging");
      highlight(null);
      if (e.type === "pointerup") drop(card, under(e), "");
    };
    follow(event);
    grip.addEventListener("pointermove", follow);
    grip.addEventListener("pointerup", finish);
    grip.addEventListener("pointercancel", finish);
  });
})();
