// sse_load: load client for argon's event streams (IEvents/v1/Stream), plain sockets + epoll.
//
//   sse_load MODE --port P --token BOT_TOKEN --channel CHANNEL_ID [options]
//
// MODE
//   idle     open --streams N idle streams, wait for `ready` on all; report the server's VmRSS
//            (from /proc/--server-pid/status) before and after, and the delta per stream.
//   fanout   open N streams; --rounds times send one message and time until every stream has its
//            messageCreate frame (first / last arrival, measured from just before the send).
//   latency  open N streams; send --rate messages/s for --duration s (open loop, paced) over
//            --senders keep-alive connections; per (stream, message) latency from just before the
//            Send request is written to the arrival of the frame carrying that text. The first
//            --warmup s of messages are excluded from the statistics.
//   replay   open 1 stream, send a marker message, note its event id, disconnect; seed
//            --messages messages over --senders keep-alive connections; reconnect with
//            `Last-Event-ID: <marker id>` and time connect → `resumed` frame.
//
// The streams connect to --port; the Sends go to --send-port when given (another node of a
// cluster: bench/cluster_bench.sh), else to --port too.
//
// Every mode prints human-readable lines to stderr and one line `RESULT key=value …` to stdout.
// Everything is bounded: each wait has a deadline (--timeout s), each loop a count. Only 127.0.0.1.
// Clock: CLOCK_MONOTONIC in this one process, which both sends and receives.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
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

void sleep_ms(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

[[noreturn]] void die(const std::string& msg) {
  std::fprintf(stderr, "sse_load: %s\n", msg.c_str());
  std::exit(2);
}

// ---- options ---------------------------------------------------------------------------------
struct Options {
  std::string mode;
  int port = 0;
  int send_port = 0;  // 0: the Sends go to `port` too
  std::string token;
  std::string channel;
  int streams = 1000;
  int threads = 1;
  int connect_parallel = 256;  // streams connecting (not yet `ready`) at once, per thread
  double rate = 1000;
  double duration = 10;
  double warmup = 2;
  int rounds = 10;
  int senders = 16;
  int messages = 100000;
  int server_pid = 0;
  double timeout = 120;  // seconds, per wait
  std::string tag = "bench";
};

Options parse(int argc, char** argv) {
  Options o;
  if (argc < 2) die("usage: sse_load idle|fanout|latency|replay --port P --token T [...]");
  o.mode = argv[1];
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    auto val = [&]() -> std::string {
      if (i + 1 >= argc) die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--port") o.port = std::stoi(val());
    else if (a == "--send-port") o.send_port = std::stoi(val());
    else if (a == "--token") o.token = val();
    else if (a == "--channel") o.channel = val();
    else if (a == "--streams") o.streams = std::stoi(val());
    else if (a == "--threads") o.threads = std::stoi(val());
    else if (a == "--connect-parallel") o.connect_parallel = std::stoi(val());
    else if (a == "--rate") o.rate = std::stod(val());
    else if (a == "--duration") o.duration = std::stod(val());
    else if (a == "--warmup") o.warmup = std::stod(val());
    else if (a == "--rounds") o.rounds = std::stoi(val());
    else if (a == "--senders") o.senders = std::stoi(val());
    else if (a == "--messages") o.messages = std::stoi(val());
    else if (a == "--server-pid") o.server_pid = std::stoi(val());
    else if (a == "--timeout") o.timeout = std::stod(val());
    else if (a == "--tag") o.tag = val();
    else die("unknown option " + a);
  }
  if (o.port <= 0 || o.token.empty()) die("--port and --token are required");
  if (o.send_port <= 0) o.send_port = o.port;
  if (o.threads < 1) o.threads = 1;
  if (o.streams < 1 || o.streams > 200000) die("--streams out of range");
  if (o.messages < 1 || o.messages > 10000000) die("--messages out of range");
  return o;
}

// ---- /proc -----------------------------------------------------------------------------------
long proc_status_kb(int pid, const char* field) {
  std::ifstream f(pid ? "/proc/" + std::to_string(pid) + "/status" : "/proc/self/status");
  std::string line;
  std::string key = std::string(field) + ":";
  while (std::getline(f, line))
    if (line.rfind(key, 0) == 0) return std::strtol(line.c_str() + key.size(), nullptr, 10);
  return -1;
}

// utime + stime of a process, in seconds.
double proc_cpu_s(int pid) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto p = s.rfind(')');
  if (p == std::string::npos) return -1;
  std::istringstream in(s.substr(p + 2));
  std::string tok;
  double ut = 0, st = 0;
  for (int field = 3; field <= 15 && (in >> tok); ++field) {
    if (field == 14) ut = std::stod(tok);
    if (field == 15) st = std::stod(tok);
  }
  return (ut + st) / double(sysconf(_SC_CLK_TCK));
}

double self_cpu_s() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec / 1e6;
}

// ---- sockets ---------------------------------------------------------------------------------
int connect_nonblocking(int port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);  // 127.0.0.1 only
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 && errno != EINPROGRESS) {
    close(fd);
    return -1;
  }
  return fd;
}

