// PostgreSQL backup and restore with Debian's pg_dump / pg_restore, run as child processes
// through posix_spawnp (no shell). The connection string they get has no password: a password
// from the URL goes into their environment as PGPASSWORD, so `ps` never shows it.
#include "storage/postgres/pg_backup.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "storage/postgres/pg_store.hpp"
#include "storage/postgres/pg_wire.hpp"

extern char** environ;

namespace reclaim::storage::pg {
namespace {

constexpr size_t kMaxStderrBytes = 64 * 1024;

/// A connection string for the tools without the password, and the password apart.
struct ToolConnection {
  std::string conninfo;  ///< key='value' pairs, no password
  std::string password;  ///< "" when the URL has none (then ~/.pgpass or PGPASSWORD apply)
  std::string shown;     ///< for messages: the URL with its password masked
};

Result<ToolConnection> tool_connection(const std::string& url) {
  ToolConnection out;
  out.shown = mask_password(url);
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = err != nullptr ? err : "out of memory";
    PQfreemem(err);
    return fail(ErrorCode::kInvalidArgument, "cannot read the database URL " + out.shown + ": " +
                                                 msg);
  }
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string key = o->keyword, val = o->val;
    if (key == "password") {
      out.password = val;
      continue;
    }
    std::string quoted = "'";
    for (char c : val) {
      if (c == '\'' || c == '\\') quoted += '\\';
      quoted += c;
    }
    out.conninfo += (out.conninfo.empty() ? "" : " ") + key + "=" + quoted + "'";
  }
  PQconninfoFree(opts);
  return out;
}

std::string first_lines(const std::string& text, size_t n) {
  std::string out;
  size_t start = 0, lines = 0;
  while (start < text.size() && lines < n) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      out += (out.empty() ? "" : "; ") + text.substr(start, end - start);
      ++lines;
    }
    start = end + 1;
  }
  return out;
}

struct Fd {
  int fd = -1;
  Fd() = default;
  explicit Fd(int f) : fd(f) {}
  Fd(Fd&& o) noexcept : fd(o.fd) { o.fd = -1; }
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }
  void reset() {
    if (fd >= 0) ::close(fd);
    fd = -1;
  }
};

struct ProcessResult {
  int status = -1;     ///< exit status (128 + signal when killed)
  std::string errors;  ///< its stderr (at most kMaxStderrBytes)
};

/// Runs `argv` (found on PATH) with `password` as PGPASSWORD, stdin from /dev/null, stdout to
/// `out` (or /dev/null), and collects stderr. Stops the child if `out` fails.
Result<ProcessResult> run_tool(const std::vector<std::string>& argv, const std::string& password,
                               const ByteSink* out) {
  std::vector<std::string> env_text;
  for (char** e = environ; *e != nullptr; ++e)
    if (!std::string_view(*e).starts_with("PGPASSWORD=")) env_text.emplace_back(*e);
  if (!password.empty()) env_text.push_back("PGPASSWORD=" + password);
  std::vector<char*> envp, args;
  for (auto& e : env_text) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
  if (::pipe2(err_pipe, O_CLOEXEC) != 0 || (out != nullptr && ::pipe2(out_pipe, O_CLOEXEC) != 0))
    return fail(ErrorCode::kIo, std::string("cannot create a pipe: ") + std::strerror(errno));
  Fd err_r(err_pipe[0]), err_w(err_pipe[1]), out_r(out_pipe[0]), out_w(out_pipe[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  if (out != nullptr)
    posix_spawn_file_actions_adddup2(&actions, out_w.fd, 1);
  else
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, err_w.fd, 2);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0)
    return fail(ErrorCode::kIo, "cannot run " + argv[0] + ": " + std::strerror(rc) +
                                    " (install postgresql-client-15)");
  err_w.reset();
  out_w.reset();

  ProcessResult result;
  Error sink_error;
  bool sink_failed = false;
  std::vector<char> buf(1 << 16);
  while (err_r.fd >= 0 || out_r.fd >= 0) {
    pollfd fds[2];
    nfds_t n = 0;
    if (out_r.fd >= 0) fds[n++] = {out_r.fd, POLLIN, 0};
    if (err_r.fd >= 0) fds[n++] = {err_r.fd, POLLIN, 0};
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
      const ssize_t got = ::read(fds[i].fd, buf.data(), buf.size());
      if (got < 0 && errno == EINTR) continue;
      const bool is_out = fds[i].fd == out_r.fd;
      if (got <= 0) {
        (is_out ? out_r : err_r).reset();
        continue;
      }
      const std::string_view chunk(buf.data(), static_cast<size_t>(got));
      if (!is_out) {
        if (result.errors.size() < kMaxStderrBytes) result.errors.append(chunk);
      } else if (!sink_failed) {
        if (auto r = (*out)(chunk); !r) {
          sink_failed = true;
          sink_error = r.error();
          ::kill(pid, SIGTERM);
          out_r.reset();
        }
      }
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  if (sink_failed) return fail(std::move(sink_error));
  return result;
}

/// A libpq connection (the URL as given, password included: libpq keeps it in memory only).
Result<ConnPtr> connect(const std::string& url, const std::string& shown) {
  const char* const keys[] = {"connect_timeout", "dbname", "fallback_application_name",
                              "client_encoding", nullptr};
  const char* const values[] = {"10", url.c_str(), "reclaim-backup", "UTF8", nullptr};
  ConnPtr conn(PQconnectdbParams(keys, values, 1));
  if (!conn) return fail(ErrorCode::kIo, "cannot connect to " + shown + ": no memory");
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    const std::string msg = first_lines(PQerrorMessage(conn.get()), 2);
    const ErrorCode code =
        msg.find("does not exist") != std::string::npos && msg.find("database") != std::string::npos
            ? ErrorCode::kNotFound
            : ErrorCode::kIo;
    return fail(code, "cannot connect to " + shown + ": " + msg +
                          (code == ErrorCode::kNotFound
                               ? " (create it first: CREATE DATABASE …)"
                               : ""));
  }
  return conn;
}

