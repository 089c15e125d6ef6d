// PAINTERS: what a view shows, from the store and the view's own state.
// Joined after controls.js into the one module the files of js/ make (state.js says how).

// Above this many colors the swatch strip is compact: no labels in the boxes (they would not fit),
// the hovered color named on the line under the strip instead.
const COMPACT_SWATCHES = 48;

// A view: { model, state, ui, cube, split, highlight, shown, statsShown, pictureImage, frame }.
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

function ssimText(ssim) {
  // not sent yet (measured after the picture is shown): "…"; null: it could not be measured
  if (ssim === undefined) return ["…", "SSIM of the full-resolution photo: being measured"];
  if (ssim === null) return ["–", "SSIM could not be measured for this result"];
  return [ssim.toFixed(4), "SSIM of the full-resolution photo's luma (1: identical)"];
}

function paintStats(view) {
  // the figures of the result on screen; painted again when its SSIM arrives (paint compares view.statsShown)
  const { state, ui, shown } = view;
  view.statsShown = shown ? shown.stats : null;
  if (!shown) { ui.stats.textContent = ""; return; }
  const photo = state.photos.get(shown.photo);
  const s = shown.stats;
  const psnr = s.psnr === null || !isFinite(s.psnr) ? "∞" : s.psnr.toFixed(2);
  const [ssim, ssimTitle] = ssimText(s.ssim);
  ui.stats.innerHTML = "";
  // the colors stay last: the line ends with the shown result's number of colors
  ui.stats.append(
    el("b", { text: shown.photo }), ` ${photo ? photo.width : "?"}×${photo ? photo.height : "?"} · MSE `,
    el("b", { text: s.mse.toFixed(1) }), " · PSNR ", el("b", { text: `${psnr} dB` }),
    " · SSIM ", el("b", { class: "colorlab-ssim", text: ssim, title: ssimTitle }), " · colors ",
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
  }
  if (view.shown && view.shown.stats !== view.statsShown) paintStats(view);  // a new result, or its SSIM came
  paintPicture(view);
  paintCube(view);
  paintMessage(view);
}

function schedule(view) {
  if (!view.frame) view.frame = requestAnimationFrame(() => paint(view));
}
