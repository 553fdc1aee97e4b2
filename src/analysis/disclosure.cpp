// The one suppression rule (disclosure.hpp): primary suppression below the threshold, the audit
// (reader's bounds by linear programming, COIN-OR Clp) and complementary suppression.
#include "analysis/disclosure.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>

#include <coin/ClpSimplex.hpp>
#include <coin/CoinPackedMatrix.hpp>

namespace reclaim::analysis::disclosure {

size_t Table::add_cell(int64_t count) {
  if (count < 0) throw std::invalid_argument("disclosure: negative count " + std::to_string(count));
  counts_.push_back(count);
  return counts_.size() - 1;
}

void Table::add_sum(size_t total, std::vector<size_t> parts) {
  int64_t s = 0;
  for (size_t p : parts) s += counts_.at(p);
  if (counts_.at(total) != s)
    throw std::invalid_argument("disclosure: cell " + std::to_string(total) + " is " +
                                std::to_string(counts_[total]) + ", its parts add up to " +
                                std::to_string(s));
  sums_.push_back(Sum{total, std::move(parts)});
}

namespace {

constexpr double kEps = 1e-6;
constexpr double kInf = std::numeric_limits<double>::infinity();

/// The relation cells[total] − Σ cells[parts] = 0 as (cell, coefficient) pairs.
std::vector<std::pair<size_t, double>> terms(const Table::Sum& s) {
  std::vector<std::pair<size_t, double>> t;
  t.reserve(s.parts.size() + 1);
  t.emplace_back(s.total, 1.0);
  for (size_t p : s.parts) t.emplace_back(p, -1.0);
  return t;
}

/// Groups of hidden cells that share a relation (directly or through other hidden cells): the
/// reader's bounds of a cell depend on its group only, so each group is one small LP.
std::vector<std::vector<size_t>> components(const Table& t, const std::vector<bool>& hidden) {
  std::vector<size_t> parent(t.size());
  std::iota(parent.begin(), parent.end(), size_t{0});
  auto find = [&](size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  };
  for (const auto& s : t.sums()) {
    size_t first = t.size();
    for (const auto& [cell, coef] : terms(s)) {
      (void)coef;
      if (!hidden[cell]) continue;
      if (first == t.size()) {
        first = cell;
      } else {
        parent[find(cell)] = find(first);
      }
    }
  }
  std::vector<std::vector<size_t>> groups;
  std::vector<size_t> group_of(t.size(), t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    if (!hidden[i]) continue;
    const size_t r = find(i);
    if (group_of[r] == t.size()) {
      group_of[r] = groups.size();
      groups.emplace_back();
    }
    groups[group_of[r]].push_back(i);
  }
  return groups;
}

/// The reader's LP over one group of hidden cells: variables are the group's cells (≥ 0), rows
/// are the relations that touch the group, with the published cells moved to the right side.
class ReaderLp {
 public:
  ReaderLp(const Table& t, const std::vector<size_t>& group) : group_(group) {
    std::vector<int> col_of(t.size(), -1);
    for (size_t k = 0; k < group.size(); ++k) col_of[group[k]] = static_cast<int>(k);
    std::vector<int> rows, cols;
    std::vector<double> elems, rhs;
    for (const auto& s : t.sums()) {
      bool touches = false;
      double r = 0;
      for (const auto& [cell, coef] : terms(s)) {
        if (col_of[cell] >= 0) {
          touches = true;
        } else {
          r -= coef * static_cast<double>(t.count(cell));
        }
      }
      if (!touches) continue;
      const int row = static_cast<int>(rhs.size());
      for (const auto& [cell, coef] : terms(s)) {
        if (col_of[cell] < 0) continue;
        rows.push_back(row);
        cols.push_back(col_of[cell]);
        elems.push_back(coef);
      }
      rhs.push_back(r);
    }
    has_rows_ = !rhs.empty();
    seen_lo_.assign(group.size(), kInf);
    seen_hi_.assign(group.size(), -kInf);
    if (!has_rows_) return;
    const int ncols = static_cast<int>(group.size());
    CoinPackedMatrix m(true, rows.data(), cols.data(), elems.data(),
                       static_cast<CoinBigIndex>(elems.size()));
    m.setDimensions(static_cast<int>(rhs.size()), ncols);
    std::vector<double> lo(group.size(), 0.0), hi(group.size(), COIN_DBL_MAX),
        obj(group.size(), 0.0);
    lp_.setLogLevel(0);
    lp_.loadProblem(m, lo.data(), hi.data(), obj.data(), rhs.data(), rhs.data());
  }

