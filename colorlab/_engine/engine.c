/* colorlab's compiled loops: the k-means engine's kernels, loaded with ctypes by colorlab/_kernels.py.
 *
 * Plain C99 on raw arrays (no Python API, no numpy headers): the only build requirement is a C
 * compiler. Built by setup.py as the shared library colorlab/_engine*.so with -O3 and
 * -ffp-contract=off: no fused multiply-adds and no reassociation, so every floating-point result is
 * the one a plain loop in numpy/Python order gives (tests/kernels_reference.py is that reference, and
 * tests/engine/test_kmeans_engine.py checks the two agree bit for bit).
 *
 * Conventions: points are (n, 3) float64 rows, centers (k, 3) float64, labels int64, weights float64.
 * Distances are the plain formula dx*dx + dy*dy + dz*dz accumulated in that order; the nearest center
 * is the first of the smallest (ties to the lowest index). Every function works on the rows it is
 * given only, so the caller may split the rows over threads (ctypes releases the GIL).
 */

#include <math.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SLACK 1e-6

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
/* one copy for AVX2 machines, one for any x86-64: the same results (no FMA, see above), faster scans */
#define HOT __attribute__((target_clones("avx2", "default")))
#else
#define HOT
#endif

typedef int64_t idx;

/* -- distinct colors ---------------------------------------------------------------------------- */

void pack_rgb(const uint8_t *pixels, idx n, uint32_t *codes) {
    for (idx i = 0; i < n; i++)
        codes[i] = ((uint32_t)pixels[3 * i] << 16) | ((uint32_t)pixels[3 * i + 1] << 8) | pixels[3 * i + 2];
}

/* -- a presence bitmap of all 2**24 colors with ranks: distinct colors, counts, per-pixel lookups ----- */
/* 2 MB of bits and 1 MB of ranks (the number of present colors before each 64-color word): a color's
 * index among the sorted distinct colors is its word's rank plus the set bits below it in the word.
 * Sorted output without sorting, no per-pixel scratch (the counting sort this replaced needed 2 bytes
 * a pixel and was 1.4-2x slower), and lookups from pixels to their distinct color without a 2**24-entry table. */

#define WORDS ((idx)1 << 18)

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define POPCOUNT_CLONES __attribute__((target_clones("popcnt", "default")))
#else
#define POPCOUNT_CLONES
#endif

/* Ranks of a filled bitmap of `words` words; returns the number of set bits. */
static idx rank_words(const uint64_t *bits, idx words, uint32_t *rank) {
    idx total = 0;
    for (idx w = 0; w < words; w++) {
        rank[w] = (uint32_t)total;
        total += __builtin_popcountll(bits[w]);
    }
    return total;
}

static inline idx rank_of(const uint64_t *bits, const uint32_t *rank, uint32_t code) {
    uint64_t below = bits[code >> 6] & ((((uint64_t)1) << (code & 63)) - 1);
    return (idx)rank[code >> 6] + __builtin_popcountll(below);
}

/* Distinct codes and their counts in four steps (colorlab._kernels.code_counts), so that the pixels can
 * be split over threads: each part marks its pixels in a bitmap of its own, the bitmaps are ORed and
 * ranked once, each part counts its pixels into counts of its own, and the counts are added. */

/* Mark codes in bits (WORDS words, not cleared first); returns the OR of the codes (>= 2**24: a bad code). */
uint32_t mark_codes(const uint32_t *codes, idx n, uint64_t *bits) {
    uint32_t seen = 0;
    for (idx i = 0; i < n; i++) {
        uint32_t c = codes[i];
        seen |= c;
        bits[(c >> 6) & (WORDS - 1)] |= ((uint64_t)1) << (c & 63);
    }
    return seen;
}

/* rank (WORDS) of a filled bitmap; returns the number of set bits. */
POPCOUNT_CLONES idx bitmap_ranks(const uint64_t *bits, uint32_t *rank) { return rank_words(bits, WORDS, rank); }

/* counts[index of codes[i] among the set bits] += 1 (every code must be marked in bits). */
POPCOUNT_CLONES void count_codes(const uint32_t *codes, idx n, const uint64_t *bits, const uint32_t *rank,
                                 int64_t *counts) {
    for (idx i = 0; i < n; i++) counts[rank_of(bits, rank, codes[i])] += 1;
}

/* The codes of the set bits, in order (as many as bitmap_ranks counted). */
void bitmap_codes(const uint64_t *bits, uint32_t *distinct) {
    for (idx w = 0, r = 0; w < WORDS; w++)
        for (uint64_t word = bits[w]; word; word &= word - 1)
            distinct[r++] = (uint32_t)((w << 6) | __builtin_ctzll(word));
}

/* out[i] := values[index of codes[i] in distinct] for every pixel; values are m rows of `size` bytes
 * (a label, an index, an RGB color). distinct: the sorted distinct codes; every code must be among
 * them. Returns 0, or -2 when out of memory. */
POPCOUNT_CLONES int spread(const uint32_t *codes, idx n, const uint32_t *distinct, idx m, const void *values, idx size,
                           void *out) {
    uint64_t *bits = calloc(WORDS, sizeof(uint64_t));
    uint32_t *rank = malloc(WORDS * sizeof(uint32_t));
    if (!bits || !rank) { free(bits); free(rank); return -2; }
    mark_codes(distinct, m, bits);
    rank_words(bits, WORDS, rank);
    const uint8_t *v = values;
    uint8_t *o = out;
    switch (size) { /* the common sizes as typed copies */
    case 1:
        for (idx i = 0; i < n; i++) o[i] = v[rank_of(bits, rank, codes[i])];
        break;
    case 2:
        for (idx i = 0; i < n; i++) ((uint16_t *)o)[i] = ((const uint16_t *)v)[rank_of(bits, rank, codes[i])];
        break;
    case 3:
        for (idx i = 0; i < n; i++) {
            const uint8_t *src = v + 3 * rank_of(bits, rank, codes[i]);
            o[3 * i] = src[0];
            o[3 * i + 1] = src[1];
            o[3 * i + 2] = src[2];
        }
        break;
    case 4:
        for (idx i = 0; i < n; i++) ((uint32_t *)o)[i] = ((const uint32_t *)v)[rank_of(bits, rank, codes[i])];
        break;
    default:
        for (idx i = 0; i < n; i++) memcpy(o + size * i, v + size * rank_of(bits, rank, codes[i]), size);
    }
    free(bits);
    free(rank);
    return 0;
}

static inline idx cell_code(const uint8_t *color, int bits) {
    int shift = 8 - bits;
    return ((idx)(color[0] >> shift) << (2 * bits)) | ((idx)(color[1] >> shift) << bits) | (idx)(color[2] >> shift);
}

/* How many cells of `bits` per channel the colors occupy (a bitmap of 2**(3 bits) bits). */
idx count_cells(const uint8_t *colors, idx n, int bits) {
    idx words = (((idx)1 << (3 * bits)) + 63) >> 6, m = 0;
    uint64_t *seen = calloc(words, sizeof(uint64_t));
    if (!seen) return -2;
    for (idx i = 0; i < n; i++) {
        idx c = cell_code(colors + 3 * i, bits);
        uint64_t mask = (uint64_t)1 << (c & 63);
        if (!(seen[c >> 6] & mask)) { seen[c >> 6] |= mask; m++; }
    }
    free(seen);
    return m;
}

/* Weighted mean coordinates (m, d) and weights (m) of the cells (zeroed by the caller). */
void cells_fill(const double *coords, const double *weights, const idx *cell, idx n, int d, double *means,
                double *mass, idx m) {
    for (idx i = 0; i < n; i++) {
        idx j = cell[i];
        mass[j] += weights[i];
        for (int t = 0; t < d; t++) means[j * d + t] += coords[i * d + t] * weights[i];
    }
    for (idx j = 0; j < m; j++)
        for (int t = 0; t < d; t++) means[j * d + t] /= mass[j];
}

/* Number the occupied cells of `bits` per channel in code order: cell[i] := the number of color i's
 * cell, its rank in a bitmap of the 2**(3 bits) cells (256 KB at 7 bits, not a table of 2**21
 * numbers). Returns the number of cells m, or -2 when out of memory. */
POPCOUNT_CLONES idx cells_number(const uint8_t *colors, idx n, int bits, idx *cell) {
    idx words = (((idx)1 << (3 * bits)) + 63) >> 6;
    uint64_t *seen = calloc(words, sizeof(uint64_t));
    uint32_t *rank = malloc(words * sizeof(uint32_t));
    if (!seen || !rank) { free(seen); free(rank); return -2; }
    for (idx i = 0; i < n; i++) {
        idx c = cell_code(colors + 3 * i, bits);
        cell[i] = c;
        seen[c >> 6] |= (uint64_t)1 << (c & 63);
    }
    idx m = rank_words(seen, words, rank);
    for (idx i = 0; i < n; i++) cell[i] = rank_of(seen, rank, (uint32_t)cell[i]);
    free(seen);
    free(rank);
    return m;
}

/* -- 3 x 3 products of colors, in numpy's order ----------------------------------------------------- */

/* out[i] := m (3 x 3, rows) times (table[rgb[i][0]], table[rgb[i][1]], table[rgb[i][2]]), each row of the
 * product as (x * m0 + y * m1) + z * m2: colorlab.color.spaces._times's order, so the same numbers as its
 * numpy columns (there each step is a pass over a temporary). */
static inline double row_times(const double *m, int r, double x, double y, double z) {
    return (x * m[3 * r] + y * m[3 * r + 1]) + z * m[3 * r + 2];
}

void table_times(const uint8_t *rgb, idx n, const double *table, const double *m, double *out) {
    for (idx i = 0; i < n; i++) {
        double x = table[rgb[3 * i]], y = table[rgb[3 * i + 1]], z = table[rgb[3 * i + 2]];
        for (int r = 0; r < 3; r++) out[3 * i + r] = row_times(m, r, x, y, z);
    }
}

/* x[i] := (m times x[i]) * scale in place, each row of the product in the order above. */
void times_scaled(double *x, idx n, const double *m, double scale) {
    for (idx i = 0; i < n; i++) {
        double a = x[3 * i], b = x[3 * i + 1], c = x[3 * i + 2];
        for (int r = 0; r < 3; r++) x[3 * i + r] = row_times(m, r, a, b, c) * scale;
    }
}

/* -- nearest centers ---------------------------------------------------------------------------- */

static inline double sqdist(const double *a, const double *b) {
    double dx = a[0] - b[0], dy = a[1] - b[1], dz = a[2] - b[2];
    return dx * dx + dy * dy + dz * dz;
}

/* nearest() and nearest_two() (and every other search over all k centers) take the points 8 at a time,
 * as two vectors of 4 per coordinate, and go over the centers one by one: each point keeps its best
 * distance and label (and second best) in vector registers, updated with a strict < as the center
 * index grows, exactly as a scan of its k distances for the first smallest (and the second) does: the
 * same distances (the same formula in the same order) and the same labels as the reference. The
 * scalar scans, one point at a time, were a chain of dependent selects per point (kodim05 as JPEG q75,
 * 6,066 cells, k = 16: nearest 66 -> 60 us, nearest_two 106 -> 78 us). GCC's
 * vector extensions: AVX2 in the avx2 clone, pairs of SSE2 registers in the default one. */
typedef double v4d __attribute__((vector_size(32)));
typedef int64_t v4i __attribute__((vector_size(32)));
#define LANES 8

static inline __attribute__((always_inline)) v4d pick(v4i mask, v4d yes, v4d no) { return (v4d)(((v4i)yes & mask) | ((v4i)no & ~mask)); }
static inline __attribute__((always_inline)) v4i pick_i(v4i mask, v4i yes, v4i no) { return (yes & mask) | (no & ~mask); }

/* 8 points' coordinates from rows start.. of points, or with `rows` from points[rows[start..]] (fewer at
 * the end: the rest repeat the last point). */
static inline __attribute__((always_inline)) void load8(const double *points, const idx *rows, idx start, idx n,
                                                        v4d xyz[3][2]) {
    double c[3][LANES];
    for (int i = 0; i < LANES; i++) {
        idx row = start + i < n ? start + i : n - 1;
        if (rows) row = rows[row];
        c[0][i] = points[3 * row]; c[1][i] = points[3 * row + 1]; c[2][i] = points[3 * row + 2];
    }
    for (int t = 0; t < 3; t++) {
        memcpy(&xyz[t][0], c[t], sizeof(v4d));
        memcpy(&xyz[t][1], c[t] + 4, sizeof(v4d));
    }
}

static inline __attribute__((always_inline)) v4d sqdist4(const v4d xyz[3][2], int h, double cx, double cy, double cz) {
    v4d dx = xyz[0][h] - cx, dy = xyz[1][h] - cy, dz = xyz[2][h] - cz;
    return dx * dx + dy * dy + dz * dz;
}

/* What nearest_rows() gives besides the labels, each when its pointer is set: the distances to the
 * nearest and second nearest center (their roots, or with `squared` the squares); the totals()
 * of the points with those labels and `weights` (into zeroed mass and sums); their objective()
 * (added to *objective). Totals and objective take the points in order, as totals() and objective()
 * do (the same sums): plain_lloyd() computes them while it measures the points, where the chain
 * of additions into one cluster's sums runs alongside the distances instead of in a pass of its own. */
typedef struct {
    double *first, *second;
    int squared;
    const double *weights;
    double *mass, *sums, *objective;
} extras;

/* Labels of points 0..n-1 (out[i] for point i), of points rows[0..n-1] when `rows` is set, or of
 * the points laid out by point_blocks() when `blocks` is set; `more`: see extras. */
