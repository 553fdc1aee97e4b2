// The only file that includes Beast/Asio (they cost ~10 s of compile time per file).
#include <utility>  // before Asio: Boost 1.74 with g++ 12 in C++20 needs it

#include "http/server.hpp"

#include "http/client_address.hpp"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <cstdio>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_set>
#include <vector>

namespace reclaim::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {
thread_local app::Application* t_app = nullptr;

}  // namespace

class Server::Impl {
 public:
  class Session;

  Impl(ServerOptions o, ApplicationFactory f, std::shared_ptr<auth::PrincipalResolver> r)
      : opt(std::move(o)),
        factory(std::move(f)),
        resolver(std::move(r)),
        ioc(std::max(1, opt.threads)),
        acceptor(net::make_strand(ioc)),
        signals(ioc) {
    std::random_device rd;
    id_prefix = (static_cast<uint64_t>(rd()) << 32) ^ rd();
  }

  std::string next_request_id() {
    char b[40];
    std::snprintf(b, sizeof b, "%08llx-%08llx",
                  static_cast<unsigned long long>(id_prefix & 0xffffffffULL),
                  static_cast<unsigned long long>(++request_seq));
    return b;
  }

  void do_accept();
  void on_accept(beast::error_code ec, tcp::socket socket);
  void stop();

  ServerOptions opt;
  ApplicationFactory factory;
  std::shared_ptr<auth::PrincipalResolver> resolver;
  std::unique_ptr<Router> router;  ///< made by start() (the public URL needs the bound port)
  std::unique_ptr<HeavyPool> pool;  ///< null when opt.heavy.workers is 0
  TrustedProxies proxies;
  net::io_context ioc;
  tcp::acceptor acceptor;
  net::signal_set signals;
  std::vector<std::unique_ptr<app::Application>> apps;
  std::vector<std::thread> threads;
  std::atomic<bool> stopping{false};
  std::atomic<uint64_t> request_seq{0};
  uint64_t id_prefix = 0;
  uint16_t bound_port = 0;
  std::mutex mu;
  std::unordered_set<Session*> sessions;  // guarded by mu
};

