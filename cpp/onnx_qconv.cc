// ONNX quantized convolution (QLinearConv) accumulators over NCHW codes, any group count
// (depthwise included), strides, dilations and explicit pads. The fast twin of the TypeScript
// reference quantizedConvAccumulators (src/runtime/ops/onnx/qlinearConv.ts), tested against it.
//
// For output channel m and tap (c, kh, kw) with weight code w, a 256-entry product row
//   row[b] = T[b][w] − x(b)·zw − w·zx + zx·zw     (table)      or (x(b) − zx)·(w − zw)  (exact)
// is built once and applied to every image: acc[n][m][oh][ow] += row[code at the tap], taps in
// the padding reading the code of zx (which adds exactly 0 in the exact case). x(b) is the byte
// read as uint8 or int8 (activations and weights each by their own type). Work is split over
// output channels; sums wrap in int32 (so their order does not matter), and threads never change
// a result. Each output element sums its taps in a register, reading the image from a copy framed
// with zx's code, so no tap needs a bounds test.
//
// Also here: the two steps around the convolution that would otherwise loop in JavaScript —
// requantization of the int32 accumulators to NCHW codes (onnxRequantize, MlasRequantizeOutput's
// arithmetic; twin: requantize() in src/runtime/ops/onnx/onnxQuantization.ts) and the NCHW →
// padded NHWC copy the AxConv2D kernel reads (onnxPadNhwc; twin: paddedNhwc in qlinearConv.ts).
#include <napi.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "axconv_kernel.h"
#include "axconv_thread_pool.h"
#include "onnx_depthwise.h"
#include "onnx_requantize.h"
#include "parallel.h"
#include "napi_args.h"