static inline __attribute__((always_inline)) void nearest_rows(const double *points, const idx *rows,
                                                                const double *blocks, idx n,
                                                                const double *centers, idx k, idx *labels,
                                                                const extras *more) {
    const v4d inf = {INFINITY, INFINITY, INFINITY, INFINITY};
    const int two = more && more->first;
    for (idx start = 0; start < n; start += LANES) {
        v4d xyz[3][2], best[2] = {inf, inf}, next[2] = {inf, inf};
        v4i label[2] = {{0, 0, 0, 0}, {0, 0, 0, 0}};
        if (blocks)
            memcpy(xyz, blocks + 3 * start, sizeof xyz);
        else
            load8(points, rows, start, n, xyz);
        for (idx j = 0; j < k; j++) {
            double cx = centers[3 * j], cy = centers[3 * j + 1], cz = centers[3 * j + 2];
            v4i jj = {j, j, j, j};
            for (int h = 0; h < 2; h++) {
                v4d d = sqdist4(xyz, h, cx, cy, cz);
                v4i closer = d < best[h];
                if (two) next[h] = pick(closer, best[h], pick(d < next[h], d, next[h]));
                best[h] = pick(closer, d, best[h]);
                label[h] = pick_i(closer, jj, label[h]);
            }
        }
        idx m = n - start < LANES ? n - start : LANES;
        int64_t out[LANES];
        memcpy(out, label, sizeof(out));
        memcpy(labels + start, out, m * sizeof(idx));
        if (!more) continue;
        double b[LANES];
        memcpy(b, best, sizeof(b));
        if (two) {
            double s2[LANES];
            memcpy(s2, next, sizeof(s2));
            for (idx i = 0; i < m; i++) {
                more->first[start + i] = more->squared ? b[i] : sqrt(b[i]);
                more->second[start + i] = more->squared ? s2[i] : sqrt(s2[i]);
            }
        }
        if (more->mass) {
            double c[3][LANES];
            memcpy(c, xyz, sizeof c);
            for (idx i = 0; i < m; i++) {
                idx j = out[i];
                double w = more->weights[start + i];
                more->mass[j] += w;
                for (int t = 0; t < 3; t++) more->sums[3 * j + t] += w * c[t][i];
            }
        }
        if (more->objective)
            for (idx i = 0; i < m; i++) *more->objective += more->weights[start + i] * b[i];
    }
}

HOT int nearest(const double *points, idx n, const double *centers, idx k, idx *labels) {
    nearest_rows(points, NULL, NULL, n, centers, k, labels, NULL);
    return 0;
}

/* Labels and distances (not squared) to the nearest and second nearest center of each point. */
HOT int nearest_two(const double *points, idx n, const double *centers, idx k, idx *labels, double *first,
                    double *second) {
    nearest_rows(points, NULL, NULL, n, centers, k, labels, &(extras){.first = first, .second = second});
    return 0;
}

/* Points as blocks of 8 (x[8], y[8], z[8]; the last block padded with the last point), for
 * nearest_blocks(): plain_lloyd() measures the same points against new centers in every iteration
 * and lays them out once instead of gathering each block's coordinates every time. */
static double *point_blocks(const double *points, idx n) {
    idx n_blocks = (n + LANES - 1) / LANES;
    double *blocks = malloc((n_blocks > 0 ? n_blocks : 1) * 3 * LANES * sizeof(double));
    if (!blocks) return NULL;
    for (idx start = 0; start < n; start += LANES) {
        v4d xyz[3][2];
        load8(points, NULL, start, n, xyz);
        memcpy(blocks + 3 * start, xyz, sizeof xyz);
    }
    return blocks;
}

/* Labels of the points laid out by point_blocks(), with their totals() (mass, sums: zeroed here)
 * or, without mass, their objective() (returned); see extras. */
HOT static double nearest_blocks(const double *blocks, idx n, const double *centers, idx k, idx *labels,
                                 const double *weights, double *mass, double *sums) {
    double total = 0.0;
    if (mass) {
        memset(mass, 0, k * sizeof(double));
        memset(sums, 0, 3 * k * sizeof(double));
    }
    nearest_rows(NULL, NULL, blocks, n, centers, k, labels,
                 &(extras){.weights = weights, .mass = mass, .sums = sums, .objective = mass ? NULL : &total});
    return total;
}

/* -- weighted Lloyd ----------------------------------------------------------------------------- */

/* Each of the n points' nearest center in d coordinates (points (n, d), centers (k, d)), ties to the lowest
 * index; the squared differences added in coordinate order. For points of other than three coordinates
 * (colorlab.redraw.alpha clusters colors by how they look over black and over white: six). The centers are
 * laid out a coordinate at a time, so that a point's k distances are summed across the centers in vector
 * lanes (3x faster than center by center at d = 6). Returns -2 when out of memory. */
HOT int nearest_any(const double *points, idx n, idx d, const double *centers, idx k, idx *labels) {
    double *columns = malloc((size_t)(d * k + k) * sizeof(double));
    if (!columns) return -2;
    double *dist = columns + d * k;
    for (idx t = 0; t < d; t++)
        for (idx j = 0; j < k; j++) columns[t * k + j] = centers[j * d + t];
    for (idx i = 0; i < n; i++) {
        const double *p = points + i * d;
        for (idx j = 0; j < k; j++) dist[j] = 0.0;
        for (idx t = 0; t < d; t++) {
            const double value = p[t], *column = columns + t * k;
            for (idx j = 0; j < k; j++) {
                double u = value - column[j];
                dist[j] += u * u;
            }
        }
        double best = INFINITY;
        idx best_j = 0;
        for (idx j = 0; j < k; j++)
            if (dist[j] < best) { best = dist[j]; best_j = j; }
        labels[i] = best_j;
    }
    free(columns);
    return 0;
}

/* Per-cluster weight (k) and weighted coordinate sums (k, 3), from scratch. */
void totals(const double *points, const double *weights, const idx *labels, idx n, idx k, double *mass,
            double *sums) {
    memset(mass, 0, k * sizeof(double));
    memset(sums, 0, 3 * k * sizeof(double));
    for (idx i = 0; i < n; i++) {
        idx j = labels[i];
        mass[j] += weights[i];
        for (int t = 0; t < 3; t++) sums[3 * j + t] += weights[i] * points[3 * i + t];
    }
}

/* totals() for whole-number sums (whole weights times whole coordinates, every partial sum below
 * 2**53, as the caller checks): exact in any order, so point i goes into copy i % 4 of the sums and
 * the four copies are added at the end; totals() adds point by point into one copy, a chain of
 * dependent additions where neighbouring points share a label (the colors are in code order). */
void totals_whole(const double *points, const double *weights, const idx *labels, idx n, idx k, double *mass,
                  double *sums) {
    double *part = calloc(4 * 4 * (k > 0 ? k : 1), sizeof(double));  /* four copies of (mass, x, y, z) per label */
    if (!part) { totals(points, weights, labels, n, k, mass, sums); return; }
    idx n4 = n - n % 4;
    for (idx i = 0; i < n4; i += 4)
        for (int c = 0; c < 4; c++) {
            double *q = part + 4 * (4 * labels[i + c] + c), w = weights[i + c];
            const double *p = points + 3 * (i + c);
            q[0] += w; q[1] += w * p[0]; q[2] += w * p[1]; q[3] += w * p[2];
        }
    for (idx i = n4; i < n; i++) {
        double *q = part + 4 * (4 * labels[i]), w = weights[i];
        q[0] += w; q[1] += w * points[3 * i]; q[2] += w * points[3 * i + 1]; q[3] += w * points[3 * i + 2];
    }
    for (idx j = 0; j < k; j++) {
        const double *q = part + 16 * j;
        mass[j] = q[0] + q[4] + q[8] + q[12];
        for (int t = 0; t < 3; t++) sums[3 * j + t] = q[1 + t] + q[5 + t] + q[9 + t] + q[13 + t];
    }
    free(part);
}

/* Put each empty cluster's center on the point with the largest weighted error (in place): the
 * empty clusters in order take the points by decreasing weight x (distance to the nearest)^2, ties to
 * the lowest index (what a stable sort of the negated errors gives). */
int reseed_empty(const double *points, const double *weights, idx n, double *centers, idx k, const double *mass) {
    idx *labels = malloc((n > 0 ? n : 1) * sizeof(idx));
    double *up = malloc((n > 0 ? n : 1) * 2 * sizeof(double));
    idx *taken = malloc((k > 0 ? k : 1) * sizeof(idx));
    if (!labels || !up || !taken) { free(labels); free(up); free(taken); return -2; }
    double *error = up + n;
    nearest_two(points, n, centers, k, labels, up, error); /* `error` first receives the runner-up */
    for (idx i = 0; i < n; i++) error[i] = weights[i] * (up[i] * up[i]);
    idx n_taken = 0;
    for (idx j = 0; j < k; j++) {
        if (mass[j] > 0) continue;
        idx worst = -1;
        for (idx i = 0; i < n; i++) {
            int used = 0;
            for (idx t = 0; t < n_taken; t++) used |= taken[t] == i;
            if (used) continue;
            if (worst < 0 || error[i] > error[worst]) worst = i;
        }
        if (worst < 0) break;
        taken[n_taken++] = worst;
        memcpy(centers + 3 * j, points + 3 * worst, 3 * sizeof(double));
    }
    free(labels); free(up); free(taken);
    return 0;
}

/* sum(weights * values**2), added in order (the Hamerly stops' threshold from the upper bounds). numpy's
 * `weights @ values**2` called BLAS, whose threads then spun for 0.1 s on the second core, through
 * the rest of the fit, competing with the engine's own thread (k = 16 on 0.4 MP JPEGs: median
 * 45-48 -> 30-34 ms, and half the CPU time). */
double weighted_squares(const double *weights, const double *values, idx n) {
    double total = 0.0;
    for (idx i = 0; i < n; i++) total += weights[i] * values[i] * values[i];
    return total;
}

/* The k-means objective: sum of weight x squared distance to the point's center. */
double objective(const double *points, const double *weights, const double *centers, const idx *labels, idx n) {
    double total = 0.0;
    for (idx i = 0; i < n; i++) total += weights[i] * sqdist(points + 3 * i, centers + 3 * labels[i]);
    return total;
}

/* Move every center to its cluster's weighted mean (in place; no cluster may be empty). Fills shift
 * (k), returns the objective decrease sum(mass * shift**2); *top := the center that moved most (the
 * first), *runner_up := the largest move among the others. */
double move_centers(double *centers, idx k, const double *mass, const double *sums, double *shift, idx *top,
                    double *runner_up) {
    double gain = 0.0;
    for (idx j = 0; j < k; j++) {
        double moved = 0.0, new[3];
        for (int t = 0; t < 3; t++) {
            new[t] = sums[3 * j + t] / mass[j];
            double diff = new[t] - centers[3 * j + t];
            moved += diff * diff;
        }
        shift[j] = sqrt(moved);
        gain += mass[j] * (shift[j] * shift[j]);
        memcpy(centers + 3 * j, new, sizeof new);
    }
    idx best = 0;
    for (idx j = 1; j < k; j++)
        if (shift[j] > shift[best]) best = j;
    double second = 0.0;
    for (idx j = 0; j < k; j++)
        if (j != best && shift[j] > second) second = shift[j];
    *top = best;
    *runner_up = second;
    return gain;
}

/* Each of the k points' squared distance to its nearest other point (INFINITY when k = 1), into out: Hamerly's
 * half gaps, the palette grid's cell size, and Floyd-Steinberg's typical palette step (colorlab.redraw.dither). */
void nearest_others(const double *points, idx k, double *out) {
    for (idx a = 0; a < k; a++) {
        double best = INFINITY;
        for (idx b = 0; b < k; b++) {
            double d = sqdist(points + 3 * a, points + 3 * b);
            best = b != a && d < best ? d : best;
        }
        out[a] = best;
    }
}

/* Half the distance from each center to the nearest other one (inf for a single center). */
static void half_gaps(const double *centers, idx k, double *half) {
    nearest_others(centers, k, half);  /* half a root is monotone: half the root of the least is the least */
    for (idx a = 0; a < k; a++) half[a] = 0.5 * sqrt(half[a]);
}

/* Loosen the Hamerly bounds by the centers' moves (shift, top, runner_up; shift all zero and top 0
 * for a plain re-check), then re-check every label (all in place). A point is skipped when its upper
 * bound is below both its lower bound and half the gap to the nearest other center, less SLACK;
 * otherwise its own distance is recomputed, and if that is not enough, all k. With `tied`, also mark
 * the points whose two nearest centers are exactly as far. Returns how many labels changed.
 *
 * The points that need all k distances are collected, RECHECK at a time, and measured by
 * nearest_rows() 8 at a time instead of one by one (the same distances and labels, about 15% faster at
 * k = 64; at k = 16 few points need all k). */
#define RECHECK 256

/* All k distances of points rows[0..m-1]: their labels, bounds and ties; returns how many labels changed. */
static inline __attribute__((always_inline)) idx recheck(const double *points, const idx *rows, idx m,
                                                          const double *centers, idx k, idx *labels, double *upper,
                                                          double *lower, uint8_t *tied) {
    idx found[RECHECK], changed = 0;
    double best[RECHECK], second[RECHECK];
    nearest_rows(points, rows, NULL, m, centers, k, found, &(extras){.first = best, .second = second, .squared = 1});
    for (idx t = 0; t < m; t++) {
        idx row = rows[t];
        changed += found[t] != labels[row];
        labels[row] = found[t];
        upper[row] = sqrt(best[t]);
        lower[row] = sqrt(second[t]);
        if (tied) tied[row] = best[t] == second[t];
    }
    return changed;
}

/* From ANNULUS_FROM centers, a point whose bounds fail is searched only among the centers near its own:
 * a center c_j nearer to x than its own c_a (|x - c_a| = u) has |c_j - c_a| <= |c_j - x| + |x - c_a| <= 2u, so
 * each center keeps its NEAR nearest other centers by distance (near_lists()), and a point measures those
 * within 2u (plus SLACK): the same label (ties to the lowest index) and ties as all k distances; the lower
 * bound is the second nearest measured or, when smaller, the nearest center left out less u
 * (|x - c_j| >= |c_j - c_a| - u). A point whose 2u reaches past the list gets all k distances.
 * At k = 256 one center moving far loosens every point's lower bound, and a third to a half of the colors of
 * a photo then need a search. Tried and dropped: a full sorted list per center (a qsort of k rows in every
 * call cost more than it saved at 0.4 megapixels), and a scan of all k gaps per point (slower than the
 * vectorised k distances). */
#define ANNULUS_FROM 65
#define NEAR 32

typedef struct { double gap; idx j; } neighbour;

/* All k x k gaps between the centers into gap (INFINITY on the diagonal). */
static void center_gaps(const double *centers, idx k, double *gap) {
    for (idx a = 0; a < k; a++) {
        gap[a * k + a] = INFINITY;
        for (idx b = a + 1; b < k; b++) gap[a * k + b] = gap[b * k + a] = sqrt(sqdist(centers + 3 * a, centers + 3 * b));
    }
}

