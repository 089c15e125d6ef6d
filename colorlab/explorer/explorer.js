// colorlab's explorer in the browser (an anywidget ES module: no build step).
//
// The kernel computes; this module paints. For each setting (photo, k, method, seed, space, dither)
// the kernel sends the palette and ONE BYTE per displayed pixel (its palette index), plus one byte
// per pixel of the 3D view; results are kept here by setting, so a k already seen, or one the
// kernel computed ahead while the person looked, is painted at the next frame with no round trip.
// The 3D view turns entirely here: a drag never sends a message to the kernel.

// The file has four parts: shared state (helpers, the store of what the kernel sent, the 3D view),
// CONTROLS (building the inputs and keeping them in step with the model), PAINTERS (the photo, the cube,
// the swatches, the numbers and the status line) and EVENTS (wiring inputs, pointers and the model to
// the painters). What must agree with Python (the cache key, the k range, upload limits and the texts
// that name them) comes from the model's traits, sent by colorlab/explorer/app.py.

// ---- shared state --------------------------------------------------------------------------------
function keyOf(model) {
  // spelled as Key.text() spells it: the fields' values joined by the separator, lists by the list separator
  const { fields, separator, list_separator: listSeparator } = model.get("key_format");
  return fields.map((name) => {
    const value = model.get(name);
    return Array.isArray(value) ? value.join(listSeparator) : String(value);
  }).join(separator);
}

function fill(template, values) {
  // "{name}" replaced by values.name, as Python's str.format fills the same template
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  for (const child of children) node.append(child);
  return node;
}

function hex([r, g, b]) {
  return "#" + [r, g, b].map((v) => v.toString(16).padStart(2, "0")).join("");
}

