// Portable variant of the fast AxConv2D loops: baseline flags of the build (SSE2 on x86-64, NEON
// on ARM64). Compilers without GCC vector types get plain scalar loops.
#if defined(__GNUC__) || defined(__clang__)
#define AXQ_ISA_NAME "generic"
#define AXQ_ISA_ENTRY AxConvIsaGeneric
#define AXQ_ISA_VECTOR_BYTES 16
#include "axconv_isa_impl.h"
#else
#include "axconv_isa.h"
namespace axq {
namespace {
template <int KT>
void Accumulate(uint32_t* acc, int64_t np, const uint16_t* tile, const uint8_t* const* xs, int64_t c0, int64_t G, bool init) {
  for (int64_t i = 0; i < np; ++i) {
    if (init)
      for (int k = 0; k < KT; ++k) acc[i * KT + k] = 0;
    for (int64_t c = 0; c < G; ++c) {
      const uint16_t* row = tile + (c * 256 + xs[i][c0 + c]) * KT;
      for (int k = 0; k < KT; ++k) acc[i * KT + k] += row[k];
    }
  }
}
template <int KT>
void BuildRows(uint16_t* dst, const uint8_t* w, int64_t wStride, int64_t t0, int64_t t1, const uint16_t* table) {
  for (int64_t t = t0; t < t1; ++t)
    for (int x = 0; x < 256; ++x)
      for (int k = 0; k < KT; ++k) dst[((t - t0) * 256 + x) * KT + k] = table[x * 256 + w[t * wStride + k]];
}
template <int KT>
void Windows(int32_t* out, int64_t outStride, int64_t width, int64_t np, const uint16_t* rows, const uint8_t* x, int64_t step,
             const int32_t* off, int64_t taps, const uint32_t* bias, uint32_t zf) {
  for (int64_t i = 0; i < np; ++i) {
    uint32_t sx = 0, acc[KT] = {};
    for (int64_t t = 0; t < taps; ++t) {
      const uint32_t code = x[i * step + off[t]];
      sx += code;
      const uint16_t* row = rows + (t * 256 + code) * KT;
      for (int k = 0; k < KT; ++k) acc[k] += row[k];
    }
    for (int64_t k = 0; k < width; ++k) out[i * outStride + k] = static_cast<int32_t>(acc[k] + bias[k] - zf * sx);
  }
}
const AxConvIsa kIsa = {"generic", {&Accumulate<8>, &Accumulate<16>, &Accumulate<32>, &Accumulate<64>},
                        {&BuildRows<8>, &BuildRows<16>, &BuildRows<32>, &BuildRows<64>},
                        {&Windows<8>, &Windows<16>, &Windows<32>, &Windows<64>}};
}  // namespace
const AxConvIsa* AxConvIsaGeneric() { return &kIsa; }
}  // namespace axq
#endif