/* Whether x comes before y in a list: by gap, ties to the lower index. */
static inline int before(neighbour x, neighbour y) { return x.gap < y.gap || (x.gap == y.gap && x.j < y.j); }

/* Put item into list[0..m-1] (sorted, room for one more) at its place. */
static inline void insert_sorted(neighbour *list, idx m, neighbour item) {
    idx t = m;
    while (t > 0 && before(item, list[t - 1])) { list[t] = list[t - 1]; t--; }
    list[t] = item;
}

/* Distances between the centers into half (half_gaps()) and, per center, its NEAR nearest other centers by
 * increasing distance, ties to the lower index (near[a * NEAR ..]), the first left out of them in beyond[a]
 * (INFINITY if none). gap: room for k * (k + 1) doubles.
 *
 * With `seeded`, every list already holds NEAR centers (from the centers' earlier places): they go in first,
 * by their gaps now, and the others are compared with the last of the list, which few of them beat. The same
 * lists as built from empty, where most centers are inserted into a growing list and the shifts and
 * mispredicted branches of those insertions are most of the time: at k = 256 a seeded build takes about half
 * as long. */
static void near_lists(const double *centers, idx k, double *gap, double *half, neighbour *near, double *beyond,
                       int seeded) {
    center_gaps(centers, k, gap);
    uint8_t *member = (uint8_t *)(gap + k * k);
    for (idx a = 0; a < k; a++) {
        const double *row = gap + a * k;
        neighbour *list = near + a * NEAR;
        idx m = 0;
        memset(member, 0, k);
        if (seeded) {
            for (; m < NEAR; m++) {
                neighbour item = {row[list[m].j], list[m].j};
                member[item.j] = 1;
                insert_sorted(list, m, item);
            }
        }
        double out = INFINITY, h = INFINITY, last = m == NEAR ? list[NEAR - 1].gap : INFINITY;
        for (idx b = 0; b < k; b++) {
            double g = row[b];
            h = g < h ? g : h;
            if (g > last) { out = g < out ? g : out; continue; }  /* most centers, once the list is full */
            if (b == a || member[b]) continue;
            neighbour item = {g, b};
            if (m == NEAR && !before(item, list[NEAR - 1])) { out = g < out ? g : out; continue; }
            if (m == NEAR) { out = last < out ? last : out; m--; }
            insert_sorted(list, m++, item);
            last = m == NEAR ? list[NEAR - 1].gap : INFINITY;
        }
        for (idx t = m; t < NEAR; t++) list[t] = (neighbour){INFINITY, -1};
        half[a] = 0.5 * h;
        beyond[a] = out;
    }
}

/* Point i's label, bounds (and tie) among the centers within 2 * upper[i] of its own (upper[i]: its exact
 * distance to its own center); returns 1 if its label changed, -1 (nothing changed) if the list is too short.
 * The list is sorted by gap and every center left out of it is at least beyond[own] away (a kept list, see
 * near_update(), may have members farther than that bound). */
static inline idx annulus(const double *point, const double *centers, const neighbour *near, const double *beyond,
                          idx i, idx *labels, double *upper, double *lower, uint8_t *tied) {
    idx own = labels[i], best_j = own;
    double u = upper[i], reach = 2.0 * u + SLACK, best = sqdist(point, centers + 3 * own), second = INFINITY;
    double left_out = beyond[own];
    const neighbour *list = near + own * NEAR;
    idx t = 0;
    for (; t < NEAR && list[t].j >= 0; t++) {
        if (list[t].gap > reach) { left_out = list[t].gap < left_out ? list[t].gap : left_out; break; }
        idx j = list[t].j;
        double d = sqdist(point, centers + 3 * j);
        /* GCC makes some of these selects branches; forcing them all into bit masks was slower (0.92-0.94x) */
        int better = d < best || (d == best && j < best_j);
        second = better ? best : (d < second ? d : second);
        best_j = better ? j : best_j;
        best = better ? d : best;
    }
    if (left_out <= reach) return -1;
    labels[i] = best_j;
    upper[i] = sqrt(best);
    double s = sqrt(second);
    left_out -= u;
    lower[i] = s < left_out ? s : left_out;
    if (tied) tied[i] = best == second;
    return best_j != own;
}

/* What verify_near() needs of the centers, kept across the iterations of a Lloyd run in one block of
 * doubles (near_state_size()): from ANNULUS_FROM centers each one's NEAR nearest others (neighbour pairs),
 * beyond (a lower bound on the gap to any center left out of the list), moved (the largest move in the last
 * update among the list's members), then for every k half (a lower bound on half the gap to the nearest other
 * center), then meta: [0] the lists are built, [1] how far the bounds have been loosened since, [2] how far
 * they may be before the lists are built again.
 *
 * Building the lists takes all k^2 gaps (at k = 256 about a third of an iteration on 47,000 points), and
 * the centers move little after the first iterations: near_update() keeps the members, measures their k *
 * NEAR gaps again and re-sorts them, and lowers beyond[a] by how far a and the farthest-moving other center
 * moved (|c_j - c_a| changes by at most shift[a] + shift[j]); the lists are built again once the loosening adds
 * up to a quarter of the median beyond (measured by the benchmark: the fallbacks to all k distances stay
 * rare). The labels are those of all k distances either way; only the lower bounds can be looser. */
static idx near_doubles(idx k) { return k >= ANNULUS_FROM ? 2 * k * NEAR + 2 * k : 0; }

idx near_state_size(idx k) { return near_doubles(k) + k + 3; }

/* The state's meta block (see above): [0] built, [1] loosened since, [2] how far it may be. */
static double *near_meta(double *state, idx k) { return state + near_doubles(k) + k; }

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* moved[a]: the largest of shift over the members of center a's list. */
static void list_moves(const neighbour *near, idx k, const double *shift, double *moved) {
    for (idx a = 0; a < k; a++) {
        const neighbour *list = near + a * NEAR;
        double most = 0.0;
        for (idx t = 0; t < NEAR && list[t].j >= 0; t++) most = shift[list[t].j] > most ? shift[list[t].j] : most;
        moved[a] = most;
    }
}

/* Bring the state in step with the centers after they moved by shift (top: the one that moved most,
 * runner_up: the largest move of the others). Returns -2 when out of memory. */
idx near_update(const double *centers, idx k, const double *shift, idx top, double runner_up, double *state) {
    double *half = state + near_doubles(k), *meta = near_meta(state, k);
    if (k < ANNULUS_FROM) {
        half_gaps(centers, k, half);
        return 0;
    }
    neighbour *near = (neighbour *)state;
    double *beyond = state + 2 * k * NEAR;
    /* the most any gap can shrink: the two largest moves, top's and the runner-up's */
    double loosened = shift[top] + runner_up;
    if (meta[0] && meta[1] + loosened <= meta[2]) {
        meta[1] += loosened;
        for (idx a = 0; a < k; a++) {
            neighbour *list = near + a * NEAR;
            idx m = 0;
            for (; m < NEAR && list[m].j >= 0; m++) list[m].gap = sqrt(sqdist(centers + 3 * a, centers + 3 * list[m].j));
            for (idx t = 1; t < m; t++) {  /* nearly sorted: insertion sort */
                neighbour item = list[t];
                idx u = t;
                while (u > 0 && list[u - 1].gap > item.gap) { list[u] = list[u - 1]; u--; }
                list[u] = item;
            }
            beyond[a] -= shift[a] + (a == top ? runner_up : shift[top]);
            if (beyond[a] < 0.0) beyond[a] = 0.0;
            double nearest = m > 0 && list[0].gap < beyond[a] ? list[0].gap : beyond[a];
            half[a] = 0.5 * nearest;
        }
        list_moves(near, k, shift, beyond + k);
        return 0;
    }
    double *gap = malloc(k * (k + 1) * sizeof(double));
    if (!gap) return -2;
    near_lists(centers, k, gap, half, near, beyond, meta[0] != 0.0);
    memcpy(gap, beyond, k * sizeof(double));
    qsort(gap, k, sizeof(double), by_value);
    meta[0] = 1.0;
    meta[1] = 0.0;
    meta[2] = isfinite(gap[k / 2]) ? 0.25 * gap[k / 2] : INFINITY;
    free(gap);
    list_moves(near, k, shift, beyond + k);
    return 0;
}

/* shift_and_verify() with the centers' state kept by near_update().
 *
 * The points go CHUNK at a time through three passes: the loosened bounds of every point, then its own
 * distance for those whose bounds fail, then a search for those that still fail. Each of the first two
 * passes writes the rows that go on into a list without a branch (the index, then a count that grows by the
 * test's 0 or 1): at k = 256 about 40% of a photo's colors fail their bounds in an iteration, and which ones
 * cannot be predicted, so one point after another with two tests each was a chain of mispredicted branches.
 * Each point gets the same arithmetic in the same order: the same labels and bounds. */
#define CHUNK 512

HOT idx verify_near(const double *points, idx n, const double *centers, idx k, idx *labels, double *upper,
                    double *lower, const double *shift, idx top, double runner_up, uint8_t *tied, const double *state) {
    const double *half = state + near_doubles(k), *beyond = state + 2 * k * NEAR, *moved = beyond + k;
    const neighbour *near = k >= ANNULUS_FROM ? (const neighbour *)state : NULL;
    const double far_move = shift[top];
    idx changed = 0, rows[RECHECK], m = 0, fail[CHUNK];
    double fail_bound[CHUNK];
    if (tied) memset(tied, 0, n);
    for (idx start = 0; start < n; start += CHUNK) {
        idx end = n - start < CHUNK ? n : start + CHUNK, f = 0;
        for (idx i = start; i < end; i++) {
            idx own = labels[i];
            double u = upper[i] + shift[own];
            upper[i] = u;
            /* Hamerly's loosening by the largest move of any other center, or, when tighter, by the largest
             * move in own's list (its members) and the gap to the centers left out of it: a center c_j left
             * out is at least beyond - upper from the point (|x - c_j| >= |c_j - c_own| - |x - c_own|). */
            double l = lower[i], loose = l - (own == top ? runner_up : far_move);
            if (near) {
                double local = l - moved[own], far = beyond[own] - u;
                local = local < far ? local : far;
                loose = local > loose ? local : loose;
            }
            lower[i] = loose;
            double bound = (half[own] > loose ? half[own] : loose) - SLACK;
            fail[f] = i;
            fail_bound[f] = bound;
            f += u > bound;
        }
        idx g = 0;
        for (idx t = 0; t < f; t++) {  /* their own distance again */
            idx i = fail[t];
            double u = sqrt(sqdist(points + 3 * i, centers + 3 * labels[i]));
            upper[i] = u;
            fail[g] = i;
            g += u > fail_bound[t];
        }
        for (idx t = 0; t < g; t++) {
            idx i = fail[t];
            if (near) {
                idx moved_label = annulus(points + 3 * i, centers, near, beyond, i, labels, upper, lower, tied);
                if (moved_label >= 0) { changed += moved_label; continue; }
            }
            rows[m++] = i;
            if (m == RECHECK) {
                changed += recheck(points, rows, m, centers, k, labels, upper, lower, tied);
                m = 0;
            }
        }
    }
    changed += recheck(points, rows, m, centers, k, labels, upper, lower, tied);
    return changed;
}

HOT idx shift_and_verify(const double *points, idx n, const double *centers, idx k, idx *labels, double *upper,
                         double *lower, const double *shift, idx top, double runner_up, uint8_t *tied) {
    double *state = calloc(near_state_size(k), sizeof(double));
    if (!state || near_update(centers, k, shift, top, runner_up, state) < 0) { free(state); return -2; }
    idx changed = verify_near(points, n, centers, k, labels, upper, lower, shift, top, runner_up, tied, state);
    free(state);
    return changed;
}

/* Weighted Lloyd with Hamerly's bounds from a labelling with valid bounds (all updated in place):
 * centers := weighted means (an empty cluster is re-seeded instead), then labels := nearest. Stops
 * when no label changes, after max_iter iterations, or once an update lowers the objective by less
 * than threshold. Returns the number of iterations (-2 when out of memory). `given`: the centers'
 * near_update() state to go on with and leave in step with them (NULL: one of its own for this run). */
idx hamerly_lloyd(const double *points, const double *weights, idx n, double *centers, idx k, idx *labels,
                  double *upper, double *lower, idx max_iter, double threshold, double *given) {
    double *mass = malloc((k > 0 ? k : 1) * 5 * sizeof(double));
    if (!mass) return -2;
    double *sums = mass + k, *shift = sums + 3 * k;
    double *state = given ? given : calloc(near_state_size(k), sizeof(double));
    if (!state) { free(mass); return -2; }
    idx n_iter = 0;
    for (idx it = 1; it <= max_iter; it++) {
        n_iter = it;
        totals(points, weights, labels, n, k, mass, sums);
        int empty = 0;
        for (idx j = 0; j < k; j++) empty |= mass[j] <= 0;
        if (empty) {
            if (reseed_empty(points, weights, n, centers, k, mass) < 0 ||
                nearest_two(points, n, centers, k, labels, upper, lower) < 0) { n_iter = -2; break; }
            near_meta(state, k)[0] = 0.0;  /* the lists are built again */
            continue;
        }
        idx top;
        double runner_up;
        double gain = move_centers(centers, k, mass, sums, shift, &top, &runner_up);
        if (near_update(centers, k, shift, top, runner_up, state) < 0) { n_iter = -2; break; }
        idx changed = verify_near(points, n, centers, k, labels, upper, lower, shift, top, runner_up, NULL, state);
        if (changed == 0 || gain < threshold) break;
    }
    if (!given) free(state);
    free(mass);
    return n_iter;
}

/* Weighted Lloyd from centers (updated in place) until no label changes, max_iter iterations, or an
 * update lowers the objective by less than tol times the objective at the start. Fills labels (n),
 * returns the objective (NAN when out of memory). */
