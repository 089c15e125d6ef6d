// colorlab's explorer in the browser (an anywidget ES module: no build step).
//
// The kernel computes; this module paints. For each setting (photo, k, method, seed, space, dither)
// the kernel sends the palette and ONE BYTE per displayed pixel (its palette index), plus one byte
// per pixel of the 3D view; results are kept here by setting, so a k already seen, or one the
// kernel computed ahead while the person looked, is painted at the next frame with no round trip.
// The 3D view turns entirely here: a drag never sends a message to the kernel.

const SEP = "|";

function keyOf(model) {
  return [model.get("photo"), model.get("k"), model.get("method"), model.get("seed"),
          model.get("space"), model.get("dither"), model.get("locked").join(",")].join(SEP);
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
    model.__colorlab = { photos: new Map(), results: new Map(), views: new Set(), status: { text: "", error: false } };
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
        state.results.delete(msg.key);
        state.results.set(msg.key, result);
        while (state.results.size > 160) state.results.delete(state.results.keys().next().value);
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
    const centers = result.palette.map((color, i) => [i, color, ...this.project(...color)]);
    centers.sort((a, b) => a[4] - b[4]);  // far ones first
    for (const [i, color, x, y] of centers) {
      const share = result.counts[i] / total;
      let radius = (5 + 14 * Math.sqrt(share)) * ratio;
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

// ---- one view ------------------------------------------------------------------------------------
function render({ model, el: root }) {
  const state = store(model);
  root.classList.add("colorlab-explorer");
  // keys typed here are the explorer's (ArrowRight on k), not JupyterLab's notebook shortcuts
  root.setAttribute("data-lm-suppress-shortcuts", "true");
  root.setAttribute("data-p-suppress-shortcuts", "true");

  // controls
  const photoSelect = el("select", { class: "colorlab-photo", "aria-label": "photo" });
  const uploadInput = el("input", { type: "file", accept: "image/*", class: "colorlab-upload-input" });
  const uploadButton = el("button", { class: "colorlab-upload", type: "button", text: "Upload…",
                                      title: "add your own photo (PNG or JPEG)" });
  const kInput = el("input", { type: "range", min: "1", max: String(model.get("k_max")), step: "1",
                               class: "colorlab-k", "aria-label": "k colors" });
  const kReadout = el("output", { class: "colorlab-k-readout" });
  const methodSelect = el("select", { class: "colorlab-method", "aria-label": "method" });
  const seedInput = el("input", { type: "number", min: "0", step: "1", class: "colorlab-seed", "aria-label": "seed" });
  const spaceSelect = el("select", { class: "colorlab-space", "aria-label": "color space" });
  const ditherSelect = el("select", { class: "colorlab-dither", "aria-label": "dithering" });
  const exportButton = el("button", { class: "colorlab-export", type: "button", text: "Export",
                                      title: "the quantized PNG, the palette (.hex .json .gpl) and this view as a PNG" });
  const label = (text, control) => el("label", {}, [el("span", { text }), control]);
  const controls = el("div", { class: "colorlab-controls" }, [
    label("Photo", photoSelect), uploadButton, uploadInput,
    el("label", { class: "colorlab-k-label" }, [el("span", { text: "k colors" }), kInput, kReadout]),
    label("Method", methodSelect), label("Seed", seedInput), label("Space", spaceSelect),
    label("Dither", ditherSelect), exportButton,
  ]);
  const stats = el("div", { class: "colorlab-stats" });
  const message = el("div", { class: "colorlab-message", role: "status" });
  const picture = el("canvas", { class: "colorlab-picture", title: "drag: move the split between original and quantized; click: highlight the pixel's palette color" });
  const pictureCaption = el("div", { class: "colorlab-caption" });
  const cubeCanvas = el("canvas", { class: "colorlab-cube", title: "drag to turn the RGB cube" });
  const cubeCaption = el("div", { class: "colorlab-caption", text: "pixels and palette colors in RGB space (drag to turn)" });
  const swatches = el("div", { class: "colorlab-swatches" });
  const layout = el("div", { class: "colorlab-views" }, [
    el("div", { class: "colorlab-picture-box" }, [picture, pictureCaption]),
    el("div", { class: "colorlab-side" }, [cubeCanvas, cubeCaption]),
  ]);
  root.replaceChildren(controls, stats, layout, swatches, message);

  const cube = new Cube(cubeCanvas);
  let split = 0.5;       // where original ends and quantized starts, as a share of the width
  let highlight = -1;    // palette index picked by hovering a swatch or clicking a pixel
  let shown = null;      // the result on screen
  let pictureImage = null;
  let frame = 0;

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

  function syncControls() {
    fillSelect(photoSelect, model.get("photos"), model.get("photo"));
    fillSelect(methodSelect, model.get("methods"), model.get("method"));
    fillSelect(spaceSelect, model.get("spaces"), model.get("space"));
    fillSelect(ditherSelect, model.get("dithers"), model.get("dither"));
    kInput.max = String(model.get("k_max"));
    if (Number(kInput.value) !== model.get("k")) kInput.value = String(model.get("k"));
    kReadout.textContent = String(model.get("k"));
    seedInput.value = String(model.get("seed"));
    seedInput.disabled = !model.get("seeded").includes(model.get("method"));
    exportButton.textContent = model.get("export_to") === "browser" ? "Download" : "Export";
  }

  function current() {
    return state.results.get(keyOf(model)) || null;
  }

  function paintPicture() {
    const photo = shown ? state.photos.get(shown.photo) : state.photos.get(model.get("photo"));
    if (!photo) return;
    if (picture.width !== photo.dw || picture.height !== photo.dh) {
      picture.width = photo.dw;
      picture.height = photo.dh;
      pictureImage = null;
    }
    const ctx = picture.getContext("2d");
    if (!pictureImage) pictureImage = ctx.createImageData(photo.dw, photo.dh);
    const out = pictureImage.data, src = photo.rgba;
    const w = photo.dw, cut = Math.round(split * w);
    const result = shown && shown.photo === photo.name ? shown : null;
    const labels = result ? result.labels : null;
    const pal = result ? result.palette : null;
    const hl = result ? highlight : -1;
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
    ctx.putImageData(pictureImage, 0, 0);
    if (labels) {  // the split line and the two names
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
      if (w - cut > 60) tag(`${result.palette.length} colors`, cut + 6, "left");
    }
  }

  function paintSwatches() {
    if (!shown) { swatches.replaceChildren(); return; }
    const total = shown.counts.reduce((a, b) => a + b, 0) || 1;
    swatches.replaceChildren(...shown.palette.map((color, i) => {
      const share = shown.counts[i] / total;
      const locked = model.get("locked").includes(hex(color));
      const box = el("div", {
        class: "colorlab-swatch" + (i === highlight ? " colorlab-swatch-on" : "") + (locked ? " colorlab-swatch-locked" : ""),
        title: `${hex(color)}: ${(100 * share).toFixed(1)}% of the pixels; click to ${locked ? "unlock" : "lock"} it`
               + " (k-means keeps locked colors)",
        "data-index": String(i),
        "data-color": hex(color),
      });
      box.style.background = hex(color);
      box.style.color = inkFor(color);
      box.style.flexGrow = String(Math.max(share, 0.004));
      return box;
    }));
    // a label only where it fits: the boxes' widths are known once laid out
    const width = swatches.clientWidth || 800;
    const grow = shown.palette.reduce((sum, _, i) => sum + Math.max(shown.counts[i] / total, 0.004), 0);
    shown.palette.forEach((color, i) => {
      const share = shown.counts[i] / total, room = width * Math.max(share, 0.004) / grow;
      const lock = model.get("locked").includes(hex(color)) ? "◆ " : "";  // a plain glyph: every font has it
      const text = `${lock}${hex(color)} ${(100 * share).toFixed(0)}%`;
      swatches.children[i].textContent = room > 7 * text.length ? text : room > 52 ? lock + hex(color) : lock;
    });
  }

  function paintStats() {
    if (!shown) { stats.textContent = ""; return; }
    const photo = state.photos.get(shown.photo);
    const s = shown.stats;
    const psnr = s.psnr === null || !isFinite(s.psnr) ? "∞" : s.psnr.toFixed(2);
    stats.innerHTML = "";
    stats.append(
      el("b", { text: shown.photo }), ` ${photo ? photo.width : "?"}×${photo ? photo.height : "?"} · MSE `,
      el("b", { text: s.mse.toFixed(1) }), " · PSNR ", el("b", { text: `${psnr} dB` }), " · colors ",
      el("b", { text: s.colors_before.toLocaleString("en-US") }), " → ", el("b", { text: String(s.colors_after) }),
    );
    pictureCaption.textContent = shown.title;
  }

  function paintMessage() {
    const key = keyOf(model);
    const status = state.status;
    const pending = !current();
    if (status.error && (!status.key || status.key === key)) {
      message.textContent = status.text;
      message.classList.add("colorlab-error");
    } else {
      message.classList.remove("colorlab-error");
      message.textContent = pending ? `computing k = ${model.get("k")}…` : status.text;
    }
    root.classList.toggle("colorlab-pending", pending && !status.error);
  }

  function paint() {
    frame = 0;
    const result = current();
    if (result && result !== shown) {
      shown = result;
      if (highlight >= shown.palette.length) highlight = -1;
      paintSwatches();
      paintStats();
    }
    paintPicture();
    cube.highlight = shown && shown.photo === model.get("photo") ? highlight : -1;
    cube.draw(state.photos.get(model.get("photo")), shown && shown.photo === model.get("photo") ? shown : null);
    paintMessage();
  }

  function schedule() {
    if (!frame) frame = requestAnimationFrame(paint);
  }

  const view = { refresh: () => schedule() };
  state.views.add(view);

  // ---- events ----------------------------------------------------------------------------------
  function set(name, value) {
    if (model.get(name) === value) return;
    model.set(name, value);
    model.save_changes();
    if (name !== "k") state.status = { text: "", error: false };
    paint();  // at once: a cached result appears in this very frame
  }
  kInput.addEventListener("input", () => { kReadout.textContent = kInput.value; set("k", Number(kInput.value)); });
  // the slider's keys are handled here: a notebook page may cancel a range input's own key handling
  const STEPS = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1, PageUp: 10, PageDown: -10 };
  kInput.addEventListener("keydown", (event) => {
    const min = Number(kInput.min), max = Number(kInput.max), k = Number(kInput.value);
    let next = null;
    if (event.key in STEPS) next = k + STEPS[event.key];
    else if (event.key === "Home") next = min;
    else if (event.key === "End") next = max;
    if (next === null) return;
    event.preventDefault();
    event.stopPropagation();
    next = Math.min(max, Math.max(min, next));
    if (next !== k) {
      kInput.value = String(next);
      kReadout.textContent = String(next);
      set("k", next);
    }
  });
  photoSelect.addEventListener("change", () => set("photo", photoSelect.value));
  methodSelect.addEventListener("change", () => set("method", methodSelect.value));
  spaceSelect.addEventListener("change", () => set("space", spaceSelect.value));
  ditherSelect.addEventListener("change", () => set("dither", ditherSelect.value));
  seedInput.addEventListener("change", () => {
    const seed = Math.max(0, Math.floor(Number(seedInput.value) || 0));
    set("seed", seed);
  });
  uploadButton.addEventListener("click", () => uploadInput.click());
  uploadInput.addEventListener("change", async () => {
    const file = uploadInput.files[0];
    uploadInput.value = "";
    if (!file) return;
    const limit = model.get("max_upload_mb");
    if (file.size > limit * 1024 * 1024) {
      state.status = { text: `${file.name} was not used: it is ${(file.size / 1048576).toFixed(1)} MB, more than the ${limit} MB this explorer takes; upload a smaller photo`, error: true };
      paintMessage();
      return;
    }
    state.status = { text: `reading ${file.name}…`, error: false };
    paintMessage();
    // in parts: a websocket message is limited (10 MB by default), a photo may be larger
    const data = await file.arrayBuffer(), PART = 4 * 1024 * 1024, parts = Math.max(1, Math.ceil(data.byteLength / PART));
    for (let i = 0; i < parts; i++) {
      model.send({ type: "upload", name: file.name, part: i, parts }, undefined, [data.slice(i * PART, (i + 1) * PART)]);
    }
  });
  exportButton.addEventListener("click", () => {
    model.send({ type: "export", elev: cube.elev, azim: cube.azim });
  });

  // swatches: hover (or focus) highlights a color's pixels in the picture and its cluster in 3D
  swatches.addEventListener("pointerover", (event) => {
    const box = event.target.closest(".colorlab-swatch");
    if (box) { highlight = Number(box.dataset.index); paintSwatchesOnly(); }
  });
  swatches.addEventListener("pointerleave", () => { highlight = -1; paintSwatchesOnly(); });
  // a click locks a color (it stays in the palette when k, the seed or the photo changes) or unlocks it
  swatches.addEventListener("click", (event) => {
    const box = event.target.closest(".colorlab-swatch");
    if (!box) return;
    const color = box.dataset.color, locked = model.get("locked");
    const next = locked.includes(color) ? locked.filter((c) => c !== color) : [...locked, color];
    if (next.length > model.get("k")) return;
    set("locked", next);
  });
  function paintSwatchesOnly() {
    for (const box of swatches.children) box.classList.toggle("colorlab-swatch-on", Number(box.dataset.index) === highlight);
    schedule();
  }

  // the picture: drag moves the split, a click picks the pixel's palette color
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
      split = Math.min(1, Math.max(0, (event.clientX - box.left) / box.width));
      schedule();
    }
  });
  picture.addEventListener("pointerup", (event) => {
    if (down && !down.moved && shown) {
      const box = picture.getBoundingClientRect();
      const x = Math.floor((event.clientX - box.left) / box.width * picture.width);
      const y = Math.floor((event.clientY - box.top) / box.height * picture.height);
      const index = shown.labels[y * picture.width + x];
      highlight = highlight === index ? -1 : index;
      paintSwatchesOnly();
    }
    down = null;
  });

  // the cube: drag turns it, here only
  let turning = null;
  cubeCanvas.addEventListener("pointerdown", (event) => {
    turning = { x: event.clientX, y: event.clientY, azim: cube.azim, elev: cube.elev };
    try { cubeCanvas.setPointerCapture(event.pointerId); } catch (error) { /* a pointer the browser no longer tracks */ }
  });
  cubeCanvas.addEventListener("pointermove", (event) => {
    if (!turning) return;
    cube.azim = turning.azim - (event.clientX - turning.x) * 0.01;
    cube.elev = Math.max(-1.5, Math.min(1.5, turning.elev + (event.clientY - turning.y) * 0.01));
    schedule();
  });
  cubeCanvas.addEventListener("pointerup", () => { turning = null; });

  const onChange = () => { syncControls(); schedule(); };
  const TRAITS = ["photo", "photos", "k", "k_max", "method", "methods", "seed", "seeded", "space", "spaces",
                  "dither", "dithers", "export_to", "max_upload_mb", "locked"];
  for (const name of TRAITS) model.on(`change:${name}`, onChange);
  const resize = new ResizeObserver(() => { cube.image = null; schedule(); });
  resize.observe(cubeCanvas);

  syncControls();
  model.send({ type: "ready" });
  schedule();

  return () => {
    state.views.delete(view);
    for (const name of TRAITS) model.off(`change:${name}`, onChange);
    resize.disconnect();
  };
}

export default { render };
