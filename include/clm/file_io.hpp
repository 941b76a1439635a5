/// @file file_io.hpp
/// Whole-file reading and crash-safe writing (write a temporary, fsync,
/// rename, fsync the directory), with errors that name the file.
#pragma once

#include <clm/error.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <unistd.h>

namespace clm {

/// Reads a whole file; throws io_error naming the file and the reason.
inline std::string read_file(const std::string &path) {
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) throw io_error("cannot open '" + path + "': " + std::strerror(errno));
    std::string data;
    char buf[1 << 16];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (failed) throw io_error("cannot read '" + path + "'");
    return data;
}

/// Replaces `path` with `data` atomically: after a crash the file holds the
/// old content or the new, never a mix. Throws io_error; on failure the old
/// file is untouched and the temporary removed.
inline void write_file_atomic(const std::string &path, std::string_view data) {
    std::string tmp = path + ".tmp-clm";
    // Allocated now: once the rename is done, nothing may fail any more.
    std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/') + 1);
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) throw io_error("cannot create '" + tmp + "': " + std::strerror(errno));
    auto fail = [&](const char *what) {
        int e = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw io_error(std::string("cannot ") + what + " '" + tmp + "': " + std::strerror(e));
    };
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t w = ::write(fd, data.data() + off, data.size() - off);
        if (w < 0) {
            if (errno == EINTR) continue;
            fail("write");
        }
        off += std::size_t(w);
    }
    if (::fsync(fd) != 0) fail("fsync");
    if (::close(fd) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw io_error("cannot close '" + tmp + "': " + std::strerror(e));
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        ::unlink(tmp.c_str());
        throw io_error("cannot rename '" + tmp + "' to '" + path + "': " + std::strerror(e));
    }
    // Make the rename itself durable.
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

} // namespace clm
