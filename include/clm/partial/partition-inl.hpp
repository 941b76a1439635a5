/// @file partial/partition-inl.hpp
/// The definitions of partial/partition.hpp.
#pragma once

#include <clm/csv.hpp>
#include <clm/event_log.hpp>
#include <clm/file_io.hpp>
#include <clm/partial/partition.hpp>

namespace clm {

namespace detail::partition {

// The positions of the columns a partition reads in the header `fields`; -1 when absent.
struct columns {
    int customer = -1, time = -1, type = -1, value = -1;
    explicit columns(const std::vector<std::string_view> &fields) {
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (fields[i] == "customer_id") customer = int(i);
            else if (fields[i] == "timestamp") time = int(i);
            else if (fields[i] == "type") type = int(i);
            else if (fields[i] == "value") value = int(i);
        }
    }
};

// The header's first field without the UTF-8 byte-order mark (the reader skips it already).
inline std::string_view field_at(const std::vector<std::string_view> &f, int i) {
    return i >= 0 && std::size_t(i) < f.size() ? f[std::size_t(i)] : std::string_view();
}

} // namespace detail::partition

CLM_INLINE std::uint32_t partition_of(std::string_view key, std::uint32_t parts) {
    if (parts == 0) throw invalid_argument("partition: the number of parts must be at least 1");
    return std::uint32_t(fnv1a64(key) % parts);
}

CLM_INLINE void partition_keys::scan(std::string_view csv, const std::string &file) {
    using namespace detail::partition;
    csv_reader reader(csv, file);
    std::vector<std::string_view> fields;
    if (!reader.next(fields)) return;
    const columns at(fields);
    if (at.customer < 0 || at.time < 0 || at.type < 0 || at.value < 0) return; // the import reports the header
    constexpr std::string_view prefix = "account=";
    while (reader.next(fields)) {
        if (field_at(fields, at.type) != "attribute") continue;
        std::string_view value = field_at(fields, at.value);
        if (value.substr(0, prefix.size()) != prefix) continue;
        auto t = parse_timestamp(field_at(fields, at.time));
        if (!t || *t > as_of_) continue;
        std::string_view customer = field_at(fields, at.customer);
        if (customer.empty()) continue;
        auto [it, fresh] = accounts_.try_emplace(std::string(customer));
        // The newest by time; of equal times the later row (the import applies rows stably).
        if (fresh || *t >= it->second.time) {
            it->second.time = *t;
            it->second.account.assign(value.substr(prefix.size()));
        }
    }
}

CLM_INLINE std::string_view partition_keys::key_of(std::string_view customer_id) const {
    if (accounts_.empty()) return customer_id;
    auto it = accounts_.find(std::string(customer_id));
    return it == accounts_.end() || it->second.account.empty() ? customer_id : std::string_view(it->second.account);
}

CLM_INLINE std::string partition_rows(std::string_view csv, const std::string &file, const partition_keys &keys,
                                      std::uint32_t part, std::uint32_t parts) {
    using namespace detail::partition;
    if (part >= parts) throw invalid_argument("partition: part " + std::to_string(part) + " of " + std::to_string(parts) + " does not exist");
    csv_reader reader(csv, file);
    std::vector<std::string_view> fields;
    std::string out;
    std::size_t out_line = 1;
    bool header = true;
    int customer = -1;
    while (reader.next(fields)) {
        const auto line = std::size_t(reader.line());
        bool keep = header;
        if (header) {
            customer = columns(fields).customer;
        } else if (fields.size() == 1 && fields[0].empty()) {
            keep = false; // a blank line
        } else if (customer < 0 || std::size_t(customer) >= fields.size()) {
            keep = true; // cannot say whose: every part reports it
        } else {
            keep = partition_of(keys.key_of(fields[std::size_t(customer)]), parts) == part;
        }
        header = false;
        if (!keep) continue;
        for (; out_line < line; ++out_line) out += '\n';
        for (std::size_t i = 0; i < fields.size(); ++i) {
            if (i) out += ',';
            csv_append_field(out, fields[i]);
            for (char c : fields[i]) out_line += c == '\n';
        }
        out += '\n';
        ++out_line;
    }
    return out;
}

CLM_INLINE void import_partition(portfolio &p, const std::vector<std::string> &files, timestamp as_of, std::uint32_t part,
                                 std::uint32_t parts) {
    if (parts == 0 || part >= parts)
        throw invalid_argument("partition: part " + std::to_string(part) + " of " + std::to_string(parts) + " does not exist");
    std::vector<std::string> texts;
    partition_keys keys(as_of);
    for (const auto &f : files) {
        texts.push_back(read_file(f));
        keys.scan(texts.back(), f);
    }
    portfolio copy = p;
    for (std::size_t i = 0; i < files.size(); ++i) {
        std::string rows = partition_rows(texts[i], files[i], keys, part, parts);
        std::string().swap(texts[i]); // the whole file is no longer needed
        import_event_log(copy, rows, files[i]);
    }
    p = std::move(copy);
}

} // namespace clm
