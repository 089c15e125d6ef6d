// colorlab's explorer in the browser (an anywidget ES module: no build step).
//
// The kernel computes; this module paints. For each setting (photo, k, method, seed, space, dither)
// the kernel sends the palette and ONE BYTE per displayed pixel (its palette index), plus one byte
// per pixel of the 3D view; results are kept here by setting, so a k already seen, or one the
// kernel computed ahead while the person looked, is painted at the next frame with no round trip.
// A result's SSIM may come later, in a "stats" message for its key: the stats line says "SSIM …"
// until the shown result has it.
// The 3D view turns entirely here: a drag never sends a message to the kernel.
//
// The module is five files that Python joins, in this order, into one (colorlab/explorer/app.py,
// front_end): state.js (helpers and the store of what the kernel sent), cube.js (the 3D view),
// controls.js (building the inputs and keeping them in step with the model), painters.js (the photo,
// the cube, the swatches, the numbers and the status line) and events.js (wiring inputs, pointers and
// the model to the painters; the module's one export). They share one scope: none imports or exports
// but the last. What must agree with Python (the cache key, the k range, upload limits and the texts
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
      } else if (msg.type === "stats") {
        // a result's figures, once its SSIM is measured: kept with that result only (a new object, so the painter
        // sees the change if that result is on screen); a result this page no longer keeps is left alone
        const result = state.results.get(msg.key);
        if (result) result.stats = msg.stats;
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
