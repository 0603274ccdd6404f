#include "file_feed.hpp"

#include <algorithm>
#include <cstdint>
#include <thread>

namespace agg {

void FileFeed::add(std::string path) {
    found_.push_back(std::move(path));
    if (found_.size() >= kHandOut) publish(false);
}

void FileFeed::close() { publish(true); }

void FileFeed::publish(bool last) {
    {
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto &path : found_) paths_.push_back(std::move(path));
        closed_ = closed_ || last;
    }
    found_.clear();
    more_.notify_all();
}

bool FileFeed::take(size_t max, std::vector<const std::string *> &out, size_t &first) {
    out.clear();
    std::unique_lock<std::mutex> lock(mutex_);
    more_.wait(lock, [&] { return closed_ || taken_ < paths_.size(); });
    first = taken_;
    for (; taken_ < paths_.size() && out.size() < max; ++taken_) out.push_back(&paths_[taken_]);
    return !out.empty();
}

namespace {

// Up to 8 bytes of `s` from `at`, zero-padded, as an integer that orders as the bytes do.
uint64_t big_endian_at(const std::string &s, size_t at) {
    uint64_t v = 0;
    for (size_t i = at; i < at + 8; ++i) v = v << 8 | (i < s.size() ? uint8_t(s[i]) : 0);
    return v;
}

} // namespace

// The paths share a long prefix (the directory), so they are compared first
// on the 16 bytes after it, as two integers, and as strings only when those
// are equal: a plain sort of the strings took a tenth of the reading's time.
std::vector<size_t> FileFeed::path_order() const {
    size_t shared = paths_.size() ? paths_[0].size() : 0;
    for (size_t i = 1; i < paths_.size(); ++i) {
        size_t n = 0;
        while (n < shared && n < paths_[i].size() && paths_[0][n] == paths_[i][n]) ++n;
        shared = n;
    }
    struct Key {
        uint64_t high, low;
        const std::string *path;
        size_t index;
    };
    std::vector<Key> keys;
    keys.reserve(paths_.size());
    for (size_t i = 0; i < paths_.size(); ++i)
        keys.push_back({big_endian_at(paths_[i], shared), big_endian_at(paths_[i], shared + 8), &paths_[i], i});
    std::sort(keys.begin(), keys.end(), [](const Key &a, const Key &b) {
        if (a.high != b.high) return a.high < b.high;
        if (a.low != b.low) return a.low < b.low;
        const int c = a.path->compare(*b.path);
        return c != 0 ? c < 0 : a.index < b.index;
    });
    std::vector<size_t> order;
    order.reserve(keys.size());
    for (size_t j = 0; j < keys.size(); ++j)
        if (j == 0 || keys[j].high != keys[j - 1].high || keys[j].low != keys[j - 1].low ||
            *keys[j].path != *keys[j - 1].path)
            order.push_back(keys[j].index);
    return order;
}

std::vector<std::string> FileFeed::release() {
    std::vector<std::string> out(std::make_move_iterator(paths_.begin()), std::make_move_iterator(paths_.end()));
    paths_.clear();
    return out;
}

void scan_while_reading(FileFeed &feed, unsigned threads, const std::function<void()> &scan,
                        const std::function<void(unsigned thread)> &read) {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < std::max(threads, 1u); ++t) pool.emplace_back(read, t);
    try {
        scan();
    } catch (...) {  // the readers wait for the end of the scan
        feed.close();
        for (auto &t : pool) t.join();
        throw;
    }
    feed.close();
    for (auto &t : pool) t.join();
}

} // namespace agg