namespace axq {
namespace {

struct QConvArgs {
  int64_t N, C, H, W, M, KH, KW, Ho, Wo, group;
  int64_t strideH, strideW, dilationH, dilationW, padTop, padLeft;
  int32_t zx, zw;
  bool xSigned, wSigned;
  const uint8_t* x;
  const uint8_t* w;
  const int32_t* table;  // 65536 entries, or null for the exact product
  int32_t* out;          // [N, M, Ho, Wo], or null when `codes` is given
  // Requantized output (fused: the accumulators of one plane never leave the cache):
  uint8_t* codes;        // [N, M, Ho, Wo] output codes as bytes, or null
  const int32_t* bias;   // [M] or null
  const float* scales;   // [M]
  int32_t zp, lo, hi;
  int simd;              // depthwise planes: 0 the plain loop, 1 AVX-512, 2 AVX-512 VBMI (stride 1; else AVX-512)
  int threads;
};

inline int32_t Operand(uint8_t b, bool isSigned) { return isSigned ? static_cast<int32_t>(static_cast<int8_t>(b)) : b; }

// accRow[ow] = Σ over the taps t of rows[t][frame byte at base + ow·stride + offsets[t]], in
// wrapping int32; Taps > 0 fixes the tap count at compile time.
template <int Taps>
inline void SumTaps(const uint8_t* base, int64_t stride, int64_t Wo, const int32_t* rows, const int64_t* offsets, int32_t* accRow,
                    int64_t taps = Taps) {
  if (Taps > 0) taps = Taps;
  for (int64_t ow = 0; ow < Wo; ow++) {
    const uint8_t* p = base + ow * stride;
    uint32_t sum = 0;
    for (int64_t t = 0; t < taps; t++) sum += static_cast<uint32_t>(rows[t * 256 + p[offsets[t]]]);
    accRow[ow] = static_cast<int32_t>(sum);
  }
}

// What one output channel needs for any image: its product rows (int32, zero-point terms folded
// in; or, for the AVX-512 depthwise planes, the raw 16-bit products and the constant of
// onnx_depthwise.h), built once per call.
struct ChannelPlan {
  std::vector<int32_t> rows;    // [taps][256], when simd is null
  std::vector<uint16_t> rows16; // [taps][256], when simd is set
  DepthwisePlaneFn simd = nullptr;
  uint32_t constant = 0;
};

// The frame geometry shared by every channel: each image's input planes of a group copied into a
// frame of zx's code that holds every window (taps in the padding read that code, as the
// reference does), so no tap needs a bounds test.
struct Frame {
  int64_t Hp, Wp, rowsIn, colsIn, taps;
  std::vector<int64_t> offsets;  // of each tap (c, kh, kw) in the frame, in the order of the rows
};

Frame MakeFrame(const QConvArgs& a) {
  Frame f;
  const int64_t cg = a.C / a.group;
  f.Hp = (a.Ho - 1) * a.strideH + (a.KH - 1) * a.dilationH + 1;
  f.Wp = (a.Wo - 1) * a.strideW + (a.KW - 1) * a.dilationW + 1;
  f.rowsIn = std::max<int64_t>(0, std::min(a.H, f.Hp - a.padTop));
  f.colsIn = std::max<int64_t>(0, std::min(a.W, f.Wp - a.padLeft));
  f.taps = cg * a.KH * a.KW;
  f.offsets.resize(f.taps);
  for (int64_t c = 0; c < cg; c++)
    for (int64_t kh = 0; kh < a.KH; kh++)
      for (int64_t kw = 0; kw < a.KW; kw++) f.offsets[(c * a.KH + kh) * a.KW + kw] = (c * f.Hp + kh * a.dilationH) * f.Wp + kw * a.dilationW;
  return f;
}

ChannelPlan PlanChannel(const QConvArgs& a, const Frame& f, int64_t m) {
  ChannelPlan plan;
  const int64_t cg = a.C / a.group, taps = f.taps;
  // Depthwise layers on AVX-512: the raw 16-bit products (T[x][w], or x·w) as rows, the zero-point
  // terms per pixel (onnx_depthwise.h). Only when every product fits 16 bits of one signedness.
  const bool rowSigned = a.xSigned || a.wSigned;
  bool bytes = false;  // rows as low and high bytes (the VBMI loop)
  if (a.simd == 2 && cg == 1) bytes = (plan.simd = DepthwisePlaneVbmiPick(a.strideW, taps, a.Wo, rowSigned, a.xSigned)) != nullptr;
  if (a.simd >= 1 && cg == 1 && !plan.simd) plan.simd = DepthwisePlaneAvx512Pick(a.strideW, taps, a.Wo, rowSigned, a.xSigned);
  if (plan.simd) {
    plan.rows16.resize(taps * 256);
    uint32_t wSum = 0;
    for (int64_t t = 0; t < taps && plan.simd; t++) {
      const uint8_t wb = a.w[m * taps + t];
      const int32_t wv = Operand(wb, a.wSigned);
      wSum += static_cast<uint32_t>(wv);
      for (int b = 0; b < 256; b++) {
        const int32_t v = a.table ? a.table[(b << 8) | wb] : Operand(static_cast<uint8_t>(b), a.xSigned) * wv;
        if (rowSigned ? (v < -32768 || v > 32767) : (v < 0 || v > 65535)) {
          plan.simd = nullptr;
          break;
        }
        if (bytes) {
          uint8_t* r = reinterpret_cast<uint8_t*>(plan.rows16.data() + t * 256);
          r[b] = static_cast<uint8_t>(v & 255);
          r[256 + b] = static_cast<uint8_t>((v >> 8) & 255);
        } else {
          plan.rows16[t * 256 + b] = static_cast<uint16_t>(v);
        }
      }
    }
    plan.constant = static_cast<uint32_t>(taps) * static_cast<uint32_t>(a.zx) * static_cast<uint32_t>(a.zw) - static_cast<uint32_t>(a.zx) * wSum;
    if (plan.simd) return plan;
    plan.rows16 = {};
  }
  // The product row of every tap (c, kh, kw) of this output channel.
  plan.rows.resize(taps * 256);
  for (int64_t t = 0; t < taps; t++) {
    const uint8_t wb = a.w[m * taps + t];
    const int32_t wv = Operand(wb, a.wSigned);
    int32_t* row = plan.rows.data() + t * 256;
    for (int b = 0; b < 256; b++) {
      const int32_t xv = Operand(static_cast<uint8_t>(b), a.xSigned);
      row[b] = a.table ? static_cast<int32_t>(static_cast<uint32_t>(a.table[(b << 8) | wb]) - static_cast<uint32_t>(xv * a.zw) -
                                              static_cast<uint32_t>(wv * a.zx) + static_cast<uint32_t>(a.zx * a.zw))
                       : (xv - a.zx) * (wv - a.zw);
    }
  }
  return plan;
}

// Scratch of one thread: frames (each with slack: the vector planes read up to 64 bytes past
// their last window) and one plane of accumulators.
struct PlaneScratch {
  std::vector<uint8_t> padded;
  std::vector<int32_t> acc;
};

// n bytes; short rows (small planes) without a library call.
inline void CopyRow(uint8_t* dst, const uint8_t* src, int64_t n) {
  if (n >= 8 && n <= 16) {
    std::memcpy(dst, src, 8);  // two fixed-size (inlined) copies that may overlap
    std::memcpy(dst + n - 8, src + n - 8, 8);
  } else if (n < 8) {
    for (int64_t i = 0; i < n; i++) dst[i] = src[i];
  } else {
    std::memcpy(dst, src, n);
  }
}

// Bytes of one frame in the scratch, slack included.
int64_t FrameBytes(const QConvArgs& a, const Frame& f) { return (a.C / a.group) * f.Hp * f.Wp + 128; }

// The frame of output channel m of image n (its group's input planes) at `padded`.
void BuildFrame(const QConvArgs& a, const Frame& f, int64_t n, int64_t m, uint8_t* padded) {
  const int64_t cg = a.C / a.group, mg = a.M / a.group;
  const int64_t c0 = (m / mg) * cg;
  std::memset(padded, static_cast<uint8_t>(a.zx & 255), cg * f.Hp * f.Wp);
  for (int64_t c = 0; c < cg; c++) {
    const uint8_t* xin = a.x + (n * a.C + c0 + c) * a.H * a.W;
    uint8_t* dst = padded + (c * f.Hp + a.padTop) * f.Wp + a.padLeft;
    for (int64_t h = 0; h < f.rowsIn; h++) CopyRow(dst + h * f.Wp, xin + h * a.W, f.colsIn);
  }
}

// Output channel m of image n from its frame at `padded`: accumulators, then (fused) requantized codes.
void RunPlane(const QConvArgs& a, const Frame& f, const ChannelPlan& plan, int64_t n, int64_t m, const uint8_t* padded, PlaneScratch& s) {
  const int64_t plane = a.Ho * a.Wo;
  if (a.codes && static_cast<int64_t>(s.acc.size()) < plane) s.acc.resize(plane);
  int32_t* acc = a.codes ? s.acc.data() : a.out + (n * a.M + m) * plane;
  // Sums wrap in int32, so their order does not change them.
  const float flo = static_cast<float>(a.lo - a.zp), fhi = static_cast<float>(a.hi - a.zp);
  const uint32_t bias = a.bias ? static_cast<uint32_t>(a.bias[m]) : 0u;
  uint8_t* codes = a.codes ? a.codes + (n * a.M + m) * plane : nullptr;
  if (plan.simd) {
    // Requantized in the vector loop when fused.
    plan.simd({acc, a.Ho, a.Wo, padded, a.strideH * f.Wp, f.offsets.data(), f.taps, plan.rows16.data(), a.zw, plan.constant, codes, bias,
               a.codes ? a.scales[m] : 0.0f, flo, fhi, a.zp});
    return;
  }
  for (int64_t oh = 0; oh < a.Ho; oh++) {
    const uint8_t* base = padded + oh * a.strideH * f.Wp;
    int32_t* accRow = acc + oh * a.Wo;
    if (f.taps == 9)  // 3×3 depthwise: the taps unrolled
      SumTaps<9>(base, a.strideW, a.Wo, plan.rows.data(), f.offsets.data(), accRow);
    else
      SumTaps<0>(base, a.strideW, a.Wo, plan.rows.data(), f.offsets.data(), accRow, f.taps);
  }
  if (codes) RequantizeRun(acc, plane, bias, a.scales[m], a.zp, flo, fhi, codes);
}

// Every channel's plan kept for the whole call (bytes): then images go in memory order (image by
// image, its channels in turn), which matters for small planes; above it, channel by channel.
constexpr double kMaxPlanBytes = 64.0 * 1024 * 1024;

void QConv(const QConvArgs& a) {
  const Frame f = MakeFrame(a);
  if (double(a.M) * double(f.taps) * 256.0 * 4.0 <= kMaxPlanBytes) {
    std::vector<ChannelPlan> plans(a.M);
    Parallel(a.M, a.threads, [&](int64_t m) { plans[m] = PlanChannel(a, f, m); });
    // Frames are built a few planes ahead of their use: loads that straddle the frame's recent
    // small stores would wait for them (failed store forwarding), which costs small planes dearly.
    const int64_t frame = FrameBytes(a, f);
    const int64_t ahead = std::max<int64_t>(1, std::min<int64_t>(8, (256 * 1024) / frame));
    ParallelRanges(a.N * a.M, a.threads, [&](int64_t begin, int64_t end) {
      PlaneScratch s;
      s.padded.assign(ahead * frame, 0);
      for (int64_t j0 = begin; j0 < end; j0 += ahead) {
        const int64_t j1 = std::min(end, j0 + ahead);
        for (int64_t j = j0; j < j1; j++) BuildFrame(a, f, j / a.M, j % a.M, s.padded.data() + (j - j0) * frame);
        for (int64_t j = j0; j < j1; j++) RunPlane(a, f, plans[j % a.M], j / a.M, j % a.M, s.padded.data() + (j - j0) * frame, s);
      }
    });
    return;
  }
  Parallel(a.M, a.threads, [&](int64_t m) {
    const ChannelPlan plan = PlanChannel(a, f, m);
    PlaneScratch s;
    s.padded.assign(FrameBytes(a, f), 0);
    for (int64_t n = 0; n < a.N; n++) {
      BuildFrame(a, f, n, m, s.padded.data());
      RunPlane(a, f, plan, n, m, s.padded.data(), s);
    }
  });
}

class QConvWorker : public Napi::AsyncWorker {
 public:
  QConvWorker(Napi::Env env, QConvArgs args, std::vector<Napi::TypedArray> keep)
      : Napi::AsyncWorker(env, "axq:onnxQConv"), deferred_(Napi::Promise::Deferred::New(env)), args_(args) {
    for (auto& k : keep) keep_.push_back(Napi::Persistent(k.As<Napi::Object>()));
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    QConv(args_);
  }
  void OnOK() override { deferred_.Resolve(Env().Undefined()); }
  void OnError(const Napi::Error& e) override { deferred_.Reject(e.Value()); }