double lloyd(const double *points, const double *weights, idx n, double *centers, idx k, idx max_iter, double tol,
             idx *labels) {
    double *upper = malloc((n > 0 ? n : 1) * 2 * sizeof(double));
    if (!upper) return NAN;
    double *lower = upper + n;
    double result = NAN;
    if (nearest_two(points, n, centers, k, labels, upper, lower) == 0) {
        double threshold = weighted_squares(weights, upper, n);
        if (hamerly_lloyd(points, weights, n, centers, k, labels, upper, lower, max_iter, tol * threshold, NULL) >= 0)
            result = objective(points, weights, centers, labels, n);
    }
    free(upper);
    return result;
}

/* n_iter weighted Lloyd iterations without bounds (labels := nearest by all k distances, centers :=
 * weighted means; an empty cluster is re-seeded). Centers in place; returns the objective. */
double plain_lloyd(const double *points, const double *weights, idx n, double *centers, idx k, idx n_iter) {
    idx *labels = malloc((n > 0 ? n : 1) * sizeof(idx));
    double *mass = malloc((k > 0 ? k : 1) * 4 * sizeof(double)), *blocks = point_blocks(points, n);
    double result = NAN;
    if (!labels || !mass || !blocks) goto done;
    double *sums = mass + k;
    for (idx it = 0; it < n_iter; it++) {
        nearest_blocks(blocks, n, centers, k, labels, weights, mass, sums);
        int empty = 0;
        for (idx j = 0; j < k; j++) empty |= mass[j] <= 0;
        if (empty) {
            if (reseed_empty(points, weights, n, centers, k, mass) < 0) goto done;
            continue;
        }
        for (idx j = 0; j < k; j++)
            for (int t = 0; t < 3; t++) centers[3 * j + t] = sums[3 * j + t] / mass[j];
    }
    result = nearest_blocks(blocks, n, centers, k, labels, weights, NULL, NULL);
done:
    free(labels); free(mass); free(blocks);
    return result;
}

/* Labels and Hamerly bounds of points from their cells': |x - c| <= |m - c| + |x - m|. */
void bounds_from_cells(const double *points, idx n, const idx *cell, const double *cell_means,
                       const idx *cell_labels, const double *cell_upper, const double *cell_lower, idx *labels,
                       double *upper, double *lower) {
    for (idx i = 0; i < n; i++) {
        idx j = cell[i];
        double offset = sqrt(sqdist(points + 3 * i, cell_means + 3 * j));
        labels[i] = cell_labels[j];
        upper[i] = cell_upper[j] + offset;
        lower[i] = cell_lower[j] - offset;
    }
}

/* -- seeding ------------------------------------------------------------------------------------ */

/* out := the smaller of closest and the squared distance of each point to center. */
static inline void closer(const double *points, idx n, const double *center, const double *closest, double *out) {
    double x = center[0], y = center[1], z = center[2];
    for (idx i = 0; i < n; i++) {
        double dx = points[3 * i] - x, dy = points[3 * i + 1] - y, dz = points[3 * i + 2] - z;
        double d = dx * dx + dy * dy + dz * dz;
        out[i] = d < closest[i] ? d : closest[i];
    }
}

