// voice_load: load client for argon's built-in Opus relay (/audio/connect, /audio/subscribe),
// plain sockets + epoll, a hand-rolled RFC 6455 client (handshake, masked frames out, frames in,
// pings answered with pongs). One thread, one CLOCK_MONOTONIC for sending and receiving.
//
//   voice_load setup --port P --person-token T --bot-token T --space S --publishers N
//                    [--threads 8] --out FILE
//       Finds the space's voice channel (IChannels/v1/List), creates N bot apps as the person
//       (POST /api/v1/apps), installs each into the space, asks each for a stream token
//       (IVoice/v1/StreamToken), and one for the subscriber identity (the --bot-token bot).
//       Writes FILE: `subscriber <token>` then N lines `pub <botUserId> <token>`.
//
//   voice_load run --port P --tokens FILE --publishers N [--duration 30] [--warmup 3]
//                  [--drain 1] [--server-pid PID] [--timeout 60] [--tick-us 1000]
//                  [--connect-parallel 64] [--quickack] [--samples-out FILE]
//       Opens N publisher sockets (waits for `ready`), then N subscriber sockets, subscriber i with
//       target_identity = publisher i (waits for `subscribed`). Then every publisher sends one
//       81-byte Opus packet (TOC 0x78: config 15, 20 ms, code 0, one frame) every 20 ms, the N
//       publishers spread evenly over the 20 ms, driven by one periodic timerfd tick (--tick-us).
//       Each packet carries (publisher, sequence, send time); the time is read right before the
//       write(). Latency = arrival at the subscriber (time right after the read()) - send time.
//       Packets sent during the first --warmup s are excluded; the window is --duration s; after
//       it the client stops sending and keeps receiving for --drain s. Loss = packets sent in the
//       window that never arrived. CPU over the window: server (utime+stime of /proc/PID/stat),
//       this client (getrusage) and the whole machine (/proc/stat: user+nice+system+irq+softirq+
//       steal). Loopback TCP work is partly softirq time, which the kernel may not charge to either
//       process, so machine busy is not exactly server + client + the rest.
//
//   voice_load direct --publishers N [same run options]
//       The floor: no server. N publisher sockets connect to a listener inside this process and
//       the accepted sockets are the subscribers: the same frames, pacing and measurement, over
//       kernel loopback only. Its latency is what this client and the kernel add by themselves.
//
// Prints human-readable lines to stderr and one `RESULT key=value ...` line to stdout.
// Everything is bounded: each wait has a deadline (--timeout s), each loop a count. 127.0.0.1 only.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace {

std::int64_t now_ns() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "voice_load: %s\n", msg.c_str());
  std::exit(2);
}

struct Options {
  std::string mode;
  int port = 0;
  std::string person_token, bot_token, space, out, tokens, samples_out;
  int publishers = 500;
  int threads = 8;
  double duration = 30, warmup = 3, drain = 1, timeout = 60;
  int server_pid = 0;
  int tick_us = 1000;
  int connect_parallel = 64;
  bool quickack = false;
};

Options parse(int argc, char** argv) {
  if (argc < 2) die("usage: voice_load setup|run|direct [options] (see the top of voice_load.cpp)");
  Options o;
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--port") o.port = std::stoi(val());
    else if (a == "--person-token") o.person_token = val();
    else if (a == "--bot-token") o.bot_token = val();
    else if (a == "--space") o.space = val();
    else if (a == "--out") o.out = val();
    else if (a == "--tokens") o.tokens = val();
    else if (a == "--samples-out") o.samples_out = val();
    else if (a == "--publishers") o.publishers = std::stoi(val());
    else if (a == "--threads") o.threads = std::stoi(val());
    else if (a == "--duration") o.duration = std::stod(val());
    else if (a == "--warmup") o.warmup = std::stod(val());
    else if (a == "--drain") o.drain = std::stod(val());
    else if (a == "--timeout") o.timeout = std::stod(val());
    else if (a == "--server-pid") o.server_pid = std::stoi(val());
    else if (a == "--tick-us") o.tick_us = std::stoi(val());
    else if (a == "--connect-parallel") o.connect_parallel = std::stoi(val());
    else if (a == "--quickack") o.quickack = true;
    else die("unknown option " + a);
  }
  if (o.publishers < 1 || o.publishers > 20000) die("--publishers: 1..20000");
  if (o.tick_us < 50 || o.tick_us > 20000) die("--tick-us: 50..20000");
  return o;
}

// ---- blocking HTTP/1.1 (setup only; Connection: close) ----------------------------------------
struct HttpResult {
  int status = 0;
  std::string body;
};

