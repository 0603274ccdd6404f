// Reading many small files with few system calls. pyimport-aggregate reads
// one small file per node and job step, so opening and reading cost more than
// parsing: through io_uring, a batch of files costs one system call instead
// of three per file (open, read, close), and each file lands in its own slot.
// Where io_uring is unavailable (old kernel, kernel.io_uring_disabled,
// seccomp) or PYIMPORT_AGGREGATE_IO=plain is set, the caller reads files the
// plain way.
#pragma once
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

namespace agg {

class FileBatches {
  public:
    static constexpr size_t kBatch = 32;
    static constexpr size_t kSlotBytes = size_t(64) << 10;  // a bigger file: size() says so

    // `padding`: zero bytes kept after each file's text (the parser's need).
    explicit FileBatches(size_t padding);
    ~FileBatches();
    FileBatches(const FileBatches &) = delete;
    FileBatches &operator=(const FileBatches &) = delete;

    // False when io_uring cannot be used here: read the plain way instead.
    bool usable() const;

    // Reads *paths[0, count), count <= kBatch, into slots 0..count-1.
    // False when io_uring failed (it is then given up): read them the plain way.
    bool read(const std::string *const *paths, size_t count);

    // After read(): slot k's text, its size, and the errno that stopped it
    // (0 when read). A text of kSlotBytes may be cut short: read that file again
    // the plain way.
    const char *text(size_t k) const;
    size_t size(size_t k) const;
    int error(size_t k) const;

  private:
    struct Ring;
    size_t offset(size_t k) const;  // of slot k in buffer_

    std::unique_ptr<Ring> ring_;
    size_t padding_;
    std::vector<char> buffer_;  // kBatch slots of kSlotBytes plus padding
    size_t sizes_[kBatch] = {};
    int errors_[kBatch] = {};
};

} // namespace agg
