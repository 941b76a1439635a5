/// @file stage_survival.hpp
/// How long customers stay in one stage and where they go when they leave,
/// with the stays still open on the date counted as censored (survival
/// analysis with competing risks): the Kaplan–Meier estimate of staying past
/// each age and the Aalen–Johansen estimate of leaving to each next stage
/// after it. From these, for a deal that has already spent `a` days in the
/// stage: the probability of ending up won, and the expected days to close.
/// Formulas and limits: docs/analytics.md, "Per-deal probabilities".
#pragma once

#include <clm/model.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace clm {

/// The stays of one stage, as observed up to a date: completed stays with
/// their length and the next stage, and open stays with their age.
/// Lengths are whole days (a stay entered and left on the same day lasts 0).
class stage_stays {
public:
    /// A completed stay of `days` days that left for stage `next` on day
    /// number `left_day` (days since 1970-01-01; for the stability test).
    void add_exit(std::int64_t days, stage_index next, std::int64_t left_day = 0) {
        exits_.emplace_back((std::uint64_t(std::max<std::int64_t>(days, 0)) << 16) | next, left_day);
    }
    /// A stay still open on the date, `days` old (it is known to last longer).
    void add_open(std::int64_t days) { open_.push_back(std::max<std::int64_t>(days, 0)); }
    /// Moves the stays of `other` into this one (for merging the parts of a parallel scan).
    void absorb(stage_stays &other) {
        exits_.insert(exits_.end(), other.exits_.begin(), other.exits_.end());
        open_.insert(open_.end(), other.open_.begin(), other.open_.end());
        other.exits_.clear();
        other.open_.clear();
    }
    /// Completed stays.
    std::size_t completed() const noexcept { return exits_.size(); }
    /// Open stays.
    std::size_t open() const noexcept { return open_.size(); }
    /// The completed stays, each as ((days << 16) | next stage, day left), in the order added.
    const std::vector<std::pair<std::uint64_t, std::int64_t>> &exits_view() const noexcept { return exits_; }
    /// The ages of the open stays, in the order added.
    const std::vector<std::int64_t> &open_view() const noexcept { return open_; }

private:
    friend class stage_survival;
    std::vector<std::pair<std::uint64_t, std::int64_t>> exits_; // ((days << 16) | next stage, day left)
    std::vector<std::int64_t> open_;   // ages of the open stays
};

/// The fitted survival of one stage. Built in two steps: the constructor
/// estimates, for each next stage j, the probability F_j of ever leaving to
/// j (so that the chain over stages can be solved with them); then
/// set_outcomes() gives each next stage its value (probability of winning
/// from a fresh entry into it, and expected days to close from there), and
/// the per-age lookups become available.
class stage_survival {
public:
    /// An empty fit (no stays).
    stage_survival() = default;

