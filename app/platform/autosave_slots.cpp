#include "app/platform/autosave_slots.h"

#include "app/platform/paths.h"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <fcntl.h>
#include <string>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attn::app {

namespace {

std::string marker_of(const std::string& autosave) { return autosave + ".running"; }

bool exists(const std::string& path) {
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0;
}

// The marker opened (created if missing) and locked without waiting; -1 when a running window
// holds it or it cannot be opened. The lock must be on the file now under that name: one its
// owner unlinked at a clean exit between our open and our flock is dropped and the name retried.
int lock_marker(const std::string& marker) {
    for (int attempt = 0; attempt < 4; ++attempt) {
        const int fd = ::open(marker.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (fd < 0) return -1;
        if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(fd);
            return -1;
        }
        struct stat held {}, named {};
        if (::fstat(fd, &held) == 0 && ::lstat(marker.c_str(), &named) == 0 && held.st_ino == named.st_ino &&
            held.st_dev == named.st_dev)
            return fd;
        ::close(fd);
    }
    return -1;
}

// A marker with content was written by a window that then died: a clean exit removes it, and
// one we created a moment ago is empty.
bool has_content(int fd) {
    struct stat info {};
    return ::fstat(fd, &info) == 0 && info.st_size > 0;
}

}  // namespace

std::string autosave_slot_path(const std::string& dir, int number) {
    return dir + (number <= 1 ? "/autosave.json" : "/autosave-" + std::to_string(number) + ".json");
}

AutosaveSlot claim_autosave_slot(const std::string& dir) {
    if (dir.empty()) return {};
    for (int number = 1; number <= kMaxAutosaveSlots; ++number) {
        const std::string path = autosave_slot_path(dir, number);
        const int fd = lock_marker(marker_of(path));
        if (fd < 0) continue;
        AutosaveSlot slot{number, path, fd, has_content(fd)};
        const std::string pid = std::to_string(static_cast<long>(::getpid())) + "\n";
        if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
            // Without the pid a crash of this window would go unnoticed: not a slot to use.
            ::unlink(marker_of(path).c_str());
            ::close(fd);
            continue;
        }
        return slot;
    }
    return {};
}

void release_autosave_slot(AutosaveSlot& slot) {
    if (slot.lock_fd < 0) return;
    ::unlink(marker_of(slot.path).c_str());  // still locked: nobody takes the slot half-released
    ::close(slot.lock_fd);
    slot.lock_fd = -1;
}

std::string set_aside_crashed(const std::string& dir, const std::string& path) {
    const std::string base = dir + "/autosave-crashed-" + timestamp_for_filename();
    for (int k = 1; k <= 100; ++k) {
        const std::string aside = base + (k == 1 ? "" : "-" + std::to_string(k)) + ".json";
        // link() never replaces a file, so two crashes set aside in one second both stay.
        if (::link(path.c_str(), aside.c_str()) == 0) {
            ::unlink(path.c_str());
            return aside;
        }
        if (errno == EEXIST) continue;
        // A file system without hard links: rename, having looked first.
        if (!exists(aside) && std::rename(path.c_str(), aside.c_str()) == 0) return aside;
        return "";
    }
    return "";
}

std::vector<LeftSession> collect_left_sessions(const std::string& dir, int mine) {
    std::vector<LeftSession> left;
    if (dir.empty()) return left;
    for (int number = 1; number <= kMaxAutosaveSlots; ++number) {
        if (number == mine) continue;
        const std::string path = autosave_slot_path(dir, number);
        const std::string marker = marker_of(path);
        if (!exists(marker)) {
            if (exists(path)) left.push_back({path, false});
            continue;
        }
        const int fd = lock_marker(marker);
        if (fd < 0) continue;  // a running window's
        if (has_content(fd)) {
            const std::string aside = exists(path) ? set_aside_crashed(dir, path) : "";
            left.push_back({aside, true});
        } else if (exists(path)) {
            left.push_back({path, false});
        }
        ::unlink(marker.c_str());
        ::close(fd);
    }
    return left;
}

bool is_state_file_name(const std::string& name) {
    std::string base = name;
    const std::string running = ".running";
    if (base.size() > running.size() && base.compare(base.size() - running.size(), running.size(), running) == 0)
        base.resize(base.size() - running.size());
    if (base == "autosave.json" || base == "recent.json" || base == "recent-packs.json") return true;
    // autosave-N.json, N a slot number
    const std::string head = "autosave-", tail = ".json";
    if (base.size() <= head.size() + tail.size() || base.compare(0, head.size(), head) != 0 ||
        base.compare(base.size() - tail.size(), tail.size(), tail) != 0)
        return false;
    const std::string digits = base.substr(head.size(), base.size() - head.size() - tail.size());
    if (digits.size() > 2 || digits[0] == '0') return false;
    for (char c : digits)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

}  // namespace attn::app
