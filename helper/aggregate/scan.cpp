#include "scan.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <sys/stat.h>

namespace agg {

namespace {

bool ends_with(const std::string &s, const char *suffix) {
    size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

class Walker {
  public:
    Walker(const std::function<void(std::string)> &found, std::vector<Problem> &problems)
        : found_(found), problems_(problems) {}

    void directory(const std::string &dir) {
        DIR *d = opendir(dir.c_str());
        if (!d) return problems_.push_back({dir, std::string("cannot list: ") + std::strerror(errno)});
        std::vector<std::string> subdirs;
        while (dirent *e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            std::string path = dir + (ends_with(dir, "/") ? "" : "/") + e->d_name;
            unsigned char type = e->d_type;
            struct stat st;
            if (type == DT_UNKNOWN && lstat(path.c_str(), &st) == 0)
                type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
            // A link to a file counts as that file; links to directories are not followed.
            if (type == DT_LNK) type = stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
            if (type == DT_DIR) {
                subdirs.push_back(path);
            } else if (type == DT_REG && ends_with(path, ".json")) {
                ++files_;
                found_(std::move(path));
            } else if (type == DT_REG) {
                ++ignored_;
            }
        }
        closedir(d);
        for (const auto &s : subdirs) directory(s);
    }

    size_t files() const { return files_; }
    size_t ignored() const { return ignored_; }

  private:
    const std::function<void(std::string)> &found_;
    std::vector<Problem> &problems_;
    size_t files_ = 0, ignored_ = 0;
};

} // namespace

size_t scan_record_files(const std::vector<std::string> &paths, std::vector<Problem> &problems,
                         const std::function<void(std::string)> &found) {
    Walker walker(found, problems);
    for (const auto &path : paths) {
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
            problems.push_back({path, std::string("cannot open: ") + std::strerror(errno)});
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            found(path);
            continue;
        }
        size_t before = walker.files();
        walker.directory(path);
        if (walker.files() == before) problems.push_back({path, "no record files (*.json) found in this directory"});
    }
    return walker.ignored();
}

} // namespace agg