 private:
  Napi::Promise::Deferred deferred_;
  QConvArgs args_;
  std::vector<Napi::ObjectReference> keep_;
};

int64_t Int(const Napi::Object& o, const char* key) {
  Napi::Value v = o.Get(key);
  if (!v.IsNumber()) throw Napi::TypeError::New(o.Env(), std::string("onnxQConv: ") + key + " must be a number");
  return v.As<Napi::Number>().Int64Value();
}

// onnxQConv({N, C, H, W, M, KH, KW, Ho, Wo, group, strideH, strideW, dilationH, dilationW,
//            padTop, padLeft, zx, zw, xSigned, wSigned, threads, x: Uint8Array, w: Uint8Array,
//            table: Int32Array | null, out: Int32Array}) → Promise<void>.
// Sizes are validated by the TypeScript wrapper (src/native/onnxKernels.ts); checked again here.
Napi::Value OnnxQConvJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsObject()) throw Napi::TypeError::New(env, "onnxQConv: expects one object argument");
  Napi::Object o = info[0].As<Napi::Object>();
  QConvArgs a{};
  a.N = Int(o, "N"), a.C = Int(o, "C"), a.H = Int(o, "H"), a.W = Int(o, "W"), a.M = Int(o, "M");
  a.KH = Int(o, "KH"), a.KW = Int(o, "KW"), a.Ho = Int(o, "Ho"), a.Wo = Int(o, "Wo"), a.group = Int(o, "group");
  a.strideH = Int(o, "strideH"), a.strideW = Int(o, "strideW"), a.dilationH = Int(o, "dilationH"), a.dilationW = Int(o, "dilationW");
  a.padTop = Int(o, "padTop"), a.padLeft = Int(o, "padLeft");
  a.zx = static_cast<int32_t>(Int(o, "zx")), a.zw = static_cast<int32_t>(Int(o, "zw"));
  a.xSigned = o.Get("xSigned").ToBoolean().Value();
  a.wSigned = o.Get("wSigned").ToBoolean().Value();
  a.threads = static_cast<int>(Int(o, "threads"));
  // isa: 'generic' (the plain loop), 'avx512', 'avx512vbmi', or absent: the AxConv2D kernels'
  // choice (AXQ_SIMD), with VBMI where the CPU has it.
  std::string isaName = AxConvFastVariant();
  if (isaName == "avx512" && DepthwiseVbmiAvailable()) isaName = "avx512vbmi";
  std::vector<std::string> variants = AxConvFastVariants();
  if (DepthwiseVbmiAvailable()) variants.emplace_back("avx512vbmi");
  isaName = args::IsaOption(env, o, "onnxQConv", isaName, variants);
  a.simd = isaName == "avx512vbmi" ? 2 : isaName == "avx512" ? 1 : 0;
  auto x = o.Get("x"), w = o.Get("w"), t = o.Get("table"), out = o.Get("out");
  auto isType = [](const Napi::Value& v, napi_typedarray_type type) { return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type; };
  const bool fused = isType(out, napi_uint8_array);
  if (!isType(x, napi_uint8_array) || !isType(w, napi_uint8_array) || !(fused || isType(out, napi_int32_array)) || !(t.IsNull() || isType(t, napi_int32_array))) {
    throw Napi::TypeError::New(env, "onnxQConv: x and w must be Uint8Arrays, out an Int32Array or Uint8Array, table an Int32Array or null");
  }
  auto xa = x.As<Napi::Uint8Array>();
  auto wa = w.As<Napi::Uint8Array>();
  auto oa = out.As<Napi::TypedArray>();
  const bool dimsOk = a.N > 0 && a.C > 0 && a.H > 0 && a.W > 0 && a.M > 0 && a.KH > 0 && a.KW > 0 && a.Ho > 0 && a.Wo > 0 && a.group > 0 &&
                      a.C % a.group == 0 && a.M % a.group == 0 && a.strideH > 0 && a.strideW > 0 && a.dilationH > 0 && a.dilationW > 0 && a.threads > 0;
  if (!dimsOk || static_cast<int64_t>(xa.ElementLength()) != a.N * a.C * a.H * a.W ||
      static_cast<int64_t>(wa.ElementLength()) != a.M * (a.C / a.group) * a.KH * a.KW || static_cast<int64_t>(oa.ElementLength()) != a.N * a.M * a.Ho * a.Wo ||
      (!t.IsNull() && t.As<Napi::Int32Array>().ElementLength() != 65536)) {
    throw Napi::RangeError::New(env, "onnxQConv: sizes do not match");
  }
  std::vector<Napi::TypedArray> keep{xa, wa, oa};
  a.x = xa.Data(), a.w = wa.Data();
  if (fused) {
    // Requantized output: scales [M] (Float32Array), bias [M] (Int32Array or null), zp, lo, hi.
    a.codes = out.As<Napi::Uint8Array>().Data();
    auto sc = o.Get("scales"), bi = o.Get("bias");
    if (!isType(sc, napi_float32_array) || sc.As<Napi::Float32Array>().ElementLength() != static_cast<size_t>(a.M) ||
        !(bi.IsNull() || bi.IsUndefined() || (isType(bi, napi_int32_array) && bi.As<Napi::Int32Array>().ElementLength() == static_cast<size_t>(a.M)))) {
      throw Napi::TypeError::New(env, "onnxQConv: a Uint8Array out needs scales (Float32Array [M]) and bias (Int32Array [M] or null)");
    }
    a.scales = sc.As<Napi::Float32Array>().Data();
    keep.push_back(sc.As<Napi::TypedArray>());
    if (!bi.IsNull() && !bi.IsUndefined()) {
      a.bias = bi.As<Napi::Int32Array>().Data();
      keep.push_back(bi.As<Napi::TypedArray>());
    }
    a.zp = static_cast<int32_t>(Int(o, "zp")), a.lo = static_cast<int32_t>(Int(o, "lo")), a.hi = static_cast<int32_t>(Int(o, "hi"));
    if (a.lo < -128 || a.hi > 255 || a.lo > a.zp || a.zp > a.hi) throw Napi::RangeError::New(env, "onnxQConv: zero point outside [lo, hi]");
  } else {
    a.out = out.As<Napi::Int32Array>().Data();
  }
  a.table = nullptr;
  if (!t.IsNull()) {
    auto ta = t.As<Napi::Int32Array>();
    a.table = ta.Data();
    keep.push_back(ta);
  }
  auto* worker = new QConvWorker(env, a, keep);
  auto p = worker->Promise();
  worker->Queue();
  return p;
}