function inkFor([r, g, b]) {
  const lum = (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
  return lum > 0.5 ? "#111" : "#fff";
}

function bytes(view) {
  // a message buffer (DataView or ArrayBuffer) as a Uint8Array, without a copy
  if (view instanceof Uint8Array) return view;
  if (view instanceof ArrayBuffer) return new Uint8Array(view);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

// ---- shared state per model: photos and results, whatever the number of views ----------------
function store(model) {
  if (!model.__colorlab) {
    model.__colorlab = { photos: new Map(), results: new Map(), bytes: 0, views: new Set(),
                         status: { text: "", error: false } };
    model.on("msg:custom", (msg, buffers) => {
      const state = model.__colorlab;
      if (msg.type === "photo") {
        const rgb = bytes(buffers[0]);
        const rgba = new Uint8ClampedArray(msg.dw * msg.dh * 4);
        for (let i = 0, j = 0; i < rgb.length; i += 3, j += 4) {
          rgba[j] = rgb[i]; rgba[j + 1] = rgb[i + 1]; rgba[j + 2] = rgb[i + 2]; rgba[j + 3] = 255;
        }
        const points = bytes(buffers[1]).slice();
        state.photos.set(msg.name, { ...msg, rgba, points });
      } else if (msg.type === "result") {
        const result = { ...msg, labels: bytes(buffers[0]).slice(), pointLabels: bytes(buffers[1]).slice() };
        result.bytes = result.labels.length + result.pointLabels.length;
        if (state.results.has(msg.key)) state.bytes -= state.results.get(msg.key).bytes;
        state.results.delete(msg.key);
        state.results.set(msg.key, result);
        state.bytes += result.bytes;
        const limit = model.get("browser_cache_mb") * 1048576;
        while (state.bytes > limit && state.results.size > 1) {  // the oldest go first; the newest stays
          const oldest = state.results.keys().next().value;
          state.bytes -= state.results.get(oldest).bytes;
          state.results.delete(oldest);
        }
      } else if (msg.type === "status") {
        state.status = { text: msg.text, error: msg.error, key: msg.key };
      } else if (msg.type === "download") {
        msg.files.forEach((name, i) => {
          const url = URL.createObjectURL(new Blob([bytes(buffers[i])]));
          const link = el("a", { href: url, download: name });
          document.body.append(link);
          link.click();
          link.remove();
          setTimeout(() => URL.revokeObjectURL(url), 10000);
        });
      }
      for (const view of state.views) view.refresh(msg);
    });
  }
  return model.__colorlab;
}

// ---- the 3D view: pixels as points in the RGB cube, painted into an ImageData with a z-buffer ----
class Cube {
  constructor(canvas) {
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.azim = -0.9;  // radians
    this.elev = 0.45;
    this.highlight = -1;
  }

  resize() {
    const ratio = window.devicePixelRatio || 1;
    const size = Math.round(this.canvas.clientWidth * ratio) || 400;
    if (this.canvas.width !== size) {
      this.canvas.width = size;
      this.canvas.height = size;
      this.image = null;
    }
  }

  project(r, g, b) {
    // centre the cube, turn it about the vertical (blue) axis, then tilt it; orthographic
    const x = r / 255 - 0.5, y = g / 255 - 0.5, z = b / 255 - 0.5;
    const ca = Math.cos(this.azim), sa = Math.sin(this.azim);
    const ce = Math.cos(this.elev), se = Math.sin(this.elev);
    const x1 = ca * x - sa * y, y1 = sa * x + ca * y;
    const sx = x1, sy = -(ce * z - se * y1), depth = ce * y1 + se * z;
    const s = this.canvas.width * 0.52;
    return [this.canvas.width / 2 + sx * s, this.canvas.height / 2 + sy * s, depth];
  }

  prepare(photo) {
    // per photo: the points' cube coordinates and their colors as 32-bit pixels (own and faded)
    if (this.photo === photo) return;
    this.photo = photo;
    const points = photo.points, n = points.length / 3;
    this.xyz = new Float32Array(3 * n);
    this.own = new Uint32Array(n);
    this.faded = new Uint32Array(n);
    const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
    const pack = (r, g, b) => little ? ((255 << 24) | (b << 16) | (g << 8) | r) >>> 0 : ((r << 24) | (g << 16) | (b << 8) | 255) >>> 0;
    for (let p = 0; p < n; p++) {
      const r = points[3 * p], g = points[3 * p + 1], b = points[3 * p + 2];
      this.xyz[3 * p] = r / 255 - 0.5; this.xyz[3 * p + 1] = g / 255 - 0.5; this.xyz[3 * p + 2] = b / 255 - 0.5;
      this.own[p] = pack(r, g, b);
      this.faded[p] = pack(Math.round(235 + r * 0.08), Math.round(235 + g * 0.08), Math.round(235 + b * 0.08));
    }
  }

  draw(photo, result) {
    const started = performance.now();
    this.resize();
    const { width, height } = this.canvas;
    if (!this.image) {
      this.image = this.ctx.createImageData(width, height);
      this.pixels = new Uint32Array(this.image.data.buffer);
      this.depth = new Float32Array(width * height);
    }
    const pixels = this.pixels, depth = this.depth;
    pixels.fill(0xffffffff);
    depth.fill(-Infinity);
    const ctx = this.ctx;
    this.canvas.dataset.points = photo ? String(photo.points.length / 3) : "0";
    if (photo) {
      this.prepare(photo);
      const xyz = this.xyz, own = this.own, faded = this.faded;
      const labels = result ? result.pointLabels : null;
      const hl = labels ? this.highlight : -1;
      // the projection of project(), as one matrix
      const ca = Math.cos(this.azim), sa = Math.sin(this.azim), ce = Math.cos(this.elev), se = Math.sin(this.elev);
      const s = width * 0.52, cx = width / 2, cy = height / 2;
      const ax = ca * s, ay = -sa * s;                              // screen x = cx + ax*x + ay*y
      const bx = se * sa * s, by = se * ca * s, bz = -ce * s;       // screen y = cy + bx*x + by*y + bz*z
      const dx = ce * sa, dy = ce * ca, dz = se;                     // depth
      const dot = Math.max(2, Math.round(width / 220)), half = dot / 2;
      for (let p = 0, n = own.length; p < n; p++) {
        const x = xyz[3 * p], y = xyz[3 * p + 1], z = xyz[3 * p + 2];
        const x0 = Math.round(cx + ax * x + ay * y - half), y0 = Math.round(cy + bx * x + by * y + bz * z - half);
        let d = dx * x + dy * y + dz * z, color = own[p];
        if (hl >= 0) { if (labels[p] === hl) d += 10; else color = faded[p]; }  // the highlighted cluster in front
        for (let j = 0; j < dot; j++) {
          const yy = y0 + j;
          if (yy < 0 || yy >= height) continue;
          for (let i = 0, o = yy * width + x0; i < dot; i++, o++) {
            if (x0 + i < 0 || x0 + i >= width) continue;
            if (d > depth[o]) { depth[o] = d; pixels[o] = color; }
          }
        }
      }
    }
    ctx.putImageData(this.image, 0, 0);
    this.drawCube(ctx);
    if (result) this.drawCenters(ctx, result);
    this.canvas.dataset.drawMs = (performance.now() - started).toFixed(1);
    this.canvas.dataset.paints = String(Number(this.canvas.dataset.paints || 0) + 1);
  }

  drawCube(ctx) {
    const corners = [];
    for (let i = 0; i < 8; i++) corners.push(this.project(i & 1 ? 255 : 0, i & 2 ? 255 : 0, i & 4 ? 255 : 0));
    const ratio = this.canvas.width / 400;
    ctx.lineWidth = Math.max(1, ratio);
    ctx.strokeStyle = "rgba(0,0,0,0.25)";
    ctx.beginPath();
    for (let i = 0; i < 8; i++) {
      for (const bit of [1, 2, 4]) {
        if (!(i & bit)) {
          ctx.moveTo(corners[i][0], corners[i][1]);
          ctx.lineTo(corners[i | bit][0], corners[i | bit][1]);
        }
      }
    }
    ctx.stroke();
    // the three axes from black, in their colors, with their names at the far end
    ctx.font = `${Math.round(13 * ratio)}px sans-serif`;
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    for (const [bit, name, color] of [[1, "red", "#c00"], [2, "green", "#080"], [4, "blue", "#00c"]]) {
      ctx.strokeStyle = color;
      ctx.lineWidth = 2 * ratio;
      ctx.beginPath();
      ctx.moveTo(corners[0][0], corners[0][1]);
      ctx.lineTo(corners[bit][0], corners[bit][1]);
      ctx.stroke();
      const [x0, y0] = corners[0], [x1, y1] = corners[bit];
      const [lx, ly] = [x1 + (x1 - x0) * 0.08, y1 + (y1 - y0) * 0.08];
      ctx.lineWidth = 4 * ratio;  // a white halo: the name stays legible over the points
      ctx.strokeStyle = "rgba(255,255,255,0.9)";
      ctx.strokeText(name, lx, ly);
      ctx.fillStyle = color;
      ctx.fillText(name, lx, ly);
    }
  }

  drawCenters(ctx, result) {
    const ratio = this.canvas.width / 400;
    const total = result.counts.reduce((a, b) => a + b, 0) || 1;
    const base = 5 * Math.min(1, Math.sqrt(64 / result.palette.length));  // 256 centers must not hide the points
    const centers = result.palette.map((color, i) => [i, color, ...this.project(...color)]);
    centers.sort((a, b) => a[4] - b[4]);  // far ones first
    for (const [i, color, x, y] of centers) {
      const share = result.counts[i] / total;
      let radius = (base + 14 * Math.sqrt(share)) * ratio;
      if (i === this.highlight) radius *= 1.5;
      ctx.beginPath();
      ctx.arc(x, y, radius, 0, 2 * Math.PI);
      ctx.fillStyle = hex(color);
      ctx.fill();
      ctx.lineWidth = (i === this.highlight ? 3 : 1.5) * ratio;
      ctx.strokeStyle = "#000";
      ctx.stroke();
      ctx.lineWidth = 1 * ratio;
      ctx.strokeStyle = "#fff";
      ctx.beginPath();
      ctx.arc(x, y, radius + 1.5 * ratio, 0, 2 * Math.PI);
      ctx.stroke();
    }
  }
}


// ---- CONTROLS: the inputs, built once per view and kept in step with the model ------------------
// Above this many colors the swatch strip is compact: no labels in the boxes (they would not fit),
// the hovered color named on the line under the strip instead.
const COMPACT_SWATCHES = 48;

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
                                 title: "the quantized PNG, the palette (.hex .json .gpl) and this view as a PNG" }),
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

