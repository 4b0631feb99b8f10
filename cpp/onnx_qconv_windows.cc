// ONNX QLinearConv, group 1, on the AxConv2D kernels' "windows" loop (axconv_isa.h: a layer with
// few taps per window, e.g. 1×1 convolutions and a first layer with 3 input channels), fused:
// NCHW codes in, requantized NCHW codes out. Each task takes a band of output rows of one image:
// it copies the band's input rows into a padded NHWC copy (bytes xor `flip`, the padding
// `padCode`), adds whole windows of product rows for each output row into a small int32 buffer,
// and requantizes that buffer straight into the output (MlasRequantizeOutput's arithmetic, as
// onnxRequantize). Nothing the size of the layer's accumulators is ever written.
//
// The accumulator is AxConv2D's (axconv_kernel.h, PadMode::kTable): Σ over the window of
// T[x][w] − x·zf − w·zi + zi·zf, the padding taps reading padCode, in wrapping int32; the
// windows loop gives exactly what AxConvFast's windows path gives (same rows, same loop), so
// results never depend on the thread count or on the instruction set.
#include <napi.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "axconv_isa.h"
#include "axconv_kernel.h"
#include "napi_args.h"
#include "onnx_requantize.h"
#include "parallel.h"

namespace axq {
namespace {

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the transposes below pack bytes little-endian");

// A node's prepared product rows, kept across calls (the filter and table are compared each call).
struct WindowsPrepared {
  std::mutex mutex;
  std::shared_ptr<PreparedFilter> prepared;
  std::vector<uint8_t> filter;
  std::vector<uint16_t> table;
};

constexpr napi_type_tag kWindowsTag = {0x6178712d6f6e6e78ULL, 0x77696e646f7773ULL};

// Largest product rows of one k-tile the fused loop takes (see WindowsJs).
constexpr double kFusedWindowRowBytes = 2.5 * 1024 * 1024;


struct WindowsArgs {
  int64_t N, C, H, W, M, KH, KW, Ho, Wo, stride, padTop, padLeft;
  int32_t zi, zf;
  uint8_t padCode, flip;
  const uint8_t* x;       // NCHW codes
  const uint8_t* filter;  // HWIO codes (already xor flip)
  const uint16_t* table;
  const int32_t* bias;    // [M] or null
  const float* scales;    // [M]
  int32_t zp, lo, hi;
  uint8_t* out;           // NCHW codes
  const AxConvIsa* isa;
  int threads;
};

// One input row of C channel planes (row of channel c at src + c·planeStride, `cols` codes) into
// NHWC order (dst[v·C + c] = code ^ flip): 8 channels at a time, so that each pixel's 8 codes
// leave as one 8-byte store instead of 8 byte stores.
void TransposeRow(const uint8_t* src, int64_t planeStride, int64_t C, int64_t cols, uint8_t flip, uint8_t* dst) {
  int64_t c = 0;
  const uint64_t flip8 = 0x0101010101010101ULL * flip;
  for (; c + 8 <= C; c += 8) {
    const uint8_t* s0 = src + c * planeStride;
    for (int64_t v = 0; v < cols; ++v) {
      uint64_t word = 0;
      for (int k = 0; k < 8; ++k) word |= static_cast<uint64_t>(s0[k * planeStride + v]) << (8 * k);
      word ^= flip8;
      std::memcpy(dst + v * C + c, &word, 8);
    }
  }
  for (; c < C; ++c) {
    const uint8_t* sc = src + c * planeStride;
    for (int64_t v = 0; v < cols; ++v) dst[v * C + c] = sc[v] ^ flip;
  }
}

// Codes of one output row [Wo][M] into the M output planes (row at out + m·plane): 8 pixels at a
// time, one 8-byte store each.
void TransposeCodes(const uint8_t* codes, int64_t Wo, int64_t M, uint8_t* out, int64_t plane) {
  for (int64_t m = 0; m < M; ++m) {
    const uint8_t* c = codes + m;
    uint8_t* o = out + m * plane;
    int64_t x = 0;
    for (; x + 8 <= Wo; x += 8) {
      uint64_t word = 0;
      for (int k = 0; k < 8; ++k) word |= static_cast<uint64_t>(c[(x + k) * M]) << (8 * k);
      std::memcpy(o + x, &word, 8);
    }
    for (; x < Wo; ++x) o[x] = c[x * M];
  }
}

void RunWindowsFused(const WindowsArgs& a, const PreparedFilter& p) {
  const int64_t C = a.C, M = a.M, KT = p.KT, taps = a.KH * a.KW * C;
  const int64_t Wp = (a.Wo - 1) * a.stride + a.KW;  // padded row: every window inside it
  const int64_t rowBytes = Wp * C;
  std::vector<int32_t> off(static_cast<size_t>(taps));
  for (int64_t dy = 0; dy < a.KH; ++dy)
    for (int64_t dx = 0; dx < a.KW; ++dx)
      for (int64_t c = 0; c < C; ++c) off[(dy * a.KW + dx) * C + c] = static_cast<int32_t>(dy * rowBytes + dx * C + c);
  // The windows loop's bias: taps·zi·zf − zi·Σw (its out = bias + Σ rows − zf·Σx).
  const uint32_t zi = static_cast<uint32_t>(a.zi), zf = static_cast<uint32_t>(a.zf);
  std::vector<uint32_t> wbias(static_cast<size_t>(p.Kp));
  for (int64_t k = 0; k < p.Kp; ++k) wbias[k] = static_cast<uint32_t>(taps) * zi * zf - zi * p.wSum[k];
  std::vector<uint32_t> onnxBias(static_cast<size_t>(M), 0u);
  if (a.bias) for (int64_t m = 0; m < M; ++m) onnxBias[m] = static_cast<uint32_t>(a.bias[m]);
  const float flo = static_cast<float>(a.lo - a.zp), fhi = static_cast<float>(a.hi - a.zp);
  // Bands of output rows of one image, about 256 pixels each: one task each.
  const int64_t band = std::min(a.Ho, std::max<int64_t>(1, 256 / a.Wo));
  const int64_t bands = (a.Ho + band - 1) / band;
  const int64_t perTile = taps * 256 * KT;
  const auto windows = a.isa->windows[KtIndex(KT)];
  const int64_t cols = std::max<int64_t>(0, std::min(a.W, Wp - a.padLeft));
  const int64_t plane = a.Ho * a.Wo;
  Parallel(a.N * bands, a.threads, [&](int64_t job) {
    thread_local std::vector<uint8_t> padded;  // the band's input rows: [rows][Wp][C]
    thread_local std::vector<int32_t> acc;     // one output row: [Wo][M]
    thread_local std::vector<uint8_t> codes;   // its codes: [Wo][M]
    const int64_t n = job / bands, oy0 = (job % bands) * band, oy1 = std::min(a.Ho, oy0 + band);
    const int64_t rows = (oy1 - oy0 - 1) * a.stride + a.KH;
    padded.resize(static_cast<size_t>(rows * rowBytes));
    acc.resize(static_cast<size_t>(a.Wo * M));
    codes.resize(static_cast<size_t>(a.Wo * M));
    for (int64_t r = 0; r < rows; ++r) {
      if (r % a.stride >= a.KH) continue;  // a row no window reads (strides above the kernel size)
      uint8_t* dst = padded.data() + r * rowBytes;
      const int64_t iy = oy0 * a.stride - a.padTop + r;
      std::memset(dst, a.padCode, static_cast<size_t>(rowBytes));
      if (iy < 0 || iy >= a.H) continue;
      TransposeRow(a.x + (n * C * a.H + iy) * a.W, a.H * a.W, C, cols, a.flip, dst + a.padLeft * C);
    }
    for (int64_t oy = oy0; oy < oy1; ++oy) {
      const uint8_t* xr = padded.data() + (oy - oy0) * a.stride * rowBytes;
      for (int64_t kt = 0; kt < p.tiles; ++kt) {
        const int64_t kBegin = kt * KT, width = std::min(M, kBegin + KT) - kBegin;
        windows(acc.data() + kBegin, M, width, a.Wo, p.rows + kt * perTile, xr, a.stride * C, off.data(), taps, wbias.data() + kBegin, zf, nullptr);
      }
      for (int64_t ox = 0; ox < a.Wo; ++ox) RequantizeAcross(acc.data() + ox * M, M, onnxBias.data(), a.scales, a.zp, flo, fhi, codes.data() + ox * M);
      TransposeCodes(codes.data(), a.Wo, M, a.out + n * M * plane + oy * a.Wo, plane);
    }
    // The pool's threads live on: don't let one very wide image pin its copy.
    if (padded.capacity() > (size_t(4) << 20)) std::vector<uint8_t>().swap(padded);
  });
}

int64_t Field(const Napi::Object& o, const char* key, int64_t lo, int64_t hi) {
  return args::IntOf(o.Env(), o.Get(key), "onnxQConvWindows", key, lo, hi);
}

template <typename T>
Napi::TypedArrayOf<T> ArrayField(const Napi::Object& o, const char* key, napi_typedarray_type type, int64_t length) {
  Napi::Value v = o.Get(key);
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != type) {
    throw Napi::TypeError::New(o.Env(), std::string("onnxQConvWindows: ") + key + " has the wrong array type");
  }
  auto arr = v.As<Napi::TypedArrayOf<T>>();
  if (static_cast<int64_t>(arr.ElementLength()) != length) throw Napi::RangeError::New(o.Env(), std::string("onnxQConvWindows: ") + key + " has the wrong size");
  return arr;
}

// onnxQConvWindowsPrepared() → an empty holder for one node's prepared rows.
Napi::Value PreparedJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto ext = Napi::External<WindowsPrepared>::New(env, new WindowsPrepared(), [](Napi::Env, WindowsPrepared* p) { delete p; });
  napi_type_tag_object(env, ext, &kWindowsTag);
  return ext;
}

