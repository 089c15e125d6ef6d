// The 3D view: pixels as points in the RGB cube, painted into an ImageData with a z-buffer.
// Joined after state.js into the one module the files of js/ make (state.js says how).

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
