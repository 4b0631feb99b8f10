// AxConv2D / QuantizedConv2D kernels: quint8 NHWC input, quint8 HWIO filter, 256x256 product
// table T[x*256 + w] (activation code first), int32 output.
//
// For every output element the accumulator is, in int32 arithmetic with wraparound,
//   acc = sum over the KH x KW x C window of ( T[x][w] - x*zf - w*zi + zi*zf )
// where x is the input code (padCode for taps outside the image) and w the filter code.
// PadMode::kTable: out-of-image taps go through the table with x = padCode (AxConv2D, and
// QuantizedConv2D with zi >= 0, where TF's im2col path fills the border with the quint8 code of zi).
// PadMode::kZero: out-of-image taps contribute nothing (QuantizedConv2D's reference path, which
// TF takes when zi < 0).
//
// Window origin of output (oy, ox): input row oy*stride - offTop, column ox*stride - offLeft
// (the caller computes the offsets with the rule of the op it implements).
#pragma once

#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace axq {

enum class PadMode : int32_t { kTable = 0, kZero = 1 };

struct ConvGeometry {
  int64_t N = 0, H = 0, W = 0, C = 0;  // input NHWC
  int64_t KH = 0, KW = 0, K = 0;       // filter HWIO (I == C)
  int64_t Ho = 0, Wo = 0;              // output spatial size
  int64_t stride = 1;
  int64_t offTop = 0, offLeft = 0;
};

struct ConvQuant {
  int32_t zi = 0;       // input zero point (int32, may lie outside 0..255)
  int32_t zf = 0;       // filter zero point
  uint8_t padCode = 0;  // code used for out-of-image taps in kTable mode
  PadMode padMode = PadMode::kTable;
};

/** Smallest and largest of some int32 values; {INT32_MAX, INT32_MIN} for none. */
struct Int32Range {
  int32_t min = INT32_MAX;
  int32_t max = INT32_MIN;
  void Add(const Int32Range& o) {
    if (o.min < min) min = o.min;
    if (o.max > max) max = o.max;
  }
};

/** The plain scan: smallest and largest of values[0, n). The reference for AxConvFast's range. */
Int32Range Int32RangeOf(const int32_t* values, int64_t n);

/** Checks sizes and products against overflow; returns an empty string when usable. */
std::string CheckGeometry(const ConvGeometry& g);

/** The plain reference loop: one table look-up per multiplication, one thread. */
void AxConvReference(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                     const uint8_t* filter, const uint16_t* table, int32_t* output);

/**
 * Per-layer data of the fast path, built once per (filter, table). Output channels are cut into
 * k-tiles of KT (8, 16 or 32) channels; for each k-tile, every tap t (dy, dx, c) and activation
 * code x, the product row T[x][w(t, k)] of its KT channels (uint16). Rows of as many k-tiles as
 * fit into kMaxPreparedBytes are kept here; the others are built during each call, in chunks of
 * taps, so memory stays bounded for any layer width.
 */
struct PreparedFilter {
  int64_t KH = 0, KW = 0, C = 0, K = 0, Kp = 0, KT = 0;
  int64_t tiles = 0;                // Kp / KT
  int64_t keptTiles = 0;            // k-tiles [0, keptTiles) have their rows in `rows`
  std::vector<uint16_t> rowStore;   // holds `rows`, aligned to 64 bytes
  uint16_t* rows = nullptr;         // [keptTiles][KH*KW*C][256][KT]
  std::vector<uint8_t> filter;      // [KH*KW*C][Kp]: filter codes, channels padded with 0
  std::vector<uint16_t> table;      // the 65536 products (to build the other k-tiles' rows)
  std::vector<uint32_t> wSum;       // [Kp]: sum of w over the whole window
  std::vector<uint32_t> wSumAt;     // [KH*KW][Kp]: sum over c of w at (dy, dx)
};

/** Above this many bytes, product rows are built during each call instead of kept. */
constexpr double kMaxPreparedBytes = 256.0 * 1024.0 * 1024.0;

/**
 * Layers whose product rows of one k-tile take at most this many bytes (few taps: e.g. the first
 * layer of an image network) and are all kept go through whole windows per pixel (the
 * "windows" path): small enough to stay in L2 with any codes. Measured on 1 thread, uniform
 * codes, windows vs rows: 3x3x3->16 (216 KiB) 22 vs 9 GMAC/s; 5x5x3->16, 3x3x8->16, 3x3x4->32
 * (about 600 KiB) 21-27 vs 12-17; 3x3x16->16 (1.1 MiB) 20 vs 20; 3x3x16->32 (2.3 MiB) 18 vs 20.
 */
constexpr double kWindowRowBytes = 1024.0 * 1024.0;

/** `rowBudget`: bytes of product rows to keep (at most; whole k-tiles). */
std::shared_ptr<PreparedFilter> PrepareFilter(const ConvGeometry& g, const uint8_t* filter,
                                              const uint16_t* table, int threads = 1,
                                              double rowBudget = kMaxPreparedBytes);

/**
 * Fast path: same results as AxConvReference for every input, on `threads` threads, with the
 * instruction-set variant `isa` (nullptr: the one chosen for this CPU, see AxConvFastVariant).
 * Rows not kept in `prepared` are built in chunks of at most `chunkBytes` (0: 1 MiB).
 * `windowBytes`: the windows path is taken up to this many bytes of rows per k-tile (tests move
 * it; 0: never). Returns the path taken: "windows" (whole windows per pixel), "rows" (all
 * product rows kept) or "rows-built" (some built during the call).
 * `range`: when given, receives the smallest and largest output value, found while the outputs
 * are written (each block's while still in cache), as Int32RangeOf would find them.
 */
const char* AxConvFast(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                       const PreparedFilter& prepared, int32_t* output, int threads,
                       const char* isa = nullptr, int64_t chunkBytes = 0,
                       double windowBytes = kWindowRowBytes, Int32Range* range = nullptr);

/**
 * Name of the variant chosen at run time for this CPU ("avx512", "avx2" or "generic");
 * AXQ_SIMD=generic|avx2|avx512 in the environment asks for one (if the CPU can run it).
 */
const char* AxConvFastVariant();

/** Names of every variant this build has and this CPU can run, fastest first. */
std::vector<std::string> AxConvFastVariants();

/** Output channels per k-tile for a layer of K output channels, as PrepareFilter chooses them. */
int64_t AxConvKTile(int64_t K);

}  // namespace axq