// ---- PAINTERS: what a view shows, from the store and the view's own state -----------------------
// A view: { model, state, ui, cube, split, highlight, shown, pictureImage, frame }.
function current(view) {
  return view.state.results.get(keyOf(view.model)) || null;
}

function paintPicture(view) {
  const { state, model, ui, shown } = view;
  const picture = ui.picture;
  const photo = shown ? state.photos.get(shown.photo) : state.photos.get(model.get("photo"));
  if (!photo) return;
  if (picture.width !== photo.dw || picture.height !== photo.dh) {
    picture.width = photo.dw;
    picture.height = photo.dh;
    view.pictureImage = null;
  }
  const ctx = picture.getContext("2d");
  if (!view.pictureImage) view.pictureImage = ctx.createImageData(photo.dw, photo.dh);
  const out = view.pictureImage.data, src = photo.rgba;
  const w = photo.dw, cut = Math.round(view.split * w);
  const result = shown && shown.photo === photo.name ? shown : null;
  const labels = result ? result.labels : null;
  const pal = result ? result.palette : null;
  const hl = result ? view.highlight : -1;
  for (let y = 0, i = 0; y < photo.dh; y++) {
    for (let x = 0; x < w; x++, i++) {
      const o = 4 * i;
      let r, g, b;
      if (x < cut || !labels) { r = src[o]; g = src[o + 1]; b = src[o + 2]; }
      else { const c = pal[labels[i]]; r = c[0]; g = c[1]; b = c[2]; }
      if (hl >= 0 && labels[i] !== hl) { r = 200 + r * 0.2; g = 200 + g * 0.2; b = 200 + b * 0.2; }
      out[o] = r; out[o + 1] = g; out[o + 2] = b; out[o + 3] = 255;
    }
  }
  ctx.putImageData(view.pictureImage, 0, 0);
  if (labels) paintSplit(ctx, photo, cut, `${result.palette.length} colors`);
}

