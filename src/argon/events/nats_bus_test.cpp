// NatsEventBus (nats_bus.hpp) between two nodes on a real `nats-server`, started by the test on a
// free port of 127.0.0.1 (the binary comes with `scripts/install-deps --test`; without it these
// tests fail). Every wait is on a condition with a deadline.
#include "argon/events/nats_bus.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nats/nats.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace argon::events {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Polls `done` every few ms until it holds or `timeout` passed; returns its last value.
bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = SteadyClock::now() + timeout;
  while (!done()) {
    if (SteadyClock::now() >= deadline) return done();
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// nats-server from $NATS_SERVER_BIN, $PATH or /usr/sbin (not on a non-root PATH on Debian).
std::string find_nats_server() {
  auto executable = [](const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; };
  if (const char* bin = std::getenv("NATS_SERVER_BIN"); bin && *bin)
    return executable(bin) ? bin : "";
  if (const char* path = std::getenv("PATH")) {
    std::stringstream dirs(path);
    for (std::string dir; std::getline(dirs, dir, ':');)
      if (!dir.empty() && executable(fs::path(dir) / "nats-server"))
        return (fs::path(dir) / "nats-server").string();
  }
  for (const char* p : {"/usr/sbin/nats-server", "/usr/local/bin/nats-server"})
    if (executable(p)) return p;
  return "";
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
    port = ntohs(addr.sin_port);
  ::close(fd);
  return port;
}

bool accepts_connections(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// A nats-server child process on 127.0.0.1:port, logging to a file; killed when destroyed.
class NatsServer {
 public:
  NatsServer(std::string binary, fs::path log) : binary_(std::move(binary)), log_(std::move(log)) {}
  ~NatsServer() { kill(); }
  NatsServer(const NatsServer&) = delete;
  NatsServer& operator=(const NatsServer&) = delete;

  // Starts it on `port` and waits until it accepts connections. Returns an error, or "".
  std::string start(int port) {
    kill();
    port_ = port;
    const std::string port_arg = std::to_string(port);
    // Everything the child uses is prepared before fork (only async-signal-safe calls after).
    std::vector<char*> argv{const_cast<char*>(binary_.c_str()),  const_cast<char*>("-a"),
                            const_cast<char*>("127.0.0.1"),      const_cast<char*>("-p"),
                            const_cast<char*>(port_arg.c_str()), nullptr};
    const std::string log = log_.string();
    const pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid < 0) return "fork failed";
    if (pid == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlives the test
      if (::getppid() != parent) ::_exit(127);
      int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, STDOUT_FILENO);
        ::dup2(fd, STDERR_FILENO);
        ::close(fd);
      }
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    pid_ = pid;
    const auto deadline = SteadyClock::now() + 5s;
    while (!accepts_connections(port)) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return "nats-server exited at start: " + log_text();
      }
      if (SteadyClock::now() >= deadline) {
        kill();
        return "nats-server did not accept connections on port " + port_arg +
               " within 5 s: " + log_text();
      }
      std::this_thread::sleep_for(5ms);
    }
    return "";
  }
  // SIGKILL: the server goes away as in a crash.
  void kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  bool running() const { return pid_ > 0; }
  int port() const { return port_; }
  std::string url() const { return "nats://127.0.0.1:" + std::to_string(port_); }
  std::string log_text() const {
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

 private:
  std::string binary_;
  fs::path log_;
  pid_t pid_ = -1;
  int port_ = 0;
};

EventRecord rec(const std::string& stream, std::int64_t seq, std::string payload = "{}") {
  EventRecord r;
  r.stream = stream;
  r.seq = seq;
  r.gseq = 1000 + seq;
  r.type = "messageCreate";
  r.payload = std::move(payload);
  r.created_at_ms = 1776168000000 + seq;
  return r;
}