    /// Fits the stays (sorted in place).
    explicit stage_survival(stage_stays &s) {
        std::sort(s.exits_.begin(), s.exits_.end());
        std::sort(s.open_.begin(), s.open_.end());
        open_ages_ = s.open_;
        exit_days_.reserve(s.exits_.size());
        exit_next_.reserve(s.exits_.size());
        exit_when_.reserve(s.exits_.size());
        for (const auto &[k, when] : s.exits_) {
            exit_days_.push_back(std::int64_t(k >> 16));
            exit_next_.push_back(stage_index(k & 0xFFFF));
            exit_when_.push_back(when);
        }
        const std::size_t total = s.exits_.size() + s.open_.size();
        // Sweep the distinct exit times in ascending order. At time u the
        // stays at risk are those lasting at least u days: completed ones of
        // length >= u and open ones of age >= u (an open stay of age c is
        // known to last longer than c).
        double surv = 1.0;
        std::size_t i = 0;
        std::size_t exits_before = 0;  // completed stays shorter than u
        std::size_t open_before = 0;   // open stays younger than u
        while (i < s.exits_.size()) {
            const std::int64_t u = std::int64_t(s.exits_[i].first >> 16);
            while (open_before < s.open_.size() && s.open_[open_before] < u) ++open_before;
            const std::size_t at_risk = total - exits_before - open_before;
            point pt;
            pt.day = u;
            pt.first_increment = increments_.size();
            std::size_t here = 0;
            while (i < s.exits_.size() && std::int64_t(s.exits_[i].first >> 16) == u) {
                auto next = stage_index(s.exits_[i].first & 0xFFFF);
                std::size_t count = 0;
                while (i < s.exits_.size() && s.exits_[i].first == ((std::uint64_t(u) << 16) | next)) {
                    ++count;
                    ++i;
                }
                // Aalen–Johansen: P(leave to next at u) = S(u-) * d_next(u) / n(u).
                increments_.push_back({next, surv * double(count) / double(at_risk)});
                here += count;
            }
            surv *= 1.0 - double(here) / double(at_risk);
            pt.survival = surv;
            exits_before += here;
            points_.push_back(pt);
        }
        plateau_ = surv;
        for (const auto &inc : increments_) {
            auto it = std::find_if(leave_to_.begin(), leave_to_.end(), [&](const auto &x) { return x.first == inc.next; });
            if (it == leave_to_.end()) leave_to_.emplace_back(inc.next, inc.probability);
            else it->second += inc.probability;
        }
        std::sort(leave_to_.begin(), leave_to_.end());
    }

    /// F_j: the estimated probability that a stay ever leaves to stage j,
    /// for each j it was seen to leave to (ascending stage). Their sum is
    /// 1 - plateau().
    const std::vector<std::pair<stage_index, double>> &leave_to() const noexcept { return leave_to_; }

    /// The share of the stays that leave which go on to win (Aalen–Johansen
    /// weighted, each next stage by its value; set_outcomes() first).
    double win_share() const noexcept { return win_share_; }

    /// The Kaplan–Meier survival after the last observed exit: the estimated
    /// share of stays that never leave (0 when the longest stay was completed).
    double plateau() const noexcept { return plateau_; }

    /// Completed stays (the sample).
    std::size_t completed() const noexcept { return exit_days_.size(); }

    /// The longest completed stay, in days (0 when none).
    std::int64_t last_exit_day() const noexcept { return exit_days_.empty() ? 0 : exit_days_.back(); }
    /// The q-quantile (0 < q <= 1) of the completed stays' lengths, by nearest
    /// rank: the shortest length that at least q of the completed stays do
    /// not exceed; 0 without completed stays.
    std::int64_t exit_quantile(double q) const noexcept {
        if (exit_days_.empty()) return 0;
        const double rank = std::ceil(q * double(exit_days_.size()));
        const std::size_t k = std::size_t(std::clamp(rank, 1.0, double(exit_days_.size())));
        return exit_days_[k - 1];
    }

    /// Gives each next stage j its probability of winning from a fresh entry
    /// (`win[j]`) and its expected days from entry to a final stage
    /// (`days[j]`, negative when unknown), then prepares the per-age tables
    /// and tests whether where a stay goes depends on when it leaves (the
    /// test of age_p_value(); at level `alpha`: a level above 1 always uses age).
    void set_outcomes(const std::vector<double> &win, const std::vector<double> &days, double alpha = 0.05) {
        test_age(win);
        age_matters_ = age_p_value_ < alpha;
        const std::size_t n = points_.size();
        tail_win_.assign(n + 1, 0.0);
        tail_leave_.assign(n + 1, 0.0);
        tail_days_.assign(n + 1, 0.0);
        tail_days_weight_.assign(n + 1, 0.0);
        for (std::size_t k = n; k-- > 0;) {
            const point &pt = points_[k];
            const std::size_t end = k + 1 < n ? points_[k + 1].first_increment : increments_.size();
            double w = 0, l = 0, d = 0, dw = 0;
            for (std::size_t x = pt.first_increment; x < end; ++x) {
                const increment &inc = increments_[x];
                w += inc.probability * win.at(inc.next);
                l += inc.probability;
                if (days.at(inc.next) >= 0) {
                    d += inc.probability * (double(pt.day) + days[inc.next]);
                    dw += inc.probability;
                }
            }
            tail_win_[k] = tail_win_[k + 1] + w;
            tail_leave_[k] = tail_leave_[k + 1] + l;
            tail_days_[k] = tail_days_[k + 1] + d;
            tail_days_weight_[k] = tail_days_weight_[k + 1] + dw;
        }
        win_share_ = tail_leave_[0] > 0 ? tail_win_[0] / tail_leave_[0] : 0.0;
    }