function paintSplit(ctx, photo, cut, quantizedName) {
  // the split line and the names of the two sides
  ctx.fillStyle = "#fff";
  ctx.fillRect(cut - 1, 0, 3, photo.dh);
  ctx.fillStyle = "#000";
  ctx.fillRect(cut, 0, 1, photo.dh);
  const font = Math.max(11, Math.round(photo.dw / 45));
  ctx.font = `bold ${font}px sans-serif`;
  ctx.textBaseline = "top";
  const tag = (text, x, align) => {
    ctx.textAlign = align;
    const width = ctx.measureText(text).width + 10;
    ctx.fillStyle = "rgba(0,0,0,0.55)";
    ctx.fillRect(align === "left" ? x : x - width, 6, width, font + 8);
    ctx.fillStyle = "#fff";
    ctx.fillText(text, align === "left" ? x + 5 : x - 5, 10);
  };
  if (cut > 60) tag("original", cut - 6, "right");
  if (photo.dw - cut > 60) tag(quantizedName, cut + 6, "left");
}

function swatchText(color, share, locked) {
  const lock = locked ? "◆ " : "";  // a plain glyph: every font has it
  return { lock, long: `${lock}${hex(color)} ${(100 * share).toFixed(0)}%` };
}

function paintSwatches(view) {
  const { model, ui, shown } = view;
  const swatches = ui.swatches;
  if (!shown) { swatches.replaceChildren(); return; }
  const total = shown.counts.reduce((a, b) => a + b, 0) || 1;
  const lockedColors = model.get("locked");
  const compact = shown.palette.length > COMPACT_SWATCHES;
  swatches.classList.toggle("colorlab-swatches-compact", compact);
  swatches.replaceChildren(...shown.palette.map((color, i) => {
    const share = shown.counts[i] / total;
    const locked = lockedColors.includes(hex(color));
    const box = el("div", {
      class: "colorlab-swatch" + (i === view.highlight ? " colorlab-swatch-on" : "") + (locked ? " colorlab-swatch-locked" : ""),
      title: `${hex(color)}: ${(100 * share).toFixed(1)}% of the pixels; click to ${locked ? "unlock" : "lock"} it`
             + " (k-means keeps locked colors)",
      "data-index": String(i),
      "data-color": hex(color),
    });
    box.style.background = hex(color);
    box.style.color = inkFor(color);
    box.style.flexGrow = String(Math.max(share, 0.004));
    box.style.minWidth = compact ? "1px" : "6px";  // set here, not in the stylesheet: a notebook page's styles won there
    return box;
  }));
  if (compact) return;
  // a label only where it fits: the boxes' widths are known once laid out
  const width = swatches.clientWidth || 800;
  const grow = shown.palette.reduce((sum, _, i) => sum + Math.max(shown.counts[i] / total, 0.004), 0);
  shown.palette.forEach((color, i) => {
    const share = shown.counts[i] / total, room = width * Math.max(share, 0.004) / grow;
    const { lock, long } = swatchText(color, share, lockedColors.includes(hex(color)));
    swatches.children[i].textContent = room > 7 * long.length ? long : room > 52 ? lock + hex(color) : lock;
  });
}