std::string show(const EventRecord& r) {
  return r.stream + "#" + std::to_string(r.seq) + " g" + std::to_string(r.gseq) + " " + r.type +
         " sp=" + (r.space_id ? r.space_id->str() : "-") + " " + r.payload + " @" +
         std::to_string(r.created_at_ms);
}

// What a bus delivered to one subscriber (thread-safe).
class Recorder {
 public:
  explicit Recorder(EventBus& bus) : bus_(bus) {
    id_ = bus_.subscribe([this](const std::vector<EventRecord>& batch) {
      std::lock_guard lock(mutex_);
      for (const auto& r : batch) seen_.push_back(show(r));
    });
  }
  ~Recorder() { bus_.unsubscribe(id_); }
  std::vector<std::string> seen() const {
    std::lock_guard lock(mutex_);
    return seen_;
  }
  // The records of one stream, in delivery order.
  std::vector<std::string> of(const std::string& stream) const {
    std::vector<std::string> out;
    for (const auto& s : seen())
      if (s.rfind(stream + "#", 0) == 0) out.push_back(s);
    return out;
  }

 private:
  EventBus& bus_;
  EventBus::SubscriptionId id_ = 0;
  mutable std::mutex mutex_;
  std::vector<std::string> seen_;
};

// The payloads one broadcast handler got (thread-safe).
class Heard {
 public:
  EventBus::BroadcastHandler handler() {
    return [this](const std::string& payload) {
      std::lock_guard lock(mutex_);
      payloads_.push_back(payload);
    };
  }
  std::vector<std::string> payloads() const {
    std::lock_guard lock(mutex_);
    return payloads_;
  }
  bool has(const std::string& payload) const {
    for (const auto& p : payloads())
      if (p == payload) return true;
    return false;
  }
  std::size_t count(const std::string& payload) const {
    std::size_t n = 0;
    for (const auto& p : payloads())
      if (p == payload) ++n;
    return n;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> payloads_;
};

// The answer of one request, awaited with a deadline.
class Answer {
 public:
  EventBus::ReplyHandler handler() {
    started_ = SteadyClock::now();
    return [this](std::optional<std::string> answer) {
      std::lock_guard lock(mutex_);
      answer_ = std::move(answer);
      elapsed_ =
          std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started_);
      done_ = true;
      cv_.notify_all();
    };
  }
  // Whether the reply handler ran within `timeout`.
  bool wait(std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [this] { return done_; });
  }
  std::optional<std::string> value() const {
    std::lock_guard lock(mutex_);
    return answer_;
  }
  std::chrono::milliseconds elapsed() const {
    std::lock_guard lock(mutex_);
    return elapsed_;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable cv_;
  bool done_ = false;
  std::optional<std::string> answer_;
  SteadyClock::time_point started_{};
  std::chrono::milliseconds elapsed_{0};
};

class NatsEventBusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::signal(SIGPIPE, SIG_IGN);
    const std::string binary = find_nats_server();
    const char* env_bin = std::getenv("NATS_SERVER_BIN");
    ASSERT_FALSE(binary.empty())
        << "nats-server not found (NATS_SERVER_BIN=" << (env_bin ? env_bin : "")
        << "; when that is unset: PATH, /usr/sbin, /usr/local/bin): these tests need a real NATS "
           "server; install it with ./scripts/install-deps --test";
    static std::atomic<int> counter{0};
    dir_ = fs::temp_directory_path() /
           ("argon_nats_" + std::to_string(::getpid()) + "_" + std::to_string(counter++));
    fs::create_directories(dir_);
    server_ = std::make_unique<NatsServer>(binary, dir_ / "nats-server.log");
    std::string error = "no free port";
    for (int attempt = 0; attempt < 5 && !error.empty(); ++attempt) {  // a port may be taken
      int port = free_port();
      if (port > 0) error = server_->start(port);
    }
    ASSERT_EQ(error, "");
  }
  void TearDown() override {
    a_.reset();
    b_.reset();
    server_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  std::unique_ptr<NatsEventBus> bus(int node_id, const std::string& url) {
    NatsBusOptions o;
    o.url = url;
    o.node_id = node_id;
    o.name = "argon-test-node-" + std::to_string(node_id);
    o.reconnect_wait = 50ms;
    return std::make_unique<NatsEventBus>(o);
  }
  // Nodes 1 (a_) and 2 (b_) on the server, each with a handler for the sync topic.
  void start_nodes() {
    a_ = bus(1, server_->url());
    b_ = bus(2, server_->url());
    a_->on_broadcast("sync", a_sync_.handler());
    b_->on_broadcast("sync", b_sync_.handler());
  }
  // Until each node has heard a broadcast of the other, sent after everything each subscribed
  // so far: the server has the subscriptions of both (it handles a connection's messages in
  // order), so what is published from now on reaches them. Subscriptions are asynchronous in
  // NATS; this is the test's only way to know they are in place.
  void sync_nodes() {
    static std::atomic<int> round{0};
    const std::string from_a = "a-" + std::to_string(++round);
    const std::string from_b = "b-" + std::to_string(round);
    const auto deadline = SteadyClock::now() + 5s;
    while (!(b_sync_.has(from_a) && a_sync_.has(from_b))) {
      ASSERT_LT(SteadyClock::now(), deadline) << "the nodes do not hear each other";
      if (!b_sync_.has(from_a)) a_->broadcast("sync", from_a);
      if (!a_sync_.has(from_b)) b_->broadcast("sync", from_b);
      wait_for([&] { return b_sync_.has(from_a) && a_sync_.has(from_b); }, 50ms);
    }
  }

  fs::path dir_;
  std::unique_ptr<NatsServer> server_;
  std::unique_ptr<NatsEventBus> a_, b_;
  Heard a_sync_, b_sync_;
};

using Seen = std::vector<std::string>;

TEST_F(NatsEventBusTest, EventsPublishedOnOneNodeArriveOnTheOtherInSeqOrderOnce) {
  start_nodes();
  EXPECT_TRUE(a_->clustered());
  Recorder on_a(*a_), on_b(*b_);
  ASSERT_NO_FATAL_FAILURE(sync_nodes());

  auto space = Uuid::parse("0196323e-1c2a-7b4e-8f00-00000000abcd");
  ASSERT_TRUE(space);
  EventRecord t1 = rec("t", 1, R"({"k":"ü \"quoted\""})");
  t1.space_id = space;
  a_->publish({rec("s", 1, R"({"n":1})"), t1});  // two streams: two messages
  a_->publish({rec("s", 2)});
  a_->publish({rec("s", 3), rec("s", 4, "[1,2]")});
  const Seen s_expected{show(rec("s", 1, R"({"n":1})")), show(rec("s", 2)), show(rec("s", 3)),
                        show(rec("s", 4, "[1,2]"))};
  ASSERT_TRUE(wait_for([&] { return on_b.seen().size() >= 5; }))
      << "node 2 got " << on_b.seen().size() << " of 5";
  EXPECT_EQ(on_b.of("s"), s_expected);
  EXPECT_EQ(on_b.of("t"), Seen{show(t1)});

  // Node 2 answers with an event of its own: anything the server had sent back to node 1 (an
  // echo) would have reached node 1 before it.
  b_->publish({rec("marker", 1)});
  ASSERT_TRUE(wait_for([&] { return !on_a.of("marker").empty(); }));
  a_->flush();
  b_->flush();
  EXPECT_EQ(on_a.of("s"), s_expected);  // locally, once
  EXPECT_EQ(on_a.of("t"), Seen{show(t1)});
  EXPECT_EQ(on_a.seen().size(), 6u);
  EXPECT_EQ(on_b.seen().size(), 6u);  // its own marker, locally, once
  EXPECT_EQ(on_b.of("marker"), Seen{show(rec("marker", 1))});
  EXPECT_EQ(a_->stats().sent, 4u);      // one message per stream and operation
  EXPECT_EQ(a_->stats().received, 1u);  // the marker only: no echo
  EXPECT_EQ(b_->stats().received, 4u);
  EXPECT_EQ(b_->stats().sent, 1u);
  EXPECT_EQ(a_->stats().send_failures, 0u);
}