// onnxQConvWindows({N, C, H, W, M, KH, KW, Ho, Wo, stride, padTop, padLeft, zi, zf, padCode, flip,
//   x: Uint8Array NCHW, filter: Uint8Array HWIO, table: Uint16Array(65536), bias: Int32Array | null,
//   scales: Float32Array, zp, lo, hi, out: Uint8Array NCHW, threads, prepared, isa?})
//   → Promise<boolean>: false (nothing written) when the layer does not suit the windows loop.
Napi::Value WindowsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "onnxQConvWindows: expects one object argument");
  Napi::Object o = info[0].As<Napi::Object>();
  constexpr int64_t kDim = int64_t{1} << 31;
  WindowsArgs a{};
  a.N = Field(o, "N", 1, kDim), a.C = Field(o, "C", 1, kDim), a.H = Field(o, "H", 1, kDim), a.W = Field(o, "W", 1, kDim);
  a.M = Field(o, "M", 1, kDim), a.KH = Field(o, "KH", 1, kDim), a.KW = Field(o, "KW", 1, kDim), a.Ho = Field(o, "Ho", 1, kDim), a.Wo = Field(o, "Wo", 1, kDim);
  a.stride = Field(o, "stride", 1, kDim), a.padTop = Field(o, "padTop", 0, kDim), a.padLeft = Field(o, "padLeft", 0, kDim);
  a.zi = static_cast<int32_t>(Field(o, "zi", -65536, 65536)), a.zf = static_cast<int32_t>(Field(o, "zf", -65536, 65536));
  a.padCode = static_cast<uint8_t>(Field(o, "padCode", 0, 255)), a.flip = static_cast<uint8_t>(Field(o, "flip", 0, 255));
  a.zp = static_cast<int32_t>(Field(o, "zp", -128, 255)), a.lo = static_cast<int32_t>(Field(o, "lo", -128, 255)), a.hi = static_cast<int32_t>(Field(o, "hi", -128, 255));
  if (a.lo > a.zp || a.zp > a.hi) throw Napi::RangeError::New(env, "onnxQConvWindows: zero point outside [lo, hi]");
  a.threads = ClampThreads(Field(o, "threads", 1, kDim));
  const int64_t Hp = (a.Ho - 1) * a.stride + a.KH, Wp = (a.Wo - 1) * a.stride + a.KW;
  if (a.padTop >= Hp || a.padLeft >= Wp) throw Napi::RangeError::New(env, "onnxQConvWindows: padding larger than the padded image");
  const int64_t taps = args::Product(env, "onnxQConvWindows", {a.KH, a.KW, a.C});
  auto x = ArrayField<uint8_t>(o, "x", napi_uint8_array, args::Product(env, "onnxQConvWindows", {a.N, a.C, a.H, a.W}));
  auto filter = ArrayField<uint8_t>(o, "filter", napi_uint8_array, args::Product(env, "onnxQConvWindows", {taps, a.M}));
  auto table = ArrayField<uint16_t>(o, "table", napi_uint16_array, 65536);
  auto scales = ArrayField<float>(o, "scales", napi_float32_array, a.M);
  auto out = ArrayField<uint8_t>(o, "out", napi_uint8_array, args::Product(env, "onnxQConvWindows", {a.N, a.M, a.Ho, a.Wo}));
  Napi::Value biasValue = o.Get("bias");
  const bool hasBias = !biasValue.IsNull() && !biasValue.IsUndefined();
  Napi::Int32Array bias = hasBias ? ArrayField<int32_t>(o, "bias", napi_int32_array, a.M) : Napi::Int32Array();
  Napi::Value prepared = o.Get("prepared");
  bool tagged = false;
  if (!prepared.IsExternal() || napi_check_object_type_tag(env, prepared, &kWindowsTag, &tagged) != napi_ok || !tagged) {
    throw Napi::TypeError::New(env, "onnxQConvWindows: prepared must come from onnxQConvWindowsPrepared()");
  }
  a.isa = AxConvIsaRunnable(args::IsaOption(env, o, "onnxQConvWindows", AxConvFastVariant(), AxConvFastVariants()).c_str());
  // The windows loop's conditions (as axconv_fast.cc's UsesWindows, with a larger row budget:
  // fused, the loop saves the accumulators' round trip through memory and the transposes, which
  // more than pays for rows that no longer stay in L1/L2; measured on 1 thread, 1000 images,
  // fused vs AxConv2D rows + requantization: 3×3×16→16 (1.2 MiB of rows) 22 vs 18 GMAC/s,
  // 3×3×16→32 stride 2 (2.4 MiB) 17 vs 17), and the offsets within KH padded rows fit int32.
  const bool suits = double(taps) * 256.0 * double(AxConvKTile(a.M)) * 2.0 <= kFusedWindowRowBytes && double(a.KH) * double(Wp) * double(a.C) < 2147483647.0;
  if (!suits) {
    auto d = Napi::Promise::Deferred::New(env);
    d.Resolve(Napi::Boolean::New(env, false));
    return d.Promise();
  }
  a.x = x.Data(), a.filter = filter.Data(), a.table = table.Data(), a.scales = scales.Data(), a.out = out.Data();
  a.bias = hasBias ? bias.Data() : nullptr;
  WindowsPrepared* holder = prepared.As<Napi::External<WindowsPrepared>>().Data();
  auto work = [a, holder, taps] {
    std::shared_ptr<PreparedFilter> p;
    {
      std::lock_guard<std::mutex> lock(holder->mutex);
      const size_t fbytes = static_cast<size_t>(taps * a.M);
      const bool same = holder->prepared && holder->filter.size() == fbytes && std::equal(holder->filter.begin(), holder->filter.end(), a.filter) &&
                        holder->table.size() == 65536 && std::equal(holder->table.begin(), holder->table.end(), a.table) && holder->prepared->KH == a.KH &&
                        holder->prepared->KW == a.KW && holder->prepared->C == a.C && holder->prepared->K == a.M;
      if (!same) {
        ConvGeometry g;
        g.N = a.N, g.H = a.H, g.W = a.W, g.C = a.C, g.KH = a.KH, g.KW = a.KW, g.K = a.M, g.Ho = a.Ho, g.Wo = a.Wo, g.stride = a.stride;
        holder->prepared = PrepareFilter(g, a.filter, a.table, a.threads);
        holder->filter.assign(a.filter, a.filter + fbytes);
        holder->table.assign(a.table, a.table + 65536);
      }
      p = holder->prepared;
    }
    if (p->keptTiles != p->tiles) throw std::runtime_error("onnxQConvWindows: product rows not kept");
    RunWindowsFused(a, *p);
  };
  auto result = [](Napi::Env e) -> Napi::Value { return Napi::Boolean::New(e, true); };
  if (hasBias) return args::Worker::Start(new args::Worker(env, "onnxQConvWindows", {x, filter, table, scales, out, bias, prepared}, work, result));
  return args::Worker::Start(new args::Worker(env, "onnxQConvWindows", {x, filter, table, scales, out, prepared}, work, result));
}

}  // namespace

void RegisterOnnxWindows(Napi::Env env, Napi::Object exports) {
  exports.Set("onnxQConvWindows", Napi::Function::New(env, WindowsJs));
  exports.Set("onnxQConvWindowsPrepared", Napi::Function::New(env, PreparedJs));
}

}  // namespace axq
