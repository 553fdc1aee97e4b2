// PgStore: the connection, its statements and pipelines, and open(). The other concerns are in
// the files pg_impl.hpp lists.
#include <optional>

#include "core/entities.hpp"
#include "storage/postgres/pg_impl.hpp"
#include "storage/sql/sql_text.hpp"

namespace reclaim::storage {

using pg::Params;
using pg::ResPtr;
using pg::one_line;
using pg::sqlstate_of;

namespace {

constexpr std::string_view kRolledBack = "; the transaction was rolled back, nothing was written";

void ignore_notice(void*, const char*) {}

}  // namespace

Result<void> PgStore::Impl::begin_transaction() {
  // reclaim.writer: Reclaim's own writes are not direct edits (migration 5's triggers).
  return exec("BEGIN; SET LOCAL reclaim.writer = 'on'", shown + ": cannot start a transaction");
}

Result<void> PgStore::Impl::commit_transaction() {
  committing = true;
  auto r = exec("COMMIT", shown + ": cannot commit");  // failed: the server rolled back
  committing = false;
  return r;
}

void PgStore::Impl::rollback_transaction() noexcept {
  if (PQstatus(conn.get()) == CONNECTION_OK) ResPtr(PQexec(conn.get(), "ROLLBACK"));
}

Error PgStore::Impl::error(const PGresult* r, std::string_view what) {
  last_sqlstate = sqlstate_of(r);
  const std::string_view st = last_sqlstate;
  last_lost = PQstatus(conn.get()) != CONNECTION_OK || st.starts_with("08") || st == "57P01" ||
              st == "57P02" || st == "57P03";
  last_cancelled = st == "57014";
  std::string detail = r != nullptr ? PQresultErrorMessage(r) : "";
  if (detail.empty()) detail = PQerrorMessage(conn.get());
  if (detail.empty()) detail = "unknown libpq error";
  ErrorCode code = ErrorCode::kIo;
  std::string msg = std::string(what) + ": " + one_line(detail);
  if (!last_lost && (st.starts_with("22") || st.starts_with("23"))) {
    code = ErrorCode::kInvalidArgument;  // bad data or a constraint (23505 handled by callers)
  } else if (st == "40001" || st == "40P01") {
    code = ErrorCode::kConflict;
    msg += ": reload and try again";
  }
  if (st == "25006")  // read_only_sql_transaction: a hot standby, or default_transaction_read_only
    msg += " (this server is read-only, e.g. a streaming replica: send writes to the primary "
           "with --db; a replica belongs in --db-read)";
  return Error{code, std::move(msg)};
}

Result<ResPtr> PgStore::Impl::check(ResPtr r, std::string_view what) {
  if (r) {
    const auto st = PQresultStatus(r.get());
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) return r;
  }
  return fail(error(r.get(), what));
}

Result<void> PgStore::Impl::ensure_connected() {
  if (PQstatus(conn.get()) == CONNECTION_OK) return {};
  PQreset(conn.get());
  prepared.clear();
  if (PQstatus(conn.get()) != CONNECTION_OK)
    return fail(ErrorCode::kIo, "lost the connection to " + shown + " and cannot reconnect: " +
                                    one_line(PQerrorMessage(conn.get())));
  return {};
}

Result<void> PgStore::Impl::exec(const std::string& sql, std::string_view what) {
  auto r = check(ResPtr(PQexec(conn.get(), sql.c_str())), what);
  if (!r) return fail(r.error());
  return {};
}

Result<ResPtr> PgStore::Impl::query(const std::string& sql, Params& p, std::string_view what) {
  p.resolve();
  return check(ResPtr(PQexecParams(conn.get(), sql.c_str(), p.size(), nullptr, p.values(),
                                   p.lengths(), p.formats(), 1)),
               what);
}