HttpResult http(int port, const std::string& method, const std::string& target,
                const std::string& auth, const std::string& body) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) die("socket: " + std::string(strerror(errno)));
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
      close(fd);
      usleep(100000);
      continue;
    }
    std::string req = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!auth.empty()) req += "Authorization: " + auth + "\r\n";
    if (!body.empty() || method == "POST")
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    req += "\r\n" + body;
    std::size_t off = 0;
    bool ok = true;
    while (off < req.size()) {
      ssize_t n = write(fd, req.data() + off, req.size() - off);
      if (n <= 0) { ok = false; break; }
      off += static_cast<std::size_t>(n);
    }
    std::string resp;
    char buf[16384];
    for (int reads = 0; ok && reads < 100000; ++reads) {
      ssize_t n = read(fd, buf, sizeof buf);
      if (n < 0) { ok = false; break; }
      if (n == 0) break;
      resp.append(buf, static_cast<std::size_t>(n));
    }
    close(fd);
    auto hdr_end = resp.find("\r\n\r\n");
    if (!ok || hdr_end == std::string::npos || resp.size() < 12) {
      usleep(100000);
      continue;
    }
    HttpResult r;
    r.status = std::atoi(resp.c_str() + 9);
    std::string headers = resp.substr(0, hdr_end);
    std::string raw = resp.substr(hdr_end + 4);
    std::string lower = headers;
    std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
    if (lower.find("transfer-encoding: chunked") != std::string::npos) {
      std::size_t p = 0;
      for (int chunks = 0; chunks < 100000 && p < raw.size(); ++chunks) {
        auto eol = raw.find("\r\n", p);
        if (eol == std::string::npos) break;
        std::size_t len = std::strtoul(raw.c_str() + p, nullptr, 16);
        if (len == 0) break;
        r.body += raw.substr(eol + 2, len);
        p = eol + 2 + len + 2;
      }
    } else {
      r.body = raw;
    }
    return r;
  }
  die("HTTP " + method + " " + target + ": no response after 5 attempts");
}

// The string value of the first "key":"..." at or after `from` (no escapes in what we read).
std::string json_str(const std::string& body, const std::string& key, std::size_t from = 0) {
  std::string pat = "\"" + key + "\":\"";
  auto p = body.find(pat, from);
  if (p == std::string::npos) return "";
  p += pat.size();
  auto e = body.find('"', p);
  return e == std::string::npos ? "" : body.substr(p, e - p);
}

int run_setup(const Options& o) {
  if (o.port == 0 || o.person_token.empty() || o.bot_token.empty() || o.space.empty() ||
      o.out.empty())
    die("setup needs --port --person-token --bot-token --space --out");
  const std::int64_t t0 = now_ns();
  auto list = http(o.port, "GET", "/IChannels/v1/List?spaceId=" + o.space, "Bot " + o.bot_token, "");
  if (list.status != 200) die("IChannels/v1/List: " + std::to_string(list.status) + " " + list.body);
  // Channel objects are flat: take the "channelId" of the object holding "channelType":"Voice".
  auto vpos = list.body.find("\"channelType\":\"Voice\"");
  if (vpos == std::string::npos) die("no voice channel in " + list.body);
  auto obj = list.body.rfind('{', vpos);
  std::string channel = obj == std::string::npos ? "" : json_str(list.body, "channelId", obj);
  if (channel.empty()) die("cannot read the voice channel id from " + list.body);
  std::fprintf(stderr, "setup: voice channel %s\n", channel.c_str());
  const std::string token_body =
      "{\"spaceId\":\"" + o.space + "\",\"channelId\":\"" + channel + "\"}";

  auto sub = http(o.port, "POST", "/IVoice/v1/StreamToken", "Bot " + o.bot_token, token_body);
  std::string sub_token = json_str(sub.body, "token");
  if (sub.status != 200 || sub_token.empty())
    die("StreamToken (subscriber): " + std::to_string(sub.status) + " " + sub.body);

  const int n = o.publishers;
  std::vector<std::string> lines(static_cast<std::size_t>(n));
  std::atomic<int> next{0};
  std::mutex err_mutex;
  std::string first_error;
  auto worker = [&] {
    for (int guard = 0; guard < n; ++guard) {
      int i = next.fetch_add(1);
      if (i >= n) return;
      auto fail = [&](const std::string& what, const HttpResult& r) {
        std::lock_guard lock(err_mutex);
        if (first_error.empty())
          first_error = what + " #" + std::to_string(i) + ": " + std::to_string(r.status) + " " + r.body;
      };
      std::string name = "vb" + std::to_string(i) + "_" + std::to_string(t0 % 1000000);
      auto app = http(o.port, "POST", "/api/v1/apps", "Bearer " + o.person_token,
                      "{\"name\":\"" + name + "\",\"botUsername\":\"" + name + "_bot\"}");
      std::string app_id = json_str(app.body, "appId");
      std::string user_id = json_str(app.body, "botUserId");
      std::string bot_token = json_str(app.body, "token");
      if (app.status != 201 || app_id.empty() || bot_token.empty()) { fail("create app", app); return; }
      auto inst = http(o.port, "POST", "/api/v1/spaces/" + o.space + "/bots",
                       "Bearer " + o.person_token, "{\"appId\":\"" + app_id + "\"}");
      if (inst.status != 201) { fail("install", inst); return; }
      auto tok = http(o.port, "POST", "/IVoice/v1/StreamToken", "Bot " + bot_token, token_body);
      std::string vt = json_str(tok.body, "token");
      if (tok.status != 200 || vt.empty()) { fail("StreamToken", tok); return; }
      lines[static_cast<std::size_t>(i)] = "pub " + user_id + " " + vt;
    }
  };
  std::vector<std::thread> ts;
  for (int t = 0; t < std::max(1, o.threads); ++t) ts.emplace_back(worker);
  for (auto& t : ts) t.join();
  if (!first_error.empty()) die("setup: " + first_error);
  std::ofstream f(o.out);
  f << "subscriber " << sub_token << "\n";
  for (const auto& l : lines) f << l << "\n";
  f.close();
  if (!f) die("cannot write " + o.out);
  double secs = double(now_ns() - t0) / 1e9;
  std::fprintf(stderr, "setup: %d bot apps created, installed and given stream tokens in %.1f s\n",
               n, secs);
  std::printf("RESULT setup_s=%.2f channel=%s\n", secs, channel.c_str());
  return 0;
}

