#pragma once
// `reclaim backup --to FILE` and `reclaim restore --from FILE`: their own subcommand file;
// main.cpp only registers them. The key or passphrase comes from a file (--key-file,
// --passphrase-file) or the environment (RECLAIM_BACKUP_PASSPHRASE), never from argv.
#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace reclaim::cli {

/// Adds the `backup` and `restore` subcommands to `app`. The returned function runs the one
/// chosen after parsing (returning the exit code) and returns nullopt otherwise. Both use the
/// database named by `db` (the global --db, read when the function runs): backup reads it,
/// restore replaces it; neither opens it as a store (restore's target may not exist yet).
std::function<std::optional<int>()> register_backup_commands(CLI::App& app, const std::string& db);

}  // namespace reclaim::cli
