// Fast AxConv2D: product rows in output-channel tiles, no im2col, threads, run-time choice of
// the instruction set.
//
// The accumulator of axconv_kernel.h splits, exactly in mod-2^32 arithmetic, into
//   acc[k] = sum_t T[x_t][w_tk]  -  zf * sum_t x_t  -  zi * sum_t w_tk  +  n * zi * zf
// over the taps t of the window. Only the first sum needs the table. The filter is a constant,
// so for every tap t and activation code x the row of products T[x][w_tk] over a k-tile of KT
// output channels (uint16) can be prepared: one tap of one output pixel is then one contiguous
// row added to KT accumulators in registers (a widening uint16 -> uint32 vector add). The other
// sums are per pixel (sum of x) or per channel (sum of w) and cost almost nothing.
//
// Speed must not depend on the activation codes: a pixel's code picks any of a tap's 256 rows,
// so every row of the taps being walked must be close, whatever the codes. Work goes k-tile by
// k-tile and, within a kernel row dy, through tiles of G consecutive taps (256 KiB of rows) that
// every pixel of a block of output pixels walks, adding its G rows, before the next tile; the
// block's sums (at most 512 KiB) and the tile stay in L2, and each row fetched from memory
// serves the whole block. Memory is bounded for any layer width: rows of the k-tiles that fit
// the 256 MiB budget are kept (PrepareFilter); the others are built during the call in chunks
// of at most 1 MiB, each used by every pixel of the block before the next is built (codes are
// located and gathered only for the chunk's taps).
//
// Layers with few taps per window (one k-tile's rows within kWindowRowBytes) take the windows
// path instead (RunWindows): each pixel's whole window at once.
//
// Taps outside the image read padCode (rows of code padCode, as TF's AxConv2D does); in
// PadMode::kZero their contribution is taken out again per pixel at the end.
// Every output element is computed by exactly one task, in a fixed order of exact integer
// additions, so results never depend on the thread count or on the instruction set. Work runs on
// the native kernels' one pool (parallel.h: a failure on a pool thread, e.g. out of memory for
// scratch, reaches the caller as an exception and the call rejects).
#include <algorithm>
#include <cstdlib>
#include <cstring>

#include "axconv_isa.h"
#include "axconv_kernel.h"
#include "huge_pages.h"
#include "parallel.h"


