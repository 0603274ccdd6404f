// Handing the record files the scan finds to the threads that read them,
// while the scan goes on. Listing a directory of many thousand records takes
// a tenth of pyimport-aggregate's time; done first, it would leave the other
// cores idle meanwhile.
#pragma once
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

namespace agg {

class FileFeed {
  public:
    // The scan's side: a path found (handed out some at a time), then the end.
    void add(std::string path);
    void close();

    // A reader's side: up to `max` paths not taken yet, into `out`, with the
    // feed index of the first in `first`; waits while the scan may find more.
    // False when the scan is over and every path has been taken.
    bool take(size_t max, std::vector<const std::string *> &out, size_t &first);

    // After close(): how many paths, and path i (in the order found); safe
    // while readers still take.
    size_t size() const { return paths_.size(); }
    const std::string &at(size_t i) const { return paths_[i]; }
    // After close(): indices in the order of their paths, each path once.
    std::vector<size_t> path_order() const;
    // Once no reader is left: the paths, in the order found.
    std::vector<std::string> release();

  private:
    static constexpr size_t kHandOut = 256;  // paths published at a time: one lock per group

    void publish(bool last);  // `last`: the scan is over

    std::mutex mutex_;
    std::condition_variable more_;
    std::deque<std::string> paths_;  // push_back leaves the elements where they are
    std::vector<std::string> found_;  // the scan's, not yet published
    size_t taken_ = 0;
    bool closed_ = false;
};

// Runs `scan` on the calling thread while `threads` threads (at least one)
// each run `read`. `scan` may close the feed and go on with other work while
// the readers finish; the feed is closed when it returns in any case.
// Returns when all have ended.
void scan_while_reading(FileFeed &feed, unsigned threads, const std::function<void()> &scan,
                        const std::function<void(unsigned thread)> &read);

} // namespace agg