function paintSwatchLabel(view) {
  // the hovered (or picked) color, named under the strip: the only label a compact strip has
  const { shown, ui, highlight } = view;
  if (!shown || highlight < 0 || highlight >= shown.palette.length) { ui.swatchLabel.textContent = ""; return; }
  const box = ui.swatches.children[highlight];
  ui.swatchLabel.textContent = box ? `${highlight + 1} of ${shown.palette.length}: ${box.title}` : "";
}

function paintHighlight(view) {
  for (const box of view.ui.swatches.children) {
    box.classList.toggle("colorlab-swatch-on", Number(box.dataset.index) === view.highlight);
  }
  paintSwatchLabel(view);
}

function paintStats(view) {
  const { state, ui, shown } = view;
  if (!shown) { ui.stats.textContent = ""; return; }
  const photo = state.photos.get(shown.photo);
  const s = shown.stats;
  const psnr = s.psnr === null || !isFinite(s.psnr) ? "∞" : s.psnr.toFixed(2);
  ui.stats.innerHTML = "";
  ui.stats.append(
    el("b", { text: shown.photo }), ` ${photo ? photo.width : "?"}×${photo ? photo.height : "?"} · MSE `,
    el("b", { text: s.mse.toFixed(1) }), " · PSNR ", el("b", { text: `${psnr} dB` }), " · colors ",
    el("b", { text: s.colors_before.toLocaleString("en-US") }), " → ", el("b", { text: String(s.colors_after) }),
  );
  ui.pictureCaption.textContent = shown.title;
}

function paintMessage(view) {
  const { model, state, ui } = view;
  const key = keyOf(model);
  const status = state.status;
  const pending = !current(view);
  if (status.error && (!status.key || status.key === key)) {
    ui.message.textContent = status.text;
    ui.message.classList.add("colorlab-error");
  } else {
    ui.message.classList.remove("colorlab-error");
    ui.message.textContent = pending ? fill(model.get("messages").computing, { k: model.get("k") }) : status.text;
  }
  view.root.classList.toggle("colorlab-pending", pending && !status.error);
}

function paintCube(view) {
  const { model, state, shown, cube } = view;
  const same = shown && shown.photo === model.get("photo");
  cube.highlight = same ? view.highlight : -1;
  cube.draw(state.photos.get(model.get("photo")), same ? shown : null);
}

function paint(view) {
  view.frame = 0;
  const result = current(view);
  if (result && result !== view.shown) {
    view.shown = result;
    if (view.highlight >= view.shown.palette.length) view.highlight = -1;
    paintSwatches(view);
    paintSwatchLabel(view);
    paintStats(view);
  }
  paintPicture(view);
  paintCube(view);
  paintMessage(view);
}

function schedule(view) {
  if (!view.frame) view.frame = requestAnimationFrame(() => paint(view));
}

// ---- EVENTS: inputs, pointers and the model, wired to the painters --------------------------------
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
    if (next.length > model.get("k")) return;
    setTrait(view, "locked", next);
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