// ---- the relay load --------------------------------------------------------------------------
constexpr std::uint32_t kMagic = 0x41524756;  // "VGRA"
constexpr std::size_t kPayload = 81;          // TOC + 80 bytes
constexpr std::int64_t kPeriod = 20'000'000;  // 20 ms

struct Body {  // after the TOC byte
  std::uint32_t magic;
  std::uint32_t pub;
  std::uint32_t seq;
  std::int64_t sent_ns;
} __attribute__((packed));

enum class State { Connecting, Handshake, Open, Closed };

struct Conn {
  int fd = -1;
  bool publisher = false;
  int index = 0;
  State state = State::Connecting;
  bool status_ok = false;  // publisher: ready; subscriber: subscribed
  bool masked_in = false;  // direct mode: the peer is our own publisher (masked frames)
  std::string in, out;
  std::string request;  // handshake
  std::uint32_t seq = 0;         // publisher: next sequence to send
  std::int64_t expect = -1;      // subscriber: next sequence expected
};

struct Stats {
  std::int64_t win_start = 0, win_end = 0;
  std::uint64_t sent_total = 0, sent_win = 0, recv_total = 0, recv_win = 0;
  std::uint64_t gaps = 0, reordered = 0, wrong_target = 0, bad_frames = 0, closes = 0;
  std::uint64_t pings = 0, partial_writes = 0, texts = 0;
  std::vector<std::int32_t> lat_us10;  // latency in 0.1 µs? no: in ns / 100 (0.1 µs units)
  std::vector<std::int32_t> late_us;   // send lateness vs schedule, µs (window only)
  std::string last_text;
};

std::uint32_t xorshift() {
  static std::uint32_t s = 2463534242u;
  s ^= s << 13;
  s ^= s >> 17;
  s ^= s << 5;
  return s;
}

// A masked client frame (FIN + opcode) with a payload < 126 bytes.
void append_client_frame(std::string& out, std::uint8_t opcode, const char* data, std::size_t n) {
  if (n >= 126) die("frame too long");
  char hdr[6];
  hdr[0] = static_cast<char>(0x80 | opcode);
  hdr[1] = static_cast<char>(0x80 | n);
  std::uint32_t key = xorshift();
  std::memcpy(hdr + 2, &key, 4);
  out.append(hdr, 6);
  const auto* k = reinterpret_cast<const unsigned char*>(hdr + 2);
  for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>(data[i] ^ k[i & 3]));
}

class Load {
 public:
  explicit Load(const Options& o) : o_(o) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    if (ep_ < 0) die("epoll_create1");
  }

  int run(bool direct);

 private:
  const Options& o_;
  int ep_ = -1;
  std::vector<Conn> conns_;  // publishers [0, N), subscribers [N, 2N)
  std::string sub_token_;
  std::vector<std::string> pub_ids_, pub_tokens_;
  Stats st_;
  bool sending_ = false;
  bool record_ = false;

  Conn& pub(int i) { return conns_[static_cast<std::size_t>(i)]; }
  Conn& sub(int i) { return conns_[static_cast<std::size_t>(o_.publishers + i)]; }
  std::uint64_t tag(const Conn& c) const {
    return static_cast<std::uint64_t>(&c - conns_.data());
  }

  void load_tokens();
  int connect_nb();
  void start_conn(Conn& c);
  void watch(Conn& c, std::uint32_t events, int op);
  void on_event(Conn& c, std::uint32_t ev, std::int64_t now);
  void flush(Conn& c);
  void fail_conn(Conn& c, const char* why);
  void parse_frames(Conn& c, std::int64_t now);
  void on_binary(Conn& c, const char* p, std::size_t n, std::int64_t now);
  void on_text(Conn& c, std::string_view t);
  void send_packet(Conn& c, std::int64_t due);
  int poll_once(int timeout_ms);
  bool open_all(int first, int count, std::int64_t deadline);
  void direct_pairs();
};