// ---- shared measurement state ----------------------------------------------------------------
struct Shared {
  Options opt;
  std::atomic<bool> stop{false};
  std::atomic<int> ready{0};
  std::atomic<int> resumed{0};
  std::atomic<int> failed{0};
  std::atomic<int> closed{0};
  std::atomic<std::int64_t> frames{0};
  std::atomic<std::int64_t> messages{0};
  std::atomic<std::int64_t> bytes{0};
  std::atomic<std::int64_t> gap_events{0};  // events skipped between consecutive message ids
  // Per message sequence number (the text is "<tag>-<seq>").
  std::unique_ptr<std::atomic<std::int64_t>[]> sent_ns;
  std::unique_ptr<std::atomic<std::int32_t>[]> recv_count;
  std::unique_ptr<std::atomic<std::int64_t>[]> first_ns;
  std::unique_ptr<std::atomic<std::int64_t>[]> last_ns;
  std::int64_t nseq = 0;
  std::int64_t warmup_seq = 0;  // latency samples only for seq >= this
  std::mutex err_mutex;
  std::string first_error;
  // replay
  std::atomic<std::int64_t> resumed_ns{0};
  std::atomic<std::int64_t> ready_ns{0};
  std::atomic<std::int64_t> replayed_count{-1};
  std::mutex id_mutex;
  std::string last_message_id;  // id of the newest messageCreate seen (replay mode)

  void alloc(std::int64_t n) {
    nseq = n;
    sent_ns.reset(new std::atomic<std::int64_t>[n]);
    recv_count.reset(new std::atomic<std::int32_t>[n]);
    first_ns.reset(new std::atomic<std::int64_t>[n]);
    last_ns.reset(new std::atomic<std::int64_t>[n]);
    for (std::int64_t i = 0; i < n; ++i) {
      sent_ns[i] = 0;
      recv_count[i] = 0;
      first_ns[i] = 0;
      last_ns[i] = 0;
    }
  }
  void error(const std::string& e) {
    std::lock_guard lock(err_mutex);
    if (first_error.empty()) first_error = e;
  }
};

// ---- one SSE stream --------------------------------------------------------------------------
struct Stream {
  enum State { Connecting, Headers, Body, Done };
  int fd = -1;
  State state = Connecting;
  bool chunked = false;
  bool is_ready = false;
  std::string raw;    // bytes received, not yet consumed by the HTTP layer
  std::string frame;  // de-chunked SSE bytes, not yet a complete frame
  enum CState { Size, Data, Crlf } cstate = Size;
  std::size_t chunk_left = 0;
  std::string last_event_id;  // header to send (replay reconnect)
  std::int64_t last_seq = 0;  // seq of the last messageCreate id ({space hex}_{seq})
};

class Receiver {
 public:
  Receiver(Shared& sh, int count, std::string last_event_id)
      : sh_(sh), count_(count), last_event_id_(std::move(last_event_id)) {
    samples_.reserve(1 << 16);
  }
  void run();
  std::vector<std::uint32_t>& samples() { return samples_; }  // µs

 private:
  void open_more();
  void on_event(Stream& s, std::uint32_t events);
  void fail(Stream& s, const std::string& why);
  bool consume_http(Stream& s);
  void feed_sse(Stream& s, const char* p, std::size_t n);
  void on_frame(Stream& s, std::string_view f, std::int64_t t);

  Shared& sh_;
  int count_;
  std::string last_event_id_;
  int ep_ = -1;
  int opened_ = 0;
  int pending_ready_ = 0;
  std::vector<std::unique_ptr<Stream>> streams_;
  std::vector<std::uint32_t> samples_;
  std::string request_;
};

void Receiver::fail(Stream& s, const std::string& why) {
  if (s.state == Stream::Done) return;
  if (!s.is_ready) {
    sh_.failed.fetch_add(1);
    --pending_ready_;
    sh_.error(why);
  } else {
    sh_.closed.fetch_add(1);
    sh_.error("stream closed after ready: " + why);
  }
  s.state = Stream::Done;
  epoll_ctl(ep_, EPOLL_CTL_DEL, s.fd, nullptr);
  close(s.fd);
  s.fd = -1;
}

void Receiver::open_more() {
  while (opened_ < count_ && pending_ready_ < sh_.opt.connect_parallel) {
    auto s = std::make_unique<Stream>();
    s->fd = connect_nonblocking(sh_.opt.port);
    ++opened_;
    if (s->fd < 0) {
      sh_.failed.fetch_add(1);
      sh_.error(std::string("connect: ") + std::strerror(errno));
      continue;
    }
    epoll_event ev{};
    ev.events = EPOLLOUT | EPOLLIN;
    ev.data.ptr = s.get();
    epoll_ctl(ep_, EPOLL_CTL_ADD, s->fd, &ev);
    ++pending_ready_;
    if (auto us = last_event_id_.rfind('_'); us != std::string::npos)
      s->last_seq = std::atoll(last_event_id_.c_str() + us + 1);  // replay continues from here
    streams_.push_back(std::move(s));
  }
}

