// Big-endian integers and u32-length-prefixed byte strings, the framing of the node's hand-written
// encodings (docs/formats.md). Reads fail (return false) instead of reading past the end.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace mbl::big_endian {

inline void PutU32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

inline void PutU64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

// u32 length || bytes.
inline void PutBytes(std::string& out, std::string_view bytes) {
  PutU32(out, static_cast<std::uint32_t>(bytes.size()));
  out += bytes;
}

// An unsigned integer of `bytes` bytes (at most 8).
inline bool TakeUint(std::string_view& in, std::size_t bytes, std::uint64_t& value) {
  if (in.size() < bytes) return false;
  value = 0;
  for (std::size_t i = 0; i < bytes; ++i) value = (value << 8) | static_cast<std::uint8_t>(in[i]);
  in.remove_prefix(bytes);
  return true;
}

// A u32-length-prefixed byte string, as a view into `in`.
inline bool TakeBytes(std::string_view& in, std::string_view& out) {
  std::uint64_t size = 0;
  if (!TakeUint(in, 4, size) || size > in.size()) return false;
  out = in.substr(0, size);
  in.remove_prefix(size);
  return true;
}

}  // namespace mbl::big_endian
