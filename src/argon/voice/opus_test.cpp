#include "argon/voice/opus.hpp"

#include <gtest/gtest.h>
#include <opus/opus.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace argon::voice {
namespace {

// TOC bytes: config << 3 | stereo << 2 | code.
constexpr unsigned char kCelt20 = 31 << 3;    // CELT FB 20 ms (960 samples)
constexpr unsigned char kCelt2_5 = 28 << 3;   // CELT FB 2.5 ms (120 samples)
constexpr unsigned char kSilk60 = 3 << 3;     // SILK NB 60 ms (2880 samples)
constexpr unsigned char kHybrid10 = 12 << 3;  // Hybrid SWB 10 ms (480 samples)

std::string bytes(std::initializer_list<int> values) {
  std::string out;
  for (int v : values) out.push_back(static_cast<char>(v));
  return out;
}

// TOC (+ header bytes) followed by `data` filler bytes.
std::string packet(std::initializer_list<int> head, std::size_t data) {
  return bytes(head) + std::string(data, '\x55');
}

// What libopus's reference parser says: frame count, or a negative error.
int libopus_frames(const std::string& p, int* data_bytes = nullptr) {
  unsigned char toc = 0;
  const unsigned char* frames[48];
  opus_int16 sizes[48];
  int n = opus_packet_parse(reinterpret_cast<const unsigned char*>(p.data()),
                            static_cast<opus_int32>(p.size()), &toc, frames, sizes, nullptr);
  if (data_bytes) {
    *data_bytes = 0;
    for (int i = 0; i < n; ++i) *data_bytes += sizes[i];
  }
  return n;
}

void expect_ok(const std::string& p, int frames, int samples) {
  OpusCheck c = check_opus_packet(p);
  EXPECT_TRUE(c.ok) << "size " << p.size() << ": " << c.reason;
  EXPECT_EQ(c.reason, "");
  EXPECT_EQ(c.frames, frames) << "size " << p.size();
  EXPECT_EQ(c.samples_per_frame, samples) << "size " << p.size();
  EXPECT_EQ(libopus_frames(p), frames) << "libopus disagrees, size " << p.size();
}

void expect_bad(const std::string& p) {
  OpusCheck c = check_opus_packet(p);
  EXPECT_FALSE(c.ok) << "size " << p.size() << " accepted";
  EXPECT_FALSE(c.reason.empty());
  EXPECT_EQ(c.frames, 0);
}

TEST(VoiceOpus, SamplesPerFrameFollowTable2) {
  const int expected[32] = {480,  960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920,
                            2880, 480, 960,  480,  960, 120, 240,  480,  960, 120, 240,
                            480,  960, 120,  240,  480, 960, 120,  240,  480, 960};
  for (int config = 0; config < 32; ++config) {
    unsigned char toc = static_cast<unsigned char>(config << 3);
    EXPECT_EQ(opus_samples_per_frame(toc), expected[config]) << config;
    EXPECT_EQ(opus_samples_per_frame(toc), opus_packet_get_samples_per_frame(&toc, 48000));
  }
}

TEST(VoiceOpus, EmptyAndLoneTocAreRejected) {
  expect_bad("");
  expect_bad(bytes({0xdc}));  // DTX from a WebRTC participant
  expect_bad(bytes({0xfc}));
  for (int toc = 0; toc < 256; ++toc) expect_bad(bytes({toc}));
}

TEST(VoiceOpus, SilencePacketIsValid) {
  expect_ok(bytes({0xf8, 0xff, 0xfe}), 1, 960);
}

TEST(VoiceOpus, Code0OneFrame) {
  expect_ok(packet({kCelt20}, 1), 1, 960);  // minimum: 2 bytes
  expect_ok(packet({kCelt20}, 80), 1, 960);
  expect_ok(packet({kSilk60 | 4}, 40), 1, 2880);  // stereo bit does not matter
  expect_ok(packet({kCelt20}, 1275), 1, 960);     // largest frame
  expect_bad(packet({kCelt20}, 1276));            // R2: frame > 1275 bytes
}

TEST(VoiceOpus, Code1TwoCbrFrames) {
  expect_ok(packet({kCelt20 | 1}, 2), 2, 960);  // minimum: 3 bytes
  expect_bad(packet({kCelt20 | 1}, 1));         // 2 bytes: odd payload
  expect_bad(packet({kCelt20 | 1}, 0));
  expect_ok(packet({kCelt20 | 1}, 160), 2, 960);
  expect_bad(packet({kCelt20 | 1}, 161));  // odd payload
  expect_bad(packet({kCelt20 | 1}, 3));
  expect_ok(packet({kHybrid10 | 1}, 2550), 2, 480);  // two 1275-byte frames
  expect_bad(packet({kHybrid10 | 1}, 2552));
}

TEST(VoiceOpus, Code2TwoVbrFramesOneByteLength) {
  expect_ok(packet({kCelt20 | 2, 1}, 1), 2, 960);    // minimum: 3 bytes, first frame fills it
  expect_ok(packet({kCelt20 | 2, 0}, 1), 2, 960);    // empty first frame, 1-byte second
  expect_bad(packet({kCelt20 | 2, 0}, 0));           // 2 bytes: no frame data
  expect_bad(packet({kCelt20 | 2}, 0));              // length field missing
  expect_ok(packet({kCelt20 | 2, 50}, 50), 2, 960);  // first exactly fits, second empty
  expect_ok(packet({kCelt20 | 2, 50}, 120), 2, 960);
  expect_bad(packet({kCelt20 | 2, 50}, 49));  // first frame overruns
  expect_bad(packet({kCelt20 | 2, 251}, 250));
  expect_ok(packet({kCelt20 | 2, 251}, 251), 2, 960);
}

TEST(VoiceOpus, Code2TwoByteLength) {
  // 252..255 take a second byte: length = 4 * second + first.
  expect_ok(packet({kCelt20 | 2, 252, 0}, 252), 2, 960);  // 252 exactly fits
  expect_bad(packet({kCelt20 | 2, 252, 0}, 251));
  expect_ok(packet({kCelt20 | 2, 253, 10}, 293 + 7), 2, 960);  // 4*10+253 = 293
  expect_bad(packet({kCelt20 | 2, 253, 10}, 292));
  expect_bad(packet({kCelt20 | 2, 252}, 0));                     // second length byte missing
  expect_ok(packet({kCelt20 | 2, 255, 255}, 1275 + 1), 2, 960);  // 1275 + 1
  expect_bad(packet({kCelt20 | 2, 10}, 10 + 1276));              // second frame > 1275
}

TEST(VoiceOpus, Code3Cbr) {
  expect_ok(packet({kCelt20 | 3, 1}, 1), 1, 960);  // minimum: TOC, count M=1, one data byte
  expect_bad(packet({kCelt20 | 3, 1}, 0));         // 2 bytes: no data
  expect_bad(packet({kCelt20 | 3}, 0));
  expect_ok(packet({kCelt20 | 3, 3}, 3 * 60), 3, 960);
  expect_bad(packet({kCelt20 | 3, 3}, 3 * 60 + 1));  // not a multiple of M
  expect_bad(packet({kCelt20 | 3, 3}, 2));
  expect_ok(packet({kCelt20 | 3, 6}, 6 * 40), 6, 960);   // 6 x 20 ms = 120 ms
  expect_bad(packet({kCelt20 | 3, 7}, 7 * 40));          // 140 ms
  expect_ok(packet({kSilk60 | 3, 2}, 2 * 40), 2, 2880);  // 2 x 60 ms = 120 ms
  expect_bad(packet({kSilk60 | 3, 3}, 3 * 40));          // 180 ms
  expect_ok(packet({kCelt2_5 | 3, 48}, 48 * 5), 48, 120);
  expect_bad(packet({kCelt2_5 | 3, 49}, 49 * 5));  // 122.5 ms
  expect_bad(packet({kCelt2_5 | 3, 63}, 63 * 5));
}

TEST(VoiceOpus, Code3ZeroFramesIsRejected) {
  for (int count : {0x00, 0x40, 0x80, 0xc0}) {
    expect_bad(packet({kCelt20 | 3, count}, 10));
    expect_bad(packet({kCelt20 | 3, count, 0}, 10));
  }
}

TEST(VoiceOpus, Code3Vbr) {
  // v=1, M=3: two length fields, the last frame takes the rest.
  expect_ok(packet({kCelt20 | 3, 0x83, 1, 1}, 3), 3, 960);                // 1+1+1
  expect_bad(packet({kCelt20 | 3, 0x83, 1, 1}, 1));                       // lengths overrun
  expect_ok(packet({kCelt20 | 3, 0x83, 1, 1}, 2), 3, 960);                // last frame empty
  expect_ok(packet({kCelt20 | 3, 0x83, 100, 252, 2}, 360 + 20), 3, 960);  // 100 + 260 + 20
  expect_bad(packet({kCelt20 | 3, 0x83, 100, 252, 2}, 359));
  expect_bad(packet({kCelt20 | 3, 0x83, 100}, 0));  // second length missing
  expect_bad(packet({kCelt20 | 3, 0x83, 100, 252}, 0));
  expect_ok(packet({kCelt20 | 3, 0x81}, 30), 1, 960);  // M=1 VBR: no length fields
  expect_bad(packet({kCelt20 | 3, 0x82, 0}, 1276));    // last frame > 1275
}

TEST(VoiceOpus, Code3Padding) {
  // p=1: padding length bytes follow the count byte; 255 means 254 and another length byte.
  expect_ok(packet({kCelt20 | 3, 0x41, 0}, 20), 1, 960);  // zero padding bytes
  expect_ok(packet({kCelt20 | 3, 0x41, 10}, 20 + 10), 1, 960);
  expect_bad(packet({kCelt20 | 3, 0x41, 10}, 10));                    // padding only: no frame data
  expect_bad(packet({kCelt20 | 3, 0x41, 10}, 9));                     // padding overruns
  expect_bad(packet({kCelt20 | 3, 0x41}, 0));                         // padding length missing
  expect_ok(packet({kCelt20 | 3, 0x42, 255, 10}, 40 + 264), 2, 960);  // 254 + 10 padding bytes
  expect_bad(packet({kCelt20 | 3, 0x42, 255, 10}, 263));
  expect_bad(packet({kCelt20 | 3, 0x42, 255, 10}, 41 + 264));  // CBR remainder odd
  expect_ok(packet({kCelt20 | 3, 0x41, 255, 255, 0}, 1 + 508), 1, 960);
  expect_bad(packet({kCelt20 | 3, 0x41, 255}, 300));  // 254 + 0x55 = 339 padding bytes > 299
  // VBR and padding together.
  expect_ok(packet({kCelt20 | 3, 0xc2, 3, 5}, 5 + 7 + 3), 2, 960);
  expect_bad(packet({kCelt20 | 3, 0xc2, 3, 5}, 2 + 3));
}

TEST(VoiceOpus, SizeLimit) {
  // 3825 = TOC + count (p=1, M=3) + padding length 0 + 3 x 1274.
  std::string max = packet({kCelt20 | 3, 0x43, 0}, 3 * 1274);
  ASSERT_EQ(max.size(), kMaxOpusPacket);
  expect_ok(max, 3, 960);
  std::string over = packet({kCelt20 | 3, 0x43, 1}, 3 * 1274 + 1);  // one padding byte
  ASSERT_EQ(over.size(), kMaxOpusPacket + 1);
  EXPECT_GE(libopus_frames(over), 0);  // structurally fine, but over the ingress limit
  expect_bad(over);
  expect_bad(std::string(4000, '\0'));
}

TEST(VoiceOpus, EncoderOutputIsValid) {
  for (int channels : {1, 2}) {
    for (int frame_ms10 : {25, 50, 100, 200, 400, 600}) {  // tenths of ms
      int err = 0;
      OpusEncoder* enc = opus_encoder_create(48000, channels, OPUS_APPLICATION_AUDIO, &err);
      ASSERT_EQ(err, OPUS_OK);
      opus_encoder_ctl(enc, OPUS_SET_BITRATE(64000));
      const int samples = 48 * frame_ms10 / 10;
      std::vector<opus_int16> pcm(static_cast<std::size_t>(samples * channels));
      for (int f = 0; f < 3; ++f) {
        for (int i = 0; i < samples; ++i)
          for (int c = 0; c < channels; ++c)
            pcm[static_cast<std::size_t>(i * channels + c)] = static_cast<opus_int16>(
                8000 * std::sin(2 * std::numbers::pi * 440.0 * (f * samples + i) / 48000.0));
        unsigned char out[4000];
        int n = opus_encode(enc, pcm.data(), samples, out, sizeof out);
        ASSERT_GT(n, 2) << channels << "ch " << frame_ms10;
        std::string p(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
        OpusCheck c = check_opus_packet(p);
        EXPECT_TRUE(c.ok) << c.reason;
        EXPECT_EQ(c.frames * c.samples_per_frame, samples) << channels << "ch " << frame_ms10;
      }
      opus_encoder_destroy(enc);
    }
  }
}

TEST(VoiceOpus, RepacketizedCode3IsValid) {
  int err = 0;
  OpusEncoder* enc = opus_encoder_create(48000, 2, OPUS_APPLICATION_VOIP, &err);
  ASSERT_EQ(err, OPUS_OK);
  OpusRepacketizer* rp = opus_repacketizer_create();
  std::vector<opus_int16> pcm(960 * 2);
  unsigned char frames[3][1500];
  for (int f = 0; f < 3; ++f) {
    for (int i = 0; i < 960; ++i)
      pcm[2 * i] = pcm[2 * i + 1] = static_cast<opus_int16>(
          6000 * std::sin(2 * std::numbers::pi * 300.0 * (f * 960 + i) / 48000.0));
    int n = opus_encode(enc, pcm.data(), 960, frames[f], 1500);
    ASSERT_GT(n, 0);
    ASSERT_EQ(opus_repacketizer_cat(rp, frames[f], n), OPUS_OK);
  }
  unsigned char out[4000];
  int n = opus_repacketizer_out(rp, out, sizeof out);
  ASSERT_GT(n, 0);
  EXPECT_EQ(out[0] & 3, 3);
  std::string p(reinterpret_cast<char*>(out), static_cast<std::size_t>(n));
  expect_ok(p, 3, 960);
  // Padded to a larger size by libopus (padding lengths with 255 continuations).
  std::string padded = p + std::string(700, '\0');
  ASSERT_EQ(opus_packet_pad(reinterpret_cast<unsigned char*>(padded.data()), n,
                            static_cast<opus_int32>(padded.size())),
            OPUS_OK);
  expect_ok(padded, 3, 960);
  EXPECT_EQ(static_cast<unsigned char>(padded[1]) & 0x40, 0x40);  // p flag set
  expect_bad(padded.substr(0, static_cast<std::size_t>(n)));      // truncated: padding overruns
  opus_repacketizer_destroy(rp);
  opus_encoder_destroy(enc);
}

// Random and structured random packets: ours accepts exactly what libopus accepts, minus the
// ingress rules (at least 2 bytes, some frame data, at most 3825 bytes).
TEST(VoiceOpus, AgreesWithLibopusOnRandomPackets) {
  std::mt19937 rng(1234);
  auto byte = [&] { return static_cast<int>(rng() & 0xff); };
  int accepted = 0, rejected = 0;
  for (int iteration = 0; iteration < 200000; ++iteration) {
    std::string p;
    std::size_t size = rng() % (iteration % 100 == 0 ? 4000 : 24);
    if (size > 0) p.push_back(static_cast<char>(byte()));
    if (size > 1 && (p[0] & 3) == 3 && rng() % 2) {
      p.push_back(static_cast<char>((byte() & 0xc0) | (1 + rng() % 6)));  // plausible M
    }
    while (p.size() < size) p.push_back(static_cast<char>(rng() % 3 == 0 ? 255 : byte() % 12));
    int data = 0;
    int n = libopus_frames(p, &data);
    bool expected = n > 0 && p.size() >= 2 && data > 0 && p.size() <= kMaxOpusPacket;
    OpusCheck c = check_opus_packet(p);
    ASSERT_EQ(c.ok, expected) << "size " << p.size() << " reason " << c.reason;
    ++(c.ok ? accepted : rejected);
    if (c.ok) {
      ASSERT_EQ(c.frames, n);
    }
  }
  EXPECT_GT(accepted, 20000);  // both outcomes well exercised
  EXPECT_GT(rejected, 20000);
}

}  // namespace
}  // namespace argon::voice