namespace axq {

namespace {

// Bytes of product rows (a tile of G taps) that every pixel of a block walks through before
// the next tile: with the block's sums, well inside L2 (2 MiB on the Xeon this was tuned on;
// 512 KiB and up on current x86 and ARM cores).
constexpr int64_t kTileBytes = 256 * 1024;
// Product rows built during a call come in chunks of at most this many bytes: small enough to
// be still in L2 when every pixel of the block walks them (1 MiB measured best on 8x8x512->512
// against 0.5, 2 and 8 MiB).
constexpr int64_t kChunkBytes = 1 << 20;

// Output channels per k-tile: 32 where K allows (fewer instructions per multiply-accumulate than
// 8 or 16; 64 measured no faster and doubles the rows built per chunk).
int64_t KTileWidth(int64_t Kp) { return Kp % 32 == 0 ? 32 : Kp % 16 == 0 ? 16 : 8; }

uint16_t* Align64(std::vector<uint16_t>& store, size_t elements) {
  store.assign(elements + 32, 0);
  const uintptr_t p = reinterpret_cast<uintptr_t>(store.data());
  return reinterpret_cast<uint16_t*>((p + 63) & ~uintptr_t(63));
}

bool CpuCan(const char* isa) {
#if (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  __builtin_cpu_init();
  if (std::strcmp(isa, "avx2") == 0) return __builtin_cpu_supports("avx2") != 0;
  if (std::strcmp(isa, "avx512") == 0) {
    return __builtin_cpu_supports("avx2") != 0 && __builtin_cpu_supports("avx512f") != 0 &&
           __builtin_cpu_supports("avx512bw") != 0;
  }
#endif
  return std::strcmp(isa, "generic") == 0;
}


// The fastest runnable variant, or the one AXQ_SIMD asks for when this CPU can run it.
const AxConvIsa* DefaultIsa() {
  static const AxConvIsa* chosen = [] {
    const char* want = std::getenv("AXQ_SIMD");
    if (want != nullptr) {
      if (const AxConvIsa* isa = AxConvIsaRunnable(want)) return isa;
    }
    for (const char* name : {"avx512", "avx2", "generic"}) {
      if (const AxConvIsa* isa = AxConvIsaRunnable(name)) return isa;
    }
    return AxConvIsaGeneric();
  }();
  return chosen;
}

}  // namespace

const AxConvIsa* AxConvIsaRunnable(const char* name) {
  const AxConvIsa* isa = nullptr;
  if (std::strcmp(name, "avx512") == 0) isa = AxConvIsaAvx512();
  else if (std::strcmp(name, "avx2") == 0) isa = AxConvIsaAvx2();
  else if (std::strcmp(name, "generic") == 0) isa = AxConvIsaGeneric();
  return isa != nullptr && CpuCan(name) ? isa : nullptr;
}

int64_t AxConvKTile(int64_t K) { return KTileWidth((K + 7) / 8 * 8); }

std::vector<std::string> AxConvFastVariants() {
  std::vector<std::string> out;
  for (const char* name : {"avx512", "avx2", "generic"}) {
    if (AxConvIsaRunnable(name)) out.emplace_back(name);
  }
  return out;
}

const char* AxConvFastVariant() { return DefaultIsa()->name; }

std::shared_ptr<PreparedFilter> PrepareFilter(const ConvGeometry& g, const uint8_t* filter,
                                              const uint16_t* table, int threads, double rowBudget) {
  auto p = std::make_shared<PreparedFilter>();
  p->KH = g.KH;
  p->KW = g.KW;
  p->C = g.C;
  p->K = g.K;
  p->Kp = (g.K + 7) / 8 * 8;
  p->KT = KTileWidth(p->Kp);
  p->tiles = p->Kp / p->KT;
  const int64_t taps = g.KH * g.KW * g.C;
  const int64_t Kp = p->Kp;
  p->filter.assign(static_cast<size_t>(taps * Kp), 0);
  for (int64_t t = 0; t < taps; ++t) std::memcpy(p->filter.data() + t * Kp, filter + t * g.K, static_cast<size_t>(g.K));
  p->table.assign(table, table + 65536);
  p->wSum.assign(static_cast<size_t>(Kp), 0);
  p->wSumAt.assign(static_cast<size_t>(g.KH * g.KW * Kp), 0);
  for (int64_t t = 0; t < taps; ++t) {
    const uint8_t* w = p->filter.data() + t * Kp;
    uint32_t* at = p->wSumAt.data() + (t / g.C) * Kp;
    for (int64_t k = 0; k < Kp; ++k) {
      p->wSum[k] += w[k];
      at[k] += w[k];
    }
  }
  const double tileBytes = double(taps) * 256.0 * double(p->KT) * 2.0;
  p->keptTiles = std::min<int64_t>(p->tiles, static_cast<int64_t>(std::max(0.0, rowBudget) / tileBytes));
  if (p->keptTiles > 0) {
    const int64_t perTile = taps * 256 * p->KT;
    p->rows = Align64(p->rowStore, static_cast<size_t>(p->keptTiles * perTile));
    const auto build = DefaultIsa()->buildRows[KtIndex(p->KT)];
    // Independent pieces (k-tile, range of taps), built on all threads.
    const int64_t chunk = 64;
    const int64_t pieces = (taps + chunk - 1) / chunk;
    Parallel(p->keptTiles * pieces, threads, [&](int64_t job) {
      const int64_t kt = job / pieces;
      const int64_t t0 = (job % pieces) * chunk;
      const int64_t t1 = std::min(taps, t0 + chunk);
      build(p->rows + kt * perTile + t0 * 256 * p->KT, p->filter.data() + kt * p->KT, Kp, t0, t1, p->table.data());
    });
  }
  return p;
}

namespace {

struct Call {
  const ConvGeometry* g;
  const ConvQuant* q;
  const uint8_t* input;
  const PreparedFilter* p;
  int32_t* output;
  const AxConvIsa* isa;
  int64_t taps = 0, seg = 0, pixels = 0, block = 0, G = 0;
  std::vector<uint8_t> padCodes;  // seg codes padCode: an out-of-image kernel row
  std::vector<uint32_t> fixAt;    // kZero: [KH*KW][Kp] to subtract per out-of-image (dy, dx)
  std::vector<uint32_t> sumX;     // [pixels]: sum of x over the window (padCode outside in kTable)
  std::vector<uint32_t> inTaps;   // [pixels]: taps inside the image (kZero)
  std::vector<uint32_t> pixelSum; // [N*H*W]: sum over c of the input codes
  std::vector<uint32_t> ziWSum;   // [Kp]: zi * sum of w over the window
  std::vector<Int32Range> ranges; // [blocks] (or [tasks] of RunWindows): outputs' range, when asked
};

struct Scratch {
  std::vector<const uint8_t*> xs;         // [KH][np]: codes of kernel row dy of pixel i
  std::vector<uint8_t> codes;             // gathered codes of rows partly outside the image
  std::vector<std::pair<int32_t, int32_t>> outside;  // (pixel, dy*KW+dx) out of the image
  std::vector<uint32_t> accStore;
};

// Per pixel of a block: with `sums`, its sum of x over the window (padCode outside in kTable
// mode, inside taps only in kZero mode) and its number of inside taps; with `outside`, the list
// of its out-of-image (dy, dx) (for kZero's correction).
void WindowSums(Call& s, int64_t p0, int64_t np, bool sums, bool outside, Scratch& sc) {
  const ConvGeometry& g = *s.g;
  const uint8_t pad = s.q->padCode;
  const bool zeroPad = s.q->padMode == PadMode::kZero;
  sc.outside.clear();
  const int64_t plane = g.Ho * g.Wo;
  int64_t n = p0 / plane, oy = (p0 % plane) / g.Wo, ox = p0 % g.Wo;
  for (int64_t i = 0; i < np; ++i) {
    const int64_t y0 = oy * g.stride - g.offTop, x0 = ox * g.stride - g.offLeft;
    const uint32_t* sums0 = s.pixelSum.data() + n * g.H * g.W;
    uint32_t sx = 0, in = 0;
    if (y0 >= 0 && y0 + g.KH <= g.H && x0 >= 0 && x0 + g.KW <= g.W) {
      for (int64_t dy = 0; dy < g.KH; ++dy) {
        const uint32_t* ps = sums0 + (y0 + dy) * g.W + x0;
        for (int64_t dx = 0; dx < g.KW; ++dx) sx += ps[dx];
      }
      in = static_cast<uint32_t>(s.taps);
    } else {
      for (int64_t dy = 0; dy < g.KH; ++dy) {
        const int64_t iy = y0 + dy;
        for (int64_t dx = 0; dx < g.KW; ++dx) {
          const int64_t ix = x0 + dx;
          if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) {
            if (outside) sc.outside.emplace_back(int32_t(i), int32_t(dy * g.KW + dx));
          } else {
            sx += sums0[iy * g.W + ix];
            in += static_cast<uint32_t>(g.C);
          }
        }
      }
    }
    if (sums) {
      if (!zeroPad) sx += static_cast<uint32_t>(s.taps - in) * pad;
      s.sumX[p0 + i] = sx;
      s.inTaps[p0 + i] = in;
    }
    if (++ox == g.Wo) {
      ox = 0;
      if (++oy == g.Ho) {
        oy = 0;
        ++n;
      }
    }
  }
}

// Where each pixel's codes of taps [t0, t1) are, kernel row by kernel row: xs[dy][i] points at
// the code of tap max(t0, dy * seg) of that row: into the image where the row is inside it,
// else into gathered codes with padCode for the out-of-image taps (only the taps in range).
void LocateCodes(Call& s, int64_t p0, int64_t np, int64_t t0, int64_t t1, Scratch& sc) {
  const ConvGeometry& g = *s.g;
  const int64_t C = g.C, KW = g.KW, seg = s.seg;
  const uint8_t pad = s.q->padCode;
  sc.xs.resize(static_cast<size_t>(g.KH * np));
  const int64_t dy0 = t0 / seg, dy1 = std::min<int64_t>(g.KH, (t1 + seg - 1) / seg);
  const int64_t plane = g.Ho * g.Wo;
  const int64_t n0 = p0 / plane, oy0 = (p0 % plane) / g.Wo, ox0 = p0 % g.Wo;
  // Room for the gathered codes: rows partly outside the image on the left or right.
  int64_t gather = 0;
  for (int64_t i = 0, oy = oy0, ox = ox0; i < np; ++i) {
    const int64_t y0 = oy * g.stride - g.offTop, x0 = ox * g.stride - g.offLeft;
    if (x0 < 0 || x0 + KW > g.W) {
      for (int64_t dy = dy0; dy < dy1; ++dy) gather += (y0 + dy >= 0 && y0 + dy < g.H) ? 1 : 0;
    }
    if (++ox == g.Wo) {
      ox = 0;
      if (++oy == g.Ho) oy = 0;
    }
  }
  gather *= std::min(seg, t1 - t0);
  if (sc.codes.size() < static_cast<size_t>(gather)) sc.codes.resize(static_cast<size_t>(gather));
  uint8_t* gathered = sc.codes.data();
  int64_t n = n0, oy = oy0, ox = ox0;
  for (int64_t i = 0; i < np; ++i) {
    const int64_t y0 = oy * g.stride - g.offTop, x0 = ox * g.stride - g.offLeft;
    const uint8_t* image = s.input + n * g.H * g.W * C;
    const bool rowInside = x0 >= 0 && x0 + KW <= g.W;
    for (int64_t dy = dy0; dy < dy1; ++dy) {
      const int64_t iy = y0 + dy;
      const int64_t cBegin = std::max<int64_t>(0, t0 - dy * seg), cEnd = std::min(seg, t1 - dy * seg);
      const uint8_t*& xs = sc.xs[dy * np + i];
      if (iy < 0 || iy >= g.H) {
        xs = s.padCodes.data() + cBegin;
      } else if (rowInside) {
        xs = image + (iy * g.W + x0) * C + cBegin;
      } else {
        xs = gathered;
        for (int64_t c = cBegin; c < cEnd;) {
          const int64_t dx = c / C, cc = c % C, run = std::min(C - cc, cEnd - c);
          const int64_t ix = x0 + dx;
          if (ix < 0 || ix >= g.W) std::memset(gathered, pad, static_cast<size_t>(run));
          else std::memcpy(gathered, image + (iy * g.W + ix) * C + cc, static_cast<size_t>(run));
          gathered += run;
          c += run;
        }
      }
    }
    if (++ox == g.Wo) {
      ox = 0;
      if (++oy == g.Ho) {
        oy = 0;
        ++n;
      }
    }
  }
}

// Output channels [kBegin, kBegin + width) of pixels p0.. from their table sums acc[np][KT]:
// acc - zf * sum x - zi * sum w + taps * zi * zf, in uint32 (TF's int32 with wraparound).
// `range` (may be null): widened by every value written.
template <int KT>
void FinalizeTile(const Call& s, const uint32_t* acc, int64_t p0, int64_t np, int64_t kBegin, int64_t width,
                  Int32Range* range) {
  const bool zeroPad = s.q->padMode == PadMode::kZero;
  const uint32_t zi = static_cast<uint32_t>(s.q->zi);
  const uint32_t zf = static_cast<uint32_t>(s.q->zf);
  const uint32_t allTaps = static_cast<uint32_t>(s.taps);
  uint32_t ziW[KT];
  for (int k = 0; k < KT; ++k) ziW[k] = s.ziWSum[kBegin + k];
  int32_t lo[KT], hi[KT];
  for (int k = 0; k < KT; ++k) {
    lo[k] = INT32_MAX;
    hi[k] = INT32_MIN;
  }
  for (int64_t i = 0; i < np; ++i) {
    const int64_t pix = p0 + i;
    const uint32_t count = zeroPad ? s.inTaps[pix] : allTaps;
    const uint32_t base = count * zi * zf - zf * s.sumX[pix];
    uint32_t v[KT];
    for (int k = 0; k < KT; ++k) v[k] = acc[i * KT + k] - ziW[k] + base;
    int32_t* out = s.output + pix * s.g->K + kBegin;
    if (width == KT) std::memcpy(out, v, sizeof v);  // a fixed size: inlined, not a libc call
    else std::memcpy(out, v, static_cast<size_t>(width) * sizeof(uint32_t));
    if (range != nullptr) {
      // Lane-wise extremes (vector min/max across pixels), folded once per call below.
      if (width == KT) {
        for (int k = 0; k < KT; ++k) {
          const int32_t x = static_cast<int32_t>(v[k]);
          lo[k] = x < lo[k] ? x : lo[k];
          hi[k] = x > hi[k] ? x : hi[k];
        }
      } else {
        for (int64_t k = 0; k < width; ++k) {
          const int32_t x = static_cast<int32_t>(v[k]);
          lo[k] = x < lo[k] ? x : lo[k];
          hi[k] = x > hi[k] ? x : hi[k];
        }
      }
    }
  }
  if (range != nullptr) {
    for (int k = 0; k < KT; ++k) {
      range->min = lo[k] < range->min ? lo[k] : range->min;
      range->max = hi[k] > range->max ? hi[k] : range->max;
    }
  }
}

using Finalize = void (*)(const Call&, const uint32_t*, int64_t, int64_t, int64_t, int64_t, Int32Range*);

// One block of output pixels through k-tiles [kt0, kt1), taps [t0, t1) of each. The rows of
// tap t of k-tile kt are at rowsOf(kt) + (t - t0) * 256 * KT. With all taps, the sums live in
// the thread's scratch; otherwise (rows built in chunks of taps) in `kept` ([pixels][KT]), and
// the last chunk finalizes them.
template <class RowsOf>
void RunBlock(Call& s, int64_t blockIndex, int64_t kt0, int64_t kt1, int64_t t0, int64_t t1,
              RowsOf rowsOf, uint32_t* kept) {
  const ConvGeometry& g = *s.g;
  const PreparedFilter& p = *s.p;
  const int64_t KT = p.KT, Kp = p.Kp;
  const int64_t p0 = blockIndex * s.block;
  const int64_t np = std::min(s.block, s.pixels - p0);
  thread_local Scratch sc;
  const bool last = t1 == s.taps;
  if ((kt0 == 0 && t0 == 0) || (last && s.q->padMode == PadMode::kZero)) {
    WindowSums(s, p0, np, kt0 == 0 && t0 == 0, last, sc);
  }
  LocateCodes(s, p0, np, t0, t1, sc);
  uint32_t* acc = kept;
  if (acc == nullptr) {
    sc.accStore.resize(static_cast<size_t>(np * KT + 16));
    acc = reinterpret_cast<uint32_t*>((reinterpret_cast<uintptr_t>(sc.accStore.data()) + 63) & ~uintptr_t(63));
  } else {
    acc += p0 * KT;
  }
  const auto accumulate = s.isa->accumulate[KtIndex(KT)];
  const bool zeroPad = s.q->padMode == PadMode::kZero;
  for (int64_t kt = kt0; kt < kt1; ++kt) {
    const uint16_t* rows = rowsOf(kt);
    for (int64_t dy = t0 / s.seg; dy < g.KH && dy * s.seg < t1; ++dy) {
      const uint8_t* const* xs = sc.xs.data() + dy * np;  // at tap cBegin of the row
      const int64_t cBegin = std::max<int64_t>(0, t0 - dy * s.seg), cEnd = std::min(s.seg, t1 - dy * s.seg);
      for (int64_t c0 = cBegin; c0 < cEnd; c0 += s.G) {
        const int64_t G = std::min(s.G, cEnd - c0);
        const int64_t tap = dy * s.seg + c0;
        accumulate(acc, np, rows + (tap - t0) * 256 * KT, xs, c0 - cBegin, G, tap == 0);
      }
    }
    if (t1 < s.taps) continue;  // more chunks of taps to come
    if (zeroPad) {
      for (const auto& [i, at] : sc.outside) {
        const uint32_t* fix = s.fixAt.data() + at * Kp + kt * KT;
        uint32_t* a = acc + i * KT;
        for (int64_t k = 0; k < KT; ++k) a[k] -= fix[k];
      }
    }
    const int64_t kBegin = kt * KT;
    const Finalize finalize = KT == 8 ? &FinalizeTile<8> : KT == 16 ? &FinalizeTile<16> : KT == 32 ? &FinalizeTile<32> : &FinalizeTile<64>;
    finalize(s, acc, p0, np, kBegin, std::min(g.K, kBegin + KT) - kBegin, s.ranges.empty() ? nullptr : &s.ranges[blockIndex]);
  }
}

// Layers with few taps per window (e.g. the first layer of an image network, C = 3: 27 taps):
// the k-tile-wise walk above spends most of its time locating codes and summing windows, not
// adding rows. When one k-tile's rows are small enough to stay in L2 whatever the codes, every
// pixel instead adds its whole window at once, its codes read straight from a copy of the input
// rows padded with padCode (so borders need no special case) through per-tap offsets, and its
// sum of codes comes out of the same loop.
// (Also: the codes' offsets within KH padded input rows fit int32.)
bool UsesWindows(const ConvGeometry& g, const PreparedFilter& p, double windowBytes) {
  const double taps = double(p.KH) * double(p.KW) * double(p.C);
  const double paddedRows = double(g.KH) * (double(g.Wo - 1) * double(g.stride) + double(g.KW)) * double(g.C);
  return p.keptTiles == p.tiles && windowBytes > 0 && taps * 256.0 * double(p.KT) * 2.0 <= windowBytes &&
         paddedRows < 2147483647.0;
}

// kZero mode: fn(cell) for every out-of-image (dy, dx) of output pixel (oy, ox), cell = dy*KW+dx.
template <class Fn>
void ForOutsideCells(const ConvGeometry& g, int64_t oy, int64_t ox, Fn fn) {
  const int64_t y0 = oy * g.stride - g.offTop, x0 = ox * g.stride - g.offLeft;
  if (y0 >= 0 && y0 + g.KH <= g.H && x0 >= 0 && x0 + g.KW <= g.W) return;
  for (int64_t dy = 0; dy < g.KH; ++dy) {
    for (int64_t dx = 0; dx < g.KW; ++dx) {
      const int64_t iy = y0 + dy, ix = x0 + dx;
      if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) fn(dy * g.KW + dx);
    }
  }
}