void Receiver::run() {
  ep_ = epoll_create1(EPOLL_CLOEXEC);
  request_ = "GET /IEvents/v1/Stream?intents=1 HTTP/1.1\r\nHost: 127.0.0.1:" +
             std::to_string(sh_.opt.port) + "\r\nAuthorization: Bot " + sh_.opt.token +
             "\r\nAccept: text/event-stream\r\n";
  if (!last_event_id_.empty()) request_ += "Last-Event-ID: " + last_event_id_ + "\r\n";
  request_ += "\r\n";
  streams_.reserve(count_);
  open_more();
  std::vector<epoll_event> evs(512);
  while (!sh_.stop.load(std::memory_order_relaxed)) {
    int n = epoll_wait(ep_, evs.data(), static_cast<int>(evs.size()), 20);
    for (int i = 0; i < n; ++i) on_event(*static_cast<Stream*>(evs[i].data.ptr), evs[i].events);
    open_more();
  }
  for (auto& s : streams_)
    if (s->fd >= 0) close(s->fd);
  close(ep_);
}

void Receiver::on_event(Stream& s, std::uint32_t events) {
  if (s.state == Stream::Done) return;
  if (s.state == Stream::Connecting) {
    if (!(events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) return;
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s.fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) return fail(s, std::string("connect: ") + std::strerror(err));
    // The request is small: one write suffices on a fresh socket.
    ssize_t w = ::send(s.fd, request_.data(), request_.size(), MSG_NOSIGNAL);
    if (w != static_cast<ssize_t>(request_.size())) return fail(s, "request write");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.ptr = &s;
    epoll_ctl(ep_, EPOLL_CTL_MOD, s.fd, &ev);
    s.state = Stream::Headers;
    return;
  }
  char buf[65536];
  for (int round = 0; round < 64; ++round) {  // bounded per wake-up; level-triggered epoll
    ssize_t r = ::recv(s.fd, buf, sizeof buf, 0);
    if (r == 0) return fail(s, "EOF from server");
    if (r < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
      return fail(s, std::string("recv: ") + std::strerror(errno));
    }
    sh_.bytes.fetch_add(r, std::memory_order_relaxed);
    if (s.state == Stream::Body && s.raw.empty() && !s.chunked) {
      feed_sse(s, buf, static_cast<std::size_t>(r));
    } else {
      s.raw.append(buf, static_cast<std::size_t>(r));
      if (!consume_http(s)) return;
    }
    if (static_cast<std::size_t>(r) < sizeof buf) return;
  }
}

// Consumes s.raw: headers, then (de-chunked) body into feed_sse. false: the stream failed.
bool Receiver::consume_http(Stream& s) {
  std::size_t pos = 0;
  if (s.state == Stream::Headers) {
    auto end = s.raw.find("\r\n\r\n");
    if (end == std::string::npos) {
      if (s.raw.size() > 65536) {
        fail(s, "header too large");
        return false;
      }
      return true;
    }
    std::string head = s.raw.substr(0, end);
    if (head.compare(0, 12, "HTTP/1.1 200") != 0 && head.compare(0, 12, "HTTP/1.0 200") != 0) {
      std::string body = s.raw.substr(end + 4, 300);
      fail(s, "status: " + head.substr(0, head.find("\r\n")) + " body: " + body);
      return false;
    }
    std::string lower = head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    s.chunked = lower.find("transfer-encoding: chunked") != std::string::npos;
    s.state = Stream::Body;
    pos = end + 4;
  }
  if (!s.chunked) {
    if (pos < s.raw.size()) feed_sse(s, s.raw.data() + pos, s.raw.size() - pos);
    s.raw.clear();
    return s.state != Stream::Done;
  }
  while (pos < s.raw.size() && s.state != Stream::Done) {
    if (s.cstate == Stream::Size) {
      auto nl = s.raw.find("\r\n", pos);
      if (nl == std::string::npos) break;
      std::size_t size = 0;
      auto [p, ec] = std::from_chars(s.raw.data() + pos, s.raw.data() + nl, size, 16);
      if (ec != std::errc()) {
        fail(s, "bad chunk size");
        return false;
      }
      pos = nl + 2;
      if (size == 0) {
        fail(s, "end of stream (last chunk)");
        return false;
      }
      s.chunk_left = size;
      s.cstate = Stream::Data;
    } else if (s.cstate == Stream::Data) {
      std::size_t take = std::min(s.chunk_left, s.raw.size() - pos);
      feed_sse(s, s.raw.data() + pos, take);
      pos += take;
      s.chunk_left -= take;
      if (s.chunk_left == 0) s.cstate = Stream::Crlf;
    } else {
      if (s.raw.size() - pos < 2) break;
      pos += 2;
      s.cstate = Stream::Size;
    }
  }
  if (s.state == Stream::Done) return false;
  s.raw.erase(0, pos);
  return true;
}

void Receiver::feed_sse(Stream& s, const char* p, std::size_t n) {
  const std::int64_t t = now_ns();
  std::string_view in(p, n);
  if (s.frame.empty()) {
    // Fast path: whole frames straight from the input.
    std::size_t start = 0;
    for (;;) {
      auto e = in.find("\n\n", start);
      if (e == std::string_view::npos) break;
      on_frame(s, in.substr(start, e - start), t);
      start = e + 2;
    }
    if (start < in.size()) s.frame.assign(in.substr(start));
    return;
  }
  std::size_t scan = s.frame.size() > 0 ? s.frame.size() - 1 : 0;
  s.frame.append(in);
  std::size_t start = 0;
  for (;;) {
    auto e = s.frame.find("\n\n", std::max(scan, start));
    if (e == std::string::npos) break;
    on_frame(s, std::string_view(s.frame).substr(start, e - start), t);
    start = e + 2;
  }
  s.frame.erase(0, start);
}

