#include "crypto/sha256.h"

#include <algorithm>
#include <cstring>

#include "base/check.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

namespace mbl::crypto {
namespace {

constexpr std::uint32_t kInitialState[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                            0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

alignas(16) constexpr std::uint32_t kRoundConstants[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t RotateRight(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

std::uint32_t LoadBigEndian32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
         std::uint32_t{p[3]};
}

// FIPS 180-4 §6.2.2, one block at a time.
void CompressPortable(std::uint32_t state[8], const std::uint8_t* blocks, std::size_t count) {
  for (std::size_t block = 0; block < count; ++block, blocks += 64) {
    std::uint32_t w[64];
    for (int t = 0; t < 16; ++t) w[t] = LoadBigEndian32(blocks + 4 * t);
    for (int t = 16; t < 64; ++t) {
      const std::uint32_t s0 =
          RotateRight(w[t - 15], 7) ^ RotateRight(w[t - 15], 18) ^ (w[t - 15] >> 3);
      const std::uint32_t s1 =
          RotateRight(w[t - 2], 17) ^ RotateRight(w[t - 2], 19) ^ (w[t - 2] >> 10);
      w[t] = w[t - 16] + s0 + w[t - 7] + s1;
    }
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    std::uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
    for (int t = 0; t < 64; ++t) {
      const std::uint32_t sum1 = RotateRight(e, 6) ^ RotateRight(e, 11) ^ RotateRight(e, 25);
      const std::uint32_t choose = (e & f) ^ (~e & g);
      const std::uint32_t t1 = h + sum1 + choose + kRoundConstants[t] + w[t];
      const std::uint32_t sum0 = RotateRight(a, 2) ^ RotateRight(a, 13) ^ RotateRight(a, 22);
      const std::uint32_t majority = (a & b) ^ (a & c) ^ (b & c);
      const std::uint32_t t2 = sum0 + majority;
      h = g;
      g = f;
      f = e;
      e = d + t1;
      d = c;
      c = b;
      b = a;
      a = t1 + t2;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
    state[5] += f;
    state[6] += g;
    state[7] += h;
  }
}

#if defined(__x86_64__)
// The same compression with the SHA extensions (SHA256RNDS2 does two rounds, SHA256MSG1/2 the
// message schedule). The instructions keep the working variables as two vectors, ABEF and CDGH;
// group g of the schedule holds words 4g..4g+3, and slot g % 4 of `schedule` the newest four.
__attribute__((target("sha,sse4.1,ssse3"))) void CompressShaExtensions(std::uint32_t state[8],
                                                                       const std::uint8_t* blocks,
                                                                       std::size_t count) {
  const __m128i byte_swap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(state + 4));
  dcba = _mm_shuffle_epi32(dcba, 0xB1);              // CDAB
  hgfe = _mm_shuffle_epi32(hgfe, 0x1B);              // EFGH
  __m128i abef = _mm_alignr_epi8(dcba, hgfe, 8);     // ABEF
  __m128i cdgh = _mm_blend_epi16(hgfe, dcba, 0xF0);  // CDGH
  for (std::size_t block = 0; block < count; ++block, blocks += 64) {
    const __m128i abef_before = abef;
    const __m128i cdgh_before = cdgh;
    __m128i schedule[4];
    for (int g = 0; g < 16; ++g) {
      if (g < 4) {
        schedule[g] = _mm_shuffle_epi8(
            _mm_loadu_si128(reinterpret_cast<const __m128i*>(blocks + 16 * g)), byte_swap);
      }
      const __m128i words = schedule[g % 4];
      __m128i message = _mm_add_epi32(
          words, _mm_load_si128(reinterpret_cast<const __m128i*>(kRoundConstants + 4 * g)));
      cdgh = _mm_sha256rnds2_epu32(cdgh, abef, message);
      if (g >= 3 && g < 15) {
        // Group g + 1 from groups g - 3 (already through MSG1), g - 1 and g.
        __m128i& next = schedule[(g + 1) % 4];
        next = _mm_add_epi32(next, _mm_alignr_epi8(words, schedule[(g + 3) % 4], 4));
        next = _mm_sha256msg2_epu32(next, words);
      }
      message = _mm_shuffle_epi32(message, 0x0E);
      abef = _mm_sha256rnds2_epu32(abef, cdgh, message);
      if (g >= 1 && g < 13) {
        __m128i& previous = schedule[(g + 3) % 4];
        previous = _mm_sha256msg1_epu32(previous, words);
      }
    }
    abef = _mm_add_epi32(abef, abef_before);
    cdgh = _mm_add_epi32(cdgh, cdgh_before);
  }
  const __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
  const __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state), _mm_blend_epi16(feba, dchg, 0xF0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(state + 4), _mm_alignr_epi8(dchg, feba, 8));
}

// CPUID leaf 7 EBX bit 29: SHA; leaf 1 ECX bits 19 and 9: SSE4.1 and SSSE3.
bool CpuHasShaExtensions() {
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const bool sse = (ecx & (1u << 19)) != 0 && (ecx & (1u << 9)) != 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  return sse && (ebx & (1u << 29)) != 0;
}
#else
bool CpuHasShaExtensions() { return false; }
#endif

Sha256Hasher::CompressFn AutomaticCompress() {
#if defined(__x86_64__)
  static const Sha256Hasher::CompressFn chosen =
      CpuHasShaExtensions() ? &CompressShaExtensions : &CompressPortable;
  return chosen;
#else
  return &CompressPortable;
#endif
}

}  // namespace

bool Sha256UsesCpuExtensions() { return AutomaticCompress() != &CompressPortable; }

Hash256 Sha256(std::span<const std::uint8_t> data) { return Sha256Hasher().Update(data).Final(); }

Hash256 Sha256(std::string_view data) {
  return Sha256(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(data.data()),
                                              data.size()));
}

Sha256Hasher::Sha256Hasher(Sha256Engine engine)
    : compress_(engine == Sha256Engine::kPortable ? &CompressPortable : AutomaticCompress()) {
  std::memcpy(state_, kInitialState, sizeof state_);
}

void Sha256Hasher::Absorb(const std::uint8_t* data, std::size_t size) {
  MBL_CHECK(!finished_);
  if (size == 0) return;  // data may then be null, which memcpy must never see
  total_bytes_ += size;
  if (buffered_ > 0) {
    const std::size_t take = std::min(size, sizeof buffer_ - buffered_);
    std::memcpy(buffer_ + buffered_, data, take);
    buffered_ += take;
    data += take;
    size -= take;
    if (buffered_ < sizeof buffer_) return;
    compress_(state_, buffer_, 1);
    buffered_ = 0;
  }
  const std::size_t whole_blocks = size / 64;
  if (whole_blocks > 0) compress_(state_, data, whole_blocks);
  data += whole_blocks * 64;
  size -= whole_blocks * 64;
  if (size > 0) std::memcpy(buffer_, data, size);
  buffered_ = size;
}

Sha256Hasher& Sha256Hasher::Update(std::span<const std::uint8_t> data) {
  Absorb(data.data(), data.size());
  return *this;
}

Sha256Hasher& Sha256Hasher::Update(std::string_view data) {
  Absorb(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
  return *this;
}

Sha256Hasher& Sha256Hasher::UpdateU8(std::uint8_t value) {
  Absorb(&value, 1);
  return *this;
}

Sha256Hasher& Sha256Hasher::UpdateU32BigEndian(std::uint32_t value) {
  std::uint8_t bytes[4];
  for (int i = 0; i < 4; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (24 - 8 * i));
  Absorb(bytes, 4);
  return *this;
}

Sha256Hasher& Sha256Hasher::UpdateU64BigEndian(std::uint64_t value) {
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (56 - 8 * i));
  Absorb(bytes, 8);
  return *this;
}

Sha256Hasher& Sha256Hasher::UpdateLengthPrefixed(std::string_view data) {
  MBL_CHECK_LE(data.size(), 0xffffffffULL);
  UpdateU32BigEndian(static_cast<std::uint32_t>(data.size()));
  return Update(data);
}

// FIPS 180-4 §5.1.1 padding: 0x80, zeros, then the message length in bits, big-endian.
Hash256 Sha256Hasher::Final() {
  MBL_CHECK(!finished_);
  const std::uint64_t total_bits = total_bytes_ * 8;
  std::uint8_t padding[72] = {0x80};
  const std::size_t zeros_and_marker =
      buffered_ < 56 ? 56 - buffered_ : 64 + 56 - buffered_;  // 1..64 bytes
  Absorb(padding, zeros_and_marker);
  std::uint8_t length[8];
  for (int i = 0; i < 8; ++i) length[i] = static_cast<std::uint8_t>(total_bits >> (56 - 8 * i));
  Absorb(length, 8);
  MBL_CHECK_EQ(buffered_, 0u);
  finished_ = true;
  Hash256 out{};
  for (int i = 0; i < 8; ++i) {
    for (int j = 0; j < 4; ++j)
      out[4 * i + j] = static_cast<std::uint8_t>(state_[i] >> (24 - 8 * j));
  }
  return out;
}

}  // namespace mbl::crypto
