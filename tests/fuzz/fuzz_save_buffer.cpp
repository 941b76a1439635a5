// fuzz_save_buffer.cpp -- clm_portfolio_load_buffer on arbitrary bytes (a
// host's database column holding a save, docs/embedding.md). Each input is
// loaded as it is, as a prefix one byte short (a length that lies), and
// behind a correct trailer (docs/save-format.md: "end LENGTH FNV1A64"), so
// that the fuzzer reaches the header, model and journal parsers behind the
// checksum. A load fails only with CLM_E_CORRUPT or CLM_E_VERSION and leaves
// the out-parameter untouched; a portfolio that loads saves to a buffer that
// loads back and saves to the same bytes, and the buffer and file loaders
// agree.
#include "fuzz_common.hpp"

#include <cinttypes>
#include <memory>
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

std::string save(const clm_portfolio *p) {
    char *out = nullptr;
    size_t len = 0;
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_save_buffer, &out, &len, p) == CLM_OK, "clm_portfolio_save_buffer", CLM_OK);
    return fuzz::take(out, len);
}

// Loads `bytes` from a heap copy of exactly their size (so that a read past
// the given length is an ASan report). Returns the status.
clm_status load(const std::string &bytes) {
    std::unique_ptr<char[]> copy(new char[bytes.size() + 1]);
    std::memcpy(copy.get(), bytes.data(), bytes.size());
    clm_portfolio *p = fuzz::sentinel<clm_portfolio>();
    clm_status s = CLM_CALL(clm_portfolio_load_buffer, &p, bytes.empty() ? nullptr : copy.get(), bytes.size(), "fuzz");
    if (s != CLM_OK) {
        CLM_FUZZ_CHECK(s == CLM_E_CORRUPT || s == CLM_E_VERSION || s == CLM_E_NO_MEMORY, "clm_portfolio_load_buffer", s);
        CLM_FUZZ_CHECK(p == fuzz::sentinel<clm_portfolio>(), "clm_portfolio_load_buffer", s);
        return s;
    }
    // save -> load -> save gives the same bytes.
    std::string first = save(p);
    clm_portfolio *q = nullptr;
    CLM_FUZZ_CHECK(CLM_CALL(clm_portfolio_load_buffer, &q, first.data(), first.size(), nullptr) == CLM_OK,
                   "clm_portfolio_load_buffer (own save)", CLM_OK);
    CLM_FUZZ_CHECK(save(q) == first, "clm_portfolio_save_buffer (save/load/save differs)", CLM_OK);
    CLM_FUZZ_CHECK(clm_portfolio_customer_count(q) == clm_portfolio_customer_count(p) &&
                       clm_portfolio_event_count(q) == clm_portfolio_event_count(p) &&
                       clm_portfolio_last_seq(q) == clm_portfolio_event_count(q),
                   "clm_portfolio_load_buffer (counts differ after reload)", CLM_OK);
    clm_portfolio_free(q);
    clm_portfolio_free(p);
    return s;
}

// The file loader gives the same verdict on the same bytes.
void same_as_file(const std::string &bytes, clm_status buffer_status) {
    const std::string path = fuzz::temp_path("buffer.clm");
    fuzz::write_file(path, bytes.data(), bytes.size());
    clm_portfolio *p = nullptr;
    clm_status s = CLM_CALL(clm_portfolio_load, &p, path.c_str());
    std::remove(path.c_str());
    if (s != CLM_E_IO && s != CLM_E_NO_MEMORY && buffer_status != CLM_E_NO_MEMORY)
        CLM_FUZZ_CHECK(s == buffer_status, "clm_portfolio_load_buffer (differs from clm_portfolio_load)", s);
    clm_portfolio_free(p);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    std::string bytes(reinterpret_cast<const char *>(data), size);
    same_as_file(bytes, load(bytes));
    if (!bytes.empty()) load(bytes.substr(0, bytes.size() - 1));

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