std::string_view field(std::string_view f, std::string_view name) {
  // name like "event: "; frames are "id: …\nevent: …\ndata: …"
  std::size_t p = 0;
  while (p < f.size()) {
    auto nl = f.find('\n', p);
    std::string_view line = f.substr(p, nl == std::string_view::npos ? f.size() - p : nl - p);
    if (line.substr(0, name.size()) == name) return line.substr(name.size());
    if (nl == std::string_view::npos) break;
    p = nl + 1;
  }
  return {};
}

void Receiver::on_frame(Stream& s, std::string_view f, std::int64_t t) {
  sh_.frames.fetch_add(1, std::memory_order_relaxed);
  std::string_view ev = field(f, "event: ");
  if (ev == "messageCreate") {
    sh_.messages.fetch_add(1, std::memory_order_relaxed);
    // Continuity: ids of one space stream are {hex}_{seq} with seq +1 per event; only messages
    // are produced during a run, so a jump means frames the stream never delivered.
    std::string_view id = field(f, "id: ");
    auto us = id.rfind('_');
    if (us != std::string_view::npos) {
      std::int64_t n = 0;
      std::from_chars(id.data() + us + 1, id.data() + id.size(), n);
      if (s.last_seq > 0 && n > s.last_seq + 1) sh_.gap_events.fetch_add(n - s.last_seq - 1);
      s.last_seq = n;
    }
    std::string pat = "\"text\":\"" + sh_.opt.tag + "-";
    auto p = f.find(pat);
    if (p == std::string_view::npos) return;
    p += pat.size();
    std::int64_t seq = -1;
    std::from_chars(f.data() + p, f.data() + f.size(), seq);
    if (sh_.opt.mode == "replay") {
      std::lock_guard lock(sh_.id_mutex);
      sh_.last_message_id = std::string(field(f, "id: "));
    }
    if (seq < 0 || seq >= sh_.nseq) return;
    sh_.recv_count[seq].fetch_add(1, std::memory_order_acq_rel);
    std::int64_t expected = 0;
    sh_.first_ns[seq].compare_exchange_strong(expected, t);
    std::int64_t last = sh_.last_ns[seq].load();
    while (last < t && !sh_.last_ns[seq].compare_exchange_weak(last, t)) {
    }
    if (seq >= sh_.warmup_seq) {
      std::int64_t sent = sh_.sent_ns[seq].load(std::memory_order_acquire);
      if (sent > 0) samples_.push_back(static_cast<std::uint32_t>((t - sent) / 1000));
    }
  } else if (ev == "ready") {
    if (!s.is_ready) {
      s.is_ready = true;
      --pending_ready_;
      sh_.ready.fetch_add(1);
      std::int64_t zero = 0;
      sh_.ready_ns.compare_exchange_strong(zero, t);
    }
  } else if (ev == "resumed") {
    sh_.resumed.fetch_add(1);
    sh_.resumed_ns.store(t);
    std::string_view data = field(f, "data: ");
    auto p = data.find("\"replayedCount\":");
    if (p != std::string_view::npos) {
      std::int64_t v = -1;
      std::from_chars(data.data() + p + 16, data.data() + data.size(), v);
      sh_.replayed_count.store(v);
    }
  }
}

// ---- senders: keep-alive POST /IMessages/v1/Send ---------------------------------------------
struct SendConn {
  int fd = -1;
  bool busy = false;
  std::string in;
  std::int64_t seq = -1;
  std::int64_t started = 0;
};