Result<const std::string*> PgStore::Impl::prepared_name(const std::string& sql) {
  if (auto it = prepared.find(sql); it != prepared.end()) return &it->second;
  const std::string name = "reclaim_" + std::to_string(prepared.size() + 1);
  auto r = check(ResPtr(PQprepare(conn.get(), name.c_str(), sql.c_str(), 0, nullptr)),
                 shown + ": cannot prepare " + sql.substr(0, 60));
  if (!r) return fail(r.error());
  return &prepared.emplace(sql, name).first->second;
}

Result<ResPtr> PgStore::Impl::run(const std::string& sql, Params& p, std::string_view what) {
  auto name = prepared_name(sql);
  if (!name) return fail(name.error());
  p.resolve();
  return check(ResPtr(PQexecPrepared(conn.get(), (*name)->c_str(), p.size(), p.values(),
                                     p.lengths(), p.formats(), 1)),
               what);
}

Result<void> PgStore::Impl::run_batch(std::vector<Queued>& batch) {
  if (batch.empty()) return {};
  std::vector<const std::string*> names;
  names.reserve(batch.size());
  for (const Queued& item : batch) {
    auto name = prepared_name(*item.sql);
    if (!name) return fail(name.error());
    names.push_back(*name);
  }
  // The error of a failed statement: a unique violation is kAlreadyExists when it has a message.
  auto explain = [&](const Queued& item, const PGresult* r) -> Error {
    Error e = error(r, item.what);
    if (last_sqlstate == "23505" && !item.duplicate.empty())
      return Error{ErrorCode::kAlreadyExists, item.what + ": " + item.duplicate};
    return e;
  };
  PGconn* c = conn.get();
  if (PQenterPipelineMode(c) != 1) return fail(error(nullptr, shown + ": cannot pipeline"));
  std::optional<Error> first;
  size_t sent = 0;
  for (Queued& item : batch) {
    item.params.resolve();
    if (PQsendQueryPrepared(c, names[sent]->c_str(), item.params.size(), item.params.values(),
                            item.params.lengths(), item.params.formats(), 1) != 1) {
      first = explain(item, nullptr);
      break;
    }
    ++sent;
  }
  const bool synced = PQpipelineSync(c) == 1;
  if (!synced && !first) first = error(nullptr, shown + ": cannot send the statements");
  size_t index = 0;
  size_t results = 0;
  while (synced && PQstatus(c) == CONNECTION_OK && results <= 3 * sent + 8) {
    ResPtr r(PQgetResult(c));
    ++results;
    if (!r) {  // the end of one statement's results
      ++index;
      continue;
    }
    const auto st = PQresultStatus(r.get());
    if (st == PGRES_PIPELINE_SYNC) break;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_PIPELINE_ABORTED) continue;
    if (!first) first = explain(batch[std::min(index, batch.size() - 1)], r.get());
  }
  if (PQstatus(c) != CONNECTION_OK && !first)
    first = explain(batch[std::min(index, batch.size() - 1)], nullptr);
  PQexitPipelineMode(c);
  batch.clear();
  if (first) return fail(std::move(*first));
  return {};
}

Result<void> PgStore::Impl::Batch::add(Queued item) {
  items_.push_back(std::move(item));
  if (items_.size() < kPgBatch) return {};
  return flush();
}

Result<void> PgStore::Impl::Batch::flush() {
  auto r = db_.run_batch(items_);
  records.clear();
  history.clear();
  return r;
}

Result<PgTable*> PgStore::Impl::table(const core::EntitySchema& s) {
  if (auto it = tables.find(s.name); it != tables.end()) return &it->second;
  auto found = sql::builtin_schema(s);
  if (!found) return fail(found.error());
  const core::EntitySchema* builtin = *found;
  PgTable t;
  t.sql = sql::make_table_sql(*builtin, pg::kDialect);
  const std::string id = sql::q(builtin->id_field().name);
  const std::string limit = " ORDER BY " + id + " LIMIT " + std::to_string(kPgScanPage);
  t.lock = t.sql.by_id + " FOR UPDATE";
  t.first_page = t.sql.select + limit;
  t.next_page = t.sql.select + " WHERE " + id + " > $1" + limit;
  t.exists = "SELECT " + id + " FROM " + sql::q(builtin->name) + " WHERE " + id +
             " = ANY($1::text[])";
  return &tables.emplace(s.name, std::move(t)).first->second;
}