/* numpy.searchsorted(sorted, value, side="right"): the first index whose value is greater. */
static idx search_right(const double *sorted, idx n, double value) {
    idx lo = 0, hi = n;
    while (lo < hi) {
        idx mid = lo + (hi - lo) / 2;
        if (sorted[mid] <= value) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

/* The points as three coordinate columns (n each), so the scans below run over 4 points per vector. */
static double *point_columns(const double *points, idx n) {
    double *xyz = malloc((n > 0 ? n : 1) * 3 * sizeof(double));
    if (!xyz) return NULL;
    for (idx i = 0; i < n; i++) {
        xyz[i] = points[3 * i];
        xyz[n + i] = points[3 * i + 1];
        xyz[2 * n + i] = points[3 * i + 2];
    }
    return xyz;
}

/* sum(weights * min(closest, squared distance to center)) for two centers in one pass over the points
 * (the loads shared), without storing the minima: for each center four interleaved running sums (point
 * i into sum i % 4, the tail into the first, added as (s0 + s1) + (s2 + s3): four independent chains
 * run about 3x faster than one, and the order stays fixed), the four lanes of one vector. The reference
 * computes the same as _closer() then _dot4(). With greedy_step() inlined into kmeans_plusplus()
 * (before, it was compiled for the default target only, outside the AVX2 clone), a 16-color k-means++
 * on kodim05-q75's 6,066 cells takes 0.36 ms instead of 0.56 (one center per pass: the 0.56; four
 * measured no better than two). */
static inline __attribute__((always_inline)) void potential_with2(const double *xyz, const double *weights, idx n, const double *center_a,
                                   const double *center_b, const double *closest, double *out) {
    const double *xs = xyz, *ys = xyz + n, *zs = xyz + 2 * n;
    double ax = center_a[0], ay = center_a[1], az = center_a[2];
    double bx = center_b[0], by = center_b[1], bz = center_b[2];
    v4d sa = {0.0, 0.0, 0.0, 0.0}, sb = sa;
    idx n4 = n - n % 4;
    for (idx i = 0; i < n4; i += 4) {
        v4d x, y, z, w, c;
        memcpy(&x, xs + i, sizeof x); memcpy(&y, ys + i, sizeof y); memcpy(&z, zs + i, sizeof z);
        memcpy(&w, weights + i, sizeof w); memcpy(&c, closest + i, sizeof c);
        v4d t, da, db;
        t = x - ax; da = t * t; t = y - ay; da += t * t; t = z - az; da += t * t;
        t = x - bx; db = t * t; t = y - by; db += t * t; t = z - bz; db += t * t;
        sa += w * pick(da < c, da, c);
        sb += w * pick(db < c, db, c);
    }
    double a[4], b[4];
    memcpy(a, &sa, sizeof a);
    memcpy(b, &sb, sizeof b);
    for (idx i = n4; i < n; i++) {
        double x = xs[i], y = ys[i], z = zs[i], t, da, db;
        t = x - ax; da = t * t; t = y - ay; da += t * t; t = z - az; da += t * t;
        t = x - bx; db = t * t; t = y - by; db += t * t; t = z - bz; db += t * t;
        a[0] += weights[i] * (da < closest[i] ? da : closest[i]);
        b[0] += weights[i] * (db < closest[i] ? db : closest[i]);
    }
    out[0] = (a[0] + a[1]) + (a[2] + a[3]);
    out[1] = (b[0] + b[1]) + (b[2] + b[3]);
}

/* closer() on the columns: closest := min(closest, squared distance to center). */
static inline void closer_columns(const double *xyz, idx n, const double *center, double *closest) {
    const double *xs = xyz, *ys = xyz + n, *zs = xyz + 2 * n;
    double x = center[0], y = center[1], z = center[2];
    for (idx i = 0; i < n; i++) {
        double dx = xs[i] - x, dy = ys[i] - y, dz = zs[i] - z;
        double d = dx * dx + dy * dy + dz * dz;
        closest[i] = d < closest[i] ? d : closest[i];
    }
}

/* One greedy k-means++ step: n_trials candidates drawn with probability proportional to weight x
 * closest (squared distance to the nearest chosen point), by the uniforms trial_u; the one that
 * lowers the weighted potential most wins (ties to the first drawn). closest is updated to include
 * it; cumulative is scratch (n); xyz: the points' columns. Each trial's potential is summed on the
 * fly (nothing stored), and only the winner's distances are written. Returns the chosen index. */
static inline __attribute__((always_inline)) idx greedy_step(const double *points, const double *xyz, const double *weights, idx n, double *closest,
                       const double *trial_u, idx n_trials, double *cumulative) {
    double total = 0.0;
    for (idx i = 0; i < n; i++) {
        total += weights[i] * closest[i];
        cumulative[i] = total;
    }
    idx chosen = -1;
    double best_potential = INFINITY;
    for (idx t = 0; t < n_trials; t += 2) {
        idx candidate[2];
        double potential[2];
        int pair = t + 1 < n_trials;  /* an odd last trial is measured twice, as both of the pair */
        for (int c = 0; c <= pair; c++) {
            candidate[c] = search_right(cumulative, n, trial_u[t + c] * total);
            if (candidate[c] > n - 1) candidate[c] = n - 1;
        }
        potential_with2(xyz, weights, n, points + 3 * candidate[0], points + 3 * candidate[pair], closest, potential);
        for (int c = 0; c <= pair; c++)
            if (potential[c] < best_potential) {
                best_potential = potential[c];
                chosen = candidate[c];
            }
    }
    if (chosen < 0) return 0;
    closer_columns(xyz, n, points + 3 * chosen, closest);
    return chosen;
}

/* Greedy weighted k-means++ (Arthur & Vassilvitskii 2007; n_trials candidates per step as
 * scikit-learn): first_u picks the first center with probability proportional to the weights, row s
 * of trial_u ((k - 1, n_trials)) the candidates for center s + 1. Writes the (k, 3) chosen points. */
HOT int kmeans_plusplus(const double *points, const double *weights, idx n, double first_u, const double *trial_u,
                    idx k, idx n_trials, double *out) {
    double *scratch = malloc((n > 0 ? n : 1) * 2 * sizeof(double)), *xyz = point_columns(points, n);
    if (!scratch || !xyz) { free(scratch); free(xyz); return -2; }
    double *cumulative = scratch, *closest = scratch + n;
    double total = 0.0;
    for (idx i = 0; i < n; i++) {
        total += weights[i];
        cumulative[i] = total;
    }
    idx chosen = search_right(cumulative, n, first_u * cumulative[n - 1]);
    if (chosen > n - 1) chosen = n - 1;
    memcpy(out, points + 3 * chosen, 3 * sizeof(double));
    for (idx i = 0; i < n; i++) closest[i] = INFINITY;
    closer(points, n, points + 3 * chosen, closest, closest);
    for (idx step = 1; step < k; step++) {
        chosen = greedy_step(points, xyz, weights, n, closest, trial_u + (step - 1) * n_trials, n_trials, cumulative);
        memcpy(out + 3 * step, points + 3 * chosen, 3 * sizeof(double));
    }
    free(scratch);
    free(xyz);
    return 0;
}

/* One greedy k-means++ step from a clustering (a sweep over k): returns the chosen point's index and
 * updates closest; -2 when out of memory. */
HOT idx greedy_candidate(const double *points, const double *weights, idx n, double *closest, const double *trial_u,
                     idx n_trials) {
    double *scratch = malloc((n > 0 ? n : 1) * sizeof(double)), *xyz = point_columns(points, n);
    if (!scratch || !xyz) { free(scratch); free(xyz); return -2; }
    idx chosen = greedy_step(points, xyz, weights, n, closest, trial_u, n_trials, scratch);
    free(scratch);
    free(xyz);
    return chosen;
}

/* -- warm starts (a sweep over k: colorlab.sweep) ------------------------------------------------ */

void own_sqdist(const double *points, idx n, const double *centers, const idx *labels, double *out) {
    for (idx i = 0; i < n; i++) out[i] = sqdist(points + 3 * i, centers + 3 * labels[i]);
}

/* Center k - 1 is new: give it the points strictly nearer to it than to their own center (ties stay
 * with the lower index), keeping the Hamerly bounds valid (in place). Returns how many moved. */
idx insert_center(const double *points, idx n, const double *centers, idx k, idx *labels, double *upper,
                  double *lower) {
    idx j = k - 1, moved = 0;
    for (idx i = 0; i < n; i++) {
        double d = sqrt(sqdist(points + 3 * i, centers + 3 * j));
        if (d < upper[i]) {
            double own = sqrt(sqdist(points + 3 * i, centers + 3 * labels[i]));
            if (d < own) {
                labels[i] = j;
                lower[i] = own < lower[i] ? own : lower[i];
                upper[i] = d;
                moved++;
                continue;
            }
            upper[i] = own;
        }
        lower[i] = d < lower[i] ? d : lower[i];
    }
    return moved;
}

/* sum(count x |color - palette[label]|^2) over uint8 colors, in integers (exact). */
int64_t squared_error(const uint8_t *colors, idx n, const uint8_t *palette, const idx *labels, const int64_t *counts) {
    int64_t total = 0;
    for (idx i = 0; i < n; i++) {
        const uint8_t *c = colors + 3 * i, *p = palette + 3 * labels[i];
        int64_t d0 = (int64_t)c[0] - p[0], d1 = (int64_t)c[1] - p[1], d2 = (int64_t)c[2] - p[2];
        total += counts[i] * (d0 * d0 + d1 * d1 + d2 * d2);
    }
    return total;
}

/* -- CIEDE2000 (colorlab.sweep's mean delta E; the formulas of colorlab.metrics.ciede2000) ------- */

static const double DEGREES = 180.0 / 3.141592653589793, RADIANS = 3.141592653589793 / 180.0;

static double chroma_weight(double chroma) {
    double c2 = chroma * chroma, c3 = chroma * c2, c7 = c3 * (c2 * c2); /* chroma**7 by squaring */
    return sqrt(c7 / (c7 + 6103515625.0));                             /* 25**7 */
}

static double python_mod360(double a) { /* Python's a % 360.0 (the sign of the divisor) */
    double r = fmod(a, 360.0);
    if (r != 0.0) {
        if (r < 0.0) r += 360.0;
    } else {
        r = 0.0; /* +0.0, as Python gives */
    }
    return r;
}

static double ciede2000(double L1, double a1, double b1, double L2, double a2, double b2) {
    double mean_chroma = (hypot(a1, b1) + hypot(a2, b2)) / 2;
    double g = 0.5 * (1 - chroma_weight(mean_chroma));
    double a1p = (1 + g) * a1, a2p = (1 + g) * a2;
    double c1p = hypot(a1p, b1), c2p = hypot(a2p, b2);
    double h1p = python_mod360(atan2(b1, a1p) * DEGREES);
    double h2p = python_mod360(atan2(b2, a2p) * DEGREES);
    int neutral = (c1p * c2p) == 0;
    double dh = h2p - h1p;
    if (dh > 180) dh = dh - 360;
    else if (dh < -180) dh = dh + 360;
    if (neutral) dh = 0.0;
    double dLp = L2 - L1, dCp = c2p - c1p;
    double dHp = 2 * sqrt(c1p * c2p) * sin(dh * RADIANS / 2);
    double mean_L = (L1 + L2) / 2, mean_Cp = (c1p + c2p) / 2, hue_sum = h1p + h2p, mean_hp;
    if (neutral) mean_hp = hue_sum;
    else if (fabs(h1p - h2p) > 180) mean_hp = (hue_sum < 360 ? hue_sum + 360 : hue_sum - 360) / 2;
    else mean_hp = hue_sum / 2;
    double t = 1 - 0.17 * cos((mean_hp - 30) * RADIANS) + 0.24 * cos((2 * mean_hp) * RADIANS) +
               0.32 * cos((3 * mean_hp + 6) * RADIANS) - 0.20 * cos((4 * mean_hp - 63) * RADIANS);
    double e = (mean_hp - 275) / 25;
    double d_theta = 30 * exp(-(e * e));
    double rc = 2 * chroma_weight(mean_Cp);
    double lightness_offset = (mean_L - 50) * (mean_L - 50);
    double sl = 1 + 0.015 * lightness_offset / sqrt(20 + lightness_offset);
    double sc = 1 + 0.045 * mean_Cp;
    double sh = 1 + 0.015 * mean_Cp * t;
    double rt = -sin((2 * d_theta) * RADIANS) * rc;
    double lightness = dLp / sl, chroma = dCp / sc, hue = dHp / sh;
    double squared = lightness * lightness + chroma * chroma + hue * hue + rt * chroma * hue;
    return sqrt(0.0 > squared ? 0.0 : squared); /* Python's max(squared, 0.0) */
}

/* out[i] := CIEDE2000 of lab[i] and palette_lab[labels[i]] for every i in which (m indices). */
void ciede2000_to_palette(const double *lab, const double *palette_lab, const idx *labels, const idx *which, idx m,
                          double *out) {
    for (idx s = 0; s < m; s++) {
        idx i = which[s];
        const double *p = palette_lab + 3 * labels[i];
        out[i] = ciede2000(lab[3 * i], lab[3 * i + 1], lab[3 * i + 2], p[0], p[1], p[2]);
    }
}

/* -- numpy's default random numbers ------------------------------------------------------------ */
/* Uniform doubles from numpy's PCG64 (XSL-RR 128/64, as numpy.random.PCG64 and Generator.random
 * compute them), so that a fit needs no `import numpy.random` (10-19 ms of a command's start). state holds the
 * 128-bit state and increment as (high, low) 64-bit words and is advanced by n draws. Returns -1 where
 * the compiler has no 128-bit integers (the caller then uses numpy.random). */
int pcg64_doubles(uint64_t *state, double *out, idx n) {
#ifdef __SIZEOF_INT128__
    const __uint128_t mult = ((__uint128_t)2549297995355413924ULL << 64) | 4865540595714422341ULL;
    __uint128_t s = ((__uint128_t)state[0] << 64) | state[1];
    const __uint128_t inc = ((__uint128_t)state[2] << 64) | state[3];
    for (idx i = 0; i < n; i++) {
        s = s * mult + inc;
        uint64_t high = (uint64_t)(s >> 64), x = high ^ (uint64_t)s;
        unsigned rot = (unsigned)(high >> 58);
        uint64_t value = (x >> rot) | (x << ((64 - rot) & 63));
        out[i] = (double)(value >> 11) * (1.0 / 9007199254740992.0);
    }
    state[0] = (uint64_t)(s >> 64);
    state[1] = (uint64_t)s;
    return 0;
#else
    (void)state; (void)out; (void)n;
    return -1;
#endif
}

/* -- error diffusion (Floyd-Steinberg) ---------------------------------------------------------- */
/* The nearest palette color of one point, for error diffusion: each pixel's point depends on the choices
 * before it, so the points can be neither deduplicated nor batched, and the search runs once per pixel,
 * on the chain from one pixel's pick to the next one's value. It is exact (the first of the smallest
 * distances: the label a scan of all k gives):
 * - inside a box around the palette and the image, a grid of cells, each listing the palette colors
 *   that can be nearest to a point in it (most list one, found without measuring a distance; see below);
 *   a cell's list is made the first time a point falls in it, as a photo visits a small part of the space;
 * - outside it (a large diffused error), the palette sorted by its first coordinate, searched from where
 *   the point falls, both ways, until that coordinate alone is farther than the best so far, starting from
 *   the previous pixel's pick (`guess`). */

static idx nearest_sorted(const double *v, const double *sorted, const idx *order, idx k,
                          const double *palette, idx guess) {
    idx best = guess;
    double bound = sqdist(v, palette + 3 * guess);
    idx lo = 0, hi = k;                                   /* first sorted entry with coordinate >= v[0] */
    while (lo < hi) {
        idx mid = (lo + hi) / 2;
        if (sorted[3 * mid] < v[0]) lo = mid + 1; else hi = mid;
    }
    for (idx s = lo; s < k; s++) {
        double d0 = sorted[3 * s] - v[0];
        if (d0 * d0 > bound) break;
        double d = sqdist(v, sorted + 3 * s);
        if (d < bound || (d == bound && order[s] < best)) { bound = d; best = order[s]; }
    }
    for (idx s = lo - 1; s >= 0; s--) {
        double d0 = v[0] - sorted[3 * s];
        if (d0 * d0 > bound) break;
        double d = sqdist(v, sorted + 3 * s);
        if (d < bound || (d == bound && order[s] < best)) { bound = d; best = order[s]; }
    }
    return best;
}

/* The grid has two levels. A fine cell's side is GRID_SIDE times the median distance between palette
 * neighbours; it lists only the colors whose Voronoi region meets it (colors that another one is closer
 * than everywhere in the cell are dropped), so a fine cell holds a few colors, often one, found without
 * measuring a distance. A coarse cell (GRID_COARSE fine cells a side) lists, from all k, the colors that can be nearest
 * in it by distance bounds alone; a fine cell starts from its coarse cell's list, not from all k. At most
 * GRID_CELLS fine cells (an int32 each, touched only where the image goes). */
#ifndef GRID_SIDE
#define GRID_SIDE 1.0    /* measured at k = 256: 0.5 and 0.7 spend more on making lists, 1.4 and 2 on scanning them */
#endif
#define GRID_COARSE 4
#define GRID_CELLS ((idx)1 << 22)

typedef struct {
    const double *palette, *sorted;
    const idx *order;
    idx k;
    double lo[3], side, inv, margin2;
    idx n[3], m[3];        /* fine and coarse cells per axis */
    int32_t *first;        /* per fine cell: 0 until made, -(j + 1) when color j alone is listed, else
                            * 1 + offset of its list in `lists` */
    double *lists;         /* fine lists, 4 doubles per entry: the count, then each color's coordinates
                            * and index (in palette order): one stream of memory per search */
    idx used, cap;
    int32_t *coarse;       /* per coarse cell: 0 until made, else 1 + offset of its list in `colors` */
    int32_t *colors;       /* coarse lists: the count, then the colors (in palette order) */
    idx cused, ccap;
    double *reach;         /* scratch: k smallest squared distances to a cell */
    int32_t *pick;         /* scratch: k colors */
    uint8_t *dropped;      /* scratch: k flags */
    double *axes;          /* the palette by axis (3 x k), and scratch for a list's colors by axis (3 x k) */
} palette_grid;

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void grid_free(palette_grid *g) {
    free(g->first); free(g->lists); free(g->coarse); free(g->colors); free(g->reach); free(g->pick); free(g->dropped);
    free(g->axes);
}

/* A grid for `palette` over a box holding it and [vmin, vmax] with a margin; returns -2 when out of memory. */
static int grid_init(palette_grid *g, const double *palette, idx k, const double *sorted, const idx *order,
                     const double *vmin, const double *vmax) {
    memset(g, 0, sizeof *g);
    g->palette = palette; g->sorted = sorted; g->order = order; g->k = k;
    g->reach = malloc((size_t)k * sizeof(double));
    g->pick = malloc((size_t)k * sizeof(int32_t));
    g->dropped = malloc((size_t)k);
    g->axes = malloc((size_t)k * 6 * sizeof(double));
    if (!g->reach || !g->pick || !g->dropped || !g->axes) { grid_free(g); return -2; }
    for (idx j = 0; j < k; j++)
        for (int t = 0; t < 3; t++) g->axes[t * k + j] = palette[3 * j + t];
    double *near = g->reach;                   /* each color's squared distance to its nearest other */
    nearest_others(palette, k, near);
    qsort(near, (size_t)k, sizeof(double), compare_doubles);
    double lo[3], hi[3], extent = 0, scale = 0;
    for (int t = 0; t < 3; t++) {
        lo[t] = vmin[t]; hi[t] = vmax[t];
        for (idx j = 0; j < k; j++) {
            if (palette[3 * j + t] < lo[t]) lo[t] = palette[3 * j + t];
            if (palette[3 * j + t] > hi[t]) hi[t] = palette[3 * j + t];
        }
        if (hi[t] - lo[t] > extent) extent = hi[t] - lo[t];
    }
    double side = k > 1 && isfinite(near[k / 2]) ? GRID_SIDE * sqrt(near[k / 2]) : 0;
    if (!(side > extent / 512)) side = extent / 512;
    if (!(side > 0) || !isfinite(extent)) side = 1;
    double margin = 0.25 * extent + side;
    for (;;) {
        idx cells = 1;
        for (int t = 0; t < 3; t++) {
            g->m[t] = (idx)((hi[t] - lo[t] + 2 * margin) / (GRID_COARSE * side)) + 1;
            g->n[t] = GRID_COARSE * g->m[t];
            cells *= g->n[t];
        }
        if (cells <= GRID_CELLS) break;
        side *= 1.25;
    }
    for (int t = 0; t < 3; t++) {
        g->lo[t] = lo[t] - margin;
        double top = g->lo[t] + g->n[t] * side;
        if (fabs(g->lo[t]) > scale) scale = fabs(g->lo[t]);
        if (fabs(top) > scale) scale = fabs(top);
    }
    g->side = side; g->inv = 1 / side;
    /* a color is dropped from a cell only when another one is closer by this much (squared) in all of it:
     * far above the rounding of the distances, so a tie is never dropped */
    g->margin2 = 1e-9 * scale * scale;
    g->first = calloc((size_t)(g->n[0] * g->n[1] * g->n[2]), sizeof(int32_t));
    g->coarse = calloc((size_t)(g->m[0] * g->m[1] * g->m[2]), sizeof(int32_t));
    if (!g->first || !g->coarse) { grid_free(g); return -2; }
    return 0;
}

/* Each color's smallest squared distance to the box [lo, hi] into near[], of n colors given by axis (x, y, z);
 * returns the smallest of their largest squared distances to it. Four colors at a time in vector lanes, with
 * selects for the tests (as branches they mispredicted): per color the same numbers, summed in the same
 * order, as one color at a time (the tail). */
HOT static double box_reach(const double *x, const double *y, const double *z, idx n, const double *lo,
                            const double *hi, double *near) {
    const double *axis[3] = {x, y, z};
    const v4d zero = {0, 0, 0, 0};
    v4d least = {INFINITY, INFINITY, INFINITY, INFINITY};
    idx s = 0;
    for (; s + 4 <= n; s += 4) {
        v4d m = zero, far = zero;
        for (int t = 0; t < 3; t++) {
            v4d p, l = {lo[t], lo[t], lo[t], lo[t]}, h = {hi[t], hi[t], hi[t], hi[t]};
            memcpy(&p, axis[t] + s, sizeof p);
            v4d below = l - p, above = p - h;
            v4d gap = pick(below > above, below, above);  /* lo <= hi: not both > 0 */
            gap = pick(gap > zero, gap, zero);
            v4d a = p - l, b = p - h;
            a = pick(a < zero, -a, a);
            b = pick(b < zero, -b, b);
            v4d reach = pick(a > b, a, b);
            m = m + gap * gap;
            far = far + reach * reach;
        }
        memcpy(near + s, &m, sizeof m);
        least = pick(far < least, far, least);
    }
    double limit = INFINITY;
    for (int h = 0; h < 4; h++) limit = least[h] < limit ? least[h] : limit;
    for (; s < n; s++) {
        const double p[3] = {x[s], y[s], z[s]};
        double m = 0, far = 0;
        for (int t = 0; t < 3; t++) {
            double below = lo[t] - p[t], above = p[t] - hi[t];
            double gap = below > above ? below : above;
            gap = gap > 0 ? gap : 0;
            double a = fabs(p[t] - lo[t]), b = fabs(p[t] - hi[t]);
            double reach = a > b ? a : b;
            m += gap * gap;
            far += reach * reach;
        }
        near[s] = m;
        limit = far < limit ? far : limit;
    }
    return limit;
}

/* Of the `count` colors in `from` (all k when NULL), those whose smallest squared distance to the box
 * [lo, hi] is at most the smallest largest squared distance of any of them to it (one of those is nearest
 * wherever in the box), into `to` in the same order; returns how many. */
static idx within_reach(const palette_grid *g, const double *lo, const double *hi, const int32_t *from,
                        idx count, int32_t *to) {
    const double *axes = g->axes;
    if (from) {  /* the listed colors by axis, in the scratch half */
        double *listed = g->axes + 3 * g->k;
        for (idx s = 0; s < count; s++)
            for (int t = 0; t < 3; t++) listed[t * count + s] = g->palette[3 * from[s] + t];
        axes = listed;
    }
    double limit = box_reach(axes, axes + count, axes + 2 * count, count, lo, hi, g->reach);
    limit *= 1 + 1e-9;                        /* a relative slack for the rounding of distances */
    idx kept = 0;
    for (idx s = 0; s < count; s++) {  /* listed without a branch: which colors are kept is hard to predict */
        to[kept] = from ? from[s] : (int32_t)s;
        kept += g->reach[s] <= limit;
    }
    return kept;
}

/* The box of a cell of `side` at (cx, cy, cz), a little larger: points rounded into the cell are in it. */
static void cell_box(const palette_grid *g, double side, idx cx, idx cy, idx cz, double *lo, double *hi) {
    const idx cell[3] = {cx, cy, cz};
    const double eps = 1e-6 * g->side;
    for (int t = 0; t < 3; t++) {
        lo[t] = g->lo[t] + cell[t] * side - eps;
        hi[t] = g->lo[t] + (cell[t] + 1) * side + eps;
    }
}

/* The list of coarse cell (cx, cy, cz) (made if need be): its count, then its colors; NULL when out of memory. */
static const int32_t *coarse_list(palette_grid *g, idx cx, idx cy, idx cz) {
    idx cell = (cx * g->m[1] + cy) * g->m[2] + cz;
    if (!g->coarse[cell]) {
        double lo[3], hi[3];
        cell_box(g, GRID_COARSE * g->side, cx, cy, cz, lo, hi);
        idx count = within_reach(g, lo, hi, NULL, g->k, g->pick);
        if (g->cused + count + 1 > g->ccap) {
            idx cap = 2 * g->ccap + count + 4096;
            if (cap > INT32_MAX) return NULL;
            int32_t *colors = realloc(g->colors, (size_t)cap * sizeof(int32_t));
            if (!colors) return NULL;
            g->colors = colors; g->ccap = cap;
        }
        g->colors[g->cused] = (int32_t)count;
        memcpy(g->colors + g->cused + 1, g->pick, (size_t)count * sizeof(int32_t));
        g->coarse[cell] = (int32_t)(g->cused + 1);
        g->cused += count + 1;
    }
    return g->colors + g->coarse[cell] - 1;
}

/* Make the list of fine cell (cx, cy, cz); returns 0, or -2 when out of memory (or when the lists
 * outgrow 32-bit offsets). */
static int grid_fill(palette_grid *g, idx cx, idx cy, idx cz) {
    const int32_t *from = coarse_list(g, cx / GRID_COARSE, cy / GRID_COARSE, cz / GRID_COARSE);
    if (!from) return -2;
    double lo[3], hi[3], centre[3], half = 0;
    cell_box(g, g->side, cx, cy, cz, lo, hi);
    for (int t = 0; t < 3; t++) centre[t] = 0.5 * (lo[t] + hi[t]);
    for (int t = 0; t < 3; t++) if (hi[t] - centre[t] > half) half = hi[t] - centre[t];
    half *= 1 + 1e-9;
    int32_t *pick = g->pick;
    idx count = within_reach(g, lo, hi, from + 1, from[0], pick);
    /* drop color j where some i is closer in all of the cell: |x - j|^2 - |x - i|^2 over the cell is at
     * least |c - j|^2 - |c - i|^2 - 2 half sum_t |i_t - j_t| (c its centre, x = c + u with |u_t| <= half) */
    double *d = g->reach;
    for (idx s = 0; s < count; s++) d[s] = sqdist(centre, g->palette + 3 * pick[s]);
    for (idx s = 0; s < count; s++) {
        const double *pj = g->palette + 3 * pick[s];
        int dropped = 0;
        for (idx r = 0; r < count && !dropped; r++) {
            if (r == s || d[r] >= d[s]) continue;
            const double *pi = g->palette + 3 * pick[r];
            double spread = fabs(pi[0] - pj[0]) + fabs(pi[1] - pj[1]) + fabs(pi[2] - pj[2]);
            dropped = d[s] - d[r] - 2 * half * spread > g->margin2;
        }
        g->dropped[s] = (uint8_t)dropped;
    }
    idx kept = 0;
    for (idx s = 0; s < count; s++) if (!g->dropped[s]) pick[kept++] = pick[s];
    idx cell = (cx * g->n[1] + cy) * g->n[2] + cz;
    if (kept == 1) { g->first[cell] = -(pick[0] + 1); return 0; }
    if (g->used + kept + 1 > g->cap) {
        idx cap = 2 * g->cap + kept + 4096;
        if (cap > INT32_MAX) return -2;
        double *lists = realloc(g->lists, (size_t)cap * 4 * sizeof(double));
        if (!lists) return -2;
        g->lists = lists; g->cap = cap;
    }
    double *entry = g->lists + 4 * g->used;
    entry[0] = (double)kept;
    for (idx s = 0; s < kept; s++) {
        entry += 4;
        memcpy(entry, g->palette + 3 * pick[s], 3 * sizeof(double));
        entry[3] = (double)pick[s];
    }
    g->first[cell] = (int32_t)(g->used + 1);
    g->used += kept + 1;
    return 0;
}

/* The nearest palette color of v (see above); -2 when out of memory. */
static inline idx grid_nearest(palette_grid *g, const double *v, idx guess) {
    double fx = (v[0] - g->lo[0]) * g->inv, fy = (v[1] - g->lo[1]) * g->inv, fz = (v[2] - g->lo[2]) * g->inv;
    if (!(fx >= 0 && fy >= 0 && fz >= 0 && fx < (double)g->n[0] && fy < (double)g->n[1] && fz < (double)g->n[2]))
        return nearest_sorted(v, g->sorted, g->order, g->k, g->palette, guess);   /* NaN too */
    idx cx = (idx)fx, cy = (idx)fy, cz = (idx)fz, cell = (cx * g->n[1] + cy) * g->n[2] + cz;
    if (!g->first[cell] && grid_fill(g, cx, cy, cz)) return -2;
    int32_t offset = g->first[cell];
    if (offset < 0) return -(idx)offset - 1;
    /* every listed color is measured (a short list scanned without branches), in palette order, so the
     * first of the smallest is kept; the index is chosen with a mask: as a double select, GCC made it a
     * branch, mispredicted on most lists (Floyd-Steinberg 1.03-1.07x faster without it) */
    const double *entry = g->lists + 4 * (idx)offset;
    idx count = (idx)entry[-4];
    double bound = sqdist(v, entry);
    int64_t best_i = (int64_t)entry[3];
    for (idx s = 1; s < count; s++) {
        double d = sqdist(v, entry + 4 * s);
        int64_t better = -(int64_t)(d < bound), index = (int64_t)entry[4 * s + 3];
        bound = d < bound ? d : bound;
        best_i = (index & better) | (best_i & ~better);
    }
    return (idx)best_i;
}

/* Each point's nearest palette color through the grid above, over a box around the palette and `box`
 * (vmin, vmax: 6 doubles; NULL: the points' own range), each search starting from the previous point's
 * pick as in diffuse(). The palette search of diffuse() on its own, for tests. Returns -2 when out of memory. */
int grid_labels(const double *points, idx n, const double *palette, idx k, const double *sorted,
                const idx *order, const double *box, idx *labels) {
    double vmin[3] = {INFINITY, INFINITY, INFINITY}, vmax[3] = {-INFINITY, -INFINITY, -INFINITY};
    if (box) for (int t = 0; t < 3; t++) { vmin[t] = box[t]; vmax[t] = box[3 + t]; }
    else for (idx i = 0; i < n; i++) for (int t = 0; t < 3; t++) {
        if (points[3 * i + t] < vmin[t]) vmin[t] = points[3 * i + t];
        if (points[3 * i + t] > vmax[t]) vmax[t] = points[3 * i + t];
    }
    palette_grid g;
    if (grid_init(&g, palette, k, sorted, order, vmin, vmax)) return -2;
    idx guess = 0;
    for (idx i = 0; i < n; i++) {
        guess = grid_nearest(&g, points + 3 * i, guess);
        if (guess < 0) { grid_free(&g); return -2; }
        labels[i] = guess;
    }
    grid_free(&g);
    return 0;
}

/* Rec.601 luma (0..255) of a 24-bit code r << 16 | g << 8 | b, in numpy's order: r * 0.299 + g * 0.587 + b * 0.114. */
static inline double luma_of(uint32_t code) {
    return (double)(code >> 16) * 0.299 + (double)((code >> 8) & 255) * 0.587 + (double)(code & 255) * 0.114;
}

static void luma_row(const uint32_t *codes, idx width, double *out) {
    for (idx x = 0; x < width; x++) out[x] = luma_of(codes[x]);
}

/* The edge weights of a row from the luma of it (`mid`) and of the rows above and below (NULL at the
 * image's top and bottom): 1 / (1 + (g / edge)^2), g the largest absolute luma step from a pixel to one
 * of its four neighbours (colorlab.redraw.dither.edge_weights). */
static inline double larger(double a, double b) { return a > b ? a : b; }

/* The image's first and last rows have no row above or below: `mid` stands in for it (a step of 0). The
 * loop over the inner columns has no branch, so the compiler vectorises it (the largest step is the same
 * in any order). */
static void edge_row(const double *up, const double *mid, const double *down, idx width, double edge, double *out) {
    if (!up) up = mid;
    if (!down) down = mid;
    for (idx x = 0; x < width; x++) {
        double l = mid[x];
        out[x] = larger(fabs(l - up[x]), fabs(l - down[x]));
    }
    for (idx x = 1; x + 1 < width; x++) {
        double l = mid[x];
        out[x] = larger(out[x], larger(fabs(l - mid[x - 1]), fabs(l - mid[x + 1])));
    }
    if (width > 1) {
        out[0] = larger(out[0], fabs(mid[0] - mid[1]));
        out[width - 1] = larger(out[width - 1], fabs(mid[width - 1] - mid[width - 2]));
    }
    for (idx x = 0; x < width; x++) {
        double r = out[x] / edge;
        out[x] = 1.0 / (1.0 + r * r);
    }
}

/* Rolling luma rows for edge_row(): `luma` holds 3 rows of `width`; after edge_rows(..., y, ...) the
 * weights of row y are in out. Rows must come in order y0, y0 + 1, ... */
static void edge_rows(const uint32_t *codes, idx height, idx width, idx y, idx y0, double edge, double *luma,
                      double *out) {
    double *row[3] = {luma, luma + width, luma + 2 * width};
    if (y == y0) {
        if (y > 0) luma_row(codes + (y - 1) * width, width, row[(y - 1) % 3]);
        luma_row(codes + y * width, width, row[y % 3]);
    }
    if (y + 1 < height) luma_row(codes + (y + 1) * width, width, row[(y + 1) % 3]);
    edge_row(y > 0 ? row[(y + 2) % 3] : NULL, row[y % 3], y + 1 < height ? row[(y + 1) % 3] : NULL, width, edge, out);
}

/* Edge weights of rows [y0, y1) of an (height, width) image of codes into out (the whole image's array);
 * returns -2 when out of memory. */
int edge_weights(const uint32_t *codes, idx height, idx width, idx y0, idx y1, double edge, double *out) {
    double *luma = malloc((size_t)3 * width * sizeof(double));
    if (!luma) return -2;
    for (idx y = y0; y < y1; y++) edge_rows(codes, height, width, y, y0, edge, luma, out + y * width);
    free(luma);
    return 0;
}

#define DIFFUSE_SERPENTINE 1
#define DIFFUSE_LIMITS 2
#define DIFFUSE_PILLOW 4

/* What diffuse() shares between its bands, and each band's own rows and running state. */
typedef struct {
    const double *values;
    const uint64_t *bits;
    const uint32_t *rank;
    const uint32_t *codes;
    idx height, width;
    const double *palette;
    double strength, edge, quiet2, max2;
    int flags;
    uint8_t *labels8;
    uint16_t *labels16;
    palette_grid *grid;
} diffusion;

typedef struct {
    idx first, kept_from, end, y;
    double *rows, *here, *below, *row, *weights, *luma;
    double carry[3];
    idx guess;
    int back, kept;
} band_state;

static int band_open(const diffusion *f, band_state *b, const idx *rows) {
    memset(b, 0, sizeof *b);
    b->first = rows[0]; b->kept_from = rows[1]; b->end = rows[2]; b->y = rows[0];
    idx width = f->width;
    b->rows = calloc((size_t)3 * 3 * (width + 2) + (size_t)4 * width, sizeof(double));
    if (!b->rows) return -2;
    b->here = b->rows; b->below = b->rows + 3 * (width + 2);   /* column x is entry x + 1 */
    b->row = b->rows + 6 * (width + 2);                        /* the row's values, column x at entry x */
    b->weights = b->rows + 9 * (width + 2); b->luma = b->weights + width;
    return 0;
}

/* Set up row b->y: its direction, the error below cleared, its edge weights and its values. */
static inline __attribute__((always_inline)) void row_start(const diffusion *f, band_state *b) {
    idx y = b->y, width = f->width;
    b->back = (f->flags & DIFFUSE_SERPENTINE) && (y & 1);
    b->kept = y >= b->kept_from;
    b->carry[0] = b->carry[1] = b->carry[2] = 0;
    memset(b->below, 0, 3 * (width + 2) * sizeof(double));
    if (f->flags & DIFFUSE_LIMITS) {
        if (f->codes) edge_rows(f->codes, f->height, width, y, b->first, f->edge, b->luma, b->weights);
        else for (idx x = 0; x < width; x++) b->weights[x] = 1;
    }
    if (f->bits) {
        /* the row's values first, in a loop of independent loads (many cache misses at once), not
         * one at a time inside the diffusion, which waits on each pixel's pick before the next */
        const uint32_t *at = f->codes + y * width;
        for (idx x = 0; x < width; x++)
            memcpy(b->row + 3 * x, f->values + 3 * rank_of(f->bits, f->rank, at[x]), 3 * sizeof(double));
    }
}

/* Pixel i of the row (counted in its direction); returns 0, or -2 when out of memory. */
static inline __attribute__((always_inline)) int pixel_step(const diffusion *f, band_state *b, idx i) {
    const int pillow = f->flags & DIFFUSE_PILLOW, limits = f->flags & DIFFUSE_LIMITS;
    idx width = f->width, x = b->back ? width - 1 - i : i, p = b->y * width + x;
    const idx step = b->back ? -1 : 1;
    const double *in = f->bits ? b->row + 3 * x : f->values + 3 * p;
    double *acc = b->here + 3 * (x + 1);
    double v[3], s[3];
    for (int t = 0; t < 3; t++) {
        double sum = 7 * b->carry[t] + acc[t];
        s[t] = pillow ? trunc(sum / 16) : sum * f->strength / 16;
    }
    if (limits) {
        double w = b->weights[x];
        for (int t = 0; t < 3; t++) s[t] *= w;
        double e2 = s[0] * s[0] + s[1] * s[1] + s[2] * s[2];
        /* a factor rather than branches (which of the three is hard to predict); times 1 is exact */
        double keep = e2 < f->quiet2 ? 0.0 : e2 > f->max2 ? 0.8 : 1.0;
        for (int t = 0; t < 3; t++) s[t] *= keep;
    }
    for (int t = 0; t < 3; t++) {
        v[t] = in[t] + s[t];
        if (pillow) v[t] = v[t] < 0 ? 0 : v[t] > 255 ? 255 : v[t];
    }
    idx guess;
    if (pillow) {
        double corner[3] = {4 * floor(v[0] / 4), 4 * floor(v[1] / 4), 4 * floor(v[2] / 4)};
        guess = grid_nearest(f->grid, corner, b->guess);
    } else {
        guess = grid_nearest(f->grid, v, b->guess);
    }
    if (guess < 0) return -2;
    b->guess = guess;
    if (b->kept) {
        if (f->labels8) f->labels8[p] = (uint8_t)guess;
        else f->labels16[p] = (uint16_t)guess;
    }
    double e[3];
    for (int t = 0; t < 3; t++) e[t] = v[t] - f->palette[3 * guess + t];
    if (limits) {
        double cut = e[0] * e[0] + e[1] * e[1] + e[2] * e[2] > f->max2 ? 0.75 : 1.0;
        for (int t = 0; t < 3; t++) e[t] *= cut;
    }
    double *next = b->below + 3 * (x + 1);
    for (int t = 0; t < 3; t++) {
        b->carry[t] = e[t];
        next[3 * -step + t] += 3 * e[t];
        next[t] += 5 * e[t];
        next[3 * step + t] += e[t];
    }
    return 0;
}

static inline void row_end(const diffusion *f, band_state *b) {
    if (f->flags & DIFFUSE_PILLOW) {
        /* Pillow's last write of a row stores the blue channel's pending sums in all three
         * channels of the last column below (its red and green ones are lost): reproduced to match it */
        double *last = b->below + 3 * f->width;
        last[0] = last[2];
        last[1] = last[2] = b->carry[2];
    }
    double *swap = b->here; b->here = b->below; b->below = swap;
    b->y++;
}

/* Floyd-Steinberg error diffusion of an (height, width) image into palette indices. Pixel p's coordinates
 * (any color space; the palette in the same space) are values[rank of codes[p]] in the presence bitmap `bits`
 * with ranks `rank` of the image's distinct colors (bits NULL: values[p]), so an image is converted once per
 * distinct color, and no per-pixel index is made (a 10-megapixel image: 39 MB). Each pixel takes the diffused
 * error (7/16 from the previous pixel of its row, 3/16, 5/16, 1/16 from the row above), times `strength`, on
 * top of its own value; its nearest palette color is its label, and the difference is passed on.
 * flags: DIFFUSE_SERPENTINE runs odd rows right to left (no drift of the pattern to one side).
 * DIFFUSE_LIMITS: the incoming error is scaled by the pixel's edge weight (edge_row() of the pixels' 24-bit
 * `codes` and `edge`; 1 where codes is NULL: less on edges, where the eye sees noise, not shades), dropped
 * when its square is below `quiet2` (flat areas stay clean) and cut by 0.8 above `max2`; an outgoing error
 * whose square exceeds `max2` is cut by 0.75 (no bright specks from a color the palette lacks).
 * DIFFUSE_PILLOW: Pillow's integer arithmetic (coordinates 0..255: the 16ths truncated, the value clipped
 * to 0..255, the nearest color of its cell of 4 x 4 x 4 levels, measured from the cell's low corner), so
 * that strength 1 reproduces Image.quantize(dither=FLOYDSTEINBERG). `sorted` and `order`: the palette
 * sorted by its first coordinate (ties by index) and each entry's index.
 * `bands` holds n_bands (first_row, kept_row, end_row) triples: rows first_row to end_row - 1 of a band are
 * diffused, starting with no error from above, and the labels of those from kept_row on are written (rows
 * before it only warm the error up: a band of the image can then be done on its own, its first rows' error
 * close to what a diffusion from the top would bring them). The direction of a row depends on its number in
 * the image, not in the band. Two bands at a time are diffused pixel by pixel in turn: each pixel waits on the
 * pick of the one before it (a chain of dependent steps and memory loads), and two independent chains keep
 * the core busy where one leaves it waiting, with the same labels as one band after the other. The bands
 * share one palette grid. The labels are uint8 for up to 256 palette colors, else uint16 (a 10-megapixel
 * image: 10 or 20 MB written, not 80 as intp). Returns -2 when out of memory or k > 65536. */
HOT int diffuse(const double *values, idx n_values, const uint64_t *bits, const uint32_t *rank,
                const uint32_t *codes, idx height,
                idx width, const double *palette, idx k, const double *sorted, const idx *order, double strength,
                double edge, double quiet2, double max2, int flags, const idx *bands, idx n_bands, void *labels) {
    if (k > 65536) return -2;
    double vmin[3] = {INFINITY, INFINITY, INFINITY}, vmax[3] = {-INFINITY, -INFINITY, -INFINITY};
    for (idx i = 0; i < n_values; i++) for (int t = 0; t < 3; t++) {
        double c = values[3 * i + t];
        if (c < vmin[t]) vmin[t] = c;
        if (c > vmax[t]) vmax[t] = c;
    }
    palette_grid grid;
    if (grid_init(&grid, palette, k, sorted, order, vmin, vmax)) return -2;
    const diffusion f = {values, bits, rank, codes, height, width, palette, strength, edge, quiet2, max2, flags,
                         k <= 256 ? labels : NULL, k <= 256 ? NULL : labels, &grid};
    int status = 0;
    for (idx at = 0; at < n_bands && !status; at += 2) {
        band_state b[2];
        int two = at + 1 < n_bands;
        if (band_open(&f, &b[0], bands + 3 * at)) { status = -2; break; }
        if (two && band_open(&f, &b[1], bands + 3 * at + 3)) { free(b[0].rows); status = -2; break; }
        /* both bands a row at a time, their pixels in turn; then the longer one's last rows alone */
        while (two && b[0].y < b[0].end && b[1].y < b[1].end && !status) {
            row_start(&f, &b[0]);
            row_start(&f, &b[1]);
            for (idx i = 0; i < width; i++)
                if (pixel_step(&f, &b[0], i) || pixel_step(&f, &b[1], i)) { status = -2; break; }
            row_end(&f, &b[0]);
            row_end(&f, &b[1]);
        }
        for (int h = 0; h < 1 + two && !status; h++)
            while (b[h].y < b[h].end) {
                row_start(&f, &b[h]);
                for (idx i = 0; i < width; i++)
                    if (pixel_step(&f, &b[h], i)) { status = -2; break; }
                if (status) break;
                row_end(&f, &b[h]);
            }
        free(b[0].rows);
        if (two) free(b[1].rows);
    }
    grid_free(&grid);
    return status;
}

/* -- Wu's color quantizer: the box cuts ---------------------------------------------------------- */

/* table: cumulative moments of a grid, (side, side, side, 5) doubles (count, three coordinate sums, sum
 * of squared norms), row 0 of each axis zero. A box is (r0, r1, g0, g1, b0, b1): the cells r0 < r <= r1
 * and so on. Every sum is taken in the order colorlab/cluster/wu.py's reference takes it. */

static inline const double *wu_at(const double *table, idx side, idx r, idx g, idx b) {
    return table + ((r * side + g) * side + b) * 5;
}

/* the moments of the cells at or below ``plane`` on ``axis`` within the box's ranges on the two others */
static void wu_slab(const double *table, idx side, const idx *box, int axis, idx plane, double *out) {
    int first = axis == 0 ? 1 : 0, second = axis == 2 ? 1 : 2;
    idx a[2] = {box[2 * first + 1], box[2 * first]}, b[2] = {box[2 * second + 1], box[2 * second]};
    const double *corner[4];
    for (int c = 0; c < 4; c++) {
        idx at[3];
        at[axis] = plane, at[first] = a[c >> 1], at[second] = b[c & 1];
        corner[c] = wu_at(table, side, at[0], at[1], at[2]);
    }
    for (int m = 0; m < 5; m++) out[m] = corner[0][m] - corner[1][m] - corner[2][m] + corner[3][m];
}

static void wu_volume(const double *table, idx side, const idx *box, double *out) {
    idx r0 = box[0], r1 = box[1], g0 = box[2], g1 = box[3], b0 = box[4], b1 = box[5];
    for (int m = 0; m < 5; m++)
        out[m] = wu_at(table, side, r1, g1, b1)[m] - wu_at(table, side, r1, g1, b0)[m]
                 - wu_at(table, side, r1, g0, b1)[m] + wu_at(table, side, r1, g0, b0)[m]
                 - wu_at(table, side, r0, g1, b1)[m] + wu_at(table, side, r0, g1, b0)[m]
                 + wu_at(table, side, r0, g0, b1)[m] - wu_at(table, side, r0, g0, b0)[m];
}

static inline double wu_score(const double *m) { return (m[1] * m[1] + m[2] * m[2] + m[3] * m[3]) / m[0]; }

/* the cut of ``box`` that removes the most variance: its gain (0 when no cut leaves pixels on both sides) */
static double wu_best_cut(const double *table, idx side, const idx *box, const double *whole, idx *axis_out,
                          idx *plane_out) {
    double best = 0.0, whole_score = wu_score(whole), base[5], lower[5], upper[5];
    *axis_out = -1, *plane_out = -1;
    for (int axis = 0; axis < 3; axis++) {
        idx low = box[2 * axis], high = box[2 * axis + 1];
        if (high - low < 2) continue;
        wu_slab(table, side, box, axis, low, base);
        double top = -INFINITY;
        idx top_plane = -1;
        for (idx plane = low + 1; plane < high; plane++) {
            wu_slab(table, side, box, axis, plane, lower);
            for (int m = 0; m < 5; m++) lower[m] -= base[m], upper[m] = whole[m] - lower[m];
            if (!(lower[0] > 0) || !(upper[0] > 0)) continue;
            double score = wu_score(lower) + wu_score(upper);
            if (score > top) top = score, top_plane = plane;
        }
        if (top_plane < 0) continue;
        double gain = top - whole_score;
        if (gain > best) best = gain, *axis_out = axis, *plane_out = top_plane;
    }
    return best;
}

/* The cumulative moment grid of Wu's method (table: side^3 x 5, side = 2^bits + 1, filled here; flat: n out,
 * each color's cell, or NULL): per cell the pixel count, the weighted coordinate sums and the weighted sum of
 * squared norms, summed over the colors in the order given, then cumulated along r, g and b in turn. The
 * same additions in the same order as numpy's bincounts and cumsums (tests/kernels_reference.py), in one
 * pass over the colors instead of five. */
void wu_moments(const uint8_t *colors, const double *coords, const double *weights, idx n, int bits, double *table,
                idx *flat) {
    idx side = ((idx)1 << bits) + 1, plane = side * side * 5, row = side * 5;
    memset(table, 0, sizeof(double) * side * plane);
    for (idx i = 0; i < n; i++) {
        const uint8_t *c = colors + 3 * i;
        const double *x = coords + 3 * i;
        idx cell = ((((idx)(c[0] >> (8 - bits)) + 1) * side + (c[1] >> (8 - bits)) + 1) * side) + (c[2] >> (8 - bits)) + 1;
        if (flat) flat[i] = cell;
        double w = weights[i], *m = table + 5 * cell;
        m[0] += w;
        m[1] += w * x[0];
        m[2] += w * x[1];
        m[3] += w * x[2];
        m[4] += w * ((x[0] * x[0] + x[1] * x[1]) + x[2] * x[2]);
    }
    for (idx r = 1; r < side; r++)
        for (idx t = 0; t < plane; t++) table[r * plane + t] += table[(r - 1) * plane + t];
    for (idx r = 0; r < side; r++)
        for (idx g = 1; g < side; g++)
            for (idx t = 0; t < row; t++) table[r * plane + g * row + t] += table[r * plane + (g - 1) * row + t];
    for (idx r = 0; r < side; r++)
        for (idx g = 0; g < side; g++)
            for (idx b = 1; b < side; b++)
                for (int t = 0; t < 5; t++) table[r * plane + g * row + b * 5 + t] += table[r * plane + g * row + (b - 1) * 5 + t];
}

/* Cut the grid into at most k boxes (boxes: k x 6 out, moments: k x 5 out); returns how many. The box to
 * cut is the one whose best cut removes the most variance (ties: the lowest number); the lower half keeps
 * its number, the upper one is appended. */
idx wu_cuts(const double *table, idx side, idx k, idx *boxes, double *moments) {
    double *gain = malloc(sizeof(double) * k);
    idx *axis = malloc(sizeof(idx) * k), *plane = malloc(sizeof(idx) * k);
    if (!gain || !axis || !plane) { free(gain), free(axis), free(plane); return -2; }
    idx m = 1;
    idx start[6] = {0, side - 1, 0, side - 1, 0, side - 1};
    memcpy(boxes, start, sizeof start);
    wu_volume(table, side, boxes, moments);
    gain[0] = wu_best_cut(table, side, boxes, moments, &axis[0], &plane[0]);
    while (m < k) {
        idx pick = -1;
        for (idx i = 0; i < m; i++)
            if (axis[i] >= 0 && (pick < 0 || gain[i] > gain[pick])) pick = i;
        if (pick < 0) break;
        idx *low = boxes + 6 * pick, *high = boxes + 6 * m;
        memcpy(high, low, 6 * sizeof(idx));
        low[2 * axis[pick] + 1] = plane[pick];
        high[2 * axis[pick]] = plane[pick];
        double *low_m = moments + 5 * pick, *high_m = moments + 5 * m, before[5];
        memcpy(before, low_m, sizeof before);
        wu_volume(table, side, low, low_m);
        for (int j = 0; j < 5; j++) high_m[j] = before[j] - low_m[j];
        gain[pick] = wu_best_cut(table, side, low, low_m, &axis[pick], &plane[pick]);
        gain[m] = wu_best_cut(table, side, high, high_m, &axis[m], &plane[m]);
        m++;
    }
    free(gain), free(axis), free(plane);
    return m;
}

/* -- PNG row filters (colorlab.io._pngread: the reader of ordinary 8-bit PNGs) ------------------------ */

#if defined(__GNUC__)
#define ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define ALWAYS_INLINE inline
#endif

/* The Paeth predictor (PNG spec, section 9.4): of left a, above b and upper-left c, the one nearest
 * a + b - c, ties in the order a, b, c. Selected with masks, not branches: on a photo the choice is
 * a coin toss a byte, and mispredicted branches made the loop about four times slower. */
static ALWAYS_INLINE uint8_t paeth(int a, int b, int c) {
    int pa = abs(b - c), pb = abs(a - c), pc = abs(a + b - 2 * c);
    int take_b = -(pb <= pc), take_a = -((pa <= pb) & (pa <= pc));
    int bc = (b & take_b) | (c & ~take_b);
    return (uint8_t)((a & take_a) | (bc & ~take_a));
}

/* Sub (1), Average (3) or Paeth (4) on bytes [i0, i1) of one row (both multiples of bpp) below the row `up`.
 * Each byte depends on the byte bpp back: the left (and upper-left) neighbours of the bpp channels are kept in
 * a[] and c[] rather than read back from the row just written, and with bpp a constant (the calls in
 * unfilter_range) the loop over the channels unrolls and a[], c[] live in registers. */
static ALWAYS_INLINE void left_filter_range(int filter, const uint8_t *in, const uint8_t *up, uint8_t *row, idx i0,
                                            idx i1, int bpp) {
    uint8_t a[8] = {0}, c[8] = {0};  /* zeros left of the row's first pixel */
    if (i0)
        for (int j = 0; j < bpp; j++) {
            a[j] = row[i0 - bpp + j];
            c[j] = up ? up[i0 - bpp + j] : 0;
        }
    if (filter == 1) {
        for (idx i = i0; i < i1; i += bpp)
            for (int j = 0; j < bpp; j++) row[i + j] = a[j] = (uint8_t)(in[i + j] + a[j]);
    } else if (filter == 3) {
        for (idx i = i0; i < i1; i += bpp)
            for (int j = 0; j < bpp; j++) row[i + j] = a[j] = (uint8_t)(in[i + j] + ((a[j] + up[i + j]) >> 1));
    } else {
        for (idx i = i0; i < i1; i += bpp)
            for (int j = 0; j < bpp; j++) {
                uint8_t b = up[i + j];
                row[i + j] = a[j] = (uint8_t)(in[i + j] + paeth(a[j], b, c[j]));
                c[j] = b;
            }
    }
}

/* Undo filter `filter` on bytes [i0, i1) of a row (i0 and i1 multiples of bpp): `in` the row's filtered bytes
 * (after its filter-type byte), `up` the unfiltered row above or NULL for the first row, whose Up is None and
 * Paeth Sub. The row's bytes before i0 are already written. */
static void unfilter_range(int filter, const uint8_t *in, const uint8_t *up, uint8_t *row, idx i0, idx i1, int bpp) {
    if (!up && filter == 2) filter = 0;
    if (!up && filter == 4) filter = 1;
    if (filter == 0) {
        memcpy(row + i0, in + i0, (size_t)(i1 - i0));
    } else if (filter == 2) {
        for (idx i = i0; i < i1; i++) row[i] = (uint8_t)(in[i] + up[i]);
    } else if (!up && filter == 3) {  /* Average on the first row: half the left neighbour */
        for (idx i = i0; i < i1; i++) row[i] = (uint8_t)(in[i] + (i < bpp ? 0 : row[i - bpp] >> 1));
    } else if (bpp == 3) {
        left_filter_range(filter, in, up, row, i0, i1, 3);
    } else if (bpp == 4) {
        left_filter_range(filter, in, up, row, i0, i1, 4);
    } else if (bpp == 1) {
        left_filter_range(filter, in, up, row, i0, i1, 1);
    } else {
        left_filter_range(filter, in, up, row, i0, i1, bpp);
    }
}

/* Undo the PNG row filters (PNG spec, section 9) of an inflated image: each of the `height` rows of `raw`
 * is a filter-type byte and `row_bytes` filtered bytes, `bpp` bytes a pixel (1 to 8; row_bytes a
 * multiple of it). The rows are written to `out` (height x row_bytes). Returns 0, or -1 at the first row
 * with an unknown filter type (a corrupt file; the rows above it are written). The row above the first,
 * and the pixel left of each row's first, count as zeros: on the first row Up is None and Paeth is Sub.
 * Arithmetic is modulo 256, as the spec's. */
int png_unfilter(const uint8_t *raw, idx height, idx row_bytes, int bpp, uint8_t *out) {
    for (idx y = 0; y < height; y++) {
        const uint8_t *in = raw + y * (row_bytes + 1) + 1;
        uint8_t *row = out + y * row_bytes;
        if (in[-1] > 4) return -1;
        unfilter_range(in[-1], in, y ? row - row_bytes : NULL, row, 0, row_bytes, bpp);
    }
    return 0;
}

/* png_unfilter on several threads at once, each calling this with the same `state` (2 + height int64, zeros):
 * state[0] the next row to take, state[1] set on an unknown filter type, state[2 + y] how many bytes of row y are
 * written. A thread takes the next row and undoes it in pieces of about 4 KB; where the row's filter reads the
 * row above (Up, Average, Paeth), it first waits until that row is written past the piece. So two threads work
 * on two rows at once, one a piece behind the other, and the bytes are png_unfilter's. A thread never waits on a
 * row taken after its own, so calls that run one after another (one thread) finish too: the first does it all.
 * Returns png_unfilter's status. */
int png_unfilter_shared(const uint8_t *raw, idx height, idx row_bytes, int bpp, uint8_t *out, idx *state) {
    const idx piece = (4096 / bpp) * bpp;
    for (;;) {
        idx y = __atomic_fetch_add(&state[0], 1, __ATOMIC_RELAXED);
        if (y >= height) break;
        const uint8_t *in = raw + y * (row_bytes + 1) + 1;
        uint8_t *row = out + y * row_bytes;
        const uint8_t *up = y ? row - row_bytes : NULL;
        int filter = in[-1];
        if (filter > 4) {
            __atomic_store_n(&state[1], 1, __ATOMIC_RELAXED);
            __atomic_store_n(&state[2 + y], row_bytes, __ATOMIC_RELEASE);  /* the rows below need not wait */
            continue;
        }
        int reads_up = up && filter >= 2;
        for (idx i0 = 0; i0 < row_bytes; i0 += piece) {
            idx i1 = i0 + piece < row_bytes ? i0 + piece : row_bytes;
            for (int spins = 0; reads_up && __atomic_load_n(&state[1 + y], __ATOMIC_ACQUIRE) < i1; spins++)
                if (spins >= 1000) sched_yield();  /* the row above's thread is not running: let it */
            unfilter_range(filter, in, up, row, i0, i1, bpp);
            __atomic_store_n(&state[2 + y], i1, __ATOMIC_RELEASE);
        }
    }
    return __atomic_load_n(&state[1], __ATOMIC_RELAXED) ? -1 : 0;
}

/* -- deflate streams compressed in pieces ------------------------------------------------------- */

/* libdeflate compresses a whole buffer into one deflate stream (RFC 1951) whose last block is final, and has no
 * way to leave it open. To compress a large image on several threads (as pigz does with zlib), each piece is
 * compressed alone and every piece but the last is made non-final. Where its last block starts is known only by
 * walking the blocks, which is what deflate_blocks does: it decodes each block's Huffman codes and skips its
 * symbols, writing no output (about a tenth of the time compressing took). */

typedef struct {
    const uint8_t *s;
    idx n, pos;  /* pos: the next byte to load; past n, zeros are loaded (and the caller checks the end) */
    uint64_t buf;
    int have;    /* bits in buf */
} bit_reader;

static inline void bits_fill(bit_reader *r) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (r->pos + 8 <= r->n) {  /* eight bytes at once; the bytes that do not fit are loaded again next time */
        uint64_t word;
        memcpy(&word, r->s + r->pos, 8);
        r->buf |= word << r->have;
        r->pos += (63 - r->have) >> 3;
        r->have |= 56;
        return;
    }
#endif
    while (r->have <= 56) {
        uint64_t byte = r->pos < r->n ? r->s[r->pos] : 0;
        r->buf |= byte << r->have;
        r->pos++;
        r->have += 8;
    }
}

static inline uint32_t bits_take(bit_reader *r, int k) {  /* k <= 32 and r->have >= k */
    uint32_t v = (uint32_t)(r->buf & ((1ull << k) - 1));
    r->buf >>= k;
    r->have -= k;
    return v;
}

static inline idx bits_offset(const bit_reader *r) { return r->pos * 8 - r->have; }

#define HUFF_MAX 15

/* A canonical Huffman code (RFC 1951, 3.2.2) from its code lengths, as a table indexed by the next `width` bits
 * of the stream (the longest code's length): each entry is symbol << 4 | length, or 0 for bits that start no
 * code. Returns the width, or -1 for lengths that give more codes than fit (a corrupt stream). */
static int huff_table(const uint8_t *lengths, int symbols, uint16_t *table) {
    int count[HUFF_MAX + 1] = {0}, width = 0;
    uint32_t next[HUFF_MAX + 2];
    for (int s = 0; s < symbols; s++) {
        count[lengths[s]]++;
        if (lengths[s] > width) width = lengths[s];
    }
    count[0] = 0;
    next[1] = 0;
    for (int len = 1; len <= HUFF_MAX; len++) {
        next[len + 1] = (next[len] + (uint32_t)count[len]) << 1;
        if (next[len] + (uint32_t)count[len] > (1u << len)) return -1;
    }
    if (width == 0) return 0;
    memset(table, 0, sizeof(uint16_t) << width);
    for (int s = 0; s < symbols; s++) {
        int len = lengths[s];
        if (!len) continue;
        uint32_t code = next[len]++, reversed = 0;
        for (int b = 0; b < len; b++) reversed |= ((code >> b) & 1u) << (len - 1 - b);
        for (uint32_t j = reversed; j < (1u << width); j += 1u << len) table[j] = (uint16_t)(s << 4 | len);
    }
    return width;
}

static inline int huff_decode(bit_reader *r, const uint16_t *table, int width) {  /* r->have >= width */
    uint16_t e = table[r->buf & ((1ull << width) - 1)];
    if (!e) return -1;
    bits_take(r, e & 15);
    return e >> 4;
}

static const uint8_t LENGTH_EXTRA[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const uint8_t CODE_LENGTH_ORDER[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};

/* The code lengths of a dynamic block's two codes (RFC 1951, 3.2.7) into lengths[0..litlen) and
 * lengths[litlen..litlen + dist). Returns -1 for a corrupt header. */
static int dynamic_lengths(bit_reader *r, uint8_t *lengths, int *litlen, int *dist) {
    bits_fill(r);
    *litlen = (int)bits_take(r, 5) + 257;
    *dist = (int)bits_take(r, 5) + 1;
    int codes = (int)bits_take(r, 4) + 4;
    uint8_t cl[19] = {0};
    uint16_t table[1 << 7];
    bits_fill(r);
    for (int i = 0; i < codes; i++) cl[CODE_LENGTH_ORDER[i]] = (uint8_t)bits_take(r, 3);
    int width = huff_table(cl, 19, table);
    if (width <= 0 || *litlen > 286 || *dist > 30) return -1;
    for (int i = 0, total = *litlen + *dist; i < total;) {
        bits_fill(r);
        int s = huff_decode(r, table, width), repeat = 0, value = 0;
        if (s < 0) return -1;
        if (s < 16) {
            lengths[i++] = (uint8_t)s;
            continue;
        }
        if (s == 16) {
            if (i == 0) return -1;
            value = lengths[i - 1];
            repeat = 3 + (int)bits_take(r, 2);
        } else {
            repeat = s == 17 ? 3 + (int)bits_take(r, 3) : 11 + (int)bits_take(r, 7);
        }
        if (i + repeat > total) return -1;
        while (repeat--) lengths[i++] = (uint8_t)value;
    }
    return lengths[256] ? 0 : -1;  /* a block without an end-of-block code cannot end */
}

/* Walk the blocks of the raw deflate stream s[0..n): *last_header is the bit offset of its final block's header,
 * *end the bit offset just after that block (bits count from the first byte's least significant bit). Returns 0,
 * or -1 for a stream that is corrupt or ends early. */
int deflate_blocks(const uint8_t *s, idx n, idx *last_header, idx *end) {
    bit_reader r = {s, n, 0, 0, 0};
    uint8_t lengths[320];
    uint16_t *lit = malloc(sizeof(uint16_t) << HUFF_MAX), *dst = malloc(sizeof(uint16_t) << HUFF_MAX);
    int final = 0, status = -1;
    if (!lit || !dst) goto done;
    while (!final) {
        idx header = bits_offset(&r);
        bits_fill(&r);
        final = (int)bits_take(&r, 1);
        int type = (int)bits_take(&r, 2), nlit, ndist;
        if (type == 0) {  /* stored: LEN and its complement after the next byte boundary, then LEN bytes */
            idx at = (bits_offset(&r) + 7) / 8;
            if (at + 4 > n) goto done;
            idx len = s[at] | s[at + 1] << 8, nlen = s[at + 2] | s[at + 3] << 8;
            if ((len ^ 0xffff) != nlen || at + 4 + len > n) goto done;
            r.pos = at + 4 + len;
            r.buf = 0;
            r.have = 0;
        } else if (type == 1 || type == 2) {
            if (type == 1) {  /* the fixed codes (RFC 1951, 3.2.6) */
                nlit = 288;
                ndist = 32;
                for (int i = 0; i < 288; i++) lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
                for (int i = 0; i < 32; i++) lengths[288 + i] = 5;
            } else if (dynamic_lengths(&r, lengths, &nlit, &ndist) < 0) {
                goto done;
            }
            int wl = huff_table(lengths, nlit, lit), wd = huff_table(lengths + nlit, ndist, dst);
            if (wl <= 0 || wd < 0) goto done;
            for (;;) {
                bits_fill(&r);  /* at least 57 bits: a length (15 + 5 bits) and a distance (15 + 13) */
                if (r.pos > n + 8) goto done;  /* past the end, where zeros would decode for ever */
                int sym = huff_decode(&r, lit, wl);
                if (sym < 256) {
                    if (sym < 0) goto done;
                    continue;
                }
                if (sym == 256) break;
                if (sym > 285 || wd == 0) goto done;
                bits_take(&r, LENGTH_EXTRA[sym - 257]);
                int d = huff_decode(&r, dst, wd);
                if (d < 0 || d > 29) goto done;
                bits_take(&r, d < 4 ? 0 : d / 2 - 1);
            }
        } else {
            goto done;
        }
        if (bits_offset(&r) > n * 8) goto done;
        *last_header = header;
        *end = bits_offset(&r);
    }
    status = 0;
done:
    free(lit);
    free(dst);
    return status;
}
