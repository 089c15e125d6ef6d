// EVENTS: inputs, pointers and the model, wired to the painters; then one view, and the module's export.
// Joined last into the one module the files of js/ make (state.js says how).

function setTrait(view, name, value) {
  const { model, state } = view;
  if (model.get(name) === value) return;
  model.set(name, value);
  model.save_changes();
  if (name !== "k") state.status = { text: "", error: false };
  paint(view);  // at once: a cached result appears in this very frame
}

// the slider's keys are handled here: a notebook page may cancel a range input's own key handling
const K_STEPS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };

function wireK(view) {
  const { kInput, kReadout } = view.ui;
  kInput.addEventListener("input", () => { kReadout.textContent = kInput.value; setTrait(view, "k", Number(kInput.value)); });
  kInput.addEventListener("keydown", (event) => {
    const min = Number(kInput.min), max = Number(kInput.max), k = Number(kInput.value);
    let next = null;
    if (event.key in K_STEPS) next = k + K_STEPS[event.key];
    else if (event.key === "Home") next = min;
    else if (event.key === "End") next = max;
    if (next === null) return;
    event.preventDefault();
    event.stopPropagation();
    next = Math.min(max, Math.max(min, next));
    if (next !== k) {
      kInput.value = String(next);
      kReadout.textContent = String(next);
      setTrait(view, "k", next);
    }
  });
}

function wireSettings(view) {
  const { photoSelect, methodSelect, spaceSelect, ditherSelect, seedInput } = view.ui;
  photoSelect.addEventListener("change", () => setTrait(view, "photo", photoSelect.value));
  methodSelect.addEventListener("change", () => setTrait(view, "method", methodSelect.value));
  spaceSelect.addEventListener("change", () => setTrait(view, "space", spaceSelect.value));
  ditherSelect.addEventListener("change", () => setTrait(view, "dither", ditherSelect.value));
  seedInput.addEventListener("change", () => {
    const seed = Math.max(0, Math.floor(Number(seedInput.value) || 0));
    setTrait(view, "seed", seed);
  });
}

function wireUploadAndExport(view) {
  const { model, state, cube } = view;
  const { uploadButton, uploadInput, exportButton } = view.ui;
  uploadButton.addEventListener("click", () => uploadInput.click());
  uploadInput.addEventListener("change", async () => {
    const file = uploadInput.files[0];
    uploadInput.value = "";
    if (!file) return;
    const limit = model.get("max_upload_mb"), messages = model.get("messages");
    if (file.size > limit * 1024 * 1024) {  // refused here, in the words the kernel uses
      state.status = { text: fill(messages.too_large, { name: file.name, mb: (file.size / 1048576).toFixed(1), limit }),
                       error: true };
      paintMessage(view);
      return;
    }
    state.status = { text: fill(messages.reading, { name: file.name }), error: false };
    paintMessage(view);
    // in parts: a websocket message is limited, a photo may be larger
    const data = await file.arrayBuffer(), PART = model.get("upload_part_mb") * 1024 * 1024;
    const parts = Math.max(1, Math.ceil(data.byteLength / PART));
    for (let i = 0; i < parts; i++) {
      model.send({ type: "upload", name: file.name, part: i, parts }, undefined, [data.slice(i * PART, (i + 1) * PART)]);
    }
  });
  exportButton.addEventListener("click", () => {
    model.send({ type: "export", elev: cube.elev, azim: cube.azim });
  });
}

function highlightColor(view, index) {
  view.highlight = index;
  paintHighlight(view);
  schedule(view);
}

function wireSwatches(view) {
  const { model, ui } = view;
  // hover (or focus) highlights a color's pixels in the picture and its cluster in 3D
  ui.swatches.addEventListener("pointerover", (event) => {
    const box = event.target.closest(".colorlab-swatch");
    if (box) highlightColor(view, Number(box.dataset.index));
  });
  ui.swatches.addEventListener("pointerleave", () => highlightColor(view, -1));
  // a click locks a color (it stays in the palette when k, the seed or the photo changes) or unlocks it
  ui.swatches.addEventListener("click", (event) => {
    const box = event.target.closest(".colorlab-swatch");
    if (!box) return;
    const color = box.dataset.color, locked = model.get("locked");
    const next = locked.includes(color) ? locked.filter((c) => c !== color) : [...locked, color];
    setTrait(view, "locked", next);  // more locked colors than k: the kernel says so
  });
}

