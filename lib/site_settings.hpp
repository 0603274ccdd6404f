// The site's settings: the key=value words after the .so path in plugstack.conf.
#pragma once
#include "bench_option.hpp"
#include "language.hpp"
#include "result.hpp"

#include <optional>
#include <string>
#include <vector>

namespace pyimport {

// How container mode runs the image: through a container runtime, or (kernel)
// loop-mounted by the plugin itself in a private mount namespace.
enum class Runtime { charliecloud, kernel, apptainer, singularity };
const char *runtime_name(Runtime runtime);

struct SiteSettings {
    std::string outdir;                  // where records go; empty: not configured
    std::string conda;                   // environment directory for conda mode
    std::string conda_python;            // interpreter; default <conda>/bin/python3
    std::string image;                   // image file for container mode
    Runtime runtime = Runtime::charliecloud;
    std::string runtime_path;            // default: the runtime's usual binary in /usr/bin etc.
    std::string mount_at;                // kernel runtime: mount point; default: conda (same paths, same argv)
    std::string container_python = "/usr/bin/python3";
    std::vector<std::string> modules = {"numpy", "scipy", "pandas", "sqlite3", "Bio", "matplotlib", "seaborn"};
    // R and Perl (lang=r, lang=perl) are offered in a mode where the site
    // names their interpreter: in the environment directory (conda_r=,
    // conda_perl=) or inside the image (container_r=, container_perl=).
    std::string conda_r, container_r, conda_perl, container_perl;
    std::vector<std::string> r_packages = {"ggplot2", "data.table", "dplyr", "Matrix", "survival"};
    std::vector<std::string> perl_modules = {"Moose", "DBI", "JSON::XS", "DateTime", "List::MoreUtils"};
    int max_gaggle = 64;
    int timeout_s = 300;                 // per interpreter, from the release
    std::string workdir = "/tmp";        // where each gaggle's private cwd is made: off the shared FS on purpose
    unsigned record_mode = 0644;         // 0600, 0640 or 0644: records hold up to 1 KB of the stderr of each failing interpreter
    std::vector<std::string> setenv;     // NAME=VALUE for interpreters running from host paths (conda, kernel)
    // The common release: srun picks now + sync_margin_ms; a node waits for
    // that instant at most sync_max_wait_ms (and takes none further off).
    int sync_margin_ms = 2000;
    int sync_max_wait_ms = 30000;
    ImportTimePolicy importtime = ImportTimePolicy::allow;  // importtime=allow|forbid|force
    bool cgroup = true;                  // each gaggle in a cgroup of its own where the node allows it
    // How often slurmstepd asks slurmctld whether the job still runs while
    // its gaggle runs (Slurm holds back scancel until the tasks start); 0: never.
    int cancel_check_ms = 1000;
};

// srun abandons a step whose tasks have not started within 600 s, and the
// gaggle runs before them: the release wait plus the timeout must end well
// inside that (30 s are left for setting up and writing the record).
inline constexpr int kMaxGaggleMs = 570000;

// The longest interval between a node's questions whether the job still runs.
inline constexpr int kMaxCancelCheckMs = 600000;

// The nodes of one step together ask slurmctld whether the job still runs at
// most this often a second: squeue costs slurmctld an RPC, and a step of
// thousands of nodes asking every cancel_check_ms would load it.
inline constexpr int kJobEndChecksPerSecond = 50;

// Each node's interval between those questions in a step of `node_count`
// nodes: cancel_check_ms, stretched to node_count / kJobEndChecksPerSecond
// seconds when that is longer (at most kMaxCancelCheckMs); 0 when the site turned them off.
int job_end_check_interval_ms(const SiteSettings &site, int node_count);

// One language's interpreters (empty: not offered in that mode) and default packages.
struct LanguageSettings {
    Language language;
    std::string conda_interpreter;
    std::string container_interpreter;
    std::vector<std::string> packages;
    const char *conda_key, *container_key;  // their plugstack.conf keys, for messages
};
LanguageSettings language_settings(const SiteSettings &site, Language language);

// What a request may ask of this site.
RequestLimits request_limits(const SiteSettings &site);

// Parses plugstack.conf arguments strictly. Fails with one line naming the key
// and what is allowed.
Result<SiteSettings> parse_site_settings(const std::vector<std::string> &args);

} // namespace pyimport