// out = clamp(float(acc + bias[m]) · scale[m], lo − zp, hi − zp) rounded half to even, + zp, as
// MlasRequantizeOutput: float32 product (no FMA: -ffp-contract=off), rounding half to even. acc is [N, M, plane] (NCHW) or [N, plane, M] (NHWC, the AxConv2D kernel's);
// out is always NCHW codes, written as bytes (int8 values as their two's complement byte).
void Requantize(const int32_t* acc, const int32_t* bias, const float* scales, int32_t zp, int32_t lo, int32_t hi, bool nhwc, int64_t N,
                int64_t M, int64_t plane, uint8_t* out, int threads) {
  const float flo = static_cast<float>(lo - zp), fhi = static_cast<float>(hi - zp);
  if (!nhwc) {
    ParallelRanges(N * M, threads, [=](int64_t begin, int64_t end) {
      for (int64_t nm = begin; nm < end; nm++) {
        const int64_t m = nm % M;
        RequantizeRun(acc + nm * plane, plane, bias ? static_cast<uint32_t>(bias[m]) : 0u, scales[m], zp, flo, fhi, out + nm * plane);
      }
    });
    return;
  }
  // NHWC accumulators: blocks of kBlock pixels of one image, requantized channel-contiguous
  // (vectorised over m) into a small buffer, then written out transposed.
  constexpr int64_t kBlock = 64;
  const int64_t blocks = (plane + kBlock - 1) / kBlock;
  ParallelRanges(N * blocks, threads, [=](int64_t begin, int64_t end) {
    std::vector<uint8_t> codes(static_cast<size_t>(kBlock * M));
    std::vector<uint32_t> b(static_cast<size_t>(M), 0u);
    if (bias) for (int64_t m = 0; m < M; m++) b[m] = static_cast<uint32_t>(bias[m]);
    for (int64_t job = begin; job < end; job++) {
      const int64_t n = job / blocks, p0 = (job % blocks) * kBlock, np = std::min(kBlock, plane - p0);
      for (int64_t i = 0; i < np; i++) RequantizeAcross(acc + (n * plane + p0 + i) * M, M, b.data(), scales, zp, flo, fhi, codes.data() + i * M);
      uint8_t* o = out + n * M * plane + p0;
      for (int64_t m = 0; m < M; m++) {
        const uint8_t* c = codes.data() + m;
        uint8_t* om = o + m * plane;
        for (int64_t i = 0; i < np; i++) om[i] = c[i * M];
      }
    }
  });
}

