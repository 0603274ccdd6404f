#include "scan.hpp"

#include <algorithm>
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
    Walker(ScanResult &out, std::vector<Problem> &problems) : out_(out), problems_(problems) {}

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
            if (type == DT_DIR) subdirs.push_back(path);
            else if (type == DT_REG && ends_with(path, ".json")) out_.files.push_back(path);
            else if (type == DT_REG) ++out_.ignored;
        }
        closedir(d);
        for (const auto &s : subdirs) directory(s);
    }

  private:
    ScanResult &out_;
    std::vector<Problem> &problems_;
};

} // namespace

ScanResult find_record_files(const std::vector<std::string> &paths, std::vector<Problem> &problems) {
    ScanResult out;
    Walker walker(out, problems);
    for (const auto &path : paths) {
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
            problems.push_back({path, std::string("cannot open: ") + std::strerror(errno)});
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            out.files.push_back(path);
            continue;
        }
        size_t before = out.files.size();
        walker.directory(path);
        if (out.files.size() == before) problems.push_back({path, "no record files (*.json) found in this directory"});
    }
    std::sort(out.files.begin(), out.files.end());
    out.files.erase(std::unique(out.files.begin(), out.files.end()), out.files.end());
    return out;
}

} // namespace agg
