// The signing page: switch between a typed and a drawn signature, and draw on
// the canvas with mouse, pen or finger. The drawing goes into the hidden
// "drawn" field as a PNG data URL when the form is submitted.
(() => {
  const form = document.getElementById("sign-form");
  if (!form) return;
  const canvas = form.querySelector("canvas.signature-pad");
  const hidden = form.querySelector("input[name=drawn]");
  const context = canvas.getContext("2d");
  let drawing = false;
  let drawn = false;

  const showMode = () => {
    const mode = form.querySelector("input[name=mode]:checked")?.value || "typed";
    form.querySelectorAll("[data-signature-mode]").forEach((block) => {
      block.hidden = block.dataset.signatureMode !== mode;
    });
  };
  form.querySelectorAll("input[name=mode]").forEach((radio) => radio.addEventListener("change", showMode));
  showMode();

  const point = (event) => {
    const box = canvas.getBoundingClientRect();
    return [((event.clientX - box.left) * canvas.width) / box.width, ((event.clientY - box.top) * canvas.height) / box.height];
  };
  context.lineWidth = 2.5;
  context.lineCap = "round";
  context.lineJoin = "round";
  context.strokeStyle = "#111";

  canvas.addEventListener("pointerdown", (event) => {
    drawing = true;
    canvas.setPointerCapture(event.pointerId);
    context.beginPath();
    context.moveTo(...point(event));
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!drawing) return;
    context.lineTo(...point(event));
    context.stroke();
    drawn = true;
  });
  const stop = () => {
    drawing = false;
  };
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);

  form.querySelector("[data-signature-clear]").addEventListener("click", () => {
    context.clearRect(0, 0, canvas.width, canvas.height);
    drawn = false;
    hidden.value = "";
  });

  form.addEventListener("submit", () => {
    const mode = form.querySelector("input[name=mode]:checked")?.value;
    hidden.value = mode === "drawn" && drawn ? canvas.toDataURL("image/png") : "";
  });
})();
