// alloc_fail.cpp -- every allocation of a realistic C ABI scenario fails once.
//
// The program replaces the global operator new / new[] (every variant:
// throwing, nothrow, aligned) and, through the linker's --wrap=malloc, the
// malloc calls of the library objects (the strings clm_string_free releases).
// It is linked with the shim's objects (clm_static), so the replacement
// covers the library code exactly as it runs in libclm.so.
//
// Each step of the scenario (load a preset and a JSON model, load the seeds
// policy, build a portfolio, import a few hundred event-log rows from
// examples/data, apply events, recommend, plan, analyse, export, save, load)
// is run with its k-th allocation failing, for k = 1, 2, ... until a run
// completes without reaching k. That is the classic "fail the k-th
// allocation of the scenario" loop, with the prefix of the scenario built
// once instead of being replayed for every k. Every run must either
//  - return CLM_E_NO_MEMORY, say "out of memory", leave the out-parameters
//    untouched and every object as it was (the exported event log, the
//    counts, the save file byte for byte and still loadable), or
//  - succeed with exactly the result of a run without failures (some
//    failures are absorbed by design, e.g. std::stable_sort falls back to
//    an in-place merge when its buffer cannot be had).
// Leaks are LeakSanitizer's job: the ASan build runs this test too.
//
// A second pass fails every allocation from the k-th on ("sticky"), which
// also exercises the rollback and error paths when nothing can be allocated
// any more. A last check makes thread creation fail (an enormous default
// stack size) and checks that recommendations still come out, identical.
#include <clm/clm.h>

#include <elf.h>
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <new>
#include <sstream>
#include <string>
#include <vector>

// ---------------------------------------------------------------------------
// Three kinds of allocation made by nlohmann/json are not failed: there, an
// allocation failure ends the process or leaks, whatever the caller does.
//
//  1. Destructors. basic_json's destructor (json_value::destroy) moves the
//     children of a non-empty array or object onto a heap-allocated
//     std::vector; if that allocation throws, the exception leaves a noexcept
//     destructor and std::terminate() ends the process. Upstream bugs
//     nlohmann/json#4653 and #5135 (fixes proposed: PRs #4654, #5239).
//  2. Null-to-container conversion. operator[], push_back and emplace_back
//     on a null value set the type to object/array *before* allocating the
//     container; when the allocation throws, the value is left an "object"
//     with a null pointer, and its destructor dereferences it (SIGSEGV).
//     Seen in nlohmann/json 3.11.2 (json.hpp: `m_type = value_t::object;
//     m_value.object = create<object_t>();`).
//  3. The initializer-list constructor of an object. basic_json(init) sets the
//     type and allocates the object, then copies the pairs into it; when one
//     of those allocations throws, the constructor exits and nothing frees
//     the object and the pairs already in it: a leak (json.hpp 3.11.2,
//     `m_value = value_t::object; for (...) m_value.object->emplace(...)`).
//
// The test finds those allocations by walking the stack of each allocation
// it is about to fail and naming the frames from the program's ELF symbol
// table (the library objects are compiled with -fno-inline for this test,
// see CMakeLists.txt), spares them, and counts them. Every other allocation
// -- clm's own code, and nlohmann's everywhere else -- is failed.
// ---------------------------------------------------------------------------
namespace spare {
struct symbol {
    std::uintptr_t lo, hi;
    std::string name;
};
std::vector<symbol> symbols; // sorted by address
std::atomic<long> destructor{0}, null_conversion{0}, initializer_list{0};

int main_program_bias(dl_phdr_info *info, std::size_t, void *out) {
    *static_cast<std::uintptr_t *>(out) = info->dlpi_addr; // the first object is the program itself
    return 1;
}

// Reads the program's ELF symbol table (not stripped: -g builds): the nlohmann functions.
void load() {
    std::uintptr_t bias = 0;
    dl_iterate_phdr(main_program_bias, &bias);
    std::ifstream in("/proc/self/exe", std::ios::binary);
    std::string elf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (elf.size() < sizeof(Elf64_Ehdr)) return;
    const auto *eh = reinterpret_cast<const Elf64_Ehdr *>(elf.data());
    if (eh->e_shoff == 0 || eh->e_shoff + std::size_t(eh->e_shnum) * sizeof(Elf64_Shdr) > elf.size()) return;
    const auto *sh = reinterpret_cast<const Elf64_Shdr *>(elf.data() + eh->e_shoff);
    for (int i = 0; i < eh->e_shnum; ++i) {
        if (sh[i].sh_type != SHT_SYMTAB || sh[i].sh_link >= eh->e_shnum) continue;
        const char *names = elf.data() + sh[sh[i].sh_link].sh_offset;
        const auto *sym = reinterpret_cast<const Elf64_Sym *>(elf.data() + sh[i].sh_offset);
        for (std::size_t j = 0; j < sh[i].sh_size / sizeof(Elf64_Sym); ++j) {
            const char *name = names + sym[j].st_name;
            if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC || sym[j].st_size == 0 || sym[j].st_value == 0) continue;
            if (!std::strstr(name, "8nlohmann")) continue;
            symbols.push_back({bias + sym[j].st_value, bias + sym[j].st_value + sym[j].st_size, name});
        }
    }
    std::sort(symbols.begin(), symbols.end(), [](const symbol &a, const symbol &b) { return a.lo < b.lo; });
}

