#pragma once
// `reclaim key rotate [--key-file PATH]`: writes a new session signing key (auth/session_key.hpp)
// atomically; running servers pick it up within a second and every old session ends.
// The key file of a GeoPackage defaults to `<db>.key`; PostgreSQL needs --key-file or
// RECLAIM_KEY_FILE.
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace reclaim::cli {

/// The key file path given by --key-file, else RECLAIM_KEY_FILE, else "" (the default then
/// depends on the database: auth::key_file_path).
std::string configured_key_file(const std::string& option);

/// Adds the `key` subcommand to `app`; `db` is the global --db (read after parsing). The
/// returned function runs it when it was chosen (returning the exit code), else nullopt.
std::function<std::optional<int>()> register_key_command(CLI::App& app, const std::string& db);

}  // namespace reclaim::cli
