#include "manifest.hpp"

#include "atomic_file.hpp"
#include "sys_io.hpp"
#include "text_escape.hpp"

#include <cerrno>
#include <ctime>
#include <jansson.h>
#include <map>
#include <memory>
#include <sys/stat.h>

namespace study {

const char *state_name(StepState s) {
    switch (s) {
    case StepState::done: return "done";
    case StepState::failed: return "failed";
    case StepState::interrupted: return "interrupted";
    default: return "pending";
    }
}

std::string utc_now() {
    time_t t = time(nullptr);
    struct tm tm;
    gmtime_r(&t, &tm);
    char buf[32];
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Manifest fresh_manifest(const Plan &plan) {
    Manifest m;
    m.plan = plan;
    for (const auto &p : plan.steps) m.steps.push_back({p, StepState::pending, {}, "", "", -1, 0, -1, {}, ""});
    return m;
}

namespace {

using JsonPtr = std::unique_ptr<json_t, decltype(&json_decref)>;

// jansson takes only valid UTF-8: anything else is stored escaped.
json_t *str(const std::string &s) {
    return pyimport::is_clean_text(s) ? json_stringn(s.data(), s.size()) : json_string(pyimport::escape_text(s, 4096).c_str());
}
json_t *str_array(const std::vector<std::string> &items) {
    json_t *a = json_array();
    for (const auto &s : items) json_array_append_new(a, str(s));
    return a;
}
json_t *int_array(const std::vector<int> &items) {
    json_t *a = json_array();
    for (int v : items) json_array_append_new(a, json_integer(v));
    return a;
}

// Reading: the first problem wins, named by its path ("steps[3].records").
struct Reader {
    std::string problem;
    bool fail(const std::string &where, const char *what) {
        if (problem.empty()) problem = "'" + where + "' " + what;
        return false;
    }
    json_t *member(json_t *obj, const char *key, const std::string &where) {
        json_t *v = json_is_object(obj) ? json_object_get(obj, key) : nullptr;
        if (!v) fail(where, "is missing");
        return v;
    }
    bool integer(json_t *obj, const char *key, const std::string &where, long long lo, long long hi, long long &out) {
        json_t *v = member(obj, key, where);
        if (!v) return false;
        if (!json_is_integer(v) || json_integer_value(v) < lo || json_integer_value(v) > hi)
            return fail(where, ("must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi)).c_str());
        out = json_integer_value(v);
        return true;
    }
    bool text(json_t *obj, const char *key, const std::string &where, std::string &out) {
        json_t *v = member(obj, key, where);
        if (!v) return false;
        if (!json_is_string(v)) return fail(where, "must be a text");
        out.assign(json_string_value(v), json_string_length(v));
        if (!pyimport::is_clean_text(out)) return fail(where, "holds a control character");
        return true;
    }
    bool texts(json_t *obj, const char *key, const std::string &where, std::vector<std::string> &out) {
        json_t *v = member(obj, key, where);
        if (!v) return false;
        if (!json_is_array(v)) return fail(where, "must be a list of texts");
        out.clear();
        for (size_t i = 0; i < json_array_size(v); ++i) {
            json_t *e = json_array_get(v, i);
            if (!json_is_string(e)) return fail(where, "must be a list of texts");
            out.emplace_back(json_string_value(e), json_string_length(e));
        }
        return true;
    }
    bool ints(json_t *obj, const char *key, const std::string &where, std::vector<int> &out) {
        json_t *v = member(obj, key, where);
        if (!v) return false;
        if (!json_is_array(v) || json_array_size(v) == 0) return fail(where, "must be a list of whole numbers");
        out.clear();
        for (size_t i = 0; i < json_array_size(v); ++i) {
            json_t *e = json_array_get(v, i);
            if (!json_is_integer(e) || json_integer_value(e) < 1 || json_integer_value(e) > 1'000'000)
                return fail(where, "must be a list of whole numbers from 1");
            out.push_back(int(json_integer_value(e)));
        }
        return true;
    }
};

std::optional<StepState> parse_state(const std::string &s) {
    for (auto st : {StepState::pending, StepState::done, StepState::failed, StepState::interrupted})
        if (s == state_name(st)) return st;
    return std::nullopt;
}

} // namespace

std::string manifest_to_json(const Manifest &m) {
    JsonPtr root(json_object(), json_decref);
    json_t *r = root.get();
    json_object_set_new(r, "format", json_string(kManifestFormat));
    json_object_set_new(r, "version", json_integer(kManifestVersion));
    json_t *plan = json_object();
    json_object_set_new(plan, "nodes", int_array(m.plan.nodes));
    json_object_set_new(plan, "gaggle", int_array(m.plan.gaggles));
    json_object_set_new(plan, "modes", str_array(m.plan.modes));
    json_object_set_new(plan, "repeat", json_integer(m.plan.repeat));
    json_object_set_new(plan, "seed", json_integer(json_int_t(m.plan.seed)));
    json_object_set_new(plan, "modules", str_array(m.plan.modules));
    json_object_set_new(plan, "label", str(m.plan.label));
    json_object_set_new(plan, "language", str(m.plan.language));
    json_object_set_new(plan, "estimated_seconds", json_integer(json_int_t(estimate_plan_seconds(m.plan))));
    json_object_set_new(r, "plan", plan);
    json_t *alloc = json_object();
    json_object_set_new(alloc, "job_id", json_integer(m.allocation.job_id));
    json_object_set_new(alloc, "node_count", json_integer(m.allocation.node_count));
    json_object_set_new(alloc, "nodelist", str(m.allocation.nodelist));
    json_object_set_new(alloc, "node_names", str_array(m.node_names));
    json_object_set_new(r, "allocation", alloc);
    json_object_set_new(r, "slurm_version", str(m.slurm_version));
    json_object_set_new(r, "site_outdir", str(m.site_outdir));
    json_object_set_new(r, "started_utc", str(m.started_utc));
    json_object_set_new(r, "updated_utc", str(m.updated_utc));
    json_object_set_new(r, "finished_utc", str(m.finished_utc));
    json_t *steps = json_array();
    for (size_t i = 0; i < m.steps.size(); ++i) {
        const StepRun &s = m.steps[i];
        json_t *o = json_object();
        json_object_set_new(o, "index", json_integer(json_int_t(i)));
        json_object_set_new(o, "mode", str(s.planned.cell.mode));
        json_object_set_new(o, "nodes", json_integer(s.planned.cell.nodes));
        json_object_set_new(o, "gaggle", json_integer(s.planned.cell.gaggle));
        json_object_set_new(o, "repeat", json_integer(s.planned.repeat));
        json_object_set_new(o, "state", json_string(state_name(s.state)));
        json_object_set_new(o, "argv", str_array(s.argv));
        json_object_set_new(o, "start_utc", str(s.start_utc));
        json_object_set_new(o, "end_utc", str(s.end_utc));
        json_object_set_new(o, "exit_status", json_integer(s.exit_status));
        json_object_set_new(o, "job_id", json_integer(s.job_id));
        json_object_set_new(o, "step_id", s.step_id < 0 ? json_null() : json_integer(s.step_id));
        json_object_set_new(o, "records", str_array(s.records));
        json_object_set_new(o, "problem", str(s.problem));
        json_array_append_new(steps, o);
    }
    json_object_set_new(r, "steps", steps);
    char *text = json_dumps(r, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    std::string out = text ? text : "";
    free(text);
    return out + "\n";
}

pyimport::Result<Manifest> manifest_from_json(const std::string &text) {
    json_error_t jerr;
    JsonPtr root(json_loadb(text.data(), text.size(), JSON_REJECT_DUPLICATES, &jerr), json_decref);
    if (!root) return pyimport::fail(std::string("not JSON: ") + pyimport::escape_text(jerr.text, 120));
    Reader rd;
    Manifest m;
    json_t *r = root.get();
    std::string format;
    long long version = 0, v = 0;
    if (!rd.text(r, "format", "format", format)) return pyimport::fail(rd.problem);
    if (format != kManifestFormat)
        return pyimport::fail("not a pyimport-study manifest (format " + pyimport::quote_text(format, 60) + ")");
    if (!rd.integer(r, "version", "version", 1, 1'000'000, version)) return pyimport::fail(rd.problem);
    if (version != kManifestVersion)
        return pyimport::fail("manifest version " + std::to_string(version) + " is not supported (this pyimport-study reads version " +
                       std::to_string(kManifestVersion) + ")");
    json_t *plan = rd.member(r, "plan", "plan");
    Plan &p = m.plan;
    bool ok = plan && rd.ints(plan, "nodes", "plan.nodes", p.nodes) && rd.ints(plan, "gaggle", "plan.gaggle", p.gaggles) &&
              rd.texts(plan, "modes", "plan.modes", p.modes) &&
              rd.integer(plan, "repeat", "plan.repeat", 1, kMaxRepeat, v) && (p.repeat = int(v), true) &&
              rd.integer(plan, "seed", "plan.seed", 0, (long long)kMaxSeed, v) && (p.seed = uint64_t(v), true) &&
              rd.texts(plan, "modules", "plan.modules", p.modules) && rd.text(plan, "label", "plan.label", p.label);
    // Absent in the manifests of studies planned before --lang: Python's.
    if (ok && json_object_get(plan, "language")) ok = rd.text(plan, "language", "plan.language", p.language);
    if (ok && !pyimport::parse_language(p.language)) ok = rd.fail("plan.language", "must be python, r or perl");
    for (const auto &mode : p.modes)
        if (ok && mode != "conda" && mode != "container") ok = rd.fail("plan.modes", "must hold conda or container");
    json_t *alloc = ok ? rd.member(r, "allocation", "allocation") : nullptr;
    ok = ok && alloc && rd.integer(alloc, "job_id", "allocation.job_id", 0, 4294967295LL, v) &&
         (m.allocation.job_id = uint32_t(v), true) &&
         rd.integer(alloc, "node_count", "allocation.node_count", 0, 1'000'000, v) &&
         (m.allocation.node_count = int(v), true) &&
         rd.text(alloc, "nodelist", "allocation.nodelist", m.allocation.nodelist) &&
         rd.texts(alloc, "node_names", "allocation.node_names", m.node_names) &&
         rd.text(r, "slurm_version", "slurm_version", m.slurm_version) &&
         rd.text(r, "site_outdir", "site_outdir", m.site_outdir) && rd.text(r, "started_utc", "started_utc", m.started_utc) &&
         rd.text(r, "updated_utc", "updated_utc", m.updated_utc) &&
         rd.text(r, "finished_utc", "finished_utc", m.finished_utc);
    json_t *steps = ok ? rd.member(r, "steps", "steps") : nullptr;
    if (ok && !json_is_array(steps)) ok = rd.fail("steps", "must be a list");
    for (size_t i = 0; ok && i < json_array_size(steps); ++i) {
        json_t *o = json_array_get(steps, i);
        const std::string w = "steps[" + std::to_string(i) + "]";
        StepRun s;
        std::string state;
        long long nodes = 0, gaggle = 0, repeat = 0, exit_status = 0, job = 0;
        ok = rd.text(o, "mode", w + ".mode", s.planned.cell.mode) &&
             rd.integer(o, "nodes", w + ".nodes", 1, 1'000'000, nodes) &&
             rd.integer(o, "gaggle", w + ".gaggle", 1, 1'000'000, gaggle) &&
             rd.integer(o, "repeat", w + ".repeat", 1, kMaxRepeat, repeat) && rd.text(o, "state", w + ".state", state) &&
             rd.texts(o, "argv", w + ".argv", s.argv) && rd.text(o, "start_utc", w + ".start_utc", s.start_utc) &&
             rd.text(o, "end_utc", w + ".end_utc", s.end_utc) &&
             rd.integer(o, "exit_status", w + ".exit_status", -1, 255, exit_status) &&
             rd.integer(o, "job_id", w + ".job_id", 0, 4294967295LL, job) &&
             rd.texts(o, "records", w + ".records", s.records) && rd.text(o, "problem", w + ".problem", s.problem);
        if (!ok) break;
        json_t *step_id = rd.member(o, "step_id", w + ".step_id");
        if (!step_id || !(json_is_null(step_id) || (json_is_integer(step_id) && json_integer_value(step_id) >= 0 &&
                                                     json_integer_value(step_id) <= 4294967295LL))) {
            ok = rd.fail(w + ".step_id", "must be null or a whole number");
            break;
        }
        auto st = parse_state(state);
        if (!st) {
            ok = rd.fail(w + ".state", "must be pending, done, failed or interrupted");
            break;
        }
        for (const auto &rec : s.records)
            if (rec.rfind(std::string(kRecordsDir) + "/", 0) != 0 || rec.find("/..") != std::string::npos ||
                rec.find('/', 8) != std::string::npos) {
                ok = rd.fail(w + ".records", "must name files records/NAME");
                break;
            }
        s.state = *st;
        s.planned.cell.nodes = int(nodes), s.planned.cell.gaggle = int(gaggle), s.planned.repeat = int(repeat);
        s.exit_status = int(exit_status), s.job_id = uint32_t(job);
        s.step_id = json_is_null(step_id) ? -1 : json_integer_value(step_id);
        m.steps.push_back(s);
        m.plan.steps.push_back(s.planned);
    }
    if (!ok) return pyimport::fail(rd.problem);
    return m;
}

pyimport::Result<std::optional<Manifest>> load_manifest(const std::string &dir) {
    const std::string path = dir + "/" + kManifestName;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0 && errno == ENOENT) return std::optional<Manifest>();
    auto file = pyimport::read_regular_file(path, size_t(64) << 20, false);
    if (!file) return pyimport::fail(pyimport::escape_text(path) + ": " + file.error());
    auto m = manifest_from_json(file->text);
    if (!m) return pyimport::fail(pyimport::escape_text(path) + ": " + m.error());
    return std::optional<Manifest>(std::move(*m));
}

pyimport::Result<void> save_manifest(const std::string &dir, const Manifest &manifest) {
    return pyimport::write_file_atomically(dir, kManifestName, manifest_to_json(manifest),
                                           pyimport::PendingFile::Existing::replace);
}

pyimport::Result<void> plan_difference(const Plan &e, const PlanRequest &g) {
    auto differs = [](const char *option, const std::string &was, const std::string &now) {
        return std::string("the study in this directory was planned with ") + option + " " + was + ", not " + now +
               ": use another --out, or the same options to resume";
    };
    if (!g.nodes.empty() && g.nodes != e.nodes) return pyimport::fail(differs("--nodes", join_ints(e.nodes), join_ints(g.nodes)));
    if (!g.gaggles.empty() && g.gaggles != e.gaggles) return pyimport::fail(differs("--gaggle", join_ints(e.gaggles), join_ints(g.gaggles)));
    if (!g.modes.empty() && g.modes != e.modes) return pyimport::fail(differs("--modes", join_words(e.modes), pyimport::quote_text(join_words(g.modes), 80)));
    if (g.repeat > 0 && g.repeat != e.repeat) return pyimport::fail(differs("--repeat", std::to_string(e.repeat), std::to_string(g.repeat)));
    if (g.seed && *g.seed != e.seed) return pyimport::fail(differs("--seed", std::to_string(e.seed), std::to_string(*g.seed)));
    if (g.modules && *g.modules != e.modules)
        return pyimport::fail(differs("--modules", e.modules.empty() ? "(the site's list)" : join_words(e.modules, ":"),
                       join_words(*g.modules, ":")));
    if (g.label && *g.label != e.label) return pyimport::fail(differs("--label", e.label, *g.label));
    if (g.language && *g.language != e.language) return pyimport::fail(differs("--lang", e.language, *g.language));
    return pyimport::ok();
}

PlanRequest resume_request(const Plan &e, const PlanRequest &g) {
    PlanRequest r = g;
    if (r.nodes.empty()) r.nodes = e.nodes;
    if (r.gaggles.empty()) r.gaggles = e.gaggles;
    if (r.modes.empty()) r.modes = e.modes;
    if (r.repeat <= 0) r.repeat = e.repeat;
    if (!r.seed) r.seed = e.seed;
    if (!r.modules) r.modules = e.modules;
    if (!r.label) r.label = e.label;
    if (!r.language) r.language = e.language;
    return r;
}

bool step_is_done(const StepRun &step, const std::string &dir) {
    if (step.state != StepState::done || step.exit_status != 0) return false;
    if (step.records.size() != size_t(step.planned.cell.nodes)) return false;
    for (const auto &rec : step.records) {
        struct stat st;
        if (lstat((dir + "/" + rec).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    }
    return true;
}

std::vector<size_t> steps_to_run(const Manifest &m, const std::string &dir) {
    std::vector<size_t> out;
    for (size_t i = 0; i < m.steps.size(); ++i)
        if (!step_is_done(m.steps[i], dir)) out.push_back(i);
    return out;
}

std::vector<std::string> failed_cells(const Manifest &m) {
    std::map<Cell, std::pair<int, int>> count;  // failed, all
    std::map<Cell, std::string> last_problem;
    for (const auto &s : m.steps) {
        auto &c = count[s.planned.cell];
        c.second++;
        if (s.state == StepState::failed) c.first++, last_problem[s.planned.cell] = s.problem;
    }
    std::vector<std::string> lines;
    for (const auto &[cell, c] : count)
        if (c.first > 0 && c.first == c.second)
            lines.push_back("cell " + cell_text(cell) + ": all " + std::to_string(c.second) + " steps failed (last: " +
                            pyimport::escape_text(last_problem[cell], 160) + ")");
    return lines;
}

} // namespace study
