#include "argon/voice/opus.hpp"

#include <opus/opus.h>

#include <array>
#include <cstdint>

namespace argon::voice {
namespace {

OpusCheck fail(std::string reason) {
  return OpusCheck{false, std::move(reason), 0, 0};
}

// RFC 6716 §3.2.1 frame length coding: 0 (no frame), 1..251, or 252..255 followed by a second
// byte (length = 4 * second + first). Returns the bytes used (1 or 2), or 0 when truncated.
std::size_t read_frame_length(const unsigned char* data, std::size_t available,
                              std::size_t& length) {
  if (available < 1) return 0;
  if (data[0] < 252) {
    length = data[0];
    return 1;
  }
  if (available < 2) return 0;
  length = 4u * data[1] + data[0];
  return 2;
}

}  // namespace

int opus_samples_per_frame(unsigned char toc) {
  const int config = toc >> 3;
  if (config < 12) {  // SILK-only: 10, 20, 40, 60 ms
    static constexpr std::array<int, 4> kSilk = {480, 960, 1920, 2880};
    return kSilk[config & 3];
  }
  if (config < 16) return (config & 1) ? 960 : 480;  // Hybrid: 10, 20 ms
  return 120 << (config & 3);                        // CELT-only: 2.5, 5, 10, 20 ms
}

OpusCheck check_opus_packet(std::string_view packet) {
  if (packet.empty()) return fail("empty packet");
  if (packet.size() > kMaxOpusPacket) return fail("packet larger than 3825 bytes");
  if (packet.size() == 1) return fail("lone TOC byte (DTX frame)");

  const auto* data = reinterpret_cast<const unsigned char*>(packet.data());
  const std::size_t size = packet.size();
  const unsigned char toc = data[0];
  const int samples = opus_samples_per_frame(toc);
  int frames = 0;
  std::size_t data_bytes = 0;  // compressed bytes across all frames

  switch (toc & 3) {
    case 0: {  // one frame: N - 1 bytes
      const std::size_t frame = size - 1;
      if (frame > kMaxOpusFrame) return fail("code 0 frame larger than 1275 bytes");
      frames = 1;
      data_bytes = frame;
      break;
    }
    case 1: {  // two CBR frames: (N - 1) / 2 bytes each
      const std::size_t payload = size - 1;
      if (payload % 2 != 0) return fail("code 1 payload length is odd");
      if (payload / 2 > kMaxOpusFrame) return fail("code 1 frame larger than 1275 bytes");
      frames = 2;
      data_bytes = payload;
      break;
    }
    case 2: {  // two VBR frames: length of the first, then both frames
      std::size_t first = 0;
      const std::size_t used = read_frame_length(data + 1, size - 1, first);
      if (used == 0) return fail("code 2 length field truncated");
      const std::size_t remaining = size - 1 - used;
      if (first > remaining) return fail("code 2 first frame overruns the packet");
      if (first > kMaxOpusFrame || remaining - first > kMaxOpusFrame)
        return fail("code 2 frame larger than 1275 bytes");
      frames = 2;
      data_bytes = remaining;
      break;
    }
    default: {  // code 3: frame count byte (v, p, M), padding, VBR lengths, frames, padding
      if (size < 2) return fail("code 3 frame count byte missing");
      const unsigned char count_byte = data[1];
      const bool vbr = (count_byte & 0x80) != 0;
      const bool padded = (count_byte & 0x40) != 0;
      const int m = count_byte & 0x3f;
      if (m == 0) return fail("code 3 frame count is zero");
      if (m * samples > kMaxOpusPacketSamples) return fail("code 3 frames exceed 120 ms");
      std::size_t pos = 2;
      std::size_t padding = 0;  // padding bytes at the end (length bytes are consumed by pos)
      if (padded) {
        unsigned char p = 0;
        do {
          if (pos >= size) return fail("code 3 padding length truncated");
          p = data[pos++];
          padding += (p == 255) ? 254 : p;
        } while (p == 255);
      }
      if (pos + padding > size) return fail("code 3 padding overruns the packet");
      std::size_t remaining = size - pos - padding;  // length fields + frame data
      if (vbr) {
        std::size_t sum = 0;
        for (int i = 0; i < m - 1; ++i) {
          std::size_t length = 0;
          const std::size_t used = read_frame_length(data + pos, remaining, length);
          if (used == 0) return fail("code 3 frame length truncated");
          pos += used;
          remaining -= used;
          if (length > kMaxOpusFrame) return fail("code 3 frame larger than 1275 bytes");
          sum += length;
          if (sum > remaining) return fail("code 3 frame lengths overrun the packet");
        }
        if (remaining - sum > kMaxOpusFrame)
          return fail("code 3 last frame larger than 1275 bytes");
      } else {
        if (remaining % static_cast<std::size_t>(m) != 0)
          return fail("code 3 CBR payload is not a multiple of the frame count");
        if (remaining / static_cast<std::size_t>(m) > kMaxOpusFrame)
          return fail("code 3 frame larger than 1275 bytes");
      }
      frames = m;
      data_bytes = remaining;
      break;
    }
  }

  // A packet whose frames are all empty is DTX in disguise: nothing to publish (SPEC §11.2).
  if (data_bytes == 0) return fail("no frame data");

  // Cross-check with the reference parser: never accept what libopus would refuse.
  unsigned char out_toc = 0;
  const unsigned char* frame_ptrs[48];
  opus_int16 sizes[48];
  const int parsed =
      opus_packet_parse(data, static_cast<opus_int32>(size), &out_toc, frame_ptrs, sizes, nullptr);
  if (parsed != frames) return fail("rejected by libopus");
  return OpusCheck{true, {}, frames, samples};
}

}  // namespace argon::voice