TEST_F(NatsEventBusTest, ABroadcastReachesEveryNodesHandlersOnce) {
  start_nodes();
  Heard a_heard, b_heard, b_other;
  a_->on_broadcast("cache.bot", a_heard.handler());
  b_->on_broadcast("cache.bot", b_heard.handler());
  b_->on_broadcast("other", b_other.handler());
  ASSERT_NO_FATAL_FAILURE(sync_nodes());

  a_->broadcast("cache.bot", "forget 42");
  ASSERT_TRUE(wait_for([&] { return b_heard.has("forget 42"); }));
  // An answer from node 2: an echo of node 1's broadcast would have come before it.
  b_->broadcast("cache.bot", "from 2");
  ASSERT_TRUE(wait_for([&] { return a_heard.has("from 2"); }));
  a_->flush();
  b_->flush();
  EXPECT_EQ(a_heard.payloads(), (Seen{"forget 42", "from 2"}));
  EXPECT_EQ(b_heard.payloads(), (Seen{"forget 42", "from 2"}));
  EXPECT_TRUE(b_other.payloads().empty());
}

TEST_F(NatsEventBusTest, ARequestIsAnsweredByTheNodeItNames) {
  start_nodes();
  a_->on_request("voice.kick", [](const std::string& p) { return "node 1 kicked " + p; });
  b_->on_request("voice.kick", [](const std::string& p) { return "node 2 kicked " + p; });
  ASSERT_NO_FATAL_FAILURE(
      sync_nodes());  // after on_request: node 2's request subscription is in place

  Answer to_b;
  a_->request(2, "voice.kick", "alice", 2000ms, to_b.handler());
  ASSERT_TRUE(to_b.wait());
  EXPECT_EQ(to_b.value(), std::optional<std::string>("node 2 kicked alice"));

  Answer to_self;  // this node: answered locally
  a_->request(1, "voice.kick", "bob", 2000ms, to_self.handler());
  ASSERT_TRUE(to_self.wait());
  EXPECT_EQ(to_self.value(), std::optional<std::string>("node 1 kicked bob"));

  Answer back;  // and the other way round
  b_->request(1, "voice.kick", "carol", 2000ms, back.handler());
  ASSERT_TRUE(back.wait());
  EXPECT_EQ(back.value(), std::optional<std::string>("node 1 kicked carol"));
}

TEST_F(NatsEventBusTest, ARequestNobodyServesAnswersNothingWithinItsTimeout) {
  start_nodes();
  b_->on_request("voice.kick", [](const std::string&) { return "kicked"; });
  ASSERT_NO_FATAL_FAILURE(sync_nodes());
  const auto timeout = 300ms;
  Answer no_node;  // no node 7
  a_->request(7, "voice.kick", "alice", timeout, no_node.handler());
  Answer no_topic;  // node 2 does not serve this topic
  a_->request(2, "voice.unknown", "alice", timeout, no_topic.handler());
  ASSERT_TRUE(no_node.wait(timeout + 2000ms)) << "no answer at all";
  ASSERT_TRUE(no_topic.wait(timeout + 2000ms)) << "no answer at all";
  EXPECT_EQ(no_node.value(), std::nullopt);
  EXPECT_EQ(no_topic.value(), std::nullopt);
  // Within the timeout (NATS may know at once that nobody listens), plus scheduling slack.
  EXPECT_LE(no_node.elapsed(), timeout + 200ms);
  EXPECT_LE(no_topic.elapsed(), timeout + 200ms);
}