// The nlohmann function holding `pc`, or nullptr.
const char *nlohmann_function(std::uintptr_t pc) noexcept {
    auto it = std::upper_bound(symbols.begin(), symbols.end(), pc, [](std::uintptr_t v, const symbol &s) { return v < s.lo; });
    if (it == symbols.begin()) return nullptr;
    --it;
    if (pc >= it->hi) return nullptr;
    const char *n = it->name.c_str();
    // Functions of nlohmann's namespace (and their local lambdas), not std:: code instantiated for its types.
    if (std::strncmp(n, "_ZN8nlohmann", 12) == 0 || std::strncmp(n, "_ZNK8nlohmann", 13) == 0 ||
        std::strncmp(n, "_ZZN8nlohmann", 13) == 0 || std::strncmp(n, "_ZZNK8nlohmann", 14) == 0)
        return n;
    return nullptr;
}

bool ends_with(const char *s, const char *suffix) noexcept {
    std::size_t n = std::strlen(s), m = std::strlen(suffix);
    return n >= m && std::strcmp(s + n - m, suffix) == 0;
}

// A basic_json member that turns a null value into a container before allocating it.
bool converts_null(const char *n) noexcept {
    if (std::strstr(n, "10basic_jsonI") == nullptr) return false;
    for (const char *op : {"EixE", "EixI", "E9push_backE", "E12emplace_backI", "EpLE"})
        if (std::strstr(n, op)) return true;
    return false;
}

bool is_initializer_list_constructor(const char *n) noexcept {
    return std::strstr(n, "10basic_jsonI") && (std::strstr(n, "C1ESt16initializer_listI") || std::strstr(n, "C2ESt16initializer_listI"));
}

// Is the allocation about to be failed one of the kinds above?
bool must_spare() noexcept {
    void *frames[128];
    int n = backtrace(frames, 128);
    const char *chain[128];
    int k = 0;
    for (int i = 1; i < n; ++i) // frame 0 is this function; return addresses point after the call
        if (const char *f = nlohmann_function(reinterpret_cast<std::uintptr_t>(frames[i]) - 1)) chain[k++] = f;
    for (int i = 0; i < k; ++i) {
        if (ends_with(chain[i], "D0Ev") || ends_with(chain[i], "D1Ev") || ends_with(chain[i], "D2Ev") ||
            std::strstr(chain[i], "10json_value7destroy")) {
            destructor.fetch_add(1);
            return true;
        }
    }
    // Innermost nlohmann frames: create<container>() (maybe through a json_value
    // constructor) called by a member that converts a null value.
    int i = 0;
    if (i < k && std::strstr(chain[i], "6createI")) ++i;
    while (i < k && std::strstr(chain[i], "10json_valueC")) ++i;
    if (i < k && converts_null(chain[i]) && i > 0) {
        null_conversion.fetch_add(1);
        return true;
    }
    // The initializer-list constructor filling an object it has already allocated
    // (anything but creating the container itself).
    for (int j = 0; j < k; ++j) {
        if (!is_initializer_list_constructor(chain[j])) continue;
        const char *callee = j > 0 ? chain[j - 1] : nullptr;
        if (!callee || (!std::strstr(callee, "10json_valueC") && !std::strstr(callee, "6createI"))) {
            initializer_list.fetch_add(1);
            return true;
        }
    }
    return false;
}
} // namespace spare

// ---------------------------------------------------------------------------
// The allocation hooks.
// ---------------------------------------------------------------------------
namespace hook {
std::atomic<bool> armed{false};   // count only while a library call runs
std::atomic<long> count{0};       // allocations since arming
std::atomic<long> fail_at{0};     // the allocation to fail (1-based; 0: none)
std::atomic<bool> sticky{false};  // fail every allocation from fail_at on
std::atomic<long> spared{0};      // allocations due to fail but spared (see namespace spare)

bool fail_now() noexcept {
    if (!armed.load(std::memory_order_acquire)) return false;
    long n = count.fetch_add(1) + 1;
    long k = fail_at.load();
    if (!(k > 0 && (n == k || (sticky.load() && n > k)))) return false;
    if (spare::must_spare()) {
        spared.fetch_add(1);
        return false;
    }
    return true;
}
} // namespace hook

extern "C" void *__real_malloc(std::size_t n);
// Every malloc() of the library objects and of this file (see CMakeLists: -Wl,--wrap=malloc).
extern "C" void *__wrap_malloc(std::size_t n) { return hook::fail_now() ? nullptr : __real_malloc(n); }

namespace {
void *raw_alloc(std::size_t n) noexcept { return hook::fail_now() ? nullptr : __real_malloc(n ? n : 1); }
void *raw_alloc_aligned(std::size_t n, std::align_val_t al) noexcept {
    if (hook::fail_now()) return nullptr;
    std::size_t a = std::size_t(al) < sizeof(void *) ? sizeof(void *) : std::size_t(al);
    void *p = nullptr;
    return posix_memalign(&p, a, n ? n : 1) == 0 ? p : nullptr;
}
} // namespace

