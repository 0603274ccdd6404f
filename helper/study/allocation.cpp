#include "allocation.hpp"

#include "parse_util.hpp"
#include "process.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"

#include <sstream>

namespace study {

pyimport::Result<Allocation> allocation_from_env(const EnvLookup &env) {
    const char *id = env("SLURM_JOB_ID");
    if (!id || !*id)
        return pyimport::fail("not inside an allocation (SLURM_JOB_ID is unset): run it under salloc or sbatch "
                       "(pyimport-study --print-sbatch prints a script)");
    Allocation a;
    auto job = pyimport::parse_bounded_int(id, 1, 4294967295LL);
    if (!job) return pyimport::fail("SLURM_JOB_ID " + pyimport::quote_text(id, 40) + " is not a job id");
    a.job_id = uint32_t(*job);
    const char *nodes = env("SLURM_JOB_NUM_NODES");
    if (!nodes || !*nodes) nodes = env("SLURM_NNODES");
    auto count = nodes ? pyimport::parse_bounded_int(nodes, 1, 1'000'000) : std::nullopt;
    if (!count)
        return pyimport::fail("SLURM_JOB_NUM_NODES " + pyimport::quote_text(nodes ? nodes : "", 40) +
                       " is not a node count");
    a.node_count = int(*count);
    const char *list = env("SLURM_JOB_NODELIST");
    if (!list || !*list) list = env("SLURM_NODELIST");
    a.nodelist = list ? list : "";
    return a;
}

namespace {

std::vector<std::string> words_of(const std::string &line) {
    std::istringstream in(line);
    std::vector<std::string> words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

bool names_our_plugin(const std::string &path) {
    const std::string base = path.substr(path.rfind('/') == std::string::npos ? 0 : path.rfind('/') + 1);
    return base == "pyimport_bench.so";
}

} // namespace

pyimport::Result<std::string> plugstack_path(const std::string &config) {
    std::istringstream in(config);
    for (std::string line; std::getline(in, line);) {
        auto words = words_of(line);
        if (words.size() >= 3 && words[0] == "PlugStackConfig" && words[1] == "=") return words[2];
    }
    return pyimport::fail("scontrol show config names no PlugStackConfig");
}

pyimport::Result<pyimport::SiteSettings> site_from_plugstack(const std::string &text) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
        auto words = words_of(line);
        if (words.size() < 2 || !names_our_plugin(words[1])) continue;
        std::vector<std::string> args(words.begin() + 2, words.end());
        auto site = pyimport::parse_site_settings(args);
        if (!site) return pyimport::fail("plugstack.conf: " + site.error());
        return site;
    }
    return pyimport::fail("plugstack.conf has no pyimport_bench.so line: the plugin is not installed on this cluster");
}

pyimport::Result<pyimport::SiteSettings> find_site_settings() {
    auto config = capture_output({"scontrol", "show", "config"});
    if (!config)
        return pyimport::fail("cannot read Slurm's configuration to find the plugin's settings (" + config.error() +
                              "): run it where scontrol reaches the cluster");
    auto path = plugstack_path(*config);
    if (!path) return pyimport::fail(path.error());
    auto file = pyimport::read_regular_file(*path, size_t(1) << 20, true);
    if (!file) return pyimport::fail("plugstack.conf " + pyimport::quote_text(*path) + ": " + file.error());
    auto site = site_from_plugstack(file->text);
    if (site && site->outdir.empty())
        return pyimport::fail("plugstack.conf " + pyimport::quote_text(*path) +
                       ": pyimport_bench has no outdir=, so its records cannot be found");
    return site;
}

std::string slurm_version() {
    auto out = capture_output({"srun", "--version"});
    if (!out) return "";
    auto words = words_of(*out);
    std::string v = words.size() >= 2 ? words[1] : "";
    return pyimport::is_label(v) ? v : "";
}

std::vector<std::string> node_names(const std::string &nodelist) {
    if (nodelist.empty()) return {};
    auto out = capture_output({"scontrol", "show", "hostnames", nodelist});
    if (!out) return {};
    return words_of(*out);
}

} // namespace study