TEST_F(NatsEventBusTest, TheBusReconnectsAfterTheServerWasRestarted) {
  start_nodes();
  Recorder on_a(*a_), on_b(*b_);
  EXPECT_TRUE(a_->live());
  EXPECT_TRUE(b_->live());
  ASSERT_NO_FATAL_FAILURE(sync_nodes());
  a_->publish({rec("before", 1)});
  ASSERT_TRUE(wait_for([&] { return !on_b.of("before").empty(); }));

  server_->kill();
  ASSERT_TRUE(wait_for([&] { return !a_->live() && !b_->live(); }))
      << "live() after the server went: " << a_->live() << " " << b_->live();
  EXPECT_EQ(a_->stats().disconnects, 1u);
  EXPECT_EQ(b_->stats().disconnects, 1u);
  // Meanwhile this node's own events are still delivered here.
  a_->publish({rec("offline", 1)});
  a_->flush();
  EXPECT_EQ(on_a.of("offline"), Seen{show(rec("offline", 1))});

  ASSERT_EQ(server_->start(server_->port()), "");  // same port
  ASSERT_TRUE(wait_for([&] { return a_->live() && b_->live(); }))
      << "live() after the server came back: " << a_->live() << " " << b_->live();
  ASSERT_NO_FATAL_FAILURE(sync_nodes());  // both resubscribed
  a_->publish({rec("after", 1)});
  ASSERT_TRUE(wait_for([&] { return !on_b.of("after").empty(); }));
  EXPECT_EQ(on_b.of("after"), Seen{show(rec("after", 1))});
  b_->publish({rec("after.b", 1)});
  ASSERT_TRUE(wait_for([&] { return !on_a.of("after.b").empty(); }));
  EXPECT_EQ(a_->stats().disconnects, 1u);
}

TEST_F(NatsEventBusTest, ABusConnectsInTheBackgroundWhenTheServerComesLater) {
  const int port = server_->port();
  server_->kill();
  auto early = bus(3, "nats://127.0.0.1:" + std::to_string(port));  // nothing listens
  EXPECT_FALSE(early->live());
  Recorder seen(*early);
  early->publish({rec("local", 1)});  // still delivered here
  early->flush();
  EXPECT_EQ(seen.of("local"), Seen{show(rec("local", 1))});
  ASSERT_EQ(server_->start(port), "");
  ASSERT_TRUE(wait_for([&] { return early->live(); }));
}

// libnats runs a connection's disconnected and closed callbacks later, on its one callback
// thread, in order: a bus destroyed before its disconnected callback had run was used by it
// after it was freed (AddressSanitizer: heap-use-after-free in on_disconnected, at the end of a
// test). A callback of another connection that takes a while holds the bus's callbacks back here:
// stop() returns only once they have run, so after that one.
TEST_F(NatsEventBusTest, StopWaitsForTheCallbacksLibnatsStillHasToMake) {
  start_nodes();
  struct Slow {
    std::atomic<bool> done{false};
  } slow;
  natsOptions* opts = nullptr;
  ASSERT_EQ(natsOptions_Create(&opts), NATS_OK);
  natsOptions_SetURL(opts, server_->url().c_str());
  natsOptions_SetClosedCB(
      opts,
      [](natsConnection*, void* closure) {
        std::this_thread::sleep_for(300ms);
        static_cast<Slow*>(closure)->done = true;
      },
      &slow);
  natsConnection* other = nullptr;
  ASSERT_EQ(natsConnection_Connect(&other, opts), NATS_OK);
  natsOptions_Destroy(opts);
  natsConnection_Close(other);  // its closed callback now holds libnats's callback thread
  a_.reset();                   // the bus's disconnected and closed callbacks wait behind it
  EXPECT_TRUE(slow.done) << "the bus was gone before libnats had made its last callbacks";
  wait_for([&] { return slow.done.load(); });  // `slow` lives on this stack
  natsConnection_Destroy(other);
}

}  // namespace
}  // namespace argon::events