class Server::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Impl& srv) : stream_(std::move(socket)), srv_(srv) {}
  ~Session() {
    std::lock_guard<std::mutex> lock(srv_.mu);
    srv_.sessions.erase(this);
  }

  void start() {
    {
      std::lock_guard<std::mutex> lock(srv_.mu);
      srv_.sessions.insert(this);
    }
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::do_read, shared_from_this()));
  }

  /// From stop(): close now if waiting for a request; otherwise after the current response.
  void shutdown() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (self->reading_) {
        beast::error_code ec;
        self->stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        self->stream_.socket().close(ec);
      }
    });
  }

 private:
  void do_read() {
    if (closing_ || srv_.stopping) return close();
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(srv_.opt.max_header_bytes));
    parser_->body_limit(srv_.opt.max_body_bytes);
    stream_.expires_after(srv_.opt.read_timeout);
    reading_ = true;
    bhttp::async_read(stream_, buffer_, *parser_,
                      beast::bind_front_handler(&Session::on_read, shared_from_this()));
  }

  void on_read(beast::error_code ec, std::size_t) {
    reading_ = false;
    if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout ||
        ec == net::error::operation_aborted || (closing_ && ec))
      return close();
    if (ec == bhttp::error::body_limit)
      return error_reply(kContentTooLarge,
                         "the request body is larger than the limit of " +
                             std::to_string(srv_.opt.max_body_bytes) + " bytes");
    if (ec == bhttp::error::header_limit)
      return error_reply(kHeadersTooLarge,
                         "the request headers are larger than the limit of " +
                             std::to_string(srv_.opt.max_header_bytes) + " bytes");
    if (ec) return error_reply(kBadRequest, "malformed HTTP request");

    auto& req = parser_->get();
    Request r;
    r.method = std::string_view(req.method_string().data(), req.method_string().size());
    r.target = std::string_view(req.target().data(), req.target().size());
    auto field = [&](bhttp::field f) {
      auto it = req.find(f);
      if (it == req.end()) return std::string_view();
      return std::string_view(it->value().data(), it->value().size());
    };
    r.host = field(bhttp::field::host);
    r.cookie = field(bhttp::field::cookie);
    r.user_agent = field(bhttp::field::user_agent);
    r.authorization = field(bhttp::field::authorization);
    r.if_none_match = field(bhttp::field::if_none_match);
    r.if_match = field(bhttp::field::if_match);
    r.content_type = field(bhttp::field::content_type);
    if (auto it = req.find("X-CSRF-Token"); it != req.end())
      r.csrf_token = std::string_view(it->value().data(), it->value().size());
    r.body = req.body();
    {
      beast::error_code pe;
      const auto peer = stream_.socket().remote_endpoint(pe);
      std::string forwarded;
      if (!srv_.proxies.empty())
        for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it) {
          if (!forwarded.empty()) forwarded += ',';
          forwarded.append(it->value().data(), it->value().size());
        }
      if (!pe) r.client_ip = srv_.proxies.client_address(peer.address().to_string(), forwarded);
    }
    r.request_id = srv_.next_request_id();
    const bool keep = req.keep_alive() && !srv_.stopping;
    const bool head = req.method() == bhttp::verb::head;
    const unsigned version = req.version();
    if (t_app == nullptr) {
      return send(problem(ErrorCode::kIo, "no database connection", "", r.request_id),
                  r.request_id, keep, head, version);
    }
    Deferral d;
    Response out = srv_.router->handle(r, *t_app, srv_.pool ? &d : nullptr);
    if (d.deferred) return defer(std::move(r), d.client_key, keep, head, version);
    send(std::move(out), r.request_id, keep, head, version);
  }

  /// Hands an expensive read to the pool; this thread goes back to the other connections. The
  /// answer is written on this session's strand when the worker is done.
  void defer(Request r, const std::string& client, bool keep, bool head, unsigned version) {
    const std::string id = r.request_id;
    const std::string instance(r.target.substr(0, r.target.find('?')));
    auto self = shared_from_this();
    // keeps ioc.run() from returning (graceful stop) while the job is queued or running
    auto work = net::make_work_guard(srv_.ioc);
    HeavyPool::Job job = [self, r = std::move(r), keep, head, version,
                          work](app::Application& app) -> std::function<void()> {
      Response out = self->srv_.router->handle(r, app);
      // delivered by the pool once this client's slot is free (see HeavyPool::Job)
      return [self, out = std::move(out), id = r.request_id, keep, head, version, work]() {
        net::post(self->stream_.get_executor(),
                  [self, out, id, keep, head, version]() mutable {
                    self->send(std::move(out), id, keep && !self->srv_.stopping, head, version);
                  });
      };
    };
    HeavyPool& pool = *srv_.pool;
    // a signed-in user's requests go before anonymous clients' (Deferral::client_key "user:…")
    const auto admission = pool.submit(client, std::move(job), client.starts_with("user:"));
    if (admission == HeavyPool::Admission::kAccepted) return;
    const int after = pool.retry_after_seconds();
    const auto& o = pool.options();
    Response p;
    if (admission == HeavyPool::Admission::kClientLimit) {
      p = problem(kTooManyRequests,
                  "this client already has " + std::to_string(o.per_client) +
                      " expensive requests (status, as-of status, OGC item pages) queued or "
                      "running, the limit per client (" + std::to_string(o.per_client) +
                      "); retry after " + std::to_string(after) + " s",
                  instance, id);
    } else if (admission == HeavyPool::Admission::kFull) {
      p = problem(kUnavailable,
                  "the server has " + std::to_string(o.max_pending) +
                      " expensive requests (status, as-of status, OGC item pages) queued or "
                      "running, its limit; retry after " + std::to_string(after) + " s",
                  instance, id);
    } else {
      p = problem(kUnavailable, "the server is stopping", instance, id);
    }
    p.headers.emplace_back("Retry-After", std::to_string(after));
    send(std::move(p), id, keep, head, version);
  }

  void error_reply(ProblemKind kind, const std::string& detail) {
    const std::string id = srv_.next_request_id();
    send(problem(kind, detail, "", id), id, false, false, 11);
  }

  template <class Res>
  static void set_headers(Res& res, const Response& out, const std::string& request_id,
                          bool keep_alive, unsigned version) {
    res.version(version);
    res.result(static_cast<unsigned>(out.status));
    res.set(bhttp::field::server, "reclaim");
    res.set("X-Request-Id", request_id);
    for (const auto& [k, v] : standard_headers())
      res.set(beast::string_view(k.data(), k.size()), beast::string_view(v.data(), v.size()));
    if (out.status != 304 && out.status != 204)
      res.set(bhttp::field::content_type, out.content_type);
    for (const auto& [k, v] : out.headers) {
      if (k == "Set-Cookie") {
        res.insert(k, v);  // several cookies: one header each (never folded)
      } else {
        res.set(k, v);
      }
    }
    res.keep_alive(keep_alive);
  }

  void send(Response out, const std::string& request_id, bool keep_alive, bool head,
            unsigned version) {
    if (out.shared_body && !head && out.status != 304 && out.status != 204) {
      // a cached body: written straight from the shared bytes, no copy
      held_ = std::move(out.shared_body);
      sres_.emplace();
      set_headers(*sres_, out, request_id, keep_alive, version);
      sres_->body() = bhttp::span_body<const char>::value_type(held_->data(), held_->size());
      sres_->prepare_payload();
      close_after_ = !keep_alive;
      stream_.expires_after(srv_.opt.read_timeout);
      bhttp::async_write(stream_, *sres_,
                         beast::bind_front_handler(&Session::on_write, shared_from_this()));
      return;
    }
    res_.emplace();
    auto& res = *res_;
    set_headers(res, out, request_id, keep_alive, version);
    const size_t n = out.shared_body ? out.shared_body->size() : out.body.size();
    if (out.status == 304 || out.status == 204) {
      res.body().clear();
    } else if (head) {
      res.body().clear();
      res.content_length(n);
    } else {
      res.body() = std::move(out.body);
      res.prepare_payload();
    }
    close_after_ = !keep_alive;
    stream_.expires_after(srv_.opt.read_timeout);
    if (head && out.status != 304 && out.status != 204) {
      // a HEAD response carries the GET length but no body: write the header only
      sr_.emplace(res);
      bhttp::async_write_header(stream_, *sr_,
                                beast::bind_front_handler(&Session::on_write, shared_from_this()));
      return;
    }
    bhttp::async_write(stream_, res,
                       beast::bind_front_handler(&Session::on_write, shared_from_this()));
  }

  void on_write(beast::error_code ec, std::size_t) {
    sr_.reset();
    res_.reset();
    sres_.reset();
    held_.reset();
    if (ec || close_after_) return close();
    do_read();
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream_.socket().close(ec);
  }

  beast::tcp_stream stream_;
  Impl& srv_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::string_body>> res_;
  std::optional<bhttp::response_serializer<bhttp::string_body>> sr_;
  std::optional<bhttp::response<bhttp::span_body<const char>>> sres_;  ///< a cached body
  std::shared_ptr<const std::string> held_;  ///< keeps sres_'s bytes alive until written
  bool reading_ = false;
  bool closing_ = false;
  bool close_after_ = false;
};