/// Runs `sql` and returns its result rows (text), or an error naming `what`.
Result<std::vector<std::vector<std::string>>> rows(PGconn* c, const std::string& sql,
                                                   const std::string& what) {
  ResPtr r(PQexec(c, sql.c_str()));
  const auto st = PQresultStatus(r.get());
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
    return fail(ErrorCode::kIo, what + ": " + first_lines(PQresultErrorMessage(r.get()), 2));
  std::vector<std::vector<std::string>> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    auto& row = out.emplace_back();
    for (int j = 0; j < PQnfields(r.get()); ++j) row.emplace_back(PQgetvalue(r.get(), i, j));
  }
  return out;
}

/// THE place where a restored PostgreSQL database loses its live sessions: deletes every row
/// of a `sessions` table on the search path, if there is one.
Result<void> delete_session_rows(PGconn* c, const std::string& shown) {
  return rows(c,
              "DO $$ BEGIN IF to_regclass('sessions') IS NOT NULL THEN "
              "EXECUTE 'DELETE FROM sessions'; END IF; END $$",
              shown + ": cannot end the live sessions")
      .map([](auto&&) {});
}

}  // namespace

Result<void> backup(const std::string& url, const ByteSink& sink) {
  auto tc = tool_connection(url);
  if (!tc) return fail(tc.error());
  {
    auto conn = connect(url, tc->shown);
    if (!conn) return fail(conn.error());
    auto ours = rows(conn->get(), "SELECT to_regclass('reclaim_migrations') IS NOT NULL",
                     tc->shown);
    if (!ours) return fail(ours.error());
    if (ours->empty() || (*ours)[0][0] != "t")
      return fail(ErrorCode::kUnsupported,
                  tc->shown + " is not a Reclaim database (no reclaim_migrations)");
  }
  bool first = true;
  ByteSink checked = [&](std::string_view bytes) -> Result<void> {
    if (first && !bytes.starts_with("PGDMP"))
      return fail(ErrorCode::kIo, "pg_dump did not write a custom-format archive");
    first = false;
    return sink(bytes);
  };
  // One snapshot (pg_dump's repeatable-read transaction) while the server keeps writing; the
  // session rows stay out of the archive.
  auto run = run_tool({"pg_dump", "--format=custom", "--no-password",
                       "--exclude-table-data=sessions", "--dbname=" + tc->conninfo},
                      tc->password, &checked);
  if (!run) return fail(run.error());
  if (run->status != 0 || first)
    return fail(ErrorCode::kIo, "pg_dump of " + tc->shown + " failed (exit " +
                                    std::to_string(run->status) + "): " +
                                    first_lines(run->errors, 3));
  return {};
}

