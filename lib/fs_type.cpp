#include "fs_type.hpp"

#include <fstream>
#include <sstream>
#include <sys/stat.h>
#include <sys/sysmacros.h>

namespace pyimport {

// /proc/self/mountinfo names the type (with the FUSE subtype, e.g.
// "fuse.mfsmount") of the mount whose device matches the path's.
std::string fs_type_of(const std::string &path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0) return "";
    std::ifstream in("/proc/self/mountinfo");
    std::string line, found;
    const std::string dev = std::to_string(major(st.st_dev)) + ":" + std::to_string(minor(st.st_dev));
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string id, parent, majmin, word;
        fields >> id >> parent >> majmin;
        if (majmin != dev) continue;
        while (fields >> word && word != "-") {}
        std::string type;
        if (fields >> type) found = type;  // the last match is the topmost mount
    }
    return found;
}

} // namespace pyimport
