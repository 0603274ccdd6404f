// What pyimport-env-build leaves under .pyimport/ (lib/environment_files).
#include "environment_files.hpp"
#include "unit_support.hpp"

#include <sys/stat.h>

using unit::TempDir;

namespace {

std::string tree_with(const TempDir &dir, const std::string &file, const std::string &content) {
    mkdir(dir.file(".pyimport").c_str(), 0755);
    unit::write_text(dir.file(".pyimport/" + file), content);
    return dir.path();
}

} // namespace

Test(environment_files, digest_is_the_first_line) {
    TempDir dir;
    cr_assert_eq(pyimport::read_env_digest(tree_with(dir, "digest", "sha256:abc123\n")), "sha256:abc123");
}

Test(environment_files, no_or_foreign_digest_gives_nothing) {
    TempDir dir;
    cr_assert_eq(pyimport::read_env_digest(dir.path()), "");
    cr_assert_eq(pyimport::read_env_digest(tree_with(dir, "digest", "md5:abc\n")), "");
    cr_assert_eq(pyimport::read_env_digest(""), "", "an empty root must not mean the machine's /");
}

Test(environment_files, env_vars_skip_comments_blank_and_nameless_lines) {
    TempDir dir;
    const std::string root = tree_with(dir, "env", "# made by hand\nPYTHONHOME=/p/usr\n\n=oops\nnot a var\nMPLBACKEND=Agg\n");
    unit::expect_eq(pyimport::read_env_vars(root), {"PYTHONHOME=/p/usr", "MPLBACKEND=Agg"}, "variables");
    cr_assert(pyimport::read_env_vars("").empty());
}
