// kill_save.cpp -- a save killed at any moment leaves the old file or the new one.
//
// The parent builds two different portfolios of a few MB ("old" and "new"),
// then, at least 200 times, forks a child that saves them alternately to the
// same path through clm_portfolio_save() and kills it with SIGKILL after a
// random delay (a seeded PRNG; the delays are spread over a few save
// durations, so kills land before, during and between writes, fsyncs and
// renames). After each kill it loads the file with clm_portfolio_load() and
// checks that it is exactly the old or the new portfolio (the exported event
// log, byte for byte): never a load failure, never anything else. A leftover
// `path.tmp-clm` must not break the next save.
//
// Then damaged files: truncated at several points, bytes flipped, an unknown
// format version; each is refused with CLM_E_CORRUPT or CLM_E_VERSION and a
// message that names the file.
//
// Usage: clm_kill_save [customers [trials]]   (CLM_KILL_SEED=N to vary the seed)
#include <clm/clm.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

namespace {

int failures = 0;

#define CHECK(cond)                                                                                      \
    do {                                                                                                 \
        if (!(cond)) {                                                                                   \
            ++failures;                                                                                  \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n  last error: %s\n", __FILE__, __LINE__, #cond, \
                         clm_last_error());                                                              \
        }                                                                                                \
    } while (0)

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

void spit(const std::string &path, const std::string &data) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << data;
}

bool exists(const std::string &path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

std::string export_events(const clm_portfolio *p) {
    char *out = nullptr;
    CHECK(clm_portfolio_export_events(&out, nullptr, p) == CLM_OK);
    std::string s = out ? out : "";
    clm_string_free(out);
    return s;
}

double now_ms() {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void sleep_us(long us) {
    timespec ts{us / 1000000, (us % 1000000) * 1000};
    while (nanosleep(&ts, &ts) != 0) {
    }
}

// A portfolio of `customers` customers with several events each; `variant`
// changes the data (the new portfolio also has more events).
clm_portfolio *build(const clm_model *m, int customers, int variant) {
    std::string log = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n";
    for (int i = 0; i < customers; ++i) {
        std::string id = "cust-" + std::to_string(i);
        std::string manager = variant ? "Manager " + std::to_string(i % 7) : "Agent " + std::to_string(i % 5);
        log += id + ",2024-01-0" + std::to_string(1 + i % 9) + ",stage,presentation,,,,,,,\n";
        log += id + ",2024-02-01,manager," + manager + ",,,,,,,\n";
        log += id + ",2024-02-02,contact,ok,,call," + manager + ",,,,first call\n";
        if (i % 3 == 0) log += id + ",2024-02-03,purchase,widget,,," + manager + "," + std::to_string(100 + i % 50) + ",,,\n";
        if (variant) {
            log += id + ",2024-03-01,check,meeting protocol sent,,,,,,,\n";
            log += id + ",2024-03-01,stage,proposal,,,,,,,\n";
            log += id + ",2024-03-02,attribute,segment=" + std::to_string(i % 11) + ",,,,,,,\n";
        }
    }
    clm_portfolio *p = nullptr;
    CHECK(clm_portfolio_new(&p) == CLM_OK);
    CHECK(clm_portfolio_add_model(nullptr, p, m) == CLM_OK);
    CHECK(clm_portfolio_import_csv(nullptr, nullptr, p, log.data(), log.size(), "build.csv", 0) == CLM_OK);
    return p;
}

std::uint64_t fnv1a64(const std::string &s) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

// Rewrites a valid save with another format version and a correct trailer.
std::string with_version(const std::string &save, int version) {
    std::size_t trailer = save.rfind('\n', save.size() - 2);
    std::string body = save.substr(0, trailer + 1);
    std::size_t nl = body.find('\n');
    body = "clm-portfolio " + std::to_string(version) + body.substr(nl);
    char t[96];
    std::snprintf(t, sizeof t, "end %zu %016" PRIx64 "\n", body.size(), fnv1a64(body));
    return body + t;
}

// Expects `path` to be refused with `code`, a message naming the file, and `out` untouched.
void expect_refused(const std::string &path, clm_status code, const char *what) {
    clm_portfolio *out = reinterpret_cast<clm_portfolio *>(std::uintptr_t(0x5e47));
    clm_status st = clm_portfolio_load(&out, path.c_str());
    if (st != code)
        std::fprintf(stderr, "%s: expected %s, got %s: %s\n", what, clm_status_name(code), clm_status_name(st), clm_last_error());
    CHECK(st == code);
    CHECK(out == reinterpret_cast<clm_portfolio *>(std::uintptr_t(0x5e47)));
    CHECK(std::strstr(clm_last_error(), path.c_str()) != nullptr);
    if (st == CLM_OK) clm_portfolio_free(out);
}

void damaged_files(const std::string &dir, const std::string &good) {
    const std::string path = dir + "/damaged.clm";
    int cases = 0;
    // Truncated at several points, the trailer included.
    for (std::size_t cut : {std::size_t(0), std::size_t(1), std::size_t(14), std::size_t(100), good.size() / 3, good.size() / 2,
                            good.size() - 40, good.size() - 20, good.size() - 2, good.size() - 1}) {
        spit(path, good.substr(0, cut));
        expect_refused(path, CLM_E_CORRUPT, ("truncated at " + std::to_string(cut)).c_str());
        if (cut > 14) CHECK(std::strstr(clm_last_error(), "damaged") != nullptr);
        ++cases;
    }
    // One flipped bit or byte anywhere: the magic, the version, a model, the journal, the trailer.
    std::mt19937_64 rng(7);
    std::string positions = "";
    for (std::size_t at : {std::size_t(0), std::size_t(14), std::size_t(30), good.size() / 4, good.size() / 2,
                           good.size() - 30, good.size() - 10, good.size() - 2, std::size_t(rng() % good.size()),
                           std::size_t(rng() % good.size())}) {
        for (unsigned char mask : {0x01, 0x20, 0xFF}) {
            std::string bad = good;
            bad[at] = char(bad[at] ^ mask);
            spit(path, bad);
            expect_refused(path, CLM_E_CORRUPT, ("byte " + std::to_string(at) + " flipped").c_str());
            CHECK(std::strstr(clm_last_error(), "damaged") != nullptr);
            ++cases;
        }
    }
    // A newer format, intact: refused as a version, not as damage.
    spit(path, with_version(good, 2));
    expect_refused(path, CLM_E_VERSION, "version 2");
    CHECK(std::strstr(clm_last_error(), "version 2") != nullptr);
    spit(path, with_version(good, 0));
    expect_refused(path, CLM_E_VERSION, "version 0");
    // The rewriting helper itself is right: version 1 loads.
    spit(path, with_version(good, 1));
    clm_portfolio *p = nullptr;
    CHECK(clm_portfolio_load(&p, path.c_str()) == CLM_OK);
    clm_portfolio_free(p);
    cases += 2;
    // Missing file.
    ::unlink(path.c_str());
    expect_refused(path, CLM_E_IO, "missing");
    ++cases;
    std::printf("damaged files: %d cases refused with CLM_E_CORRUPT / CLM_E_VERSION / CLM_E_IO\n", cases);
}

} // namespace

int main(int argc, char **argv) {
    int customers = argc > 1 ? std::atoi(argv[1]) : 6000;
    int trials = argc > 2 ? std::atoi(argv[2]) : 200;
    std::uint64_t seed = 20260101;
    if (const char *s = std::getenv("CLM_KILL_SEED")) seed = std::strtoull(s, nullptr, 10);

    char tmpl[] = "/tmp/clm-kill-save-XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 1;
    }
    const std::string dir = tmpl, path = dir + "/portfolio.clm", tmp = path + ".tmp-clm";

    clm_model *m = nullptr;
    CHECK(clm_model_preset(&m, "sales6") == CLM_OK);
    double t0 = now_ms();
    clm_portfolio *old_p = build(m, customers, 0), *new_p = build(m, customers, 1);
    const std::string old_export = export_events(old_p), new_export = export_events(new_p);
    CHECK(old_export != new_export);
    if (failures) return 1;

    // How long one save takes, to spread the kills over a few of them.
    double t1 = now_ms();
    CHECK(clm_portfolio_save(new_p, path.c_str()) == CLM_OK);
    const std::string new_bytes = slurp(path);
    double t2 = now_ms();
    CHECK(clm_portfolio_save(old_p, path.c_str()) == CLM_OK);
    double t3 = now_ms();
    const std::string old_bytes = slurp(path);
    double save_ms = std::max(t2 - t1, t3 - t2);
    std::printf("portfolios built in %.0f ms: saves of %zu and %zu bytes; one save takes %.1f ms\n", t1 - t0,
                old_bytes.size(), new_bytes.size(), save_ms);
    std::printf("seed %" PRIu64 " (set CLM_KILL_SEED to change it)\n", seed);
    std::fflush(stdout);

    std::mt19937_64 rng(seed);
    // Delays from 0 to about three saves: kills before the first write, inside
    // writes, fsyncs and renames, and between saves.
    const long max_delay_us = std::max(2000L, long(save_ms * 3000));
    int got_old = 0, got_new = 0, killed_mid_write = 0, load_failures = 0, other = 0;
    double t_start = now_ms();
    for (int trial = 0; trial < trials; ++trial) {
        long delay = long(rng() % std::uint64_t(max_delay_us));
        pid_t pid = fork();
        if (pid < 0) {
            std::perror("fork");
            return 1;
        }
        if (pid == 0) {
            for (int j = trial;; ++j)
                if (clm_portfolio_save(j % 2 ? new_p : old_p, path.c_str()) != CLM_OK) _exit(3);
        }
        sleep_us(delay);
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
        if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
            std::fprintf(stderr, "trial %d: the child was not killed but ended with status %d (a save failed?)\n", trial, status);
            ++failures;
        }
        if (exists(tmp)) ++killed_mid_write;
        clm_portfolio *loaded = nullptr;
        clm_status st = clm_portfolio_load(&loaded, path.c_str());
        if (st != CLM_OK) {
            ++load_failures;
            std::fprintf(stderr, "trial %d (delay %ld us): load failed: %s: %s\n", trial, delay, clm_status_name(st), clm_last_error());
            continue;
        }
        std::string got = export_events(loaded);
        clm_portfolio_free(loaded);
        if (got == old_export) ++got_old;
        else if (got == new_export) ++got_new;
        else {
            ++other;
            std::fprintf(stderr, "trial %d (delay %ld us): the file is neither the old nor the new portfolio\n", trial, delay);
        }
    }
    double t_end = now_ms();
    std::printf("%d kills in %.1f s: %d old, %d new, %d other, %d load failures; %d kills left a temporary file "
                "(killed while writing)\n",
                trials, (t_end - t_start) / 1000, got_old, got_new, other, load_failures, killed_mid_write);
    CHECK(load_failures == 0 && other == 0);
    CHECK(got_old + got_new == trials);
    CHECK(got_old > 0 && got_new > 0);
    CHECK(killed_mid_write > 0);

    // A leftover temporary file (even a garbage one) does not break the next save.
    spit(tmp, "garbage left by a crash");
    CHECK(clm_portfolio_save(new_p, path.c_str()) == CLM_OK);
    CHECK(!exists(tmp));
    CHECK(slurp(path) == new_bytes);

    damaged_files(dir, new_bytes);

    clm_portfolio_free(old_p);
    clm_portfolio_free(new_p);
    clm_model_free(m);
    ::unlink(path.c_str());
    ::unlink(tmp.c_str());
    ::unlink((dir + "/damaged.clm").c_str());
    ::rmdir(dir.c_str());
    std::printf("%s\n", failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
}
