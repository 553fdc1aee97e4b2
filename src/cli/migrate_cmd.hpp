#pragma once
// `reclaim migrate --from A --to B`: its own subcommand file; main.cpp only registers it.
#include <functional>
#include <optional>

#include <CLI/CLI.hpp>

namespace reclaim::cli {

/// Adds the `migrate` subcommand to `app`. The returned function runs it after parsing when it
/// was chosen (returning the exit code) and returns nullopt otherwise. It ignores --db: it opens
/// the two databases it names.
std::function<std::optional<int>()> register_migrate_command(CLI::App& app);

}  // namespace reclaim::cli
