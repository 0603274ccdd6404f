#include "scan.hpp"

#include "sys_io.hpp"

#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include <algorithm>

namespace agg {

namespace {

bool ends_with(const std::string &s, const char *suffix) {
    size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
}

class Walker {
  public:
    Walker(ScanResult &result, std::vector<Problem> &problems) : result_(result), problems_(problems) {}

    // The directory `relative` below root `root` (shown as `shown`).
    void directory(int root, const std::string &relative, const std::string &shown) {
        const int fd = pyimport::open_directory_beneath(result_.roots[size_t(root)], relative);
        DIR *d = fd >= 0 ? fdopendir(fd) : nullptr;
        if (!d) {
            if (fd >= 0) close(fd);
            return problems_.push_back({shown, std::string("cannot list: ") + std::strerror(errno)});
        }
        std::vector<std::pair<std::string, std::string>> subdirs;  // relative, shown
        while (dirent *e = readdir(d)) {
            if (e->d_name[0] == '.') continue;
            const std::string rel = relative.empty() ? e->d_name : relative + "/" + e->d_name;
            std::string path = shown + (ends_with(shown, "/") ? "" : "/") + e->d_name;
            unsigned char type = e->d_type;
            struct stat st;
            if (type == DT_UNKNOWN && fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                type = S_ISREG(st.st_mode) ? DT_REG : S_ISDIR(st.st_mode) ? DT_DIR : S_ISLNK(st.st_mode) ? DT_LNK : DT_UNKNOWN;
            const bool json = ends_with(path, ".json");
            if (type == DT_DIR) subdirs.emplace_back(rel, std::move(path));
            else if ((type == DT_REG || type == DT_LNK) && json) result_.files.push_back({std::move(path), root, rel});
            else if (type == DT_REG) ++result_.ignored;
            // Anything else named *.json (a FIFO, a device) is no record: left alone.
        }
        closedir(d);
        for (const auto &[rel, path] : subdirs) directory(root, rel, path);
    }

  private:
    ScanResult &result_;
    std::vector<Problem> &problems_;
};

} // namespace

ScanResult::~ScanResult() {
    for (int fd : roots) close(fd);
}

void scan_record_files(const std::vector<std::string> &paths, ScanResult &result, std::vector<Problem> &problems) {
    Walker walker(result, problems);
    for (const auto &path : paths) {
        struct stat st;
        if (stat(path.c_str(), &st) != 0) {
            problems.push_back({path, std::string("cannot open: ") + std::strerror(errno)});
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            result.files.push_back({path, -1, ""});
            continue;
        }
        const int fd = open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
            problems.push_back({path, std::string("cannot list: ") + std::strerror(errno)});
            continue;
        }
        result.roots.push_back(fd);
        const size_t before = result.files.size();
        walker.directory(int(result.roots.size() - 1), "", path);
        if (result.files.size() == before) problems.push_back({path, "no record files (*.json) found in this directory"});
    }
    // A file reached twice (a directory and a file in it) is read once, and
    // through its directory if either way reached it so.
    auto by_path = [](const FoundFile &a, const FoundFile &b) { return a.path < b.path; };
    std::stable_sort(result.files.begin(), result.files.end(), by_path);
    std::vector<FoundFile> unique;
    for (auto &f : result.files) {
        if (!unique.empty() && unique.back().path == f.path) {
            if (unique.back().root < 0) unique.back() = std::move(f);
        } else {
            unique.push_back(std::move(f));
        }
    }
    result.files = std::move(unique);
}

} // namespace agg
