// CONTROLS: the inputs, built once per view and kept in step with the model.
// Joined after cube.js into the one module the files of js/ make (state.js says how).

function label(text, control) {
  return el("label", {}, [el("span", { text }), control]);
}

function buildControls(model) {
  const ui = {
    photoSelect: el("select", { class: "colorlab-photo", "aria-label": "photo" }),
    uploadInput: el("input", { type: "file", accept: "image/*", class: "colorlab-upload-input" }),
    uploadButton: el("button", { class: "colorlab-upload", type: "button", text: "Upload…",
                                 title: model.get("upload_title") }),
    kInput: el("input", { type: "range", min: String(model.get("k_min")), max: String(model.get("k_max")), step: "1",
                          class: "colorlab-k", "aria-label": "k colors" }),
    kReadout: el("output", { class: "colorlab-k-readout" }),
    methodSelect: el("select", { class: "colorlab-method", "aria-label": "method" }),
    seedInput: el("input", { type: "number", min: "0", step: "1", class: "colorlab-seed", "aria-label": "seed" }),
    spaceSelect: el("select", { class: "colorlab-space", "aria-label": "color space" }),
    ditherSelect: el("select", { class: "colorlab-dither", "aria-label": "dithering" }),
    exportButton: el("button", { class: "colorlab-export", type: "button", text: "Export",
                                 title: model.get("export_title") }),
    stats: el("div", { class: "colorlab-stats" }),
    message: el("div", { class: "colorlab-message", role: "status" }),
    picture: el("canvas", { class: "colorlab-picture", title: "drag: move the split between original and quantized; click: highlight the pixel's palette color" }),
    pictureCaption: el("div", { class: "colorlab-caption" }),
    cubeCanvas: el("canvas", { class: "colorlab-cube", title: "drag to turn the RGB cube" }),
    cubeCaption: el("div", { class: "colorlab-caption", text: "pixels and palette colors in RGB space (drag to turn)" }),
    swatches: el("div", { class: "colorlab-swatches" }),
    swatchLabel: el("div", { class: "colorlab-swatch-label" }),
  };
  ui.controls = el("div", { class: "colorlab-controls" }, [
    label("Photo", ui.photoSelect), ui.uploadButton, ui.uploadInput,
    el("label", { class: "colorlab-k-label" }, [el("span", { text: "k colors" }), ui.kInput, ui.kReadout]),
    label("Method", ui.methodSelect), label("Seed", ui.seedInput), label("Space", ui.spaceSelect),
    label("Dither", ui.ditherSelect), ui.exportButton,
  ]);
  ui.layout = el("div", { class: "colorlab-views" }, [
    el("div", { class: "colorlab-picture-box" }, [ui.picture, ui.pictureCaption]),
    el("div", { class: "colorlab-side" }, [ui.cubeCanvas, ui.cubeCaption]),
  ]);
  return ui;
}

function fillSelect(select, options, value) {
  const wanted = JSON.stringify(options);
  if (select.dataset.options !== wanted) {
    select.replaceChildren(...options.map((o) => {
      const [text, val] = Array.isArray(o) ? o : [o, o];
      return el("option", { value: val, text });
    }));
    select.dataset.options = wanted;
  }
  select.value = value;
}

function syncControls(ui, model) {
  fillSelect(ui.photoSelect, model.get("photos"), model.get("photo"));
  fillSelect(ui.methodSelect, model.get("methods"), model.get("method"));
  fillSelect(ui.spaceSelect, model.get("spaces"), model.get("space"));
  fillSelect(ui.ditherSelect, model.get("dithers"), model.get("dither"));
  ui.kInput.min = String(model.get("k_min"));
  ui.kInput.max = String(model.get("k_max"));
  if (Number(ui.kInput.value) !== model.get("k")) ui.kInput.value = String(model.get("k"));
  ui.kReadout.textContent = String(model.get("k"));
  ui.seedInput.value = String(model.get("seed"));
  ui.seedInput.disabled = !model.get("seeded").includes(model.get("method"));
  ui.exportButton.textContent = model.get("export_to") === "browser" ? "Download" : "Export";
  ui.uploadButton.title = model.get("upload_title");
}