void *operator new(std::size_t n) {
    if (void *p = raw_alloc(n)) return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t n) {
    if (void *p = raw_alloc(n)) return p;
    throw std::bad_alloc();
}
void *operator new(std::size_t n, const std::nothrow_t &) noexcept { return raw_alloc(n); }
void *operator new[](std::size_t n, const std::nothrow_t &) noexcept { return raw_alloc(n); }
void *operator new(std::size_t n, std::align_val_t a) {
    if (void *p = raw_alloc_aligned(n, a)) return p;
    throw std::bad_alloc();
}
void *operator new[](std::size_t n, std::align_val_t a) {
    if (void *p = raw_alloc_aligned(n, a)) return p;
    throw std::bad_alloc();
}
void *operator new(std::size_t n, std::align_val_t a, const std::nothrow_t &) noexcept { return raw_alloc_aligned(n, a); }
void *operator new[](std::size_t n, std::align_val_t a, const std::nothrow_t &) noexcept { return raw_alloc_aligned(n, a); }
void operator delete(void *p) noexcept { std::free(p); }
void operator delete[](void *p) noexcept { std::free(p); }
void operator delete(void *p, std::size_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t) noexcept { std::free(p); }
void operator delete(void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void *p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete(void *p, std::align_val_t, const std::nothrow_t &) noexcept { std::free(p); }
void operator delete[](void *p, std::align_val_t, const std::nothrow_t &) noexcept { std::free(p); }

// ---------------------------------------------------------------------------
// Checks and helpers (run disarmed).
// ---------------------------------------------------------------------------
namespace {

int failures = 0;
long checks = 0;
std::string current; // "step k=N" for messages

#define CHECK(cond)                                                                                        \
    do {                                                                                                   \
        ++checks;                                                                                          \
        if (!(cond)) {                                                                                     \
            if (++failures <= 30)                                                                          \
                std::fprintf(stderr, "%s:%d: [%s] CHECK failed: %s\n  last error: %s\n", __FILE__, __LINE__, \
                             current.c_str(), #cond, clm_last_error());                                    \
        }                                                                                                  \
    } while (0)

std::string slurp(const std::string &path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

bool exists(const std::string &path) {
    struct stat st;
    return ::stat(path.c_str(), &st) == 0;
}

// Takes a library string (NULL allowed) and frees it.
std::string take(char *s) {
    std::string out = s ? s : "";
    clm_string_free(s);
    return out;
}

std::string export_events(const clm_portfolio *p) {
    char *out = nullptr;
    CHECK(clm_portfolio_export_events(&out, nullptr, p) == CLM_OK);
    return take(out);
}

// A distinctive non-NULL pointer that must survive a failed call untouched.
template <class T> T *sentinel() { return reinterpret_cast<T *>(std::uintptr_t(0x5e47));}
constexpr std::size_t size_sentinel = 0x5e4711;

// ---------------------------------------------------------------------------
// The data: the first opportunities of examples/data's CRM export, as an
// event log for two models at once (crm-pipeline from JSON, sales6 preset).
// ---------------------------------------------------------------------------
std::string row(const std::string &id, const std::string &date, const std::string &type, const std::string &value,
                const std::string &model = "", const std::string &channel = "", const std::string &manager = "",
                const std::string &amount = "", const std::string &reason = "", const std::string &due = "",
                const std::string &note = "") {
    return id + "," + date + "," + type + "," + value + "," + model + "," + channel + "," + manager + "," + amount + "," +
           reason + "," + due + "," + note + "\n";
}

const char *header = "customer_id,timestamp,type,value,model,channel,manager,amount,reason,due,note\n";

// Opportunities [from, to) of sales_pipeline.csv as event-log rows (no header).
std::string opportunities(const std::string &pipeline_csv, std::size_t from, std::size_t to) {
    std::istringstream in(pipeline_csv);
    std::string line, out;
    std::getline(in, line); // header
    static const char *classes[] = {"A", "B", "C"};
    static const char *channels[] = {"call", "email", "meeting", "messenger"};
    for (std::size_t i = 0; std::getline(in, line) && i < to; ++i) {
        if (i < from) continue;
        std::vector<std::string> f;
        std::size_t start = 0;
        for (std::size_t c; (c = line.find(',', start)) != std::string::npos; start = c + 1) f.push_back(line.substr(start, c - start));
        f.push_back(line.substr(start));
        if (!f.back().empty() && f.back().back() == '\r') f.back().pop_back();
        if (f.size() != 8) continue;
        const std::string &id = f[0], &agent = f[1], &product = f[2], &account = f[3], &stage = f[4], &engage = f[5],
                          &close = f[6], &value = f[7];
        if (engage.empty()) {
            out += row(id, "2017-12-31", "manager", agent);
            out += row(id, "2017-12-31", "stage", "prospecting", "crm-pipeline", "", agent);
            out += row(id, "2017-12-31", "next_step", "qualify the lead", "", "", "", "", "", "2018-01-15", product);
            continue;
        }
        out += row(id, engage, "manager", agent);
        out += row(id, engage, "class", classes[i % 3]);
        out += row(id, engage, "attribute", "product=" + product);
        if (!account.empty()) out += row(id, engage, "attribute", "account=" + account);
        out += row(id, engage, "stage", "engaging", "crm-pipeline", "", agent);
        out += row(id, engage, "stage", "presentation", "sales6");
        out += row(id, engage, "contact", "ok", "", channels[i % 4], agent);
        if (i % 4 == 0) out += row(id, engage, "document", "proposal", "", "", "", "", "", close.empty() ? "" : close);
        if (i % 5 == 0) out += row(id, engage, "tag", "hardware");
        if (close.empty()) continue;
        if (stage == "Won") {
            out += row(id, close, "stage", "won", "crm-pipeline", "", agent);
            out += row(id, close, "purchase", product, "", "", agent, value);
            out += row(id, close, "check", "meeting protocol sent");
            out += row(id, close, "event", "advance", "sales6");
            out += row(id, close, "score", "satisfaction=" + std::to_string(3 + i % 3));
        } else {
            out += row(id, close, "stage", "lost", "crm-pipeline", "", agent, "", "price too high");
            out += row(id, close, "event", "lose", "sales6", "", "", "", "chose a competitor");
        }
    }
    return out;
}

// ---------------------------------------------------------------------------
// The loop.
// ---------------------------------------------------------------------------
struct totals {
    long points = 0;   // allocation points failed (sum over steps of the allocations of a clean run)
    long no_memory = 0;// runs that returned CLM_E_NO_MEMORY
    long absorbed = 0; // runs whose failure the library absorbed (and still gave the exact result)
    long spared = 0;   // runs whose failing allocation was spared (see namespace spare)
    long steps = 0;
};
totals total;
bool sticky_pass = false;
bool verbose = false;
const long sticky_stride = 10; // the sticky pass tries every 10th k

/// One step of the scenario.
///  prepare(): builds what the step needs (disarmed); called first and after each success.
///  run():     the library call under test (armed); returns its status.
///  failed():  checks that nothing changed after CLM_E_NO_MEMORY.
///  ok():      checks the result of a successful run and releases it.
void step(const char *name, const std::function<void()> &prepare, const std::function<clm_status()> &run,
          const std::function<void()> &failed, const std::function<void()> &ok) {
    prepare();
    auto started = std::chrono::steady_clock::now();
    for (long k = 1;; k += sticky_pass ? sticky_stride : 1) {
        current = std::string(name) + (sticky_pass ? " sticky" : "") + " k=" + std::to_string(k);
        hook::count = 0;
        hook::fail_at = k;
        hook::armed.store(true, std::memory_order_release);
        clm_status st = run();
        hook::armed.store(false, std::memory_order_release);
        long n = hook::count.load();
        long spared = hook::spared.exchange(0);
        hook::fail_at = 0;
        if (n < k) { // the failure was never reached: a clean run, the end of this step
            CHECK(st == CLM_OK);
            if (st == CLM_OK) ok();
            total.points += sticky_pass ? (k - 1) / sticky_stride : k - 1;
            ++total.steps;
            if (verbose)
                std::printf("  %-48s %6ld allocations  %7.2f s\n", name, k - 1,
                            std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
            return;
        }
        if (spared) ++total.spared;
        if (st == CLM_OK) {
            if (!spared) ++total.absorbed;
            ok();
            prepare();
            continue;
        }
        ++total.no_memory;
        CHECK(st == CLM_E_NO_MEMORY);
        CHECK(clm_last_status() == st);
        CHECK(std::strstr(clm_last_error(), "out of memory") != nullptr);
        if (st != CLM_E_NO_MEMORY && failures <= 30) std::fprintf(stderr, "  status %s\n", clm_status_name(st));
        failed();
        if (failures > 30) {
            std::fprintf(stderr, "too many failures; stopping\n");
            std::exit(1);
        }
    }
}

int progress_calls = 0;
int on_progress(size_t, size_t, void *payload) {
    ++*static_cast<int *>(payload);
    return 0;
}

struct world {
    std::string crm_json, log1, log2, log_small, export_small;
    clm_model *sales6 = nullptr, *crm = nullptr;
    clm_policy *seeds = nullptr;
    std::string dir, save_path;
    // References from clean runs.
    std::string export_after_1, export_after_2, rejections_2, recommend_ref, recommend_progress_ref, plan_ref,
        export_csv_ref, export_json_ref, customer_ref, funnel_ref, forecast_ref, render_ref, after_apply_ref,
        after_batch_ref, batch_rejections_ref;
};

clm_portfolio *new_portfolio(const world &w, const std::string &log) {
    clm_portfolio *p = nullptr;
    CHECK(clm_portfolio_new(&p) == CLM_OK);
    CHECK(clm_portfolio_add_model(nullptr, p, w.sales6) == CLM_OK);
    CHECK(clm_portfolio_add_model(nullptr, p, w.crm) == CLM_OK);
    if (!log.empty()) CHECK(clm_portfolio_import_csv(nullptr, nullptr, p, log.data(), log.size(), "setup.csv", 0) == CLM_OK);
    return p;
}

// The portfolio after both imports (the second skips the refused rows).
clm_portfolio *full_portfolio(const world &w) {
    clm_portfolio *p = new_portfolio(w, w.log1);
    CHECK(clm_portfolio_import_csv(nullptr, nullptr, p, w.log2.data(), w.log2.size(), "part2.csv", CLM_BATCH_SKIP_BAD) == CLM_OK);
    return p;
}

clm_event make_event(const char *customer, const char *date, const char *type, const char *value, const char *model) {
    clm_event ev = CLM_EVENT_INIT;
    ev.customer_id = customer;
    ev.timestamp = date;
    ev.type = type;
    ev.value = value;
    ev.model = model;
    return ev;
}

// The options of the two recommendation steps.
clm_recommend_options recommend_options(bool progress) {
    clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
    opt.limit = 10;
    if (progress) { // worker 0 then runs on its own thread while this one reports progress
        opt.limit = 3;
        opt.threads = 2;
        opt.progress = on_progress;
        opt.payload = &progress_calls;
    }
    return opt;
}

void scenario(world &w) {
    // --- models and the policy ---
    clm_model *m = nullptr;
    // A preset nothing has loaded yet: presets are parsed once, then shared.
    step("clm_model_preset", [] {}, [&] { m = sentinel<clm_model>(); return clm_model_preset(&m, "journey6"); },
         [&] { CHECK(m == sentinel<clm_model>()); },
         [&] {
             CHECK(std::strcmp(clm_model_id(m), "journey6") == 0);
             clm_model_free(m);
         });
    step("clm_model_from_json", [] {}, [&] { m = sentinel<clm_model>(); return clm_model_from_json(&m, w.crm_json.data(), w.crm_json.size()); },
         [&] { CHECK(m == sentinel<clm_model>()); },
         [&] {
             CHECK(std::strcmp(clm_model_id(m), "crm-pipeline") == 0);
             clm_model_free(m);
         });
    char *text = nullptr;
    size_t len = 0;
    step("clm_model_render", [] {}, [&] {
            text = sentinel<char>();
            len = size_sentinel;
            return clm_model_render(&text, &len, w.crm, CLM_FORMAT_JSON); },
         [&] { CHECK(text == sentinel<char>() && len == size_sentinel); },
         [&] {
             CHECK(len == std::strlen(text));
             CHECK(take(text) == w.render_ref);
         });
    clm_policy *pol = nullptr;
    step("clm_policy_load", [] {}, [&] { pol = sentinel<clm_policy>(); return clm_policy_load(&pol, "seeds"); },
         [&] { CHECK(pol == sentinel<clm_policy>()); },
         [&] {
             CHECK(clm_policy_rule_count(pol) == clm_policy_rule_count(w.seeds));
             clm_policy_free(pol);
         });

    // --- a portfolio with both models ---
    clm_portfolio *p = nullptr;
    step("clm_portfolio_new", [] {}, [&] { p = sentinel<clm_portfolio>(); return clm_portfolio_new(&p); },
         [&] { CHECK(p == sentinel<clm_portfolio>()); },
         [&] {
             CHECK(clm_portfolio_model_count(p) == 0);
             clm_portfolio_free(p);
         });
    size_t slot = 0;
    step("clm_portfolio_add_model", [&] { CHECK(clm_portfolio_new(&p) == CLM_OK); },
         [&] {
             slot = size_sentinel;
             return clm_portfolio_add_model(&slot, p, w.sales6);
         },
         [&] {
             CHECK(slot == size_sentinel);
             CHECK(clm_portfolio_model_count(p) == 0);
             CHECK(clm_portfolio_model(p, 0) == nullptr);
         },
         [&] {
             CHECK(slot == 0 && clm_portfolio_model_count(p) == 1);
             CHECK(clm_portfolio_model(p, 0) != nullptr);
             clm_portfolio_free(p);
         });
    step("clm_portfolio_add_model (second)",
         [&] {
             CHECK(clm_portfolio_new(&p) == CLM_OK);
             CHECK(clm_portfolio_add_model(nullptr, p, w.sales6) == CLM_OK);
         },
         [&] {
             slot = size_sentinel;
             return clm_portfolio_add_model(&slot, p, w.crm);
         },
         [&] {
             CHECK(slot == size_sentinel);
             CHECK(clm_portfolio_model_count(p) == 1);
             CHECK(clm_portfolio_model(p, 1) == nullptr);
         },
         [&] {
             CHECK(slot == 1 && clm_portfolio_model_count(p) == 2);
             clm_portfolio_free(p);
         });

    // --- importing: all-or-nothing into an empty portfolio, then skip-bad into a filled one ---
    std::string empty_export;
    size_t applied = 0;
    char *rej = nullptr;
    step("clm_portfolio_import_csv", [&] {
            p = new_portfolio(w, "");
            empty_export = export_events(p); },
         [&] {
             applied = size_sentinel;
             return clm_portfolio_import_csv(&applied, nullptr, p, w.log1.data(), w.log1.size(), "part1.csv", 0);
         },
         [&] {
             CHECK(applied == size_sentinel);
             CHECK(clm_portfolio_customer_count(p) == 0 && clm_portfolio_event_count(p) == 0);
             CHECK(export_events(p) == empty_export);
         },
         [&] {
             CHECK(export_events(p) == w.export_after_1);
             clm_portfolio_free(p);
         });
    size_t customers = 0, events = 0;
    step("clm_portfolio_import_csv (skip bad, report)",
         [&] {
             p = new_portfolio(w, w.log1);
             customers = clm_portfolio_customer_count(p);
             events = clm_portfolio_event_count(p);
         },
         [&] {
             applied = size_sentinel;
             rej = sentinel<char>();
             return clm_portfolio_import_csv(&applied, &rej, p, w.log2.data(), w.log2.size(), "part2.csv", CLM_BATCH_SKIP_BAD);
         },
         [&] {
             CHECK(applied == size_sentinel && rej == sentinel<char>());
             CHECK(clm_portfolio_customer_count(p) == customers && clm_portfolio_event_count(p) == events);
             CHECK(export_events(p) == w.export_after_1);
         },
         [&] {
             CHECK(take(rej) == w.rejections_2);
             CHECK(export_events(p) == w.export_after_2);
             clm_portfolio_free(p);
         });

    // --- single events and batches on the full portfolio ---
    clm_event one = make_event("f-1", "2018-01-10", "contact", "ok", nullptr);
    one.channel = "call";
    one.manager = "Ann";
    step("clm_portfolio_apply", [&] { p = full_portfolio(w); },
         [&] { return clm_portfolio_apply(p, &one); },
         [&] { CHECK(export_events(p) == w.export_after_2); },
         [&] {
             CHECK(export_events(p) == w.after_apply_ref);
             clm_portfolio_free(p);
         });
    std::vector<clm_event> batch = {
        make_event("f-2", "2018-01-10", "stage", "presentation", "sales6"),
        make_event("f-2", "2018-01-11", "check", "meeting protocol sent", nullptr),
        make_event("f-2", "2018-01-11", "event", "advance", "sales6"),
        make_event("f-2", "2018-01-12", "event", "win", "sales6"), // refused: no such move from proposal
        make_event("f-3", "2018-01-12", "attribute", "birthday=1980-01-13", nullptr),
        make_event("f-3", "2018-01-12", "score", "expectation=4", nullptr),
        make_event("f-3", "2018-01-13", "class", "D", nullptr),
    };
    step("clm_portfolio_apply_batch (skip bad)", [&] { p = full_portfolio(w); },
         [&] {
             applied = size_sentinel;
             rej = sentinel<char>();
             return clm_portfolio_apply_batch(&applied, &rej, p, batch.data(), batch.size(), CLM_BATCH_SKIP_BAD);
         },
         [&] {
             CHECK(applied == size_sentinel && rej == sentinel<char>());
             CHECK(export_events(p) == w.export_after_2);
         },
         [&] {
             CHECK(applied == batch.size() - 1);
             CHECK(take(rej) == w.batch_rejections_ref);
             CHECK(export_events(p) == w.after_batch_ref);
             clm_portfolio_free(p);
         });

    // --- queries on one frozen portfolio ---
    p = full_portfolio(w);
    auto query = [&](const char *name, const std::string &ref, const std::function<clm_status(char **, size_t *)> &call) {
        step(name, [] {},
             [&] {
                 text = sentinel<char>();
                 len = size_sentinel;
                 return call(&text, &len);
             },
             [&] {
                 CHECK(text == sentinel<char>() && len == size_sentinel);
                 CHECK(export_events(p) == w.export_after_2);
             },
             [&] {
                 CHECK(len == std::strlen(text));
                 CHECK(take(text) == ref);
             });
    };
    // Every customer is evaluated; the limit keeps the JSON (most of the allocations) short.
    clm_recommend_options top10 = recommend_options(false), top3 = recommend_options(true);
    query("clm_policy_recommend (top 10)", w.recommend_ref,
          [&](char **o, size_t *l) { return clm_policy_recommend(o, l, w.seeds, p, "2017-06-30", &top10); });
    query("clm_policy_recommend (worker thread, progress, top 3)", w.recommend_progress_ref,
          [&](char **o, size_t *l) { return clm_policy_recommend(o, l, w.seeds, p, "2017-06-30", &top3); });
    query("clm_policy_plan_week", w.plan_ref,
          [&](char **o, size_t *l) { return clm_policy_plan_week(o, l, w.seeds, p, "Moses Frase", "2017-06-30", 0); });
    query("clm_portfolio_export (CSV)", w.export_csv_ref,
          [&](char **o, size_t *l) { return clm_portfolio_export(o, l, p, "2017-06-30", CLM_EXPORT_CSV); });
    query("clm_portfolio_export (JSON, as of 2016-11-01)", w.export_json_ref,
          [&](char **o, size_t *l) { return clm_portfolio_export(o, l, p, "2016-11-01", CLM_EXPORT_JSON); });
    query("clm_portfolio_export_events", w.export_after_2,
          [&](char **o, size_t *l) { return clm_portfolio_export_events(o, l, p); });
    query("clm_portfolio_customer_json", w.customer_ref,
          [&](char **o, size_t *l) { return clm_portfolio_customer_json(o, l, p, clm_portfolio_customer_id(p, 0), nullptr); });
    query("clm_portfolio_funnel_json", w.funnel_ref,
          [&](char **o, size_t *l) { return clm_portfolio_funnel_json(o, l, p, "crm-pipeline", "2017-06-30"); });
    query("clm_portfolio_forecast_json", w.forecast_ref,
          [&](char **o, size_t *l) { return clm_portfolio_forecast_json(o, l, p, "crm-pipeline", "2017-06-30"); });

    clm_portfolio_free(p);

    // --- saving (the part-one portfolio) over an older, smaller save, and loading ---
    p = new_portfolio(w, w.log1);
    std::string old_bytes;
    step("clm_portfolio_save",
         [&] {
             clm_portfolio *older = new_portfolio(w, w.log_small);
             CHECK(clm_portfolio_save(older, w.save_path.c_str()) == CLM_OK);
             clm_portfolio_free(older);
             old_bytes = slurp(w.save_path);
             clm_portfolio *back = nullptr;
             CHECK(clm_portfolio_load(&back, w.save_path.c_str()) == CLM_OK);
             if (back) CHECK(export_events(back) == w.export_small);
             clm_portfolio_free(back);
         },
         [&] { return clm_portfolio_save(p, w.save_path.c_str()); },
         [&] { // the old save, byte for byte (and it loads: checked above), and no temporary left
             CHECK(slurp(w.save_path) == old_bytes);
             CHECK(!exists(w.save_path + ".tmp-clm"));
         },
         [&] {
             CHECK(!exists(w.save_path + ".tmp-clm"));
             CHECK(slurp(w.save_path) != old_bytes);
         });
    clm_portfolio *loaded = nullptr;
    step("clm_portfolio_load", [] {}, [&] {
            loaded = sentinel<clm_portfolio>();
            return clm_portfolio_load(&loaded, w.save_path.c_str()); },
         [&] { CHECK(loaded == sentinel<clm_portfolio>()); },
         [&] {
             CHECK(export_events(loaded) == w.export_after_1);
             CHECK(clm_portfolio_model_count(loaded) == 2);
             clm_portfolio_free(loaded);
         });
    clm_portfolio_free(p);
}

// Clean runs of every call, for the references.
void references(world &w) {
    char *s = nullptr;
    CHECK(clm_model_render(&s, nullptr, w.crm, CLM_FORMAT_JSON) == CLM_OK);
    w.render_ref = take(s);
    clm_portfolio *p = new_portfolio(w, w.log_small);
    w.export_small = export_events(p);
    clm_portfolio_free(p);
    p = new_portfolio(w, w.log1);
    w.export_after_1 = export_events(p);
    CHECK(clm_portfolio_import_csv(nullptr, &s, p, w.log2.data(), w.log2.size(), "part2.csv", CLM_BATCH_SKIP_BAD) == CLM_OK);
    w.rejections_2 = take(s);
    w.export_after_2 = export_events(p);
    clm_portfolio_free(p);

    p = full_portfolio(w);
    CHECK(export_events(p) == w.export_after_2);
    clm_recommend_options top10 = recommend_options(false), top3 = recommend_options(true);
    CHECK(clm_policy_recommend(&s, nullptr, w.seeds, p, "2017-06-30", &top10) == CLM_OK);
    w.recommend_ref = take(s);
    CHECK(clm_policy_recommend(&s, nullptr, w.seeds, p, "2017-06-30", &top3) == CLM_OK);
    w.recommend_progress_ref = take(s);
    CHECK(clm_policy_plan_week(&s, nullptr, w.seeds, p, "Moses Frase", "2017-06-30", 0) == CLM_OK);
    w.plan_ref = take(s);
    CHECK(clm_portfolio_export(&s, nullptr, p, "2017-06-30", CLM_EXPORT_CSV) == CLM_OK);
    w.export_csv_ref = take(s);
    CHECK(clm_portfolio_export(&s, nullptr, p, "2016-11-01", CLM_EXPORT_JSON) == CLM_OK);
    w.export_json_ref = take(s);
    CHECK(clm_portfolio_customer_json(&s, nullptr, p, clm_portfolio_customer_id(p, 0), nullptr) == CLM_OK);
    w.customer_ref = take(s);
    CHECK(clm_portfolio_funnel_json(&s, nullptr, p, "crm-pipeline", "2017-06-30") == CLM_OK);
    w.funnel_ref = take(s);
    CHECK(clm_portfolio_forecast_json(&s, nullptr, p, "crm-pipeline", "2017-06-30") == CLM_OK);
    w.forecast_ref = take(s);

    clm_event one = make_event("f-1", "2018-01-10", "contact", "ok", nullptr);
    one.channel = "call";
    one.manager = "Ann";
    CHECK(clm_portfolio_apply(p, &one) == CLM_OK);
    w.after_apply_ref = export_events(p);
    clm_portfolio_free(p);

    p = full_portfolio(w);
    std::vector<clm_event> batch = {
        make_event("f-2", "2018-01-10", "stage", "presentation", "sales6"),
        make_event("f-2", "2018-01-11", "check", "meeting protocol sent", nullptr),
        make_event("f-2", "2018-01-11", "event", "advance", "sales6"),
        make_event("f-2", "2018-01-12", "event", "win", "sales6"),
        make_event("f-3", "2018-01-12", "attribute", "birthday=1980-01-13", nullptr),
        make_event("f-3", "2018-01-12", "score", "expectation=4", nullptr),
        make_event("f-3", "2018-01-13", "class", "D", nullptr),
    };
    size_t applied = 0;
    CHECK(clm_portfolio_apply_batch(&applied, &s, p, batch.data(), batch.size(), CLM_BATCH_SKIP_BAD) == CLM_OK);
    CHECK(applied == batch.size() - 1);
    w.batch_rejections_ref = take(s);
    w.after_batch_ref = export_events(p);
    clm_portfolio_free(p);
}

// Thread creation fails (no thread can get its stack): recommendations must
// still come out, identical, or the call must fail cleanly with a status.
void thread_creation_fails(world &w) {
    current = "thread creation fails";
    // Enough customers for several worker threads (recommend_all starts one per 256 customers).
    std::string log = header;
    for (int i = 0; i < 1200; ++i) {
        std::string id = "t-" + std::to_string(i);
        log += row(id, "2017-03-01", "stage", i % 2 ? "engaging" : "prospecting", "crm-pipeline", "", i % 3 ? "Ann" : "Bo");
        log += row(id, "2017-03-02", "class", i % 3 == 0 ? "A" : "B");
    }
    clm_portfolio *p = new_portfolio(w, log);
    clm_recommend_options opt = CLM_RECOMMEND_OPTIONS_INIT;
    opt.threads = 4;
    char *ref = nullptr;
    CHECK(clm_policy_recommend(&ref, nullptr, w.seeds, p, "2017-06-30", &opt) == CLM_OK);

    pthread_attr_t huge, saved;
    CHECK(pthread_getattr_default_np(&saved) == 0);
    CHECK(pthread_attr_init(&huge) == 0);
    CHECK(pthread_attr_setstacksize(&huge, std::size_t(1) << 45) == 0); // 32 TiB: mmap refuses it
    CHECK(pthread_setattr_default_np(&huge) == 0);
    for (int with_progress = 0; with_progress < 2; ++with_progress) {
        int calls = 0;
        opt.progress = with_progress ? on_progress : nullptr;
        opt.payload = &calls;
        char *out = sentinel<char>();
        clm_status st = clm_policy_recommend(&out, nullptr, w.seeds, p, "2017-06-30", &opt);
        if (st != CLM_OK) std::fprintf(stderr, "  recommend without threads: %s: %s\n", clm_status_name(st), clm_last_error());
        CHECK(st == CLM_OK);
        if (st == CLM_OK) {
            CHECK(ref && std::strcmp(out, ref) == 0);
            clm_string_free(out);
            if (with_progress) CHECK(calls >= 1);
        } else {
            CHECK(out == sentinel<char>());
        }
    }
    CHECK(pthread_setattr_default_np(&saved) == 0);
    pthread_attr_destroy(&huge);
    pthread_attr_destroy(&saved);
    clm_string_free(ref);
    clm_portfolio_free(p);
}

} // namespace

int main(int argc, char **argv) {
    verbose = argc > 1 && std::strcmp(argv[1], "-v") == 0;
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    spare::load();
    void *warm[4];
    backtrace(warm, 4); // loads the unwinder now, not inside an armed allocation
    if (spare::symbols.empty()) {
        std::fprintf(stderr, "no nlohmann function in the symbol table (stripped?)\n");
        return 1;
    }
    world w;
    const std::string src = CLM_SOURCE_DIR;
    w.crm_json = slurp(src + "/examples/data/crm-pipeline.json");
    std::string pipeline = slurp(src + "/examples/data/crm-sales-opportunities/sales_pipeline.csv");
    if (w.crm_json.empty() || pipeline.empty()) {
        std::fprintf(stderr, "cannot read examples/data under %s\n", src.c_str());
        return 1;
    }
    w.log1 = header + opportunities(pipeline, 0, 40);
    w.log_small = header + opportunities(pipeline, 0, 10);
    // Part two adds rows the models refuse (skipped with CLM_BATCH_SKIP_BAD and reported).
    w.log2 = header + opportunities(pipeline, 40, 80) +
             row("1C1I7A6R", "2018-02-01", "event", "close", "sales6") +     // no such move from its stage
             row("Z063OYW0", "2018-02-01", "event", "lose", "sales6");       // lose needs a reason
    char tmpl[] = "/tmp/clm-alloc-fail-XXXXXX";
    if (!mkdtemp(tmpl)) {
        std::perror("mkdtemp");
        return 1;
    }
    w.dir = tmpl;
    w.save_path = w.dir + "/portfolio.clm";

    current = "setup";
    CHECK(clm_model_preset(&w.sales6, "sales6") == CLM_OK);
    CHECK(clm_model_from_json(&w.crm, w.crm_json.data(), w.crm_json.size()) == CLM_OK);
    CHECK(clm_policy_load(&w.seeds, "seeds") == CLM_OK);
    if (failures) return 1;
    references(w);
    std::size_t rows1 = 0, rows2 = 0;
    for (char c : w.log1) rows1 += c == '\n';
    for (char c : w.log2) rows2 += c == '\n';
    std::printf("scenario: %zu + %zu event-log rows, %zu + %zu bytes of JSON, %zu bytes of recommendations\n", rows1 - 1,
                rows2 - 1, w.crm_json.size(), w.render_ref.size(), w.recommend_ref.size());
    CHECK(!w.rejections_2.empty());
    if (failures) return 1;

    scenario(w);
    std::printf("fail the k-th allocation: %ld allocation points over %ld steps; %ld runs returned CLM_E_NO_MEMORY, "
                "%ld absorbed the failure with the exact result, %ld spared (nlohmann/json: %ld in a destructor, "
                "%ld in a null-to-container conversion, %ld in an initializer-list object)\n",
                total.points, total.steps, total.no_memory, total.absorbed, total.spared, spare::destructor.load(),
                spare::null_conversion.load(), spare::initializer_list.load());
    std::fflush(stdout);

    sticky_pass = true;
    hook::sticky = true;
    total = totals{};
    scenario(w);
    hook::sticky = false;
    std::printf("fail every allocation from the k-th on (every 10th k): %ld runs; %ld returned CLM_E_NO_MEMORY, "
                "%ld absorbed, %ld with spared allocations\n",
                total.points, total.no_memory, total.absorbed, total.spared);

    thread_creation_fails(w);
    std::printf("thread creation failing: recommendations %s\n", failures ? "FAILED" : "identical");

    clm_model_free(w.sales6);
    clm_model_free(w.crm);
    clm_policy_free(w.seeds);
    ::unlink(w.save_path.c_str());
    ::unlink((w.save_path + ".tmp-clm").c_str());
    ::rmdir(w.dir.c_str());
    std::printf("%ld checks, %d failed\n", checks, failures);
    return failures ? 1 : 0;
}