void RunWindows(Call& s, int threads) {
  const ConvGeometry& g = *s.g;
  const PreparedFilter& p = *s.p;
  const int64_t C = g.C, KT = p.KT, Kp = p.Kp;
  const int64_t Wp = (g.Wo - 1) * g.stride + g.KW;  // padded row: every window inside it
  const int64_t rowBytes = Wp * C;
  std::vector<int32_t> off(static_cast<size_t>(s.taps));
  for (int64_t dy = 0; dy < g.KH; ++dy) {
    for (int64_t dx = 0; dx < g.KW; ++dx) {
      for (int64_t c = 0; c < C; ++c) off[(dy * g.KW + dx) * C + c] = static_cast<int32_t>(dy * rowBytes + dx * C + c);
    }
  }
  // out = acc - zi * sum w + taps * zi * zf - zf * sum x (FinalizeTile's formula, with every tap
  // counted: codes and rows of out-of-image taps are padCode's).
  const uint32_t zi = static_cast<uint32_t>(s.q->zi), zf = static_cast<uint32_t>(s.q->zf);
  std::vector<uint32_t> bias(static_cast<size_t>(Kp));
  for (int64_t k = 0; k < Kp; ++k) bias[k] = static_cast<uint32_t>(s.taps) * zi * zf - s.ziWSum[k];
  // Bands of output rows of one image, about 256 pixels each: one task each.
  const int64_t band = std::min(g.Ho, std::max<int64_t>(1, 256 / g.Wo));
  const int64_t bands = (g.Ho + band - 1) / band;
  const int64_t perTile = s.taps * 256 * KT;
  const auto windows = s.isa->windows[KtIndex(KT)];
  const bool zeroPad = s.q->padMode == PadMode::kZero;
  const uint8_t pad = s.q->padCode;
  // kZero: an out-of-image cell (C taps) is taken out again: its padCode rows and zi * its w
  // (fixAt), and its codes and count from the sum of x and the taps.
  const uint32_t perCell = static_cast<uint32_t>(C) * (zf * pad - zi * zf);
  if (!s.ranges.empty()) s.ranges.assign(static_cast<size_t>(g.N * bands), Int32Range{});
  Parallel(g.N * bands, threads, [&](int64_t job) {
    thread_local std::vector<uint8_t> padded;  // the band's input rows, padded: [rows][Wp][C]
    const int64_t n = job / bands, oy0 = (job % bands) * band, oy1 = std::min(g.Ho, oy0 + band);
    const int64_t rows = (oy1 - oy0 - 1) * g.stride + g.KH;
    padded.resize(static_cast<size_t>(rows * rowBytes));
    const uint8_t* image = s.input + n * g.H * g.W * C;
    const int64_t pxBegin = std::min(Wp, std::max<int64_t>(0, g.offLeft));
    const int64_t pxEnd = std::max(pxBegin, std::min(Wp, g.W + g.offLeft));
    for (int64_t r = 0; r < rows; ++r) {
      uint8_t* dst = padded.data() + r * rowBytes;
      const int64_t iy = oy0 * g.stride - g.offTop + r;
      if (iy < 0 || iy >= g.H || pxEnd == pxBegin) {
        std::memset(dst, pad, static_cast<size_t>(rowBytes));
        continue;
      }
      std::memset(dst, pad, static_cast<size_t>(pxBegin * C));
      std::memcpy(dst + pxBegin * C, image + (iy * g.W + pxBegin - g.offLeft) * C, static_cast<size_t>((pxEnd - pxBegin) * C));
      std::memset(dst + pxEnd * C, pad, static_cast<size_t>((Wp - pxEnd) * C));
    }
    int32_t found[2] = {INT32_MAX, INT32_MIN};  // the outputs' range (kTable mode)
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      const uint8_t* x = padded.data() + (oy - oy0) * g.stride * rowBytes;
      int32_t* out = s.output + (n * g.Ho + oy) * g.Wo * g.K;
      for (int64_t kt = 0; kt < p.tiles; ++kt) {
        const int64_t kBegin = kt * KT, width = std::min(g.K, kBegin + KT) - kBegin;
        // Without zero-pad corrections the outputs are final here: their range comes along.
        windows(out + kBegin, g.K, width, g.Wo, p.rows + kt * perTile, x, g.stride * C, off.data(), s.taps, bias.data() + kBegin, zf,
                zeroPad || s.ranges.empty() ? nullptr : found);
      }
      if (zeroPad) {
        for (int64_t ox = 0; ox < g.Wo; ++ox) {
          uint32_t* o = reinterpret_cast<uint32_t*>(out + ox * g.K);
          ForOutsideCells(g, oy, ox, [&](int64_t cell) {
            const uint32_t* fix = s.fixAt.data() + cell * Kp;
            for (int64_t k = 0; k < g.K; ++k) o[k] += perCell - fix[k];
          });
        }
      }
      // kZero: the finished row (corrected above), still in cache.
      if (zeroPad && !s.ranges.empty()) s.ranges[job].Add(Int32RangeOf(out, g.Wo * g.K));
    }
    if (!zeroPad && !s.ranges.empty()) s.ranges[job].Add(Int32Range{found[0], found[1]});
    // The pool's threads live on: don't let one very wide image pin its copy.
    if (padded.capacity() > (size_t(4) << 20)) std::vector<uint8_t>().swap(padded);
  });
}

}  // namespace