  /// The bounds of the group's k-th cell. Errors: kInternal when the solver fails.
  Result<Interval> bounds(size_t k) {
    if (!has_rows_) return Interval{0, kInf};  // in no relation: nothing bounds it
    const int col = static_cast<int>(k);
    lp_.setObjectiveCoefficient(col, 1.0);
    Interval out;
    for (const double dir : {1.0, -1.0}) {
      lp_.setOptimizationDirection(dir);
      lp_.primal(0, solved_ ? 7 : 1);
      solved_ = true;
      if (dir < 0 && lp_.isProvenDualInfeasible()) {
        out.hi = kInf;
        seen_hi_[k] = kInf;
        continue;
      }
      if (!lp_.isProvenOptimal()) {
        lp_.setObjectiveCoefficient(col, 0.0);
        return fail(ErrorCode::kInternal, "disclosure audit: the solver stopped with status " +
                                              std::to_string(lp_.status()) + " on cell " +
                                              std::to_string(group_[k]));
      }
      const double* x = lp_.getColSolution();
      for (size_t j = 0; j < group_.size(); ++j) {  // every solution is a table the reader
        seen_lo_[j] = std::min(seen_lo_[j], x[j]);  // cannot rule out: a witness for all
        seen_hi_[j] = std::max(seen_hi_[j], x[j]);
      }
      const double v = x[col];
      if (dir > 0) {
        out.lo = std::max(0.0, std::ceil(v - kEps));
      } else {
        out.hi = std::floor(v + kEps);
      }
    }
    lp_.setObjectiveCoefficient(col, 0.0);
    return out;
  }

  /// Already known to be protected from the tables the solver has produced so far (two
  /// feasible tables, rounded inward, further apart than the threshold)? Then bounds(k) would
  /// say so too: its interval contains these.
  [[nodiscard]] bool witnessed(size_t k) const {
    if (!has_rows_) return true;
    const Interval w{std::ceil(seen_lo_[k] - kEps), std::floor(seen_hi_[k] + kEps)};
    return seen_lo_[k] <= seen_hi_[k] && w.protects();
  }