void Server::Impl::do_accept() {
  acceptor.async_accept(net::make_strand(ioc),
                        beast::bind_front_handler(&Impl::on_accept, this));
}

void Server::Impl::on_accept(beast::error_code ec, tcp::socket socket) {
  if (stopping || !acceptor.is_open()) return;
  if (!ec) std::make_shared<Session>(std::move(socket), *this)->start();
  do_accept();
}

void Server::Impl::stop() {
  if (stopping.exchange(true)) return;
  net::post(acceptor.get_executor(), [this] {
    beast::error_code ec;
    acceptor.close(ec);
    signals.cancel(ec);
  });
  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard<std::mutex> lock(mu);
    for (Session* s : sessions) {
      auto p = s->weak_from_this().lock();
      if (p) live.push_back(std::move(p));
    }
  }
  for (auto& s : live) s->shutdown();
}

Server::Server(ServerOptions options, ApplicationFactory factory,
               std::shared_ptr<auth::PrincipalResolver> resolver)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(factory), std::move(resolver))) {}

Server::~Server() {
  stop();
  wait();
}

Result<void> Server::start() {
  Impl& s = *impl_;
  auto proxies = TrustedProxies::parse(s.opt.trusted_proxies);
  if (!proxies) return fail(proxies.error());
  s.proxies = std::move(*proxies);
  if (!s.opt.router.public_url.empty()) {
    auto u = parse_public_url(s.opt.router.public_url);
    if (!u) return fail(u.error());
    s.opt.router.public_url = std::move(*u);
  }
  const int n = std::max(1, s.opt.threads);
  for (int i = 0; i < n; ++i) {
    auto svc = s.factory();
    if (!svc) return fail(svc.error());
    s.apps.push_back(std::move(*svc));
  }
  std::vector<std::unique_ptr<app::Application>> heavy;
  for (int i = 0; i < s.opt.heavy.workers; ++i) {
    auto svc = s.factory();
    if (!svc) return fail(svc.error());
    heavy.push_back(std::move(*svc));
  }
  beast::error_code ec;
  const auto addr = net::ip::make_address(s.opt.host, ec);
  if (ec) return fail(ErrorCode::kInvalidArgument, "not an IP address: '" + s.opt.host + "'");
  const tcp::endpoint ep(addr, s.opt.port);
  s.acceptor.open(ep.protocol(), ec);
  if (!ec) s.acceptor.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) s.acceptor.bind(ep, ec);
  if (!ec) s.acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec)
    return fail(ErrorCode::kIo, "cannot listen on " + s.opt.host + ":" +
                                    std::to_string(s.opt.port) + ": " + ec.message());
  s.bound_port = s.acceptor.local_endpoint().port();
  RouterOptions ro = s.opt.router;
  if (ro.public_url.empty())
    ro.public_url = "http://" + (addr.is_v6() ? "[" + addr.to_string() + "]" : addr.to_string()) +
                    ":" + std::to_string(s.bound_port);
  s.router = std::make_unique<Router>(std::move(ro), s.resolver);
  if (!heavy.empty()) {
    s.pool = std::make_unique<HeavyPool>(s.opt.heavy);
    s.pool->start(std::move(heavy));
  }
  if (s.opt.handle_signals) {
    s.signals.add(SIGINT);
    s.signals.add(SIGTERM);
    s.signals.async_wait([&s](beast::error_code e, int) {
      if (!e) s.stop();
    });
  }
  s.do_accept();
  for (int i = 0; i < n; ++i) {
    app::Application* svc = s.apps[static_cast<size_t>(i)].get();
    s.threads.emplace_back([&s, svc] {
      t_app = svc;
      for (;;) {
        try {
          s.ioc.run();
          break;
        } catch (const std::exception&) {
          // a handler threw past the router's catch-all: keep serving
        }
      }
      t_app = nullptr;
    });
  }
  return {};
}

uint16_t Server::port() const noexcept { return impl_->bound_port; }

void Server::stop() { impl_->stop(); }

void Server::wait() {
  // The I/O threads return once every accepted connection is closed; a request in the pool keeps
  // them running (work guard) until its answer is written.
  for (auto& t : impl_->threads)
    if (t.joinable()) t.join();
  impl_->threads.clear();
  if (impl_->pool) impl_->pool->stop();
}

}  // namespace reclaim::http