// onnxRequantize(acc: Int32Array, bias: Int32Array | null, scales: Float32Array, zp, lo, hi,
//                nhwc: boolean, N, M, plane, out: Uint8Array, threads) → Promise<void>
Napi::Value OnnxRequantizeJs(const Napi::CallbackInfo& info) {
  using namespace args;
  const char* fn = "onnxRequantize";
  Napi::Env env = info.Env();
  const int64_t N = args::Int(info, 7, fn, 1), M = args::Int(info, 8, fn, 1), plane = args::Int(info, 9, fn, 1);
  const int64_t size = Product(env, fn, {N, M, plane});
  auto acc = Array<int32_t>(info, 0, fn, napi_int32_array, size);
  Napi::Value biasValue = Arg(info, 1, fn);
  const bool hasBias = !biasValue.IsNull();
  Napi::Int32Array bias = hasBias ? Array<int32_t>(info, 1, fn, napi_int32_array, M) : Napi::Int32Array();
  auto scales = Array<float>(info, 2, fn, napi_float32_array, M);
  const int32_t zp = static_cast<int32_t>(args::Int(info, 3, fn, -128, 255));
  const int32_t lo = static_cast<int32_t>(args::Int(info, 4, fn, -128, 255));
  const int32_t hi = static_cast<int32_t>(args::Int(info, 5, fn, -128, 255));
  Need(lo <= zp && zp <= hi, env, fn, "zero point outside [lo, hi]");
  const bool nhwc = Bool(info, 6, fn);
  auto out = Array<uint8_t>(info, 10, fn, napi_uint8_array, size);
  const int threads = Threads(info, 11, fn);
  const int32_t* a = acc.Data();
  const int32_t* b = hasBias ? bias.Data() : nullptr;
  const float* s = scales.Data();
  uint8_t* o = out.Data();
  auto work = [=] { Requantize(a, b, s, zp, lo, hi, nhwc, N, M, plane, o, threads); };
  // (References to null are not allowed: bias is kept only when given.)
  return Worker::Start(hasBias ? new Worker(env, fn, {acc, bias, scales, out}, work) : new Worker(env, fn, {acc, scales, out}, work));
}

