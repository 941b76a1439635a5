/// @file save_file.hpp
/// Durable save and load of a whole portfolio (docs/save-format.md).
///
/// The file is text: a versioned header, each model's canonical JSON, the
/// journal as an event-log CSV, and a trailer with the length and an
/// FNV-1a 64-bit checksum of everything before it. Save is atomic (write a
/// temporary, fsync, rename); load verifies the header, version, length and
/// checksum first and refuses a damaged file whole.
#pragma once

#include <clm/event_log.hpp>
#include <clm/file_io.hpp>
#include <clm/model_json.hpp>
#include <clm/printable.hpp>

#include <cinttypes>

namespace clm {

/// The save format version this library writes (and the newest it reads).
inline constexpr int save_format_version = 1;

/// FNV-1a 64-bit hash: detects damage, not tampering.
inline std::uint64_t fnv1a64(std::string_view data) noexcept {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : data) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return h;
}

/// Serialises a portfolio (models and journal) to the save format.
inline std::string save_to_string(const portfolio &p) {
    std::string body = "clm-portfolio " + std::to_string(save_format_version) + "\n";
    body += "models " + std::to_string(p.model_count()) + "\n";
    for (std::size_t i = 0; i < p.model_count(); ++i) {
        std::string json = model_to_json(p.model_at(i)).dump();
        body += "model " + std::to_string(json.size()) + "\n" + json + "\n";
    }
    std::string journal = export_event_log(p);
    body += "journal " + std::to_string(p.journal().size()) + " " + std::to_string(journal.size()) + "\n" + journal;
    char trailer[96];
    std::snprintf(trailer, sizeof trailer, "end %zu %016" PRIx64 "\n", body.size(), fnv1a64(body));
    return body + trailer;
}

/// Rebuilds a portfolio from the save format; throws corrupt_error or
/// version_error (naming `name`) and returns nothing partial.
inline portfolio load_from_string(std::string_view data, const std::string &name) {
    auto corrupt = [&](const std::string &what) { return corrupt_error("'" + name + "' is damaged: " + what); };
    const std::string magic = "clm-portfolio ";
    if (data.substr(0, magic.size()) != magic) throw corrupt("not a clm portfolio save file");
    // The version line, read first but judged with the trailer: a file whose
    // trailer verifies is intact, so a version other than ours is really
    // another version (CLM_E_VERSION). A file without our trailer (none, or
    // not "end <length> <checksum>" over the body) is another version when its
    // version line says so: a later format may end differently. A file with
    // our trailer whose checksum fails is damaged (CLM_E_CORRUPT), whatever
    // its version line says, since a flipped digit looks like another version.
    std::string other_version;
    {
        std::size_t nl = data.find('\n', magic.size());
        std::string_view v = data.substr(magic.size(), nl == std::string_view::npos ? std::string_view::npos : nl - magic.size());
        if (nl == std::string_view::npos || v.empty() || v.find_first_not_of("0123456789") != std::string_view::npos)
            throw corrupt("bad version '" + printable(v.substr(0, 40)) + "'");
        std::size_t first = v.find_first_not_of('0');
        std::string_view digits = first == std::string_view::npos ? std::string_view("0") : v.substr(first);
        if (digits.size() > 9 || std::stoi(std::string(digits)) != save_format_version)
            other_version = std::string(digits.substr(0, 40)) + (digits.size() > 40 ? "..." : "");
    }
    const std::string supported = "this library reads versions 1 to " + std::to_string(save_format_version);
    auto no_trailer = [&](const std::string &what) {
        if (!other_version.empty()) throw version_error("'" + name + "' has save format version " + other_version + "; " + supported);
        throw corrupt(what);
    };
    // Trailer: the last line, "end <length> <checksum>".
    if (data.size() < 2 || data.back() != '\n') no_trailer("truncated (no trailer)");
    std::size_t trailer_at = data.rfind('\n', data.size() - 2);
    if (trailer_at == std::string_view::npos) no_trailer("truncated (no trailer)");
    std::string trailer(data.substr(trailer_at + 1));
    std::size_t length = 0;
    std::uint64_t sum = 0;
    char tail = 0;
    if (std::sscanf(trailer.c_str(), "end %zu %" SCNx64 "%c", &length, &sum, &tail) != 3 || tail != '\n')
        no_trailer("truncated or malformed trailer");
    {
        // Exactly as the writer writes it: a flipped case bit turns 'a' into 'A', which
        // scanf reads as the same digit; a file so changed is damaged all the same.
        char canonical[96];
        std::snprintf(canonical, sizeof canonical, "end %zu %016" PRIx64 "\n", length, sum);
        if (trailer != canonical) no_trailer("malformed trailer");
    }
    std::string_view body = data.substr(0, trailer_at + 1);
    if (length != body.size()) no_trailer("length " + std::to_string(body.size()) + " does not match the recorded " + std::to_string(length));
    if (fnv1a64(body) != sum) throw corrupt("checksum mismatch");
    if (!other_version.empty())
        throw version_error("'" + name + "' has save format version " + other_version + "; " + supported);
    // The body is intact; anything wrong now is a version or a bug in the writer.
    std::size_t pos = magic.size();
    auto line = [&]() {
        std::size_t nl = body.find('\n', pos);
        if (nl == std::string_view::npos) throw corrupt("unexpected end of data");
        std::string l(body.substr(pos, nl - pos));
        pos = nl + 1;
        return l;
    };
    line(); // the version, checked above
    portfolio p;
    // Past the checksum, a model or journal that does not load is still damage (the
    // caller sees CLM_E_CORRUPT, as clm_portfolio_load documents), never a parse error.
    try {
        std::size_t models = 0;
        if (std::sscanf(line().c_str(), "models %zu", &models) != 1) throw corrupt("bad models line");
        for (std::size_t i = 0; i < models; ++i) {
            std::size_t len = 0;
            // Compared without `pos + len`, which a huge length would wrap around.
            if (std::sscanf(line().c_str(), "model %zu", &len) != 1 || len >= body.size() - pos || body[pos + len] != '\n')
                throw corrupt("bad model entry");
            p.add_model(model_from_json(body.substr(pos, len), name + " (model " + std::to_string(i) + ")"));
            pos += len + 1;
        }
        std::size_t events = 0, len = 0;
        if (std::sscanf(line().c_str(), "journal %zu %zu", &events, &len) != 2 || len != body.size() - pos) throw corrupt("bad journal entry");
        auto parsed = parse_event_log(body.substr(pos, len), name + " (journal)");
        if (parsed.size() != events) throw corrupt("journal holds " + std::to_string(parsed.size()) + " events, expected " + std::to_string(events));
        p.set_replaying(true);
        p.apply_batch(parsed, false);
        p.set_replaying(false);
    } catch (const corrupt_error &) {
        throw;
    } catch (const error &e) {
        throw corrupt(e.what());
    }
    return p;
}

/// Saves a portfolio to `path` atomically (old file or new, never a mix).
inline void save_portfolio(const portfolio &p, const std::string &path) { write_file_atomic(path, save_to_string(p)); }

/// Loads a portfolio saved by save_portfolio(); throws io_error, corrupt_error or version_error.
inline portfolio load_portfolio(const std::string &path) { return load_from_string(read_file(path), path); }

} // namespace clm
