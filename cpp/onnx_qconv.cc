// ONNX quantized convolution (QLinearConv) accumulators over NCHW codes, any group count
// (depthwise included), strides, dilations and explicit pads. The fast twin of the TypeScript
// reference quantizedConvAccumulators (src/runtime/ops/onnx/qlinearConv.ts), tested against it.
//
// For output channel m and tap (c, kh, kw) with weight code w, a 256-entry product row
//   row[b] = T[b][w] − x(b)·zw − w·zx + zx·zw     (table)      or (x(b) − zx)·(w − zw)  (exact)
// is built once and applied to every image: acc[n][m][oh][ow] += row[code at the tap], taps in
// the padding reading the code of zx (which adds exactly 0 in the exact case). x(b) is the byte
// read as uint8 or int8 (activations and weights each by their own type). Work is split over output channels; each output element is summed in the
// same (c, kh, kw) order as the reference, in wrapping int32, so threads never change a result.
#include <napi.h>

#include <cstdint>
#include <cstring>
#include <vector>

#include "axconv_thread_pool.h"

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
  int32_t* out;          // [N, M, Ho, Wo]
  int threads;
};

inline int32_t Operand(uint8_t b, bool isSigned) { return isSigned ? static_cast<int32_t>(static_cast<int8_t>(b)) : b; }

void QConvChannel(const QConvArgs& a, int64_t m) {
  const int64_t cg = a.C / a.group, mg = a.M / a.group;
  const int64_t c0 = (m / mg) * cg;
  const int64_t plane = a.Ho * a.Wo;
  const uint8_t padCode = static_cast<uint8_t>(a.zx & 255);
  for (int64_t n = 0; n < a.N; n++) std::memset(a.out + (n * a.M + m) * plane, 0, plane * sizeof(int32_t));
  int32_t row[256];
  // Input column of each output column per kw (or -1 in the padding).
  std::vector<int64_t> iwOf(a.KW * a.Wo);
  for (int64_t kw = 0; kw < a.KW; kw++)
    for (int64_t ow = 0; ow < a.Wo; ow++) {
      const int64_t iw = ow * a.strideW - a.padLeft + kw * a.dilationW;
      iwOf[kw * a.Wo + ow] = (iw >= 0 && iw < a.W) ? iw : -1;
    }
  for (int64_t c = 0; c < cg; c++)
    for (int64_t kh = 0; kh < a.KH; kh++)
      for (int64_t kw = 0; kw < a.KW; kw++) {
        const uint8_t wb = a.w[((m * cg + c) * a.KH + kh) * a.KW + kw];
        const int32_t wv = Operand(wb, a.wSigned);
        for (int b = 0; b < 256; b++) {
          const int32_t xv = Operand(static_cast<uint8_t>(b), a.xSigned);
          row[b] = a.table ? static_cast<int32_t>(static_cast<uint32_t>(a.table[(b << 8) | wb]) - static_cast<uint32_t>(xv * a.zw) -
                                                  static_cast<uint32_t>(wv * a.zx) + static_cast<uint32_t>(a.zx * a.zw))
                           : (xv - a.zx) * (wv - a.zw);
        }
        const int32_t padValue = row[padCode];
        const int64_t* cols = iwOf.data() + kw * a.Wo;
        for (int64_t n = 0; n < a.N; n++) {
          const uint8_t* xin = a.x + (n * a.C + c0 + c) * a.H * a.W;
          int32_t* acc = a.out + (n * a.M + m) * plane;
          for (int64_t oh = 0; oh < a.Ho; oh++) {
            const int64_t ih = oh * a.strideH - a.padTop + kh * a.dilationH;
            int32_t* accRow = acc + oh * a.Wo;
            if (ih < 0 || ih >= a.H) {
              if (padValue != 0)
                for (int64_t ow = 0; ow < a.Wo; ow++) accRow[ow] = static_cast<int32_t>(static_cast<uint32_t>(accRow[ow]) + static_cast<uint32_t>(padValue));
              continue;
            }
            const uint8_t* xrow = xin + ih * a.W;
            for (int64_t ow = 0; ow < a.Wo; ow++) {
              const int64_t iw = cols[ow];
              const int32_t v = iw >= 0 ? row[xrow[iw]] : padValue;
              accRow[ow] = static_cast<int32_t>(static_cast<uint32_t>(accRow[ow]) + static_cast<uint32_t>(v));
            }
          }
        }
      }
}

class QConvWorker : public Napi::AsyncWorker {
 public:
  QConvWorker(Napi::Env env, QConvArgs args, std::vector<Napi::TypedArray> keep)
      : Napi::AsyncWorker(env, "axq:onnxQConv"), deferred_(Napi::Promise::Deferred::New(env)), args_(args) {
    for (auto& k : keep) keep_.push_back(Napi::Persistent(k.As<Napi::Object>()));
  }
  Napi::Promise Promise() { return deferred_.Promise(); }
  void Execute() override {
    const QConvArgs a = args_;
    ParallelFor(a.M, a.threads, [&a](int64_t m) { QConvChannel(a, m); });
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
  auto x = o.Get("x"), w = o.Get("w"), t = o.Get("table"), out = o.Get("out");
  auto isType = [](const Napi::Value& v, napi_typedarray_type type) { return v.IsTypedArray() && v.As<Napi::TypedArray>().TypedArrayType() == type; };
  if (!isType(x, napi_uint8_array) || !isType(w, napi_uint8_array) || !isType(out, napi_int32_array) || !(t.IsNull() || isType(t, napi_int32_array))) {
    throw Napi::TypeError::New(env, "onnxQConv: x and w must be Uint8Arrays, out an Int32Array, table an Int32Array or null");
  }
  auto xa = x.As<Napi::Uint8Array>();
  auto wa = w.As<Napi::Uint8Array>();
  auto oa = out.As<Napi::Int32Array>();
  const bool dimsOk = a.N > 0 && a.C > 0 && a.H > 0 && a.W > 0 && a.M > 0 && a.KH > 0 && a.KW > 0 && a.Ho > 0 && a.Wo > 0 && a.group > 0 &&
                      a.C % a.group == 0 && a.M % a.group == 0 && a.strideH > 0 && a.strideW > 0 && a.dilationH > 0 && a.dilationW > 0 && a.threads > 0;
  if (!dimsOk || static_cast<int64_t>(xa.ElementLength()) != a.N * a.C * a.H * a.W ||
      static_cast<int64_t>(wa.ElementLength()) != a.M * (a.C / a.group) * a.KH * a.KW || static_cast<int64_t>(oa.ElementLength()) != a.N * a.M * a.Ho * a.Wo ||
      (!t.IsNull() && t.As<Napi::Int32Array>().ElementLength() != 65536)) {
    throw Napi::RangeError::New(env, "onnxQConv: sizes do not match");
  }
  std::vector<Napi::TypedArray> keep{xa, wa, oa};
  a.x = xa.Data(), a.w = wa.Data(), a.out = oa.Data();
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

}  // namespace

void RegisterOnnxOps(Napi::Env env, Napi::Object exports) { exports.Set("onnxQConv", Napi::Function::New(env, OnnxQConvJs)); }

}  // namespace axq
