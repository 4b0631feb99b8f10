// Measures this x86 CPU's RSQRTPS approximation and prints it as a base64 table for
// src/runtime/eigenRsqrt.ts. Build and run on the CPU to measure (needs SSE):
//   g++ -O2 -o /tmp/measure_rsqrtps scripts/rsqrtps/measure_rsqrtps.cc && /tmp/measure_rsqrtps
// RSQRTPS(x) for normal x > 0 depends only on the exponent's parity and the top 12 mantissa
// bits (checked below), and RSQRTPS(4x) = RSQRTPS(x) / 2. So 8192 entries for x in [1, 4)
// describe it: entry i = (parity << 12) | top12 holds the result's bits >> 11 minus 125 << 12
// (2 exponent bits + 12 mantissa bits; the low 11 result bits are checked to be zero).
#include <immintrin.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>

static uint32_t Bits(float f) { uint32_t b; std::memcpy(&b, &f, 4); return b; }
static float Float(uint32_t b) { float f; std::memcpy(&f, &b, 4); return f; }
static float Rsqrtps(float v) { return _mm_cvtss_f32(_mm_rsqrt_ps(_mm_set1_ps(v))); }

int main() {
  uint16_t table[8192];
  for (uint32_t i = 0; i < (1u << 24); ++i) {
    const uint32_t parity = i >> 23, mant = i & 0x7fffff;
    const uint32_t out = Bits(Rsqrtps(Float(((127u + parity) << 23) | mant)));
    const uint32_t idx = (parity << 12) | (mant >> 11);
    if (out & 0x7ff) { std::fprintf(stderr, "low result bits set at %u\n", i); return 1; }
    const uint32_t packed = (out >> 11) - (125u << 12);
    if (packed >= (1u << 16)) { std::fprintf(stderr, "exponent out of range at %u\n", i); return 1; }
    if ((mant & 0x7ff) == 0) table[idx] = static_cast<uint16_t>(packed);
    else if (table[idx] != packed) { std::fprintf(stderr, "not determined by 12 mantissa bits at %u\n", i); return 1; }
  }
  for (int e = 1; e < 254; ++e) {  // scaling by 4 halves the result for every normal exponent
    const float v = Float((static_cast<uint32_t>(e) << 23) | 0x2a5a5a);
    const float ref = Rsqrtps(Float((((e & 1) ? 127u : 128u) << 23) | 0x2a5a5a));
    const int shift = ((e & 1) ? e - 127 : e - 128) / 2;
    if (Bits(Rsqrtps(v)) != Bits(ref) - (static_cast<uint32_t>(shift) << 23)) { std::fprintf(stderr, "scaling differs at exponent %d\n", e); return 1; }
  }
  static const char* b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  const unsigned char* bytes = reinterpret_cast<const unsigned char*>(table);  // little-endian
  std::string s;
  for (size_t k = 0; k < sizeof(table); k += 3) {
    const uint32_t n = (bytes[k] << 16) | ((k + 1 < sizeof(table) ? bytes[k + 1] : 0) << 8) | (k + 2 < sizeof(table) ? bytes[k + 2] : 0);
    s += b64[(n >> 18) & 63];
    s += b64[(n >> 12) & 63];
    s += k + 1 < sizeof(table) ? b64[(n >> 6) & 63] : '=';
    s += k + 2 < sizeof(table) ? b64[n & 63] : '=';
  }
  std::printf("%s\n", s.c_str());
  return 0;
}