    /// The p-value of the test that the value of where a stay goes (the
    /// probability of winning from there) does not depend on when it leaves:
    /// the completed stays in four bands of equal size by length, Pearson's
    /// statistic Σ_b n_b (m_b − m)² / (m (1 − m)) against χ² with 3 degrees
    /// of freedom (exact for won / not won; conservative for values in
    /// between), over all stays and again over the older and the newer half
    /// by the day they left: the largest of the three p-values, or 1 when the
    /// halves disagree in direction or every stay goes to places of the same value.
    double age_p_value() const noexcept { return age_p_value_; }

    /// Whether the age-dependent destination is used (age_p_value() below the
    /// level, and not turned off by use_age()).
    bool age_matters() const noexcept { return age_matters_; }

    /// Turns the age-dependent destination off (`false`: every age gets the
    /// stage's share), e.g. when the pattern failed its forward check
    /// (age_check.hpp); `true` keeps what the age test decided. Call after set_outcomes().
    void use_age(bool on) noexcept { age_matters_ = age_matters_ && on; }

    /// What the data say about a stay that is `age` days old and still open.
    struct at_age {
        double p_win = 0;          ///< P(won | leaves the stage after `age` days), unsmoothed (Aalen–Johansen); 0 when beyond.
        double p_leave = 0;        ///< P(ever leaves | still in after `age` days): 1 - plateau / S(age).
        double evidence = 0;       ///< Stays known to have lasted past min(age, last exit): the weight of p_win.
        bool beyond = false;       ///< No stay was ever seen to leave after this age.
        bool by_age = false;       ///< p_win depends on the age (age_matters() and stays left after it).
        std::optional<double> days_to_close; ///< Expected days from now to a final stage, given that it is reached.
    };