void Load::load_tokens() {
  std::ifstream f(o_.tokens);
  if (!f) die("cannot read " + o_.tokens);
  std::string kind, a, b;
  for (int line = 0; line < 100000 && (f >> kind); ++line) {
    if (kind == "subscriber") {
      f >> sub_token_;
    } else if (kind == "pub") {
      f >> a >> b;
      pub_ids_.push_back(a);
      pub_tokens_.push_back(b);
    } else {
      die("bad tokens file");
    }
  }
  if (sub_token_.empty() || static_cast<int>(pub_ids_.size()) < o_.publishers)
    die("tokens file has " + std::to_string(pub_ids_.size()) + " publishers, need " +
        std::to_string(o_.publishers));
}

int Load::connect_nb() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) die("socket: " + std::string(strerror(errno)) + " (raise ulimit -n)");
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(o_.port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 && errno != EINPROGRESS)
    die("connect: " + std::string(strerror(errno)));
  return fd;
}

void Load::watch(Conn& c, std::uint32_t events, int op) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag(c);
  if (epoll_ctl(ep_, op, c.fd, &ev) < 0) die("epoll_ctl: " + std::string(strerror(errno)));
}

void Load::start_conn(Conn& c) {
  c.fd = connect_nb();
  c.state = State::Connecting;
  std::string target;
  if (c.publisher) {
    target = "/audio/connect?token=" + pub_tokens_[static_cast<std::size_t>(c.index)];
  } else {
    target = "/audio/subscribe?token=" + sub_token_ +
             "&target_identity=" + pub_ids_[static_cast<std::size_t>(c.index)];
  }
  c.request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(o_.port) +
              "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
              "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
  watch(c, EPOLLOUT | EPOLLIN, EPOLL_CTL_ADD);
}

void Load::fail_conn(Conn& c, const char* why) {
  if (c.state == State::Closed) return;
  if (st_.closes < 5)
    std::fprintf(stderr, "voice_load: %s %d closed: %s\n", c.publisher ? "publisher" : "subscriber",
                 c.index, why);
  ++st_.closes;
  c.state = State::Closed;
  epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
  close(c.fd);
  c.fd = -1;
}