class Sender {
 public:
  Sender(Shared& sh, int conns) : sh_(sh) {
    ep_ = epoll_create1(EPOLL_CLOEXEC);
    for (int i = 0; i < conns; ++i) {
      auto c = std::make_unique<SendConn>();
      c->fd = connect_nonblocking(sh_.opt.send_port);
      if (c->fd < 0) die("sender connect failed");
      epoll_event ev{};
      ev.events = EPOLLIN;
      ev.data.ptr = c.get();
      epoll_ctl(ep_, EPOLL_CTL_ADD, c->fd, &ev);
      conns_.push_back(std::move(c));
    }
    sleep_ms(50);  // let the connects complete (loopback)
    random_base_ = (now_ns() / 1000) % 1000000000 * 1000;
  }
  ~Sender() {
    for (auto& c : conns_)
      if (c->fd >= 0) close(c->fd);
    close(ep_);
  }
  SendConn* idle() {
    for (auto& c : conns_)
      if (!c->busy && c->fd >= 0) return c.get();
    return nullptr;
  }
  // Writes one Send request carrying "<tag>-<seq>"; records the send time just before.
  bool send(SendConn& c, std::int64_t seq) {
    std::string body = "{\"channelId\":\"" + sh_.opt.channel + "\",\"text\":\"" + sh_.opt.tag +
                       "-" + std::to_string(seq) +
                       "\",\"randomId\":" + std::to_string(random_base_ + seq) + "}";
    std::string req = "POST /IMessages/v1/Send HTTP/1.1\r\nHost: 127.0.0.1:" +
                      std::to_string(sh_.opt.send_port) + "\r\nAuthorization: Bot " + sh_.opt.token +
                      "\r\nContent-Type: application/json\r\nContent-Length: " +
                      std::to_string(body.size()) + "\r\n\r\n" + body;
    c.busy = true;
    c.seq = seq;
    c.started = now_ns();
    if (seq >= 0 && seq < sh_.nseq) sh_.sent_ns[seq].store(c.started, std::memory_order_release);
    ssize_t w = ::send(c.fd, req.data(), req.size(), MSG_NOSIGNAL);
    if (w != static_cast<ssize_t>(req.size())) {
      sh_.error("send write failed");
      close(c.fd);
      c.fd = -1;
      ++failed_;
      return false;
    }
    ++in_flight_;
    return true;
  }
  // Processes responses for up to timeout_ms. Returns the number completed.
  int poll(int timeout_ms) {
    epoll_event evs[256];
    int n = epoll_wait(ep_, evs, 256, timeout_ms);
    int done = 0;
    for (int i = 0; i < n; ++i) {
      auto& c = *static_cast<SendConn*>(evs[i].data.ptr);
      if (c.fd < 0) continue;
      char buf[16384];
      ssize_t r = ::recv(c.fd, buf, sizeof buf, 0);
      if (r <= 0) {
        if (r < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        sh_.error("sender connection closed by server");
        epoll_ctl(ep_, EPOLL_CTL_DEL, c.fd, nullptr);
        close(c.fd);
        c.fd = -1;
        if (c.busy) {
          --in_flight_;
          ++failed_;
        }
        continue;
      }
      c.in.append(buf, static_cast<std::size_t>(r));
      for (;;) {  // complete responses (Content-Length framed)
        auto end = c.in.find("\r\n\r\n");
        if (end == std::string::npos) break;
        std::string head = c.in.substr(0, end);
        std::string lower = head;
        for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        auto cl = lower.find("content-length:");
        std::size_t len = cl == std::string::npos ? 0 : std::strtoul(lower.c_str() + cl + 15, nullptr, 10);
        if (c.in.size() < end + 4 + len) break;
        int status = std::atoi(head.c_str() + 9);
        if (status / 100 == 2) {
          ++ok_;
          resp_us_.push_back(static_cast<std::uint32_t>((now_ns() - c.started) / 1000));
        } else {
          ++failed_;
          sh_.error("Send status " + std::to_string(status) + ": " + c.in.substr(end + 4, std::min<std::size_t>(len, 300)));
        }
        c.in.erase(0, end + 4 + len);
        c.busy = false;
        --in_flight_;
        ++done;
      }
    }
    return done;
  }
  int in_flight() const { return in_flight_; }
  std::int64_t ok() const { return ok_; }
  std::int64_t failed() const { return failed_; }
  std::vector<std::uint32_t>& response_us() { return resp_us_; }

 private:
  Shared& sh_;
  int ep_;
  std::vector<std::unique_ptr<SendConn>> conns_;
  int in_flight_ = 0;
  std::int64_t ok_ = 0, failed_ = 0;
  std::int64_t random_base_ = 0;
  std::vector<std::uint32_t> resp_us_;
};

// ---- helpers ---------------------------------------------------------------------------------
double pct(std::vector<std::uint32_t>& v, double p) {  // v sorted, µs → ms
  if (v.empty()) return -1;
  std::size_t i = static_cast<std::size_t>(p / 100.0 * double(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)] / 1000.0;
}

struct Pool {
  Shared& sh;
  std::vector<std::unique_ptr<Receiver>> receivers;
  std::vector<std::thread> threads;
  Pool(Shared& s, int streams, int nthreads, const std::string& last_event_id = "") : sh(s) {
    sh.stop = false;
    for (int t = 0; t < nthreads; ++t) {
      int n = streams / nthreads + (t < streams % nthreads ? 1 : 0);
      receivers.push_back(std::make_unique<Receiver>(sh, n, last_event_id));
    }
    for (auto& r : receivers) threads.emplace_back([p = r.get()] { p->run(); });
  }
  void stop() {
    sh.stop = true;
    for (auto& t : threads)
      if (t.joinable()) t.join();
  }
  ~Pool() { stop(); }
  std::vector<std::uint32_t> samples() {
    std::vector<std::uint32_t> all;
    for (auto& r : receivers) all.insert(all.end(), r->samples().begin(), r->samples().end());
    return all;
  }
};

// Waits until `n` streams are ready; false on timeout or when all remaining ones failed.
bool wait_ready(Shared& sh, int n, double* seconds) {
  std::int64_t t0 = now_ns();
  std::int64_t deadline = t0 + static_cast<std::int64_t>(sh.opt.timeout * 1e9);
  int last_print = 0;
  while (now_ns() < deadline) {
    int r = sh.ready.load(), f = sh.failed.load();
    if (r >= n) {
      *seconds = (now_ns() - t0) / 1e9;
      return true;
    }
    if (r + f >= n) break;
    if (r / 2000 != last_print / 2000) {
      std::fprintf(stderr, "  … %d/%d streams ready\n", r, n);
      last_print = r;
    }
    sleep_ms(5);
  }
  *seconds = (now_ns() - t0) / 1e9;
  std::fprintf(stderr, "sse_load: only %d of %d streams ready (%d failed): %s\n", sh.ready.load(),
               n, sh.failed.load(), sh.first_error.c_str());
  return false;
}

// ---- modes -----------------------------------------------------------------------------------
int run_idle(Shared& sh) {
  const auto& o = sh.opt;
  if (!o.server_pid) die("idle needs --server-pid");
  long rss0 = proc_status_kb(o.server_pid, "VmRSS");
  double cpu0 = proc_cpu_s(o.server_pid);
  Pool pool(sh, o.streams, o.threads);
  double open_s = 0;
  bool ok = wait_ready(sh, o.streams, &open_s);
  sleep_ms(2000);  // let queued work (position reads, presence) settle
  long rss1 = proc_status_kb(o.server_pid, "VmRSS");
  double cpu1 = proc_cpu_s(o.server_pid);
  sleep_ms(3000);
  long rss2 = proc_status_kb(o.server_pid, "VmRSS");
  int ready = sh.ready.load();
  double per = ready ? (rss2 - rss0) * 1024.0 / ready : -1;
  std::fprintf(stderr,
               "idle: %d/%d streams ready in %.2f s; server VmRSS %ld KB before, %ld KB 2 s after "
               "ready, %ld KB 5 s after; %.0f bytes/stream; client VmRSS %ld KB\n",
               ready, o.streams, open_s, rss0, rss1, rss2, per, proc_status_kb(0, "VmRSS"));
  std::printf(
      "RESULT mode=idle ok=%d streams=%d ready=%d open_s=%.2f rss_before_kb=%ld rss_after_kb=%ld "
      "per_stream_bytes=%.0f server_cpu_open_s=%.2f client_rss_kb=%ld closed=%d gaps=%lld\n",
      ok ? 1 : 0, o.streams, ready, open_s, rss0, rss2, per, cpu1 - cpu0,
      proc_status_kb(0, "VmRSS"), sh.closed.load(), (long long)sh.gap_events.load());
  return ok ? 0 : 1;
}

// Sends message `seq` and waits for its HTTP response (bounded).
bool send_one(Shared& sh, Sender& sender, std::int64_t seq) {
  SendConn* c = sender.idle();
  if (!c || !sender.send(*c, seq)) return false;
  std::int64_t deadline = now_ns() + static_cast<std::int64_t>(sh.opt.timeout * 1e9);
  while (sender.in_flight() > 0 && now_ns() < deadline) sender.poll(10);
  return sender.in_flight() == 0 && sender.failed() == 0;
}

int run_fanout(Shared& sh) {
  const auto& o = sh.opt;
  sh.alloc(o.rounds);
  Pool pool(sh, o.streams, o.threads);
  double open_s = 0;
  if (!wait_ready(sh, o.streams, &open_s)) return 1;
  std::fprintf(stderr, "fanout: %d streams ready in %.2f s\n", o.streams, open_s);
  sleep_ms(1000);
  Sender sender(sh, 1);
  std::vector<std::uint32_t> last_us, first_us;
  double cpu0 = o.server_pid ? proc_cpu_s(o.server_pid) : 0;
  int complete = 0;
  for (int r = 0; r < o.rounds; ++r) {
    if (!send_one(sh, sender, r)) {
      std::fprintf(stderr, "fanout: send %d failed: %s\n", r, sh.first_error.c_str());
      break;
    }
    std::int64_t deadline = now_ns() + static_cast<std::int64_t>(10e9);
    while (sh.recv_count[r].load() < o.streams && now_ns() < deadline) sleep_ms(1);
    int got = sh.recv_count[r].load();
    std::int64_t sent = sh.sent_ns[r].load();
    double last = (sh.last_ns[r].load() - sent) / 1e6, first = (sh.first_ns[r].load() - sent) / 1e6;
    std::fprintf(stderr, "  round %d: %d/%d streams, first %.2f ms, last %.2f ms, Send response %.2f ms\n",
                 r, got, o.streams, first, last, sender.response_us().back() / 1000.0);
    if (got == o.streams) {
      ++complete;
      last_us.push_back(static_cast<std::uint32_t>(last * 1000));
      first_us.push_back(static_cast<std::uint32_t>(first * 1000));
    }
    sleep_ms(500);
  }
  double cpu1 = o.server_pid ? proc_cpu_s(o.server_pid) : 0;
  std::sort(last_us.begin(), last_us.end());
  std::sort(first_us.begin(), first_us.end());
  auto resp = sender.response_us();
  std::sort(resp.begin(), resp.end());
  std::printf(
      "RESULT mode=fanout streams=%d rounds=%d complete=%d last_p50_ms=%.2f last_min_ms=%.2f "
      "last_max_ms=%.2f first_p50_ms=%.2f send_resp_p50_ms=%.2f server_cpu_s=%.2f closed=%d gaps=%lld\n",
      o.streams, o.rounds, complete, pct(last_us, 50), pct(last_us, 0), pct(last_us, 100),
      pct(first_us, 50), pct(resp, 50), cpu1 - cpu0, sh.closed.load(),
      (long long)sh.gap_events.load());
  return complete == o.rounds ? 0 : 1;
}

int run_latency(Shared& sh) {
  const auto& o = sh.opt;
  const std::int64_t total = static_cast<std::int64_t>(o.rate * o.duration);
  sh.alloc(total);
  sh.warmup_seq = static_cast<std::int64_t>(o.rate * o.warmup);
  Pool pool(sh, o.streams, o.threads);
  double open_s = 0;
  if (!wait_ready(sh, o.streams, &open_s)) return 1;
  std::fprintf(stderr, "latency: %d streams ready in %.2f s; sending %" PRId64
               " messages at %.0f/s over %d connections\n", o.streams, open_s, total, o.rate, o.senders);
  sleep_ms(1000);
  Sender sender(sh, o.senders);
  double cpu0 = o.server_pid ? proc_cpu_s(o.server_pid) : 0, ccpu0 = self_cpu_s();
  const std::int64_t t0 = now_ns();
  const double interval_ns = 1e9 / o.rate;
  std::int64_t next = 0, late = 0, max_lag_ns = 0;
  const std::int64_t hard_end = t0 + static_cast<std::int64_t>((o.duration + o.timeout) * 1e9);
  while (next < total && now_ns() < hard_end) {
    std::int64_t due = t0 + static_cast<std::int64_t>(next * interval_ns);
    std::int64_t now = now_ns();
    if (now >= due) {
      SendConn* c = sender.idle();
      if (c) {
        std::int64_t lag = now - due;
        if (lag > 1000000) ++late;  // sent more than 1 ms behind schedule
        max_lag_ns = std::max(max_lag_ns, lag);
        sender.send(*c, next);
        ++next;
        continue;
      }
      sender.poll(1);  // every connection busy: wait for a response
      continue;
    }
    int wait_ms = static_cast<int>((due - now) / 1000000);
    if (wait_ms > 0) sender.poll(std::min(wait_ms, 5));
    else sender.poll(0);
  }
  const double send_s = (now_ns() - t0) / 1e9;
  std::int64_t deadline = now_ns() + static_cast<std::int64_t>(5e9);
  while (sender.in_flight() > 0 && now_ns() < deadline) sender.poll(10);
  // Wait for delivery of everything sent (bounded).
  const std::int64_t expect = (total - sh.warmup_seq) * o.streams;
  deadline = now_ns() + static_cast<std::int64_t>(10e9);
  auto delivered = [&] {
    std::int64_t n = 0;
    for (std::int64_t s = sh.warmup_seq; s < total; ++s) n += sh.recv_count[s].load();
    return n;
  };
  while (delivered() < expect && now_ns() < deadline) sleep_ms(50);
  double cpu1 = o.server_pid ? proc_cpu_s(o.server_pid) : 0, ccpu1 = self_cpu_s();
  const double wall = (now_ns() - t0) / 1e9;
  std::int64_t got = delivered();
  pool.stop();
  auto all = pool.samples();
  std::sort(all.begin(), all.end());
  auto resp = sender.response_us();
  std::sort(resp.begin(), resp.end());
  std::fprintf(stderr,
               "latency: sent %" PRId64 " in %.2f s (%" PRId64 " ok, %" PRId64 " failed, %" PRId64
               " >1 ms behind schedule, max lag %.1f ms); delivered %" PRId64 "/%" PRId64
               " measured frames\n"
               "  send→event p50 %.2f p90 %.2f p99 %.2f p99.9 %.2f max %.2f ms; Send response p50 "
               "%.2f p99 %.2f ms\n  server CPU %.2f s, client CPU %.2f s over %.2f s wall\n",
               next, send_s, sender.ok(), sender.failed(), late, max_lag_ns / 1e6, got, expect,
               pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 99.9), pct(all, 100), pct(resp, 50),
               pct(resp, 99), cpu1 - cpu0, ccpu1 - ccpu0, wall);
  std::printf(
      "RESULT mode=latency streams=%d rate=%.0f sent=%" PRId64 " send_s=%.2f send_ok=%" PRId64
      " send_failed=%" PRId64 " late=%" PRId64 " max_lag_ms=%.1f delivered=%" PRId64
      " expected=%" PRId64 " p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f p999_ms=%.2f max_ms=%.2f "
      "send_resp_p50_ms=%.2f send_resp_p99_ms=%.2f server_cpu_s=%.2f client_cpu_s=%.2f "
      "wall_s=%.2f closed=%d gaps=%lld\n",
      o.streams, o.rate, next, send_s, sender.ok(), sender.failed(), late, max_lag_ns / 1e6, got,
      expect, pct(all, 50), pct(all, 90), pct(all, 99), pct(all, 99.9), pct(all, 100), pct(resp, 50),
      pct(resp, 99), cpu1 - cpu0, ccpu1 - ccpu0, wall, sh.closed.load(),
      (long long)sh.gap_events.load());
  return got == expect ? 0 : 1;
}

