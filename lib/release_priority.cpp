#include "release_priority.hpp"

#include <linux/capability.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace pyimport {

namespace {

constexpr int kReleasePriority = 2;  // the children park at 1

// The thread's capability sets (first word: CAP_SYS_NICE is below 32).
struct Capabilities {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    bool read() { return syscall(SYS_capget, &header, data) == 0; }
    bool write() { return syscall(SYS_capset, &header, data) == 0; }
};

bool set_realtime() {
    sched_param rt{};
    rt.sched_priority = kReleasePriority;
    return sched_setscheduler(0, SCHED_FIFO, &rt) == 0;
}

} // namespace

ReleasePriority::ReleasePriority() {
    policy_ = sched_getscheduler(0);
    if (policy_ < 0 || sched_getparam(0, &param_) != 0 || policy_ == SCHED_FIFO || policy_ == SCHED_RR) return;
    if (set_realtime()) {
        raised_ = true;
        return;
    }
    // Effective ids dropped, CAP_SYS_NICE still permitted: effective for this call only.
    constexpr unsigned nice_bit = 1u << CAP_SYS_NICE;
    Capabilities caps;
    if (!caps.read() || !(caps.data[0].permitted & nice_bit) || (caps.data[0].effective & nice_bit)) return;
    const unsigned before = caps.data[0].effective;
    caps.data[0].effective |= nice_bit;
    if (!caps.write()) return;
    raised_ = set_realtime();
    caps.data[0].effective = before;
    caps.write();
}

ReleasePriority::~ReleasePriority() {
    if (raised_) sched_setscheduler(0, policy_, &param_);  // lowering needs no privilege
}

} // namespace pyimport