    /// The estimates for an open stay of `age` days (set_outcomes() first).
    at_age estimate(std::int64_t age) const {
        at_age r;
        // The first exit time after `age`: the stay is known to last more than `age` days.
        auto it = std::upper_bound(points_.begin(), points_.end(), age, [](std::int64_t a, const point &p) { return a < p.day; });
        const std::size_t k = std::size_t(it - points_.begin());
        const double surv = k == 0 ? 1.0 : points_[k - 1].survival;
        r.beyond = k == points_.size();
        if (surv > 0 && !r.beyond) {
            r.p_leave = std::min(1.0, tail_leave_[k] / surv);
            // Where the stay goes, given that it leaves after `age`: by when it
            // leaves when that matters, else the stage's share.
            r.by_age = age_matters_ && tail_leave_[k] > 0;
            r.p_win = r.by_age ? std::min(1.0, tail_win_[k] / tail_leave_[k]) : win_share_;
            if (tail_days_weight_[k] > 0) r.days_to_close = std::max(0.0, tail_days_[k] / tail_days_weight_[k] - double(age));
        }
        // Evidence: completed stays longer than a, plus open stays of age >= a,
        // with a capped at the last exit (past it every older open stay
        // counts as a stay that was never seen to leave).
        const std::int64_t a = std::min(age, last_exit_day());
        const std::size_t longer = std::size_t(exit_days_.end() - std::upper_bound(exit_days_.begin(), exit_days_.end(), a));
        const std::size_t open_old = std::size_t(open_ages_.end() - std::lower_bound(open_ages_.begin(), open_ages_.end(), a));
        // Within the observed lengths the estimate rests on the stays that left
        // after `age`; past them, on the stays that lasted that long and never left.
        r.evidence = r.beyond ? double(longer + open_old) : double(longer);
        return r;
    }

private:
    // Pearson's statistic of the value of where stays went against four
    // bands by length (a run of equal lengths never split), over the stays
    // `idx` (sorted by length); its p-value against χ² with (bands − 1)
    // degrees of freedom, and the sign of (last band − first band).
    static std::pair<double, int> band_test(const std::vector<std::size_t> &idx, const std::vector<std::int64_t> &days,
                                            const std::vector<stage_index> &next, const std::vector<double> &win) {
        const std::size_t n = idx.size();
        if (n < 8) return {1.0, 0};
        double mean = 0;
        for (std::size_t i : idx) mean += win.at(next[i]);
        mean /= double(n);
        const double var = mean * (1 - mean);
        if (var <= 1e-12) return {1.0, 0};
        double stat = 0, first = 0, last = 0;
        int bands = 0;
        for (std::size_t lo = 0; lo < n;) {
            std::size_t hi = std::max(lo + 1, n * std::size_t(bands + 1) / 4);
            while (hi < n && days[idx[hi]] == days[idx[hi - 1]]) ++hi;
            double m = 0;
            for (std::size_t k = lo; k < hi; ++k) m += win[next[idx[k]]];
            m /= double(hi - lo);
            stat += double(hi - lo) * (m - mean) * (m - mean) / var;
            if (bands == 0) first = m;
            last = m;
            ++bands;
            lo = hi;
        }
        const double x = stat;
        double pv = 1.0;
        if (bands == 2) pv = std::erfc(std::sqrt(x / 2));
        else if (bands == 3) pv = std::exp(-x / 2);
        else if (bands >= 4) pv = std::erfc(std::sqrt(x / 2)) + std::sqrt(2 * x / 3.14159265358979323846) * std::exp(-x / 2);
        return {std::min(1.0, pv), last > first ? 1 : last < first ? -1 : 0};
    }

    // The age test: significant over all completed stays and, replicated,
    // in the older and in the newer half of them by the day they left, in
    // the same direction. Its p-value is the largest of the three (1 when
    // the halves disagree): a pattern of the past that did not hold later
    // is not used to score today's deals.
    void test_age(const std::vector<double> &win) {
        const std::size_t n = exit_days_.size();
        std::vector<std::size_t> all(n);
        for (std::size_t i = 0; i < n; ++i) all[i] = i;
        auto whole = band_test(all, exit_days_, exit_next_, win);
        std::vector<std::int64_t> when(exit_when_);
        std::nth_element(when.begin(), when.begin() + std::ptrdiff_t(n / 2), when.end());
        const std::int64_t split = n ? when[n / 2] : 0;
        std::vector<std::size_t> older, newer;
        for (std::size_t i = 0; i < n; ++i) (exit_when_[i] < split ? older : newer).push_back(i);
        auto a = band_test(older, exit_days_, exit_next_, win), b = band_test(newer, exit_days_, exit_next_, win);
        age_p_value_ = std::max({whole.first, a.first, b.first});
        if (a.second != b.second || a.second != whole.second) age_p_value_ = 1.0;
    }

    struct point {
        std::int64_t day = 0;             // an exit time
        double survival = 1;              // S(day): share still in the stage after it
        std::size_t first_increment = 0;  // its increments start here
    };
    struct increment {
        stage_index next;
        double probability;               // S(u-) d_next(u) / n(u)
    };
    std::vector<point> points_;
    std::vector<increment> increments_;
    std::vector<std::pair<stage_index, double>> leave_to_;
    std::vector<std::int64_t> exit_days_, open_ages_; // sorted
    std::vector<stage_index> exit_next_;               // beside exit_days_
    std::vector<std::int64_t> exit_when_;              // beside exit_days_: the day each stay left
    double plateau_ = 1.0;
    double age_p_value_ = 1.0, win_share_ = 0.0;
    bool age_matters_ = true;
    std::vector<double> tail_win_, tail_leave_, tail_days_, tail_days_weight_;
};

} // namespace clm