Result<void> restore(const std::string& backup_file, const std::string& url,
                     const RestoreOptions& options) {
  auto tc = tool_connection(url);
  if (!tc) return fail(tc.error());
  // 1. The archive: pg_restore can read its table of contents, and it is a Reclaim database.
  std::string toc;
  ByteSink keep = [&](std::string_view b) -> Result<void> {
    toc.append(b);
    return {};
  };
  auto listed = run_tool({"pg_restore", "--list", backup_file}, "", &keep);
  if (!listed) return fail(listed.error());
  if (listed->status != 0)
    return fail(ErrorCode::kInvalidArgument, "the backup " + backup_file +
                                                 " is damaged (pg_restore --list: " +
                                                 first_lines(listed->errors, 2) + ")");
  if (toc.find(" TABLE public reclaim_migrations ") == std::string::npos)
    return fail(ErrorCode::kInvalidArgument,
                "the backup " + backup_file + " is not a Reclaim database (no reclaim_migrations)");
  // Every byte of it readable (a truncated archive has a whole table of contents): pg_restore
  // writes the complete SQL script, to nowhere.
  auto read_all = run_tool({"pg_restore", "--file=/dev/null", backup_file}, "", nullptr);
  if (!read_all) return fail(read_all.error());
  if (read_all->status != 0)
    return fail(ErrorCode::kInvalidArgument, "the backup " + backup_file +
                                                 " is damaged or truncated (pg_restore: " +
                                                 first_lines(read_all->errors, 2) + ")");

  // 2. The target: exists, nobody else connected, empty unless --force.
  {
    auto conn = connect(url, tc->shown);
    if (!conn) return fail(conn.error());
    auto others = rows(conn->get(),
                       "SELECT COUNT(*), COALESCE(string_agg(DISTINCT COALESCE(NULLIF("
                       "application_name, ''), 'unnamed') || ' from ' || COALESCE(host(client_addr),"
                       " 'local socket'), ', '), '') FROM pg_stat_activity WHERE datname = "
                       "current_database() AND pid <> pg_backend_pid() AND backend_type = "
                       "'client backend'",
                       tc->shown);
    if (!others) return fail(others.error());
    if ((*others)[0][0] != "0")
      return fail(ErrorCode::kFailedPrecondition,
                  tc->shown + " is in use by " + (*others)[0][0] + " other connection(s) (" +
                      (*others)[0][1] +
                      "): stop the servers using it, then restore; nothing was written");
    if (!options.force) {
      // Tables with rows, leaving out extension tables (PostGIS's spatial_ref_sys) and the
      // schema bookkeeping.
      auto tables = rows(conn->get(),
                         "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM "
                         "pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE "
                         "c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
                         "'information_schema') AND n.nspname NOT LIKE 'pg_toast%' AND "
                         "c.relname NOT IN ('reclaim_migrations', 'reclaim_meta') AND NOT EXISTS "
                         "(SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND "
                         "d.objid = c.oid AND d.deptype = 'e') ORDER BY 1",
                         tc->shown);
      if (!tables) return fail(tables.error());
      std::string held;
      for (const auto& t : *tables) {
        auto n = rows(conn->get(), "SELECT COUNT(*) FROM " + t[0], tc->shown);
        if (!n) return fail(n.error());
        if ((*n)[0][0] == "0") continue;
        held += (held.empty() ? "" : ", ") + t[0] + " (" + (*n)[0][0] + " rows)";
      }
      if (!held.empty())
        return fail(ErrorCode::kFailedPrecondition,
                    tc->shown + " is not empty: it holds " + held +
                        ". Nothing was written; `restore --force` replaces it");
    }
  }

  // 3. All or nothing: one transaction, the archive's objects dropped first if present.
  auto run = run_tool({"pg_restore", "--single-transaction", "--exit-on-error", "--clean",
                       "--if-exists", "--no-owner", "--no-acl", "--no-password",
                       "--dbname=" + tc->conninfo, backup_file},
                      tc->password, nullptr);
  if (!run) return fail(run.error());
  if (run->status != 0)
    return fail(ErrorCode::kIo, "pg_restore into " + tc->shown + " failed (exit " +
                                    std::to_string(run->status) +
                                    "; the transaction was rolled back, nothing was written): " +
                                    first_lines(run->errors, 3));
  return clear_live_sessions(url);
}

Result<void> clear_live_sessions(const std::string& url) {
  const std::string shown = mask_password(url);
  auto conn = connect(url, shown);
  if (!conn) return fail(conn.error());
  return delete_session_rows(conn->get(), shown);
}

}  // namespace reclaim::storage::pg
