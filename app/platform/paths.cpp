#include "app/platform/paths.h"

#include <cerrno>
#include <cstdlib>
#include <ctime>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

namespace attn::app {

namespace {

std::string home() {
    const char* value = std::getenv("HOME");
    return value && *value ? value : "/tmp";
}

std::string xdg(const char* variable, const char* fallback) {
    const char* value = std::getenv(variable);
    std::string base = value && *value == '/' ? value : home() + fallback;
    const std::string dir = base + "/attnlab";
    return make_directories(dir) ? dir : "";
}

bool exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

}  // namespace

bool is_directory(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISDIR(info.st_mode);
}

bool make_directories(const std::string& path) {
    if (path.empty()) return false;
    for (size_t pos = 1; pos <= path.size(); ++pos) {
        if (pos != path.size() && path[pos] != '/') continue;
        const std::string prefix = path.substr(0, pos);
        if (::mkdir(prefix.c_str(), 0755) != 0 && errno != EEXIST) return false;
    }
    return is_directory(path);
}

std::string config_dir() { return xdg("XDG_CONFIG_HOME", "/.config"); }
std::string state_dir() { return xdg("XDG_STATE_HOME", "/.local/state"); }

std::string default_screenshot_dir() {
    const std::string pictures = home() + "/Pictures";
    if (is_directory(pictures)) return pictures + "/attnlab";
    char cwd[PATH_MAX];
    return ::getcwd(cwd, sizeof cwd) ? cwd : ".";
}

std::string assets_dir() {
    char exe[PATH_MAX];
    const ssize_t length = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (length > 0) {
        exe[length] = '\0';
        std::string dir(exe);
        dir = dir.substr(0, dir.rfind('/'));
        const std::string installed = dir + "/../share/attnlab";
        if (exists(installed + "/exercises/notebook.json")) return installed;
    }
#ifdef ATTN_SOURCE_ASSETS_DIR
    if (exists(std::string(ATTN_SOURCE_ASSETS_DIR) + "/exercises/notebook.json")) return ATTN_SOURCE_ASSETS_DIR;
#endif
    return "";
}

std::string first_existing(std::initializer_list<const char*> candidates) {
    for (const char* path : candidates)
        if (exists(path)) return path;
    return "";
}

std::string timestamp_for_filename() {
    const std::time_t now = std::time(nullptr);
    std::tm local {};
    localtime_r(&now, &local);
    char text[32];
    std::strftime(text, sizeof text, "%Y-%m-%d_%H-%M-%S", &local);
    return text;
}

}  // namespace attn::app
