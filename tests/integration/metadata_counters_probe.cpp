// Test-only probe for lib/fs_metadata_counters.*, built by
// tests/integration/22-moosefs-counters.sh into $BUILD (not by the Makefile).
//   probe snapshot PATH           the counters of PATH's file system:
//                                 "kind K", "mount M", "instance I", then "NAME VALUE" lines
//   probe diff BEFORE AFTER       diff_metadata_counters of two saved snapshots: "NAME VALUE" lines
//   probe around PATH -- CMD...   snapshot, run CMD (its output to stderr), snapshot, print the
//                                 diff (as the gaggle will)
// Exit: 0 done; 3 the file system has no counters ("none" on stdout); 2 an error (one line on
// stderr); 1 CMD failed (the diff is printed anyway); 64 usage.
#include "fs_metadata_counters.hpp"

#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

using namespace pyimport;

namespace {

int snapshot(const std::string &path, MetadataSnapshot &out) {
    auto snap = snapshot_metadata_counters(path);
    if (!snap) {
        std::cerr << "probe: " << snap.error() << "\n";
        return 2;
    }
    if (!*snap) {
        std::cout << "none\n";
        return 3;
    }
    out = **snap;
    return 0;
}

void print(const CounterMap &counters) {
    for (const auto &[name, value] : counters) std::cout << name << ' ' << value << '\n';
}

bool load(const std::string &file, MetadataSnapshot &snap) {
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string name, value;
        words >> name >> std::ws;
        std::getline(words, value);
        if (name == "kind") snap.kind = value;
        else if (name == "mount") snap.mount_point = value;
        else if (name == "instance") snap.instance = value;
        else if (!name.empty()) snap.counters[name] = std::stoll(value);
    }
    return !snap.kind.empty();
}

int run(char **argv) {
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(2, 1);  // stdout is the diff's
        execvp(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {}
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

} // namespace

int probe(int argc, char **argv) {
    const std::string verb = argc > 1 ? argv[1] : "";
    if (verb == "snapshot" && argc == 3) {
        MetadataSnapshot snap;
        if (int rc = snapshot(argv[2], snap)) return rc;
        std::cout << "kind " << snap.kind << "\nmount " << snap.mount_point << "\ninstance " << snap.instance << '\n';
        print(snap.counters);
        return 0;
    }
    if (verb == "diff" && argc == 4) {
        MetadataSnapshot before, after;
        if (!load(argv[2], before) || !load(argv[3], after)) {
            std::cerr << "probe: cannot load " << argv[2] << " or " << argv[3] << "\n";
            return 2;
        }
        print(diff_metadata_counters(before, after));
        return 0;
    }
    if (verb == "around" && argc > 4 && std::string(argv[3]) == "--") {
        MetadataSnapshot before, after;
        if (int rc = snapshot(argv[2], before)) return rc;
        const int cmd_rc = run(argv + 4);
        if (int rc = snapshot(argv[2], after)) return rc;
        print(diff_metadata_counters(before, after));
        return cmd_rc == 0 ? 0 : 1;
    }
    std::cerr << "usage: probe snapshot PATH | diff BEFORE AFTER | around PATH -- CMD...\n";
    return 64;
}

int main(int argc, char **argv) {
    try {
        return probe(argc, argv);
    } catch (const std::exception &e) {
        std::cerr << "probe: " << e.what() << "\n";
        return 2;
    }
}