 private:
  const std::vector<size_t>& group_;
  ClpSimplex lp_;
  bool has_rows_ = false;
  bool solved_ = false;  // later solves start from the last basis and factorization
  std::vector<double> seen_lo_, seen_hi_;  // the range of each cell over the solutions so far
};

/// The complement LP for one unprotected hidden cell c (after Fischetti and Salazar): two
/// perturbations of the table, one up (y) and one down (z), each keeping every relation and
/// every cell non-negative, that move c apart by kThreshold + 1 in all. Moving a published cell
/// costs its count + 1 per unit, moving a hidden cell almost nothing; the published cells that
/// move are the complements to hide. With `down` set, c moves down by exactly that much.
struct Complement {
  std::vector<size_t> cells;     ///< the published cells to hide
  std::vector<double> up, down;  ///< the two perturbations, one entry per cell
};

/// Returns the published cells to hide and the perturbations; std::nullopt when the solver
/// fails.
std::optional<Complement> complements(const Table& t, const std::vector<bool>& hidden, size_t c,
                                      std::optional<double> down) {
  const size_t n = t.size();
  const int ucol = static_cast<int>(4 * n), lcol = ucol + 1, ncols = lcol + 1;
  auto var = [](size_t cell, int which) { return static_cast<int>(4 * cell) + which; };
  // which: 0 = y+, 1 = y−, 2 = z+, 3 = z−
  std::vector<int> rows, cols;
  std::vector<double> elems, rlo, rhi;
  auto add_row = [&](double lo, double hi) {
    rlo.push_back(lo);
    rhi.push_back(hi);
    return static_cast<int>(rlo.size()) - 1;
  };
  auto put = [&](int row, int col, double v) {
    rows.push_back(row);
    cols.push_back(col);
    elems.push_back(v);
  };
  for (const auto& s : t.sums()) {
    for (int vec = 0; vec < 2; ++vec) {  // y, then z
      const int row = add_row(0, 0);
      for (const auto& [cell, coef] : terms(s)) {
        put(row, var(cell, 2 * vec), coef);
        put(row, var(cell, 2 * vec + 1), -coef);
      }
    }
  }
  int row = add_row(0, 0);  // y_c = u
  put(row, var(c, 0), 1);
  put(row, var(c, 1), -1);
  put(row, ucol, -1);
  row = add_row(0, 0);  // z_c = −l
  put(row, var(c, 2), 1);
  put(row, var(c, 3), -1);
  put(row, lcol, 1);
  row = add_row(static_cast<double>(kThreshold + 1), COIN_DBL_MAX);  // u + l ≥ threshold + 1
  put(row, ucol, 1);
  put(row, lcol, 1);

  std::vector<double> clo(static_cast<size_t>(ncols), 0.0),
      chi(static_cast<size_t>(ncols), COIN_DBL_MAX), obj(static_cast<size_t>(ncols), 0.0);
  for (size_t j = 0; j < n; ++j) {
    const double x = static_cast<double>(t.count(j));
    const double w = hidden[j] ? 1e-3 : x + 1.0;
    for (int which = 0; which < 4; ++which) obj[static_cast<size_t>(var(j, which))] = w;
    chi[static_cast<size_t>(var(j, 1))] = x;  // x + y ≥ 0
    chi[static_cast<size_t>(var(j, 3))] = x;  // x + z ≥ 0
  }
  chi[static_cast<size_t>(lcol)] = static_cast<double>(t.count(c));
  if (down) clo[static_cast<size_t>(lcol)] = chi[static_cast<size_t>(lcol)] = *down;

  CoinPackedMatrix m(true, rows.data(), cols.data(), elems.data(),
                     static_cast<CoinBigIndex>(elems.size()));
  m.setDimensions(static_cast<int>(rlo.size()), ncols);
  ClpSimplex lp;
  lp.setLogLevel(0);
  lp.loadProblem(m, clo.data(), chi.data(), obj.data(), rlo.data(), rhi.data());
  lp.dual();  // every cost is ≥ 0: the slack basis is dual feasible from the start
  if (!lp.isProvenOptimal()) return std::nullopt;
  const double* x = lp.getColSolution();
  const double l = x[lcol];
  if (!down && std::fabs(l - std::round(l)) > kEps)
    return complements(t, hidden, c, std::floor(l));  // whole numbers: see protect()
  Complement out;
  out.up.resize(n);
  out.down.resize(n);
  for (size_t j = 0; j < n; ++j) {
    out.up[j] = x[var(j, 0)] - x[var(j, 1)];
    out.down[j] = x[var(j, 2)] - x[var(j, 3)];
    if (hidden[j]) continue;
    for (int which = 0; which < 4; ++which)
      if (x[var(j, which)] > kEps) {
        out.cells.push_back(j);
        break;
      }
  }
  return out;
}

/// The hidden cells of `cells` (all hidden cells when empty) that the audit does not protect.
/// Stops solving for a cell as soon as the solver's tables witness its protection, so it costs
/// far fewer LPs than audit(); the verdicts are the same.
Result<std::vector<size_t>> unprotected(const Table& t, const std::vector<bool>& hidden,
                                        const std::vector<size_t>& cells) {
  std::vector<size_t> out;
  std::vector<bool> wanted(t.size(), cells.empty());
  for (size_t c : cells) wanted[c] = true;
  for (const auto& g : components(t, hidden)) {
    if (std::none_of(g.begin(), g.end(), [&](size_t c) { return wanted[c]; })) continue;
    ReaderLp lp(t, g);
    for (size_t k = 0; k < g.size(); ++k) {
      if (!wanted[g[k]] || lp.witnessed(k)) continue;
      auto b = lp.bounds(k);
      if (!b) return fail(b.error());
      if (!b->protects()) out.push_back(g[k]);
    }
  }
  return out;
}

}  // namespace

Result<std::vector<Interval>> audit(const Table& t, const std::vector<bool>& hidden) {
  if (hidden.size() != t.size())
    return fail(ErrorCode::kInvalidArgument, "disclosure audit: " + std::to_string(hidden.size()) +
                                                 " flags for " + std::to_string(t.size()) +
                                                 " cells");
  std::vector<Interval> out(t.size());
  for (size_t i = 0; i < t.size(); ++i) {
    const double v = static_cast<double>(t.count(i));
    out[i] = Interval{v, v};
  }
  for (const auto& g : components(t, hidden)) {
    ReaderLp lp(t, g);
    for (size_t k = 0; k < g.size(); ++k) {
      auto b = lp.bounds(k);
      if (!b) return fail(b.error());
      out[g[k]] = *b;
    }
  }
  return out;
}

std::vector<bool> protect(const Table& t) {
  std::vector<bool> hidden(t.size(), false);
  bool any = false;
  for (size_t i = 0; i < t.size(); ++i) any |= (hidden[i] = below_threshold(t.count(i)));
  if (!any) return hidden;
  auto hide_all = [&] { return std::vector<bool>(t.size(), true); };
  // Each round audits everything, then gives each unprotected cell its complements; a round
  // always hides at least one more cell (the LP's perturbation, made whole, moves some published
  // cell), so this ends, at the latest with every cell hidden.
  for (;;) {
    auto weak = unprotected(t, hidden, {});
    if (!weak) return hide_all();
    if (weak->empty()) return hidden;
    // The perturbations found this round: each is a table the reader cannot rule out once its
    // moved cells are hidden, so it witnesses the protection of other cells without an LP.
    std::vector<std::vector<double>> moves;
    auto witnessed = [&](size_t c) {
      double lo = 0, hi = 0;
      for (const auto& m : moves) lo = std::min(lo, m[c]), hi = std::max(hi, m[c]);
      const double x = static_cast<double>(t.count(c));
      return Interval{std::ceil(x + lo - kEps), std::floor(x + hi + kEps)}.protects();
    };
    for (size_t c : *weak) {
      if (!moves.empty()) {  // earlier complements of this round may already protect c
        if (witnessed(c)) continue;
        auto still = unprotected(t, hidden, {c});
        if (!still) return hide_all();
        if (still->empty()) continue;
      }
      auto add = complements(t, hidden, c, std::nullopt);
      if (!add || add->cells.empty()) add = complements(t, hidden, c, 0.0);  // straight up
      if (!add) return hide_all();
      if (add->cells.empty()) {  // rounding only: hide what shares a relation with c
        for (const auto& s : t.sums())
          for (const auto& [cell, coef] : terms(s)) {
            (void)coef;
            if (cell == c)
              for (const auto& [other, k] : terms(s)) {
                (void)k;
                if (!hidden[other]) add->cells.push_back(other);
              }
          }
        if (add->cells.empty()) return hide_all();
      }
      for (size_t j : add->cells) hidden[j] = true;
      moves.push_back(std::move(add->up));
      moves.push_back(std::move(add->down));
    }
  }
}

}  // namespace reclaim::analysis::disclosure
