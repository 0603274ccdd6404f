#include "site_settings.hpp"

#include "parse_util.hpp"
#include "text_escape.hpp"

#include <algorithm>
#include <cctype>
#include <functional>
#include <map>

namespace pyimport {

const char *runtime_name(Runtime runtime) {
    switch (runtime) {
    case Runtime::charliecloud: return "charliecloud";
    case Runtime::kernel: return "kernel";
    case Runtime::apptainer: return "apptainer";
    case Runtime::singularity: return "singularity";
    }
    return "?";
}

namespace {

using Setter = std::function<Result<void>(SiteSettings &, const std::string &)>;

Result<void> absolute_path(std::string &field, const std::string &value) {
    if (value.empty() || value[0] != '/') return fail("use an absolute path");
    field = value;
    return ok();
}

Setter path_setter(std::string SiteSettings::*field) {
    return [field](SiteSettings &s, const std::string &v) { return absolute_path(s.*field, v); };
}

Setter int_setter(int SiteSettings::*field, long lo, long hi) {
    return [=](SiteSettings &s, const std::string &v) -> Result<void> {
        auto n = parse_bounded_int(v, lo, hi);
        if (!n) return fail("use a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
        s.*field = static_cast<int>(*n);
        return ok();
    };
}

Result<void> set_runtime(SiteSettings &s, const std::string &v) {
    for (Runtime r : {Runtime::charliecloud, Runtime::kernel, Runtime::apptainer, Runtime::singularity})
        if (v == runtime_name(r)) {
            s.runtime = r;
            return ok();
        }
    return fail("use charliecloud, kernel, apptainer or singularity");
}

Setter packages_setter(std::vector<std::string> SiteSettings::*field, Language language) {
    return [=](SiteSettings &s, const std::string &v) -> Result<void> {
        auto packages = parse_package_list(language, v, ',');
        if (!packages)
            return fail("use up to " + std::to_string(kMaxModules) + " " + package_kind(language) + " separated by ','");
        s.*field = *packages;
        return ok();
    };
}

Result<void> add_setenv(SiteSettings &s, const std::string &v) {
    auto eq = v.find('=');
    if (eq == 0 || eq == std::string::npos) return fail("use setenv=NAME=VALUE");
    for (char c : v.substr(0, eq))
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return fail("use setenv=NAME=VALUE");
    s.setenv.push_back(v);
    return ok();
}

Result<void> set_record_mode(SiteSettings &s, const std::string &v) {
    static const std::map<std::string, unsigned> allowed = {{"0600", 0600}, {"0640", 0640}, {"0644", 0644}};
    auto it = allowed.find(v);
    if (it == allowed.end()) return fail("use 0600, 0640 or 0644");
    s.record_mode = it->second;
    return ok();
}

Result<void> set_importtime(SiteSettings &s, const std::string &v) {
    static const std::map<std::string, ImportTimePolicy> allowed = {
        {"allow", ImportTimePolicy::allow}, {"forbid", ImportTimePolicy::forbid}, {"force", ImportTimePolicy::force}};
    auto it = allowed.find(v);
    if (it == allowed.end()) return fail("use allow, forbid or force");
    s.importtime = it->second;
    return ok();
}

Result<void> set_cgroup(SiteSettings &s, const std::string &v) {
    if (v != "on" && v != "off") return fail("use on or off");
    s.cgroup = v == "on";
    return ok();
}

const std::map<std::string, Setter> &setters() {
    static const std::map<std::string, Setter> table = {
        {"outdir", path_setter(&SiteSettings::outdir)},
        {"conda", path_setter(&SiteSettings::conda)},
        {"conda_python", path_setter(&SiteSettings::conda_python)},
        {"image", path_setter(&SiteSettings::image)},
        {"runtime", set_runtime},
        {"runtime_path", path_setter(&SiteSettings::runtime_path)},
        {"mount_at", path_setter(&SiteSettings::mount_at)},
        {"container_python", path_setter(&SiteSettings::container_python)},
        {"modules", packages_setter(&SiteSettings::modules, Language::python)},
        {"conda_r", path_setter(&SiteSettings::conda_r)},
        {"container_r", path_setter(&SiteSettings::container_r)},
        {"r_packages", packages_setter(&SiteSettings::r_packages, Language::r)},
        {"conda_perl", path_setter(&SiteSettings::conda_perl)},
        {"container_perl", path_setter(&SiteSettings::container_perl)},
        {"perl_modules", packages_setter(&SiteSettings::perl_modules, Language::perl)},
        {"max_gaggle", int_setter(&SiteSettings::max_gaggle, 1, 1024)},
        {"timeout", int_setter(&SiteSettings::timeout_s, 1, 540)},
        {"workdir", path_setter(&SiteSettings::workdir)},
        {"record_mode", set_record_mode},
        {"setenv", add_setenv},
        {"sync_margin_ms", int_setter(&SiteSettings::sync_margin_ms, 1, 600000)},
        {"importtime", set_importtime},
        {"cgroup", set_cgroup},
        {"sync_max_wait_ms", int_setter(&SiteSettings::sync_max_wait_ms, 1, 600000)},
        {"cancel_check_ms", int_setter(&SiteSettings::cancel_check_ms, 0, kMaxCancelCheckMs)},
    };
    return table;
}

std::string allowed_keys() {
    std::string keys;
    for (const auto &[key, setter] : setters()) keys += (keys.empty() ? "" : ", ") + key;
    return keys;
}

} // namespace

LanguageSettings language_settings(const SiteSettings &site, Language language) {
    switch (language) {
    case Language::r: return {language, site.conda_r, site.container_r, site.r_packages, "conda_r=", "container_r="};
    case Language::perl:
        return {language, site.conda_perl, site.container_perl, site.perl_modules, "conda_perl=", "container_perl="};
    case Language::python: break;
    }
    return {language, site.conda_python, site.container_python, site.modules, "conda_python=", "container_python="};
}

RequestLimits request_limits(const SiteSettings &site) { return {site.max_gaggle, site.timeout_s, site.importtime}; }

int job_end_check_interval_ms(const SiteSettings &site, int node_count) {
    if (site.cancel_check_ms <= 0) return 0;
    const int64_t spread_ms = int64_t(std::max(node_count, 1)) * 1000 / kJobEndChecksPerSecond;
    return int(std::min<int64_t>(std::max<int64_t>(site.cancel_check_ms, spread_ms), kMaxCancelCheckMs));
}

Result<SiteSettings> parse_site_settings(const std::vector<std::string> &args) {
    SiteSettings settings;
    for (const auto &arg : args) {
        auto eq = arg.find('=');
        if (eq == std::string::npos) {
            return fail("plugstack.conf argument " + quote_text(arg) + " is not key=value (keys: " + allowed_keys() + ")");
        }
        std::string key = arg.substr(0, eq), value = arg.substr(eq + 1);
        auto it = setters().find(key);
        if (it == setters().end()) {
            return fail("plugstack.conf: unknown key " + quote_text(key) + " (keys: " + allowed_keys() + ")");
        }
        if (auto set = it->second(settings, value); !set)
            return fail("plugstack.conf: invalid value " + quote_text(value) + " for " + key + ": " + set.error());
    }
    if (settings.sync_margin_ms > settings.sync_max_wait_ms)
        return fail("plugstack.conf: sync_margin_ms=" + std::to_string(settings.sync_margin_ms) +
                    " is above sync_max_wait_ms=" + std::to_string(settings.sync_max_wait_ms) +
                    ": every node would refuse the instant srun picks");
    if (settings.cancel_check_ms > 0 && settings.cancel_check_ms < 100)
        return fail("plugstack.conf: cancel_check_ms=" + std::to_string(settings.cancel_check_ms) +
                    " would ask slurmctld too often: use 0 (never) or 100 to " + std::to_string(kMaxCancelCheckMs));
    if (int64_t(settings.timeout_s) * 1000 + settings.sync_max_wait_ms > kMaxGaggleMs)
        return fail("plugstack.conf: timeout=" + std::to_string(settings.timeout_s) + " with sync_max_wait_ms=" +
                    std::to_string(settings.sync_max_wait_ms) + " lets a gaggle run past " +
                    std::to_string(kMaxGaggleMs / 1000) +
                    " s, and srun abandons a step whose tasks have not started after 600 s: lower either");
    if (settings.conda_python.empty() && !settings.conda.empty())
        settings.conda_python = settings.conda + "/bin/python3";
    if (settings.mount_at.empty()) settings.mount_at = settings.conda;
    return settings;
}

} // namespace pyimport
