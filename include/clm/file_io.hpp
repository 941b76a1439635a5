/// @file file_io.hpp
/// Whole-file reading and crash-safe writing (write a temporary, fsync,
/// rename, fsync the directory), with errors that name the file.
#pragma once

#include <clm/error.hpp>
#include <clm/input_limits.hpp>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace clm {

/// Reads a whole file of at most `limit` bytes (default: max_input_bytes());
/// throws io_error naming the file and the reason, or the limit when the file
/// is larger (an endless /dev/zero ends there, not in an allocation failure);
/// the message names `setting`, the environment variable that sets the limit.
inline std::string read_file(const std::string &path, std::size_t limit = max_input_bytes(), const char *setting = "CLM_MAX_INPUT_BYTES") {
    std::FILE *f = std::fopen(path.c_str(), "rb");
    if (!f) throw io_error("cannot open '" + path + "': " + std::strerror(errno));
    std::string data;
    char buf[1 << 16];
    std::size_t n;
    bool too_large = false;
    try {
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) {
            if (n > limit - data.size()) {
                too_large = true;
                break;
            }
            data.append(buf, n);
        }
    } catch (const std::bad_alloc &) {
        // Out of memory stays out of memory (CLM_E_NO_MEMORY in the C ABI; the
        // command prints its fixed message), with the file closed.
        std::fclose(f);
        throw;
    }
    bool failed = std::ferror(f) != 0;
    std::fclose(f);
    if (too_large)
        throw io_error("'" + path + "' is larger than the input limit of " + std::to_string(limit) +
                       " bytes (set " + setting + " to change it)");
    if (failed) throw io_error("cannot read '" + path + "'");
    return data;
}

/// Replaces `path` with `data` atomically: after a crash the file holds the
/// old content or the new, never a mix. Throws io_error; on failure the old
/// file is untouched and the temporary removed.
inline void write_file_atomic(const std::string &path, std::string_view data) {
    // A symbolic link is refused, not replaced by a file nor followed to
    // wherever it points (a planted link must not steer the write).
    struct stat st;
    if (::lstat(path.c_str(), &st) == 0 && S_ISLNK(st.st_mode))
        throw io_error("cannot write '" + path + "': it is a symbolic link (clm writes only to a regular file or a new path)");
    // Allocated now: once the rename is done, nothing may fail any more.
    std::string dir = path.find('/') == std::string::npos ? "." : path.substr(0, path.rfind('/') + 1);
    // The temporary is created exclusively and never through a link: a stale
    // one left by a crash, or anything planted under its name (a symbolic link
    // to another file), is removed first (unlink removes a link, not its target).
    std::string tmp = path + ".tmp-clm";
    if (::unlink(tmp.c_str()) != 0 && errno != ENOENT)
        throw io_error("cannot remove the stale temporary '" + tmp + "': " + std::strerror(errno));
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
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
