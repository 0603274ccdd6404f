// pyimport-aggregate: the study's scaling tables and figures from the per-node
// records written by the pyimport_bench plugin (or pyimport-gaggle).
#include "options.hpp"
#include "run.hpp"
#include "version.hpp"

#include <cstdio>

int main(int argc, char **argv) {
    agg::Options options;
    auto parsed = agg::parse_options(std::vector<std::string>(argv + 1, argv + argc), options);
    if (!parsed) {
        std::fprintf(stderr, "pyimport-aggregate: %s\n%s", parsed.error().c_str(), agg::kUsage);
        return agg::kExitUsage;
    }
    if (options.help) return std::fputs(agg::kUsage, stdout), agg::kExitOk;
    if (options.version) return std::printf("pyimport-aggregate %s\n", pyimport::kVersion), agg::kExitOk;
    return agg::run(options, stdout, stderr);
}
