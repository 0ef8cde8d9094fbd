#pragma once
// RFC 6716 §3.1–3.4 structural check of one Opus packet as a bot publishes it over the audio
// ingress (SPEC.md §11.2): one raw Opus packet per binary WebSocket message, TOC byte first.
// The ingress closes the socket with kOpusFrameTooSmall when the check fails.
#include <cstddef>
#include <string>
#include <string_view>

namespace argon::voice {

inline constexpr std::size_t kMaxOpusPacket = 3825;  // bytes per binary message (SPEC §11.2)
inline constexpr std::size_t kMaxOpusFrame = 1275;   // bytes per compressed frame (RFC 6716 R2)
inline constexpr int kMaxOpusPacketSamples = 5760;   // 120 ms at 48 kHz (RFC 6716 R5)
inline constexpr std::string_view kOpusFrameTooSmall =
    "opus frame too small for declared structure";

struct OpusCheck {
  bool ok = false;
  std::string reason;         // empty when ok; otherwise why (a log detail, not the close reason)
  int frames = 0;             // frames in the packet (1..48), when ok
  int samples_per_frame = 0;  // per channel at 48 kHz (120..2880), from the TOC config
};

// Samples per channel per frame at 48 kHz for a TOC byte (RFC 6716 §3.1, Table 2).
int opus_samples_per_frame(unsigned char toc);

// True (ok) when the packet's declared structure fits its size, per RFC 6716 §3.2 (R1–R7) plus
// the ingress rules of SPEC.md §11.2: rejects empty packets, a lone TOC byte (1-byte DTX must not
// be re-published), packets over kMaxOpusPacket, code 0 without frame data, code 1 with an odd
// (or empty) payload, code 2 whose length field overruns, code 3 with M = 0 or more than 120 ms
// of audio, padding or VBR lengths overrunning, frames over 1275 bytes, and packets whose frames
// carry no data at all. Every accepted packet is also accepted by libopus's opus_packet_parse.
OpusCheck check_opus_packet(std::string_view packet);

}  // namespace argon::voice
