#include "app/platform/open_folder.h"

#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <thread>

extern char** environ;

namespace attn::app {

std::string open_folder(const std::string& folder) {
    const char* custom = std::getenv("ATTNLAB_OPEN_COMMAND");
    const std::string opener = custom && *custom ? custom : "xdg-open";
    std::string argument = folder;  // posix_spawnp wants char*, not const char*
    std::string program = opener;
    char* argv[] = {program.data(), argument.data(), nullptr};
    pid_t pid = 0;
    const int error = posix_spawnp(&pid, opener.c_str(), nullptr, nullptr, argv, environ);
    if (error != 0) return opener + ": " + std::strerror(error);
    std::thread([pid] {
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    }).detach();
    return "";
}

}  // namespace attn::app
