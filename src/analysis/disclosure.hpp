#pragma once
// Disclosure control: the one suppression rule of every public output (the status API and page,
// and any public table added later). Counts of people below the threshold are hidden (primary
// suppression), then further cells are hidden (complementary suppression) until no hidden cell
// can be worked out, exactly or nearly, from what is published in the same release: rows,
// columns, totals, per year, per province, national against provinces.
//
// The audit is the standard one (Cox; Fischetti & Salazar): a table with its margins is a set of
// non-negative integer cells and additive relations (total = Σ parts) that a reader knows. For
// each hidden cell the reader's tightest bounds [lo, hi] are the minimum and the maximum of that
// cell over every table that agrees with the published cells — a small linear programme per table
// (COIN-OR Clp), rounded inward to integers. A hidden cell is protected when hi − lo > kThreshold.
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "common/error.hpp"

namespace reclaim::analysis::disclosure {

/// Counts 1 … kThreshold−1 are hidden; 0 and kThreshold or more are published (unless hidden as a
/// complement). The same number is the protection a hidden cell needs: hi − lo > kThreshold.
inline constexpr int64_t kThreshold = 5;

/// Primary suppression: does a published count of `n` people identify them?
constexpr bool below_threshold(int64_t n) noexcept { return n > 0 && n < kThreshold; }

/// The cells of one release that a reader can relate to each other, and those relations. Every
/// cell is a non-negative integer count; every relation says cells[total] = Σ cells[parts].
/// Independent tables (nothing links them) may share one Table or be given separately.
class Table {
 public:
  struct Sum {
    size_t total = 0;
    std::vector<size_t> parts;
  };

  /// Adds a cell and returns its index. A negative count is a bug of the caller (throws).
  size_t add_cell(int64_t count);
  /// Adds the relation cells[total] = Σ cells[parts]. Indices must exist; the counts must add up
  /// (a table that contradicts itself is a bug of the caller: throws std::invalid_argument).
  void add_sum(size_t total, std::vector<size_t> parts);

  [[nodiscard]] size_t size() const noexcept { return counts_.size(); }
  [[nodiscard]] int64_t count(size_t cell) const { return counts_.at(cell); }
  [[nodiscard]] const std::vector<int64_t>& counts() const noexcept { return counts_; }
  [[nodiscard]] const std::vector<Sum>& sums() const noexcept { return sums_; }

 private:
  std::vector<int64_t> counts_;
  std::vector<Sum> sums_;
};

/// What a reader can work out about one hidden cell. `hi` is +infinity when nothing bounds it.
struct Interval {
  double lo = 0;
  double hi = std::numeric_limits<double>::infinity();
  [[nodiscard]] double width() const noexcept { return hi - lo; }
  /// The rule's test: the reader cannot narrow the cell to kThreshold + 1 values or fewer.
  [[nodiscard]] bool protects() const noexcept { return width() > static_cast<double>(kThreshold); }
};

/// The audit. For each cell with hidden[i] true, the tightest integer bounds a reader can compute
/// from the published cells (hidden[i] false), every relation of `t`, and non-negativity (LP
/// minimum rounded up, maximum rounded down); a published cell v gets {v, v}.
/// Errors: kInvalidArgument if hidden has the wrong size; kInternal if the LP solver fails.
Result<std::vector<Interval>> audit(const Table& t, const std::vector<bool>& hidden);

/// The rule. Returns which cells to hide: every cell below_threshold, then the complements the
/// audit needs, chosen cheaply (a Fischetti–Salazar style LP per unprotected cell: the hidden
/// cells it needs, weighted by their counts, so small cells and leaves go before large totals).
/// A table with no count below the threshold comes back with nothing hidden. Never fails: if the
/// solver does, every cell linked to the unprotected one is hidden (fail safe).
std::vector<bool> protect(const Table& t);

}  // namespace reclaim::analysis::disclosure
