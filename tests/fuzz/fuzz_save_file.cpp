// fuzz_save_file.cpp -- clm_portfolio_load on arbitrary files. Each input is
// loaded twice: as it is (so the length and checksum checks are tried), and
// with its last line replaced by a correct trailer (docs/save-format.md: "end
// LENGTH FNV1A64"), so that the fuzzer also reaches the header, model and
// journal parsers behind the checksum. A load fails only with CLM_E_IO,
// CLM_E_CORRUPT or CLM_E_VERSION and leaves the out-parameter untouched; a
// portfolio that loads saves, reloads and saves again to the same bytes.
#include "fuzz_common.hpp"

#include <cinttypes>
#include <string>

namespace {

std::uint64_t fnv1a64(const std::string &data) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : data) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

std::string export_events(const clm_portfolio *p) {
    char *out = nullptr;
    size_t len = 0;
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_export_events, &out, &len, p) == CLM_OK, "clm_portfolio_export_events", CLM_OK);
    return fuzz::take(out, len);
}

void load(const std::string &bytes) {
    const std::string path = fuzz::temp_path("load.clm");
    fuzz::write_file(path, bytes.data(), bytes.size());
    clm_portfolio *p = fuzz::sentinel<clm_portfolio>();
    clm_status s = CLM_CALL(clm_portfolio_load, &p, path.c_str());
    std::remove(path.c_str());
    if (s != CLM_OK) {
        CLM_FUZZ_CHECK(s == CLM_E_CORRUPT || s == CLM_E_VERSION || s == CLM_E_IO || s == CLM_E_NO_MEMORY, "clm_portfolio_load", s);
        CLM_FUZZ_CHECK(p == fuzz::sentinel<clm_portfolio>(), "clm_portfolio_load", s);
        return;
    }
    std::string journal = export_events(p);
    for (size_t i = 0; i < clm_portfolio_model_count(p); ++i)
        CLM_FUZZ_CHECK(clm_portfolio_model(p, i) != nullptr, "clm_portfolio_model", CLM_OK);

    // save -> load -> save gives the same file, and the same journal.
    const std::string first = fuzz::temp_path("first.clm"), second = fuzz::temp_path("second.clm");
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_save, p, first.c_str()) == CLM_OK, "clm_portfolio_save", CLM_OK);
    clm_portfolio *q = nullptr;
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_load, &q, first.c_str()) == CLM_OK, "clm_portfolio_load (own save)", CLM_OK);
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_save, q, second.c_str()) == CLM_OK, "clm_portfolio_save", CLM_OK);
    CLM_FUZZ_CHECK(fuzz::read_file(first) == fuzz::read_file(second), "clm_portfolio_save (save/load/save differs)", CLM_OK);
    CLM_FUZZ_CHECK(export_events(q) == journal, "clm_portfolio_export_events (after reload)", CLM_OK);
    CLM_FUZZ_CHECK(clm_portfolio_customer_count(q) == clm_portfolio_customer_count(p) &&
                       clm_portfolio_model_count(q) == clm_portfolio_model_count(p),
                   "clm_portfolio_load (counts differ after reload)", CLM_OK);
    char *out = nullptr;
    size_t len = 0;
    if (CLM_CALL(clm_portfolio_export, &out, &len, q, nullptr, CLM_EXPORT_JSON) == CLM_OK) fuzz::take(out, len);
    std::remove(first.c_str());
    std::remove(second.c_str());
    clm_portfolio_free(q);
    clm_portfolio_free(p);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string bytes(reinterpret_cast<const char *>(data), size);
    load(bytes);

    // The same body behind a correct trailer.
    std::string body = bytes;
    if (!body.empty() && body.back() == '\n') body.pop_back();
    std::size_t last = body.rfind('\n');
    std::string last_line = last == std::string::npos ? body : body.substr(last + 1);
    if (last_line.compare(0, 4, "end ") == 0) body.erase(last == std::string::npos ? 0 : last + 1);
    else body += '\n';
    char trailer[96];
    std::snprintf(trailer, sizeof trailer, "end %zu %016" PRIx64 "\n", body.size(), fnv1a64(body));
    load(body + trailer);
    return 0;
}