int run_replay(Shared& sh) {
  const auto& o = sh.opt;
  sh.alloc(1);
  std::string marker_id;
  {
    Pool pool(sh, 1, 1);
    double s = 0;
    if (!wait_ready(sh, 1, &s)) return 1;
    Sender sender(sh, 1);
    if (!send_one(sh, sender, 0)) die("marker send failed: " + sh.first_error);
    std::int64_t deadline = now_ns() + static_cast<std::int64_t>(o.timeout * 1e9);
    while (sh.recv_count[0].load() < 1 && now_ns() < deadline) sleep_ms(1);
    if (sh.recv_count[0].load() < 1) die("marker message never arrived");
    std::lock_guard lock(sh.id_mutex);
    marker_id = sh.last_message_id;
  }
  std::fprintf(stderr, "replay: marker event id %s; stream closed\n", marker_id.c_str());
  sleep_ms(500);

  // Seed: messages 1..M over keep-alive connections, as fast as the server takes them.
  std::int64_t seeded = 0;
  double seed_s = 0;
  {
    Sender sender(sh, o.senders);
    const std::int64_t t0 = now_ns();
    const std::int64_t hard_end = t0 + static_cast<std::int64_t>(o.timeout * 5 * 1e9);
    std::int64_t next = 1;
    while ((next <= o.messages || sender.in_flight() > 0) && now_ns() < hard_end) {
      while (next <= o.messages) {
        SendConn* c = sender.idle();
        if (!c) break;
        sender.send(*c, 1000000 + next);  // outside the tracked range
        ++next;
      }
      sender.poll(5);
      if (sender.failed() > 0) die("seeding failed: " + sh.first_error);
    }
    seed_s = (now_ns() - t0) / 1e9;
    seeded = sender.ok();
    auto resp = sender.response_us();
    std::sort(resp.begin(), resp.end());
    std::fprintf(stderr,
                 "replay: seeded %" PRId64 " messages in %.2f s (%.0f/s) over %d connections; Send "
                 "p50 %.2f p99 %.2f ms\n",
                 seeded, seed_s, seeded / seed_s, o.senders, pct(resp, 50), pct(resp, 99));
  }
  if (seeded != o.messages) die("seeded only " + std::to_string(seeded));
  sleep_ms(1000);

  sh.ready = 0;
  sh.ready_ns = 0;
  sh.messages = 0;
  sh.frames = 0;
  sh.bytes = 0;
  sh.gap_events = 0;
  double cpu0 = o.server_pid ? proc_cpu_s(o.server_pid) : 0, ccpu0 = self_cpu_s();
  const std::int64_t t0 = now_ns();
  Pool pool(sh, 1, 1, marker_id);
  std::int64_t deadline = t0 + static_cast<std::int64_t>(o.timeout * 1e9);
  while (sh.resumed.load() == 0 && sh.failed.load() == 0 && sh.closed.load() == 0 &&
         now_ns() < deadline)
    sleep_ms(1);
  double cpu1 = o.server_pid ? proc_cpu_s(o.server_pid) : 0, ccpu1 = self_cpu_s();
  pool.stop();
  if (sh.resumed.load() == 0) die("no resumed frame: " + sh.first_error);
  double total_s = (sh.resumed_ns.load() - t0) / 1e9;
  double ready_s = (sh.ready_ns.load() - t0) / 1e9;
  std::int64_t replayed = sh.replayed_count.load();
  std::fprintf(stderr,
               "replay: ready after %.1f ms, resumed after %.1f ms: replayedCount %" PRId64
               ", %" PRId64 " messageCreate frames, %.1f MB → %.0f events/s; server CPU %.2f s, "
               "client CPU %.2f s; %lld events missing between ids\n",
               ready_s * 1e3, total_s * 1e3, replayed, sh.messages.load(), sh.bytes.load() / 1e6,
               replayed / total_s, cpu1 - cpu0, ccpu1 - ccpu0, (long long)sh.gap_events.load());
  std::printf(
      "RESULT mode=replay messages=%d seed_s=%.2f seed_rate=%.0f senders=%d ready_ms=%.1f "
      "resumed_ms=%.1f replayed=%" PRId64 " frames=%" PRId64 " bytes=%" PRId64
      " events_per_s=%.0f server_cpu_s=%.2f client_cpu_s=%.2f gaps=%lld\n",
      o.messages, seed_s, seeded / seed_s, o.senders, ready_s * 1e3, total_s * 1e3, replayed,
      sh.messages.load(), sh.bytes.load(), replayed / total_s, cpu1 - cpu0, ccpu1 - ccpu0,
      (long long)sh.gap_events.load());
  return replayed == o.messages && sh.messages.load() == o.messages ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Shared sh;
  sh.opt = parse(argc, argv);
  if (sh.opt.mode == "idle") return run_idle(sh);
  if (sh.opt.channel.empty()) die("--channel is required for " + sh.opt.mode);
  if (sh.opt.mode == "fanout") return run_fanout(sh);
  if (sh.opt.mode == "latency") return run_latency(sh);
  if (sh.opt.mode == "replay") return run_replay(sh);
  die("unknown mode " + sh.opt.mode);
}
