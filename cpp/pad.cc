// Pad with zeros (see pad.h). Dimensions after the last padded one are copied as whole contiguous
// blocks (NHWC channel padding copies C values per block, H/W padding W·C per row); the bytes
// between consecutive blocks, before the first and after the last, are zeroed (or set to `fill`). Blocks are split
// into chunks across threads; each output byte is written by exactly one thread.
#include "pad.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "parallel.h"

namespace axq {

void PadZeroBytes(const uint8_t* in, uint8_t* out, int64_t elemBytes, int rank, const int64_t* shape,
                  const int64_t* before, const int64_t* after, int threads, uint8_t fill) {
  std::vector<int64_t> outShape(rank), outStride(rank);
  int64_t outBytes = elemBytes;
  for (int d = 0; d < rank; ++d) outShape[d] = shape[d] + before[d] + after[d];
  for (int d = rank - 1; d >= 0; --d) {
    outStride[d] = outBytes / elemBytes;
    outBytes *= outShape[d];
  }
  int64_t inCount = 1;
  for (int d = 0; d < rank; ++d) inCount *= shape[d];
  if (outBytes == 0) return;
  if (inCount == 0) {
    std::memset(out, fill, outBytes);
    return;
  }
  int last = -1;
  for (int d = 0; d < rank; ++d)
    if (before[d] != 0 || after[d] != 0) last = d;
  if (last < 0) {
    std::memcpy(out, in, outBytes);
    return;
  }
  int64_t block = 1;  // elements per contiguous block: the input's extent from dim `last` on
  for (int d = last; d < rank; ++d) block *= shape[d];
  const int64_t blocks = inCount / block;
  int64_t base = 0;  // output element of the input's first element
  for (int d = 0; d <= last; ++d) base += before[d] * outStride[d];
  // Output element where block r starts: base + Σ idx[d]·outStride[d] over the outer dims.
  auto blockStart = [&](int64_t r) {
    int64_t o = base;
    for (int d = last - 1; d >= 0; --d) {
      o += (r % shape[d]) * outStride[d];
      r /= shape[d];
    }
    return o;
  };
  const int64_t blockBytes = block * elemBytes;
  const int64_t perChunk = std::max<int64_t>(1, (int64_t{1} << 18) / std::max<int64_t>(1, blockBytes));
  const int64_t chunks = (blocks + perChunk - 1) / perChunk;
  auto body = [&](int64_t k) {
    const int64_t r0 = k * perChunk, r1 = std::min(blocks, r0 + perChunk);
    // The gap before block r0 starts where block r0 − 1 ends (or at 0).
    int64_t end = r0 == 0 ? 0 : (blockStart(r0 - 1) + block) * elemBytes;
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t o = blockStart(r) * elemBytes;
      if (o > end) std::memset(out + end, fill, o - end);
      std::memcpy(out + o, in + r * blockBytes, blockBytes);
      end = o + blockBytes;
    }
    if (r1 == blocks && end < outBytes) std::memset(out + end, fill, outBytes - end);
  };
  if (chunks <= 1 || threads <= 1) {
    for (int64_t k = 0; k < chunks; ++k) body(k);
  } else {
    Parallel(chunks, threads, body);
  }
}

}  // namespace axq