void Load::flush(Conn& c) {
  if (c.state == State::Closed) return;
  bool had = !c.out.empty();
  while (!c.out.empty()) {
    ssize_t n = write(c.fd, c.out.data(), c.out.size());
    if (n < 0) {
      if (errno == EAGAIN) break;
      fail_conn(c, "write failed");
      return;
    }
    c.out.erase(0, static_cast<std::size_t>(n));
  }
  if (had && c.out.empty()) watch(c, EPOLLIN, EPOLL_CTL_MOD);
  if (!c.out.empty()) watch(c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
}

void Load::on_text(Conn& c, std::string_view t) {
  ++st_.texts;
  st_.last_text.assign(t.substr(0, 200));
  if (c.publisher && t.find("\"status\":\"ready\"") != std::string_view::npos) c.status_ok = true;
  if (!c.publisher && t.find("\"status\":\"subscribed\"") != std::string_view::npos)
    c.status_ok = true;
  if (t.find("target_left") != std::string_view::npos) c.status_ok = false;
}

void Load::on_binary(Conn& c, const char* p, std::size_t n, std::int64_t now) {
  if (c.publisher) return;  // publishers hear nothing
  Body b;
  if (n != kPayload || static_cast<unsigned char>(p[0]) != 0x78) {
    ++st_.bad_frames;
    return;
  }
  std::memcpy(&b, p + 1, sizeof b);
  if (b.magic != kMagic) {
    ++st_.bad_frames;
    return;
  }
  if (static_cast<int>(b.pub) != c.index) {
    ++st_.wrong_target;
    return;
  }
  ++st_.recv_total;
  if (c.expect >= 0 && b.seq != c.expect) {
    if (b.seq > c.expect) st_.gaps += b.seq - static_cast<std::uint64_t>(c.expect);
    else ++st_.reordered;
  }
  c.expect = std::max<std::int64_t>(c.expect, std::int64_t(b.seq) + 1);
  if (b.sent_ns >= st_.win_start && b.sent_ns < st_.win_end) {
    ++st_.recv_win;
    std::int64_t d = (now - b.sent_ns) / 100;  // 0.1 µs units
    st_.lat_us10.push_back(static_cast<std::int32_t>(std::min<std::int64_t>(d, INT32_MAX)));
  }
}

void Load::parse_frames(Conn& c, std::int64_t now) {
  std::size_t off = 0;
  for (int guard = 0; guard < 1000000 && c.state == State::Open; ++guard) {
    const std::size_t avail = c.in.size() - off;
    if (avail < 2) break;
    const auto* h = reinterpret_cast<const unsigned char*>(c.in.data() + off);
    const std::uint8_t opcode = h[0] & 0x0f;
    const bool masked = (h[1] & 0x80) != 0;
    std::uint64_t len = h[1] & 0x7f;
    std::size_t hl = 2;
    if (len == 126) {
      if (avail < 4) break;
      len = (std::uint64_t(h[2]) << 8) | h[3];
      hl = 4;
    } else if (len == 127) {
      if (avail < 10) break;
      len = 0;
      for (int i = 0; i < 8; ++i) len = (len << 8) | h[2 + i];
      hl = 10;
    }
    if (masked) hl += 4;
    if (len > (1u << 20)) {
      fail_conn(c, "frame too large");
      return;
    }
    if (avail < hl + len) break;
    char* payload = c.in.data() + off + hl;
    if (masked) {
      const unsigned char* k = h + hl - 4;
      for (std::size_t i = 0; i < len; ++i) payload[i] = static_cast<char>(payload[i] ^ k[i & 3]);
    }
    const std::size_t n = static_cast<std::size_t>(len);
    switch (opcode) {
      case 0x2: on_binary(c, payload, n, now); break;
      case 0x1: on_text(c, std::string_view(payload, n)); break;
      case 0x9:  // ping → pong with the same payload
        ++st_.pings;
        append_client_frame(c.out, 0xA, payload, std::min<std::size_t>(n, 125));
        flush(c);
        break;
      case 0xA: break;
      case 0x8: {
        char why[160];
        unsigned code = n >= 2 ? (unsigned(static_cast<unsigned char>(payload[0])) << 8) |
                                     static_cast<unsigned char>(payload[1])
                               : 1005;
        std::snprintf(why, sizeof why, "close frame %u %.*s", code,
                      static_cast<int>(n > 2 ? std::min<std::size_t>(n - 2, 120) : 0),
                      n > 2 ? payload + 2 : "");
        fail_conn(c, why);
        return;
      }
      default: ++st_.bad_frames; break;
    }
    off += hl + n;
  }
  if (c.state == State::Open) c.in.erase(0, off);
}

void Load::on_event(Conn& c, std::uint32_t ev, std::int64_t now) {
  if (c.state == State::Closed) return;
  if (c.state == State::Connecting && (ev & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err != 0) {
      fail_conn(c, strerror(err));
      return;
    }
    c.state = State::Handshake;
    c.out = std::move(c.request);
    c.request.clear();
    flush(c);
    if (c.out.empty()) watch(c, EPOLLIN, EPOLL_CTL_MOD);
    return;
  }
  if ((ev & EPOLLOUT) && !c.out.empty()) flush(c);
  if (c.state == State::Closed) return;
  if (ev & (EPOLLIN | EPOLLERR | EPOLLHUP)) {
    char buf[65536];
    ssize_t n = read(c.fd, buf, sizeof buf);
    if (n == 0) {
      fail_conn(c, "peer closed");
      return;
    }
    if (n < 0) {
      if (errno != EAGAIN) fail_conn(c, strerror(errno));
      return;
    }
    const std::int64_t t = now_ns();  // arrival time: right after the read
    (void)now;
    if (o_.quickack && !c.publisher) {
      int one = 1;
      setsockopt(c.fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    if (c.state == State::Handshake) {
      auto e = c.in.find("\r\n\r\n");
      if (e == std::string::npos) {
        if (c.in.size() > 16384) fail_conn(c, "handshake response too long");
        return;
      }
      if (c.in.compare(0, 12, "HTTP/1.1 101") != 0) {
        std::string line = c.in.substr(0, c.in.find("\r\n"));
        auto body = c.in.substr(e + 4, 200);
        std::string why = "handshake refused: " + line + " " + body;
        fail_conn(c, why.c_str());
        return;
      }
      c.in.erase(0, e + 4);
      c.state = State::Open;
    }
    parse_frames(c, t);
  }
}

int Load::poll_once(int timeout_ms) {
  epoll_event evs[512];
  int n = epoll_wait(ep_, evs, 512, timeout_ms);
  if (n < 0) {
    if (errno == EINTR) return 0;
    die("epoll_wait");
  }
  std::int64_t now = now_ns();
  for (int i = 0; i < n; ++i) {
    if (evs[i].data.u64 == UINT64_MAX) continue;  // the tick timer, handled by the caller
    on_event(conns_[evs[i].data.u64], evs[i].events, now);
  }
  return n;
}

// Opens conns [first, first+count) with at most --connect-parallel handshakes in flight and waits
// until each has its status (ready / subscribed). False on timeout or when one closed.
bool Load::open_all(int first, int count, std::int64_t deadline) {
  int started = 0;
  for (int loops = 0; loops < 10000000; ++loops) {
    int pending = 0, done = 0;
    for (int i = first; i < first + started; ++i) {
      Conn& c = conns_[static_cast<std::size_t>(i)];
      if (c.state == State::Closed) return false;
      if (c.status_ok) ++done;
      else ++pending;
    }
    if (done == count) return true;
    while (started < count && pending < o_.connect_parallel) {
      start_conn(conns_[static_cast<std::size_t>(first + started)]);
      ++started;
      ++pending;
    }
    if (now_ns() > deadline) return false;
    poll_once(10);
  }
  return false;
}

void Load::direct_pairs() {
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(ls, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 || listen(ls, 1024) < 0)
    die("listen");
  socklen_t al = sizeof addr;
  getsockname(ls, reinterpret_cast<sockaddr*>(&addr), &al);
  for (int i = 0; i < o_.publishers; ++i) {
    int a = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (a < 0) die("socket (raise ulimit -n)");
    if (connect(a, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) die("connect (direct)");
    int b = accept4(ls, nullptr, nullptr, SOCK_CLOEXEC);
    if (b < 0) die("accept (direct)");
    int one = 1;
    setsockopt(a, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    fcntl(a, F_SETFL, O_NONBLOCK);
    fcntl(b, F_SETFL, O_NONBLOCK);
    Conn& p = pub(i);
    p.fd = a;
    p.state = State::Open;
    p.status_ok = true;
    watch(p, EPOLLIN, EPOLL_CTL_ADD);
    Conn& s = sub(i);
    s.fd = b;
    s.state = State::Open;
    s.status_ok = true;
    s.masked_in = true;
    watch(s, EPOLLIN, EPOLL_CTL_ADD);
  }
  close(ls);
}

void Load::send_packet(Conn& c, std::int64_t due) {
  if (c.state != State::Open) return;
  char pkt[kPayload];
  pkt[0] = static_cast<char>(0x78);  // config 15 (hybrid FB, 20 ms), mono, code 0
  for (std::size_t i = 1 + sizeof(Body); i < kPayload; ++i)
    pkt[i] = static_cast<char>(0x55 ^ (i * 7));
  Body b{kMagic, static_cast<std::uint32_t>(c.index), c.seq++, 0};
  b.sent_ns = now_ns();
  std::memcpy(pkt + 1, &b, sizeof b);
  const bool in_win = b.sent_ns >= st_.win_start && b.sent_ns < st_.win_end;
  ++st_.sent_total;
  if (in_win) {
    ++st_.sent_win;
    st_.late_us.push_back(static_cast<std::int32_t>((b.sent_ns - due) / 1000));
  }
  const bool idle = c.out.empty();
  append_client_frame(c.out, 0x2, pkt, kPayload);
  if (!idle) {
    ++st_.partial_writes;
    return;  // EPOLLOUT is armed; it goes after what is queued
  }
  ssize_t n = write(c.fd, c.out.data(), c.out.size());
  if (n == static_cast<ssize_t>(c.out.size())) {
    c.out.clear();
    return;
  }
  if (n < 0 && errno != EAGAIN) {
    fail_conn(c, "write failed");
    return;
  }
  ++st_.partial_writes;
  if (n > 0) c.out.erase(0, static_cast<std::size_t>(n));
  watch(c, EPOLLIN | EPOLLOUT, EPOLL_CTL_MOD);
}

struct Cpu {
  double server = 0, client = 0, machine_busy = 0;
};

Cpu cpu_now(int server_pid) {
  Cpu c;
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  if (server_pid > 0) {
    std::ifstream f("/proc/" + std::to_string(server_pid) + "/stat");
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    auto rp = s.rfind(')');
    if (rp != std::string::npos) {
      std::istringstream is(s.substr(rp + 2));
      std::string field;
      double ut = 0, stt = 0;
      for (int i = 3; i <= 15 && (is >> field); ++i) {  // field 3 is state
        if (i == 14) ut = std::stod(field);
        if (i == 15) stt = std::stod(field);
      }
      c.server = (ut + stt) / hz;
    }
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  c.client = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
             double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  std::ifstream st("/proc/stat");
  std::string cpu;
  st >> cpu;
  double v[10] = {};
  for (double& x : v) st >> x;
  // busy = user + nice + system + irq + softirq + steal (not idle, iowait)
  c.machine_busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / hz;
  return c;
}

template <typename T>
double pct(std::vector<T>& v, double p) {
  if (v.empty()) return -1;
  std::size_t k = static_cast<std::size_t>(p * double(v.size() - 1) + 0.5);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return double(v[k]);
}

int Load::run(bool direct) {
  const int n = o_.publishers;
  conns_.resize(static_cast<std::size_t>(2 * n));
  for (int i = 0; i < n; ++i) {
    pub(i).publisher = true;
    pub(i).index = i;
    sub(i).index = i;
  }
  const std::int64_t t_setup = now_ns();
  const std::int64_t deadline = t_setup + static_cast<std::int64_t>(o_.timeout * 1e9);
  if (direct) {
    direct_pairs();
  } else {
    if (o_.port == 0 || o_.tokens.empty()) die("run needs --port and --tokens");
    load_tokens();
    if (!open_all(0, n, deadline)) die("publishers did not all get `ready` (last status: " + st_.last_text + ")");
    std::fprintf(stderr, "voice_load: %d publishers ready after %.1f s\n", n,
                 double(now_ns() - t_setup) / 1e9);
    if (!open_all(n, n, deadline))
      die("subscribers did not all get `subscribed` (last status: " + st_.last_text + ")");
    std::fprintf(stderr, "voice_load: %d subscribers subscribed after %.1f s\n", n,
                 double(now_ns() - t_setup) / 1e9);
  }
  const double connect_s = double(now_ns() - t_setup) / 1e9;

  // One periodic tick; each tick sends every packet that is due (publisher s % n is due at
  // t0 + (s / n) * 20 ms + (s % n) * 20 ms / n).
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (tfd < 0) die("timerfd_create");
  epoll_event tev{};
  tev.events = EPOLLIN;
  tev.data.u64 = UINT64_MAX;
  epoll_ctl(ep_, EPOLL_CTL_ADD, tfd, &tev);
  itimerspec its{};
  its.it_interval.tv_nsec = o_.tick_us * 1000L;
  its.it_value.tv_nsec = o_.tick_us * 1000L;
  timerfd_settime(tfd, 0, &its, nullptr);

  const std::int64_t t0 = now_ns() + 2'000'000;
  st_.win_start = t0 + static_cast<std::int64_t>(o_.warmup * 1e9);
  st_.win_end = st_.win_start + static_cast<std::int64_t>(o_.duration * 1e9);
  const std::int64_t t_stop = st_.win_end;
  const std::int64_t t_done = t_stop + static_cast<std::int64_t>(o_.drain * 1e9);
  st_.lat_us10.reserve(static_cast<std::size_t>(double(n) * 50 * o_.duration * 1.05) + 16);
  st_.late_us.reserve(st_.lat_us10.capacity());
  std::fprintf(stderr, "voice_load: sending for %.0f s warm-up + %.0f s measured, %d pkt/s…\n",
               o_.warmup, o_.duration, n * 50);

  Cpu c0{}, c1{};
  bool measuring = false, measured = false;
  std::uint64_t s = 0;
  std::uint64_t ticks = 0, max_per_tick = 0;
  const std::uint64_t max_loops = static_cast<std::uint64_t>((o_.warmup + o_.duration + o_.drain + 5) *
                                                             1e6 / o_.tick_us * 4) + 1000000;
  for (std::uint64_t loops = 0; loops < max_loops; ++loops) {
    poll_once(50);
    std::int64_t now = now_ns();
    if (now >= t_done) break;
    if (!measuring && now >= st_.win_start) {
      c0 = cpu_now(o_.server_pid);
      measuring = true;
    }
    if (measuring && !measured && now >= st_.win_end) {
      c1 = cpu_now(o_.server_pid);
      measured = true;
    }
    std::uint64_t expirations = 0;
    if (read(tfd, &expirations, sizeof expirations) > 0) ++ticks;
    if (now >= t_stop || now < t0) continue;
    std::uint64_t this_tick = 0;
    for (int guard = 0; guard < 4 * n * 50; ++guard) {
      const std::int64_t due = t0 + std::int64_t(s / std::uint64_t(n)) * kPeriod +
                               std::int64_t(s % std::uint64_t(n)) * kPeriod / n;
      if (due > now || due >= t_stop) break;
      send_packet(pub(static_cast<int>(s % std::uint64_t(n))), due);
      ++s;
      ++this_tick;
      now = now_ns();
    }
    max_per_tick = std::max(max_per_tick, this_tick);
  }
  if (!measured) c1 = cpu_now(o_.server_pid);
  close(tfd);

  int open_pubs = 0, open_subs = 0;
  for (int i = 0; i < n; ++i) {
    open_pubs += pub(i).state == State::Open;
    open_subs += sub(i).state == State::Open;
  }
  for (auto& c : conns_)
    if (c.fd >= 0) close(c.fd);

  if (!o_.samples_out.empty()) {
    std::ofstream f(o_.samples_out);
    for (auto v : st_.lat_us10) f << v / 10.0 << "\n";
  }
  const double win = o_.duration;
  const double lost = double(st_.sent_win) - double(st_.recv_win);
  const double loss_pct = st_.sent_win ? 100.0 * lost / double(st_.sent_win) : 0;
  auto lat = [&](double p) { return pct(st_.lat_us10, p) / 10000.0; };  // ms
  double p50 = lat(0.50), p90 = lat(0.90), p99 = lat(0.99), p999 = lat(0.999);
  double mx = st_.lat_us10.empty() ? -1 : *std::max_element(st_.lat_us10.begin(), st_.lat_us10.end()) / 10000.0;
  double mean = 0;
  for (auto v : st_.lat_us10) mean += v;
  mean = st_.lat_us10.empty() ? -1 : mean / double(st_.lat_us10.size()) / 10000.0;
  std::size_t over2 = 0, over5 = 0, over20 = 0;
  for (auto v : st_.lat_us10) {
    over2 += v > 20000;
    over5 += v > 50000;
    over20 += v > 200000;
  }
  double late50 = pct(st_.late_us, 0.5) / 1000.0, late99 = pct(st_.late_us, 0.99) / 1000.0;
  double latemax = st_.late_us.empty() ? -1 : *std::max_element(st_.late_us.begin(), st_.late_us.end()) / 1000.0;
  const double scpu = c1.server - c0.server, ccpu = c1.client - c0.client;
  const double machine = c1.machine_busy - c0.machine_busy;
  std::fprintf(stderr,
               "voice_load: %s %d publishers: sent %" PRIu64 " in window (%.0f/s), received %" PRIu64
               " (%.0f/s), lost %.0f (%.3f%%)\n"
               "  latency ms: p50 %.3f p90 %.3f p99 %.3f p99.9 %.3f max %.3f mean %.3f; >2ms %zu >5ms %zu >20ms %zu\n"
               "  send lateness ms: p50 %.3f p99 %.3f max %.3f; ticks %" PRIu64 ", max sends/tick %" PRIu64
               ", queued writes %" PRIu64 "\n"
               "  CPU over %.0f s: server %.2f s (%.2f cores), client %.2f s (%.2f cores), machine busy %.2f cores\n"
               "  seq gaps %" PRIu64 ", reordered %" PRIu64 ", wrong target %" PRIu64 ", bad frames %" PRIu64
               ", closes %" PRIu64 ", pings %" PRIu64 ", open at end %d/%d\n",
               direct ? "direct" : "relay", n, st_.sent_win, double(st_.sent_win) / win, st_.recv_win,
               double(st_.recv_win) / win, lost, loss_pct, p50, p90, p99, p999, mx, mean, over2, over5,
               over20, late50, late99, latemax, ticks, max_per_tick, st_.partial_writes, win, scpu,
               scpu / win, ccpu, ccpu / win, machine / win, st_.gaps, st_.reordered, st_.wrong_target,
               st_.bad_frames, st_.closes, st_.pings, open_pubs, open_subs);
  std::printf(
      "RESULT mode=%s publishers=%d connect_s=%.2f window_s=%.0f sent=%" PRIu64 " received=%" PRIu64
      " sent_per_s=%.0f relayed_per_s=%.0f lost=%.0f loss_pct=%.4f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f"
      " p999_ms=%.3f max_ms=%.3f mean_ms=%.3f over2ms=%zu over5ms=%zu over20ms=%zu late_p50_ms=%.3f"
      " late_p99_ms=%.3f late_max_ms=%.3f server_cpu_s=%.2f server_cores=%.3f client_cpu_s=%.2f"
      " client_cores=%.3f machine_cores=%.3f gaps=%" PRIu64 " closes=%" PRIu64 " queued_writes=%" PRIu64
      " bad=%" PRIu64 " wrong_target=%" PRIu64 " pings=%" PRIu64 "\n",
      direct ? "direct" : "relay", n, connect_s, win, st_.sent_win, st_.recv_win,
      double(st_.sent_win) / win, double(st_.recv_win) / win, lost, loss_pct, p50, p90, p99, p999, mx,
      mean, over2, over5, over20, late50, late99, latemax, scpu, scpu / win, ccpu, ccpu / win,
      machine / win, st_.gaps, st_.closes, st_.partial_writes, st_.bad_frames, st_.wrong_target, st_.pings);
  return st_.closes == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  if (o.mode == "setup") return run_setup(o);
  if (o.mode == "run") return Load(o).run(false);
  if (o.mode == "direct") return Load(o).run(true);
  die("unknown mode " + o.mode);
}
