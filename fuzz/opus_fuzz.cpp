// The Opus packet check of the audio ingress (voice/opus.hpp; botapi/audio.cpp runs it on every
// binary WebSocket message a bot publishes, and closes the socket when it fails).
//
// Input: one packet.
//
// Invariants, for an accepted packet: 2..3825 bytes; 1..48 frames of samples_per_frame samples
// (the TOC's, 120..2880) and at most 120 ms in all; libopus's parser agrees on the frame count,
// every frame is at most 1275 bytes and some frame has data; libopus's packet queries agree on
// frames and duration; a libopus decoder decodes it to exactly that many samples. A refused
// packet has a reason. opus_samples_per_frame is one of the six frame sizes for any TOC byte.
#include <opus/opus.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "argon/voice/opus.hpp"
#include "fuzz_check.hpp"

namespace {
using argon::fuzz::quoted;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view packet(reinterpret_cast<const char*>(data), size);
  if (size > 0) {
    const int spf = argon::voice::opus_samples_per_frame(data[0]);
    FUZZ_CHECK(spf == 120 || spf == 240 || spf == 480 || spf == 960 || spf == 1920 || spf == 2880,
               std::to_string(spf));
  }
  const argon::voice::OpusCheck check = argon::voice::check_opus_packet(packet);
  if (!check.ok) {
    FUZZ_CHECK(!check.reason.empty() && check.frames == 0, quoted(packet));
    return 0;
  }
  FUZZ_CHECK(size >= 2 && size <= argon::voice::kMaxOpusPacket, quoted(packet));
  FUZZ_CHECK(check.frames >= 1 && check.frames <= 48, quoted(packet));
  FUZZ_CHECK(check.samples_per_frame == argon::voice::opus_samples_per_frame(data[0]),
             quoted(packet));
  FUZZ_CHECK(check.frames * check.samples_per_frame <= argon::voice::kMaxOpusPacketSamples,
             quoted(packet));

  const auto n = static_cast<opus_int32>(size);
  unsigned char toc = 0;
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  FUZZ_CHECK(opus_packet_parse(data, n, &toc, frames, sizes, nullptr) == check.frames,
             quoted(packet));
  int total = 0;
  for (int i = 0; i < check.frames; ++i) {
    FUZZ_CHECK(sizes[i] >= 0 && sizes[i] <= static_cast<int>(argon::voice::kMaxOpusFrame),
               quoted(packet));
    total += sizes[i];
  }
  FUZZ_CHECK(total > 0, "accepted a packet without frame data: " + quoted(packet));
  FUZZ_CHECK(opus_packet_get_nb_frames(data, n) == check.frames, quoted(packet));
  FUZZ_CHECK(opus_packet_get_nb_samples(data, n, 48000) == check.frames * check.samples_per_frame,
             quoted(packet));

  // A subscriber decodes what the relay forwards: it must decode.
  static OpusDecoder* decoder = [] {
    int error = 0;
    return opus_decoder_create(48000, 2, &error);
  }();
  opus_decoder_ctl(decoder, OPUS_RESET_STATE);  // each input on its own
  static std::vector<opus_int16> pcm(static_cast<std::size_t>(2 * 5760));
  const int decoded = opus_decode(decoder, data, n, pcm.data(), 5760, 0);
  FUZZ_CHECK(decoded == check.frames * check.samples_per_frame,
             "libopus decoded " + std::to_string(decoded) + " samples of " + quoted(packet));
  return 0;
}