function wirePicture(view) {
  // drag moves the split, a click picks the pixel's palette color
  const picture = view.ui.picture;
  let down = null;
  picture.addEventListener("pointerdown", (event) => {
    down = { x: event.clientX, y: event.clientY, moved: false };
    try { picture.setPointerCapture(event.pointerId); } catch (error) { /* a pointer the browser no longer tracks */ }
  });
  picture.addEventListener("pointermove", (event) => {
    if (!down) return;
    if (Math.abs(event.clientX - down.x) + Math.abs(event.clientY - down.y) > 3) down.moved = true;
    if (down.moved) {
      const box = picture.getBoundingClientRect();
      view.split = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      schedule(view);
    }
  });
  picture.addEventListener("pointerup", (event) => {
    if (down && !down.moved && view.shown) {
      const box = picture.getBoundingClientRect();
      const x = Math.floor((event.clientX - box.left) / box.width * picture.width);
      const y = Math.floor((event.clientY - box.top) / box.height * picture.height);
      const index = view.shown.labels[y * picture.width + x];
      highlightColor(view, view.highlight === index ? -1 : index);
    }
    down = null;
  });
}

function wireCube(view) {
  // drag turns it, here only: the kernel never hears of it
  const { cube } = view, canvas = view.ui.cubeCanvas;
  let turning = null;
  canvas.addEventListener("pointerdown", (event) => {
    turning = { x: event.clientX, y: event.clientY, azim: cube.azim, elev: cube.elev };
    try { canvas.setPointerCapture(event.pointerId); } catch (error) { /* a pointer the browser no longer tracks */ }
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!turning) return;
    cube.azim = turning.azim - (event.clientX - turning.x) * 0.01;
    cube.elev = Math.max(-1.5, Math.min(1.5, turning.elev + (event.clientY - turning.y) * 0.01));
    schedule(view);
  });
  canvas.addEventListener("pointerup", () => { turning = null; });
  const resize = new ResizeObserver(() => { cube.image = null; schedule(view); });
  resize.observe(canvas);
  return () => resize.disconnect();
}

const TRAITS = ["photo", "photos", "k", "k_min", "k_max", "method", "methods", "seed", "seeded", "space", "spaces",
                "dither", "dithers", "export_to", "max_upload_mb", "upload_title", "locked"];

function wireModel(view) {
  const { model } = view;
  const onChange = () => { syncControls(view.ui, model); schedule(view); };
  for (const name of TRAITS) model.on(`change:${name}`, onChange);
  return () => { for (const name of TRAITS) model.off(`change:${name}`, onChange); };
}

// ---- one view --------------------------------------------------------------------------------------
function render({ model, el: root }) {
  const state = store(model);
  root.classList.add("colorlab-explorer");
  // keys typed here are the explorer's (ArrowRight on k), not JupyterLab's notebook shortcuts
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.setAttribute("data-p-suppress-shortcuts", "true");
  const ui = buildControls(model);
  root.replaceChildren(ui.controls, ui.stats, ui.layout, ui.swatches, ui.swatchLabel, ui.message);
  const view = {
    model, state, ui, root,
    cube: new Cube(ui.cubeCanvas),
    split: 0.5,          // where original ends and quantized starts, as a share of the width
    highlight: -1,       // palette index picked by hovering a swatch or clicking a pixel
    shown: null,         // the result on screen
    statsShown: null,    // the figures the stats line shows (the shown result's, until its SSIM arrives)
    pictureImage: null,
    frame: 0,
  };
  view.refresh = () => schedule(view);
  state.views.add(view);

  wireK(view);
  wireSettings(view);
  wireUploadAndExport(view);
  wireSwatches(view);
  wirePicture(view);
  const unwireCube = wireCube(view);
  const unwireModel = wireModel(view);

  syncControls(ui, model);
  model.send({ type: "ready" });
  schedule(view);

  return () => {
    state.views.delete(view);
    unwireModel();
    unwireCube();
  };
}

export default { render };
