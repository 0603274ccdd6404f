#include "file_batches.hpp"

#include <liburing.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>

namespace agg {

namespace {

// What a completion was for: user_data holds the slot and the step.
enum Step : uint64_t { open_step = 0, read_step = 1, close_step = 2 };
uint64_t tag(size_t slot, Step step) { return uint64_t(slot) << 2 | step; }

bool plain_requested() {
    const char *io = std::getenv("PYIMPORT_AGGREGATE_IO");
    return io && std::strcmp(io, "plain") == 0;
}

} // namespace

struct FileBatches::Ring {
    io_uring ring{};
    bool ok = false;

    Ring() {
        if (plain_requested() || io_uring_queue_init(3 * kBatch, &ring, 0) < 0) return;
        // Direct descriptors: the files never enter the process's fd table.
        if (io_uring_register_files_sparse(&ring, kBatch) < 0) {
            io_uring_queue_exit(&ring);
            return;
        }
        ok = true;
    }
    ~Ring() {
        if (ok) io_uring_queue_exit(&ring);
    }
};

FileBatches::FileBatches(size_t padding) : ring_(new Ring), padding_(padding) {
    if (ring_->ok) buffer_.assign(kBatch * (kSlotBytes + padding_), 0);
}

FileBatches::~FileBatches() = default;

bool FileBatches::usable() const { return ring_->ok; }

size_t FileBatches::offset(size_t k) const { return k * (kSlotBytes + padding_); }
const char *FileBatches::text(size_t k) const { return buffer_.data() + offset(k); }
size_t FileBatches::size(size_t k) const { return sizes_[k]; }
int FileBatches::error(size_t k) const { return errors_[k]; }

bool FileBatches::read(const std::string *const *paths, size_t count) {
    io_uring *ring = &ring_->ring;
    // Per file, a chain: open into slot k; read (skipped if the open failed);
    // close, which runs whatever the read did (a hard link), so the slot is free again.
    for (size_t k = 0; k < count; ++k) {
        io_uring_sqe *sqe = io_uring_get_sqe(ring);
        io_uring_prep_openat_direct(sqe, AT_FDCWD, paths[k]->c_str(), O_RDONLY | O_NOCTTY, 0, unsigned(k));
        sqe->flags |= IOSQE_IO_LINK;
        io_uring_sqe_set_data64(sqe, tag(k, open_step));
        sqe = io_uring_get_sqe(ring);
        io_uring_prep_read(sqe, int(k), buffer_.data() + offset(k), unsigned(kSlotBytes), 0);
        sqe->flags |= IOSQE_FIXED_FILE | IOSQE_IO_HARDLINK;
        io_uring_sqe_set_data64(sqe, tag(k, read_step));
        sqe = io_uring_get_sqe(ring);
        io_uring_prep_close_direct(sqe, unsigned(k));
        io_uring_sqe_set_data64(sqe, tag(k, close_step));
        sizes_[k] = 0;
        errors_[k] = 0;
    }
    unsigned pending = unsigned(3 * count);
    int submitted;
    do submitted = io_uring_submit_and_wait(ring, pending);
    while (submitted == -EINTR);
    while (submitted >= 0 && pending > 0) {
        io_uring_cqe *cqe;
        int rc = io_uring_wait_cqe(ring, &cqe);
        if (rc == -EINTR) continue;
        if (rc < 0) break;
        const size_t k = size_t(cqe->user_data >> 2);
        const auto step = Step(cqe->user_data & 3);
        // The first failure of a file is its error; a read cancelled because
        // the open failed says nothing new, and a failed close loses no data.
        if (step == open_step && cqe->res < 0) errors_[k] = -cqe->res;
        if (step == read_step && cqe->res < 0 && errors_[k] == 0) errors_[k] = -cqe->res;
        if (step == read_step && cqe->res >= 0) sizes_[k] = size_t(cqe->res);
        io_uring_cqe_seen(ring, cqe);
        --pending;
    }
    if (pending > 0) {  // io_uring failed us: give it up (in-flight work is cancelled)
        io_uring_queue_exit(ring);
        ring_->ok = false;
        return false;
    }
    // The parser reads past the text into the padding: zero it where a longer file was before.
    for (size_t k = 0; k < count; ++k)
        std::memset(buffer_.data() + offset(k) + sizes_[k], 0, padding_);
    return true;
}

} // namespace agg