Result<void> PgStore::Impl::explain_write(Result<void> r, std::string_view during,
                                          std::string_view while_committing) {
  if (r) return r;
  const Error& e = r.error();
  if (last_lost)
    return fail(ErrorCode::kIo,
                shown + ": the connection to the server was lost " +
                    std::string(committing ? while_committing : during) + " (" + e.message + ")");
  if (last_cancelled) return fail(ErrorCode::kIo, e.message + std::string(kRolledBack));
  return r;
}

PgStore::PgStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgStore::~PgStore() = default;
const std::string& PgStore::display_url() const noexcept { return impl_->shown; }

std::string mask_password(std::string_view url) {
  std::string out(url);
  if (out.starts_with("postgresql://") || out.starts_with("postgres://")) {
    const size_t start = out.find("://") + 3;
    size_t end = out.find_first_of("/?#", start);
    if (end == std::string::npos) end = out.size();
    const size_t at = out.rfind('@', end);
    if (at != std::string::npos && at >= start) {
      const size_t colon = out.find(':', start);
      if (colon != std::string::npos && colon < at) out.replace(colon + 1, at - colon - 1, "***");
    }
  }
  // password=... in URL parameters or a key=value connection string
  size_t pos = 0;
  while ((pos = out.find("password", pos)) != std::string::npos) {
    size_t p = pos + 8;
    const bool starts_key = pos == 0 || out[pos - 1] == '?' || out[pos - 1] == '&' ||
                            out[pos - 1] == ' ' || out[pos - 1] == '\t';
    while (p < out.size() && out[p] == ' ') ++p;
    if (!starts_key || p >= out.size() || out[p] != '=') {
      pos = p;
      continue;
    }
    ++p;
    while (p < out.size() && out[p] == ' ') ++p;
    size_t vend = p;
    if (vend < out.size() && out[vend] == '\'') {
      ++vend;
      while (vend < out.size() && out[vend] != '\'') vend += out[vend] == '\\' ? 2 : 1;
      vend = std::min(vend + 1, out.size());
    } else {
      vend = out.find_first_of(" &#", p);
      if (vend == std::string::npos) vend = out.size();
    }
    out.replace(p, vend - p, "***");
    pos = p + 3;
  }
  return out;
}

// ------------------------------------------------------------------------------------------

Result<std::unique_ptr<PgStore>> PgStore::open(const std::string& url) {
  if (url.empty()) return fail(ErrorCode::kIo, "no database URL given");
  auto impl = std::make_unique<Impl>();
  impl->url = url;
  impl->shown = mask_password(url);
  // Later entries override earlier ones: the URL may set its own connect_timeout, but the
  // client encoding is always UTF-8 (Khmer text).
  const char* const keys[] = {"connect_timeout", "dbname", "fallback_application_name",
                              "client_encoding", nullptr};
  const char* const values[] = {"10", url.c_str(), "reclaim", "UTF8", nullptr};
  impl->conn.reset(PQconnectdbParams(keys, values, 1));
  if (!impl->conn) return fail(ErrorCode::kIo, "cannot connect to " + impl->shown + ": no memory");
  if (PQstatus(impl->conn.get()) != CONNECTION_OK)
    return fail(ErrorCode::kIo, "cannot connect to " + impl->shown + ": " +
                                    one_line(PQerrorMessage(impl->conn.get())));
  PQsetNoticeProcessor(impl->conn.get(), ignore_notice, nullptr);
  return std::unique_ptr<PgStore>(new PgStore(std::move(impl)));
}

}  // namespace reclaim::storage
