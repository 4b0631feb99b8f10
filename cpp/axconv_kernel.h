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

/** Checks sizes and products against overflow; returns an empty string when usable. */
std::string CheckGeometry(const ConvGeometry& g);

/** The plain reference loop: one table look-up per multiplication, one thread. */
void AxConvReference(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                     const uint8_t* filter, const uint16_t* table, int32_t* output);

/**
 * Per-layer data of the fast path, built once per (filter, table): for every tap t (dy, dx, c)
 * and activation code x, the row of the K products T[x][w(t, k)] (K padded to Kp lanes).
 */
struct PreparedFilter {
  int64_t KH = 0, KW = 0, C = 0, K = 0, Kp = 0;
  int64_t tapStride = 0;         // elements from one tap's 256 rows to the next's
  std::vector<uint16_t> rows;    // [KH*KW*C][tapStride]: row x of tap t at t*tapStride + x*Kp
  std::vector<uint32_t> wSum;    // [Kp]: sum of w over the whole window
  std::vector<uint32_t> wSumAt;  // [KH*KW][Kp]: sum over c of w at (dy, dx)
  bool zeroCodeRowsZero = false; // T[0][w] == 0 for every w of the filter: x = 0 taps add nothing
};

std::shared_ptr<PreparedFilter> PrepareFilter(const ConvGeometry& g, const uint8_t* filter,
                                              const uint16_t* table, int threads = 1);

/**
 * Fast path: same results as AxConvReference for every input, on `threads` threads. Returns true
 * when it skipped the taps with x = 0 (see PreparedFilter::zeroCodeRowsZero).
 */
bool AxConvFast(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                const PreparedFilter& prepared, int32_t* output, int threads);

/** Bytes of product rows PrepareFilter would allocate for this layer. */
double PreparedBytes(const ConvGeometry& g);

/** Above this many bytes of product rows the fast path computes without them (see below). */
constexpr double kMaxPreparedBytes = 256.0 * 1024.0 * 1024.0;

/**
 * For layers too large for prepared rows: the reference formula, image by image on `threads`
 * threads (each output element still computed by one thread, so identical results).
 */
void AxConvDirectParallel(const ConvGeometry& g, const ConvQuant& q, const uint8_t* input,
                          const uint8_t* filter, const uint16_t* table, int32_t* output, int threads);

/** Name of the inner loop chosen at run time for this CPU ("avx2" or "generic"). */
const char* AxConvFastVariant();

}  // namespace axq