const char* AxConvFast(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                       const PreparedFilter& p, int32_t* output, int threads, const char* isaName,
                       int64_t chunkBytes, double windowBytes, Int32Range* range) {
  Call s;
  s.g = &g;
  s.q = &q;
  s.input = input;
  s.p = &p;
  s.output = output;
  s.isa = isaName != nullptr ? AxConvIsaRunnable(isaName) : DefaultIsa();
  if (s.isa == nullptr) s.isa = DefaultIsa();
  const int64_t Kp = p.Kp, KT = p.KT;
  s.taps = g.KH * g.KW * g.C;
  s.seg = g.KW * g.C;
  s.pixels = g.N * g.Ho * g.Wo;
  s.ziWSum.resize(static_cast<size_t>(Kp));
  for (int64_t k = 0; k < Kp; ++k) s.ziWSum[k] = static_cast<uint32_t>(q.zi) * p.wSum[k];
  if (q.padMode == PadMode::kZero) {
    // Per out-of-image (dy, dx): its padCode rows summed over c, less zi * sum of its w.
    const uint32_t zi = static_cast<uint32_t>(q.zi);
    s.fixAt.assign(static_cast<size_t>(g.KH * g.KW * Kp), 0);
    const uint16_t* trow = p.table.data() + static_cast<int64_t>(q.padCode) * 256;
    for (int64_t at = 0; at < g.KH * g.KW; ++at) {
      uint32_t* fix = s.fixAt.data() + at * Kp;
      for (int64_t c = 0; c < g.C; ++c) {
        const uint8_t* w = p.filter.data() + (at * g.C + c) * Kp;
        for (int64_t k = 0; k < Kp; ++k) fix[k] += trow[w[k]];
      }
      const uint32_t* ws = p.wSumAt.data() + at * Kp;
      for (int64_t k = 0; k < Kp; ++k) fix[k] -= zi * ws[k];
    }
  }
  AdviseHugePages(output, static_cast<size_t>(s.pixels * g.K) * sizeof(int32_t));
  // The outputs' range: one slot per task (RunWindows sizes them), combined at the end.
  const auto rangeOut = [&](const char* path) {
    if (range != nullptr) {
      *range = Int32Range{};
      for (const Int32Range& r : s.ranges) range->Add(r);
    }
    return path;
  };
  if (range != nullptr) s.ranges.resize(1);
  if (UsesWindows(g, p, windowBytes)) {
    RunWindows(s, threads);
    return rangeOut("windows");
  }
  s.sumX.assign(static_cast<size_t>(s.pixels), 0);
  s.inTaps.assign(static_cast<size_t>(s.pixels), 0);
  s.G = std::max<int64_t>(1, kTileBytes / (256 * KT * 2));
  s.padCodes.assign(static_cast<size_t>(s.seg), q.padCode);
  s.pixelSum.resize(static_cast<size_t>(g.N * g.H * g.W));
  Parallel(g.N, threads, [&](int64_t n) {
    const int64_t plane = g.H * g.W;
    for (int64_t j = n * plane; j < (n + 1) * plane; ++j) {
      const uint8_t* x = input + j * g.C;
      uint32_t sum = 0;
      for (int64_t c = 0; c < g.C; ++c) sum += x[c];
      s.pixelSum[j] = sum;
    }
  });
  // Blocks of output pixels: as many as keep their sums (np x KT x 4 bytes) within 512 KiB of
  // L2, so that each tile of rows, once fetched, serves many pixels; with several threads, at
  // least two blocks per thread.
  s.block = std::min<int64_t>(s.pixels, std::max<int64_t>(64, (512 * 1024) / (KT * 4)));
  if (threads > 1) s.block = std::max<int64_t>(64, std::min<int64_t>(s.block, (s.pixels + 2 * threads - 1) / (2 * threads)));
  const int64_t blocks = (s.pixels + s.block - 1) / s.block;
  if (range != nullptr) s.ranges.assign(static_cast<size_t>(blocks), Int32Range{});
  const int64_t perTile = s.taps * 256 * KT;
  if (p.keptTiles > 0) {
    Parallel(blocks, threads, [&](int64_t b) {
      RunBlock(s, b, 0, p.keptTiles, 0, s.taps, [&](int64_t kt) { return p.rows + kt * perTile; }, nullptr);
    });
  }
  if (p.keptTiles < p.tiles) {
    // The other k-tiles: rows built here, a chunk of taps of one k-tile at a time (at most
    // kChunkBytes, built on all threads), used by every block; the blocks' sums wait in `kept`
    // between chunks.
    const int64_t bytes = chunkBytes > 0 ? std::min(chunkBytes, kChunkBytes) : kChunkBytes;
    const int64_t chunkTaps = std::max<int64_t>(1, bytes / (256 * KT * 2));
    std::vector<uint16_t> store;
    uint16_t* rows = Align64(store, static_cast<size_t>(std::min(s.taps, chunkTaps) * 256 * KT));
    std::vector<uint32_t> kept(static_cast<size_t>(s.pixels * KT));
    const auto build = s.isa->buildRows[KtIndex(KT)];
    constexpr int64_t kPiece = 16;
    for (int64_t kt = p.keptTiles; kt < p.tiles; ++kt) {
      for (int64_t t0 = 0; t0 < s.taps; t0 += chunkTaps) {
        const int64_t t1 = std::min(s.taps, t0 + chunkTaps);
        Parallel((t1 - t0 + kPiece - 1) / kPiece, threads, [&](int64_t piece) {
          const int64_t a = t0 + piece * kPiece, b = std::min(t1, a + kPiece);
          build(rows + (a - t0) * 256 * KT, p.filter.data() + kt * KT, Kp, a, b, p.table.data());
        });
        Parallel(blocks, threads, [&](int64_t b) {
          RunBlock(s, b, kt, kt + 1, t0, t1, [&](int64_t) { return rows; }, kept.data());
        });
      }
    }
  }
  return rangeOut(p.keptTiles == p.tiles ? "rows" : "rows-built");
}

}  // namespace axq