// NCHW bytes → NHWC [N, Hp, Wp, C] with the image at (padTop, padLeft), every other byte `pad`;
// copied bytes xor `flip`. Rows/columns of x past Hp/Wp are dropped (no window reads them).
void PadNhwc(const uint8_t* x, int64_t N, int64_t C, int64_t H, int64_t W, int64_t Hp, int64_t Wp, int64_t padTop, int64_t padLeft,
             uint8_t pad, uint8_t flip, uint8_t* out, int threads) {
  const int64_t rows = std::max<int64_t>(0, std::min(H, Hp - padTop));
  const int64_t cols = std::max<int64_t>(0, std::min(W, Wp - padLeft));
  ParallelRanges(N * Hp, threads, [&](int64_t begin, int64_t end) {
    for (int64_t nh = begin; nh < end; nh++) {
      const int64_t n = nh / Hp, h = nh % Hp - padTop;
      uint8_t* o = out + nh * Wp * C;
      std::memset(o, pad, Wp * C);
      if (h < 0 || h >= rows) continue;
      for (int64_t c = 0; c < C; c++) {
        const uint8_t* src = x + ((n * C + c) * H + h) * W;
        uint8_t* dst = o + padLeft * C + c;
        for (int64_t v = 0; v < cols; v++) dst[v * C] = src[v] ^ flip;
      }
    }
  });
}

// onnxPadNhwc(x: Uint8Array, N, C, H, W, Hp, Wp, padTop, padLeft, pad, flip, out: Uint8Array,
//             threads) → Promise<void>
Napi::Value OnnxPadNhwcJs(const Napi::CallbackInfo& info) {
  using namespace args;
  const char* fn = "onnxPadNhwc";
  Napi::Env env = info.Env();
  const int64_t N = args::Int(info, 1, fn, 1), C = args::Int(info, 2, fn, 1), H = args::Int(info, 3, fn, 1), W = args::Int(info, 4, fn, 1);
  const int64_t Hp = args::Int(info, 5, fn, 1), Wp = args::Int(info, 6, fn, 1), padTop = args::Int(info, 7, fn, 0), padLeft = args::Int(info, 8, fn, 0);
  Need(padTop < Hp && padLeft < Wp, env, fn, "padding larger than the padded image");
  const uint8_t pad = static_cast<uint8_t>(args::Int(info, 9, fn, 0, 255)), flip = static_cast<uint8_t>(args::Int(info, 10, fn, 0, 255));
  auto x = Array<uint8_t>(info, 0, fn, napi_uint8_array, Product(env, fn, {N, C, H, W}));
  auto out = Array<uint8_t>(info, 11, fn, napi_uint8_array, Product(env, fn, {N, Hp, Wp, C}));
  const int threads = Threads(info, 12, fn);
  const uint8_t* xp = x.Data();
  uint8_t* o = out.Data();
  return Worker::Start(new Worker(env, fn, {x, out}, [=] { PadNhwc(xp, N, C, H, W, Hp, Wp, padTop, padLeft, pad, flip, o, threads); }));
}

}  // namespace

void RegisterOnnxWindows(Napi::Env env, Napi::Object exports);     // onnx_qconv_windows.cc
void RegisterOnnxQLinearAdd(Napi::Env env, Napi::Object exports);  // onnx_qlinear_add.cc

// onnxQConvVariants() → the isa names onnxQConv accepts on this CPU.
Napi::Value OnnxQConvVariantsJs(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<std::string> names = AxConvFastVariants();
  if (DepthwiseVbmiAvailable()) names.insert(names.begin(), "avx512vbmi");
  Napi::Array out = Napi::Array::New(env, names.size());
  for (size_t i = 0; i < names.size(); i++) out.Set(static_cast<uint32_t>(i), Napi::String::New(env, names[i]));
  return out;
}

void RegisterOnnxOps(Napi::Env env, Napi::Object exports) {
  exports.Set("onnxQConvVariants", Napi::Function::New(env, OnnxQConvVariantsJs));
  RegisterOnnxWindows(env, exports);
  RegisterOnnxQLinearAdd(env, exports);
  exports.Set("onnxQConv", Napi::Function::New(env, OnnxQConvJs));
  exports.Set("onnxRequantize", Napi::Function::New(env, OnnxRequantizeJs));
  exports.Set("onnxPadNhwc", Napi::Function::New(env, OnnxPadNhwcJs));
}

}  // namespace axq
