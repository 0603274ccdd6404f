// pyimport-study's report (helper/study/report.*): report.md and report.html
// from a manifest's steps and their records, the verdict per cell, the
// figures with the 2017 study behind them, text from records and facts
// escaped, and a manifest its records disagree with said so.
//
// With PYIMPORT_STUDY_REPORT_KEEP=DIR, study_report/leaves_a_report writes
// its report into DIR and keeps it (tests/integration/61-study-report-browser.sh
// opens it in a browser).
#include "../../helper/aggregate/plot.hpp"
#include "../../helper/aggregate/run.hpp"
#include "../../helper/aggregate/study.hpp"
#include "../../helper/study/report.hpp"
#include "../../helper/study/report_doc.hpp"
#include "aggregate_fixtures.hpp"
#include "parse_util.hpp"

#include <sys/stat.h>

using unit::contains;
using unit::NodeSpec;

namespace {

// The project's copy of the 2017 study's data (data/study-2017), found from
// this file's path or the current directory.
std::string reference_dir() {
    std::string file = __FILE__;
    std::string top = file.substr(0, file.rfind("tests/unit/"));
    for (const std::string &dir : {top + "data/study-2017", std::string("data/study-2017")})
        if (access((dir + "/overall_time.bcp").c_str(), R_OK) == 0) return dir;
    cr_assert_fail("data/study-2017/overall_time.bcp not found (run the test from the source tree)");
    return "";
}

const std::string kHostileLabel = "<script>alert('label')</script> \"q\" & 'a' <img src=\"http://example.org/x\">";
// A record's module names and label are checked by the record readers; the
// study's own (ReportFacts) and a record's other texts (fs_type here) are any
// clean text.
const std::string kHostileModules = "json <b>bold</b>&amp; x\"y'z";

// Writes one node's record for `step` and lists it; metadata_total is
// gaggle x 1000 (conda) or x 100 (container).
std::string write_node(const unit::TempDir &dir, NodeSpec s, int node_index, int nodes, int64_t metadata_total) {
    s.node_index = node_index;
    s.node_count = nodes;
    pyimport::Record r = unit::make_record(s);
    r.job.uid = geteuid();  // the owner check: the file's owner speaks for the record
    r.job.gid = getegid();
    r.writer.host = "host-" + std::to_string(node_index);  // a node of its own, as on a real cluster
    if (metadata_total >= 0) r.fs_metadata_ops["metadata_total"] = metadata_total;
    r.run.fs_type = s.mode == std::string("conda") ? "nfs" : "nfs <img src=x>";
    r.run.env_digest = s.mode == std::string("conda") ? "sha256:aaaa" : "sha256:bbbb";
    if (s.mode == std::string("container")) r.run.runtime = "ch-run", r.run.mount_driver = "squashfuse";
    std::string path = dir.file(pyimport::record_file_name(r.job, "t" + std::to_string(node_index)));
    unit::write_text(path, pyimport::record_to_json(r));
    return path;
}

// Both modes at 1 and 2 nodes, gaggles of 2, six repetitions each (container
// twice as fast): a verdict per cell. With `trouble`: one more conda step
// whose record is missing, one whose record is of another gaggle size, and
// one that failed.
study::ReportInput study_input(const unit::TempDir &dir, bool trouble) {
    study::ReportInput in;
    in.facts.label = "study-1";
    in.facts.modules = "json";
    in.facts.slurm_version = "22.05.8";
    in.facts.started_utc = "2027-01-15T10:00:00Z";
    in.facts.finished_utc = "2027-01-15T11:30:00Z";
    in.facts.nodes = {"node1", "node2<script>x</script>&"};
    in.facts.seed = 42;
    in.reference_dir = reference_dir();
    NodeSpec s;
    s.label = "study-1";
    uint32_t job = 0;
    for (int rep = 0; rep < 6; ++rep)
        for (const char *mode : {"conda", "container"})
            for (int nodes : {1, 2}) {
                s.job = ++job;
                s.mode = mode;
                double base = (std::string(mode) == "conda" ? 2.0 : 1.0) + 0.01 * rep;
                s.walls = {base, base + 0.1};
                s.release_s += 100;
                study::StepOutcome step{mode, nodes, 2, rep + 1, 0, true, {}};
                for (int i = 0; i < nodes; ++i)
                    step.records.push_back(write_node(dir, s, i, nodes, std::string(mode) == "conda" ? 2000 : 200));
                in.steps.push_back(step);
            }
    if (trouble) {
        in.steps.push_back({"conda", 2, 2, 7, 0, true, {dir.file("pyimport-99.0-n1-gone.json"), {}}});
        in.steps.back().records.pop_back();
        in.steps.back().records.push_back(dir.file("pyimport-99.0-n2-gone.json"));
        s.job = ++job;
        s.mode = "conda";
        s.walls = {2.0, 2.1, 2.2};  // a gaggle of 3 in a step of 2
        in.steps.push_back({"conda", 1, 2, 8, 0, true, {write_node(dir, s, 0, 1, -1)}});
        in.steps.push_back({"container", 4, 2, 1, 1, false, {}});  // srun failed, no record
    }
    return in;
}

struct Written {
    std::string md, html;
};

Written write(const study::ReportInput &in, const std::string &out) {
    auto result = study::write_report(in, out);
    std::string error = unit::error_of(result);
    cr_assert(bool(result), "write_report: %s", error.c_str());
    return {unit::read_text(out + "/report.md"), unit::read_text(out + "/report.html")};
}

// The line of `text` that starts with `prefix` ("" when none).
std::string line_starting(const std::string &text, const std::string &prefix) {
    for (size_t start = 0; start < text.size();) {
        size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        if (text.compare(start, prefix.size(), prefix) == 0) return text.substr(start, end - start);
        start = end + 1;
    }
    return "";
}

size_t count(const std::string &text, const std::string &part) {
    size_t n = 0;
    for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
    return n;
}

} // namespace

Test(study_report, markdown_has_the_sections_and_a_verdict_per_cell) {
    unit::TempDir dir, out;
    Written w = write(study_input(dir, false), out.path());
    for (const char *part : {"# Python import scaling study", "## Facts", "## Container against conda", "## Figures",
                             "## Tables", "## Metadata operations per interpreter", "## Failed steps",
                             "### Cells with no successful step", "## Records that disagree with the manifest",
                             "**Overall time:", "**Per interpreter:", "**Per gaggle:", "22.05.8",
                             "2027-01-15T10:00:00Z", "2027-01-15T11:30:00Z", "sha256:aaaa", "sha256:bbbb", "ch-run",
                             "squashfuse", "order seed | 42", "![Overall time, log-log](figures/overall_time_loglog.png)", "(figures/overall_time_loglog.png)",
                             "(figures/individual_time_loglog.png)", "2017 study", "**Job steps:", "release spread ms",
                             "clock error ms"})
        cr_assert(contains(w.md, part), "report.md lacks '%s'", part);
    // One verdict row per (nodes, gaggle) cell: | 1 | 2 | 2 | and | 2 | 2 | 4 |, container twice as fast.
    cr_assert_eq(count(w.md, "container faster, 1.89x"), 2u, "a verdict per cell:\n%s", w.md.c_str());
    cr_assert(contains(line_starting(w.md, "| 1 | 2 | 2 | 6 | 6 |"), "container faster"), "1-node cell");
    cr_assert(contains(line_starting(w.md, "| 2 | 2 | 4 | 12 | 12 |"), "container faster"), "2-node cell");
    // Metadata operations per interpreter: 2000 / 2 and 200 / 2, ratio 0.1.
    cr_assert(contains(w.md, "\n| 2 | 2 | 12 | 1000.0 | 12 | 100.0 | 0.100 |\n"), "metadata row:\n%s", w.md.c_str());
    cr_assert(contains(w.md, "None: every listed record was read and matches its step."), "no disagreement");
    cr_assert(!contains(w.md, "disagree with the manifest:"), "no warning");
    struct stat st;
    for (const char *f : {"overall_time_loglog.png", "individual_time_loglog.png", "overall_time_loglog.svg"})
        cr_assert(stat((out.path() + "/figures/" + f).c_str(), &st) == 0 && st.st_size > 1000, "figures/%s", f);
}

Test(study_report, html_is_self_contained_with_figures_inline) {
    unit::TempDir dir, out;
    Written w = write(study_input(dir, false), out.path());
    const std::string &h = w.html;
    cr_assert(contains(h, "<!DOCTYPE html>") && contains(h, "</html>"), "a page");
    // No external resource: no URL anywhere a browser would fetch, no src that is not data:, no link, no script.
    for (const char *part : {"src=\"http", "href=\"http", "href=", "url(", "<link", "<script", "@import", "<iframe",
                             "<object", "<embed"})
        cr_assert(!contains(h, part), "report.html holds '%s'", part);
    size_t images = 0;
    for (size_t at = h.find("src=\""); at != std::string::npos; at = h.find("src=\"", at + 1), ++images)
        cr_assert(h.compare(at, 27, "src=\"data:image/png;base64,") == 0, "src not data: %.60s", h.c_str() + at);
    cr_assert_eq(images, 2u, "both figures inline");
    cr_assert_eq(count(h, "<img "), 2u);
    // Each data: URI is the PNG gnuplot wrote.
    std::string png = unit::read_text(out.path() + "/figures/overall_time_loglog.png");
    cr_assert(contains(h, "data:image/png;base64," + study::base64(png) + "\""), "overall figure inline");
    cr_assert(contains(h, "Content-Security-Policy") && contains(h, "default-src 'none'"), "CSP");
    cr_assert(contains(h, "<table>") && contains(h, "<td class=\"n\">"), "HTML tables");
}

Test(study_report, record_and_fact_text_is_escaped) {
    unit::TempDir dir, out;
    Written w = write(study_input(dir, false), out.path());
    // The hostile label, module list and node name, each as entities.
    for (const char *part : {"node2&lt;script&gt;x&lt;/script&gt;&amp;", "nfs &lt;img src=x&gt;"})
        cr_assert(contains(w.html, part), "report.html lacks '%s'", part);
    for (const char *part : {"<script", "<b>", "<img src=\"http", "<img src=x", "src=\"http"})
        cr_assert(!contains(w.html, part), "report.html holds '%s'", part);
    for (const char *part : {"<script", "<b>", "<img"})
        cr_assert(!contains(w.md, part), "report.md holds '%s'", part);
    cr_assert(contains(w.md, "node2&lt;script&gt;x&lt;/script&gt;&amp;"), "markdown node:\n%s", w.md.c_str());
    unit::expect_eq(study::html_text("a<b>&\"c'\x1b"), "a&lt;b&gt;&amp;&quot;c&#39;\\x1b", "html_text");
    unit::expect_eq(study::base64("Ma"), "TWE=", "base64 of two bytes");
    unit::expect_eq(study::base64("Man"), "TWFu", "base64 of three bytes");
    unit::expect_eq(study::base64("M"), "TQ==", "base64 of one byte");
}

Test(study_report, missing_and_foreign_records_and_failed_steps_are_stated) {
    unit::TempDir dir, out;
    Written w = write(study_input(dir, true), out.path());
    for (const auto *text : {&w.md, &w.html}) {
        const std::string &t = *text;
        cr_assert(contains(t, "The records disagree with the manifest: 5 problems"), "warning:\n%s", t.c_str());
        cr_assert(contains(t, "pyimport-99.0-n1-gone.json cannot be used"), "missing record named");
        cr_assert(contains(t, "but only 0 of 2 nodes have a usable record"), "missing records counted");
        cr_assert(contains(t, "gaggle of 3, the step") && contains(t, "s is 2"), "foreign record");
        cr_assert(contains(t, "srun exited with status 1"), "failed step");
        cr_assert(contains(t, "container, 4 nodes x 2: none of its 1 step succeeded"), "cell without success");
    }
    // The foreign record stays out of the tables: still six conda runs at one node.
    cr_assert(contains(line_starting(w.md, "| 1 | 2 | 2 | 6 | 6 |"), "container faster"), "verdict uses matching records");
    cr_assert(contains(w.md, "| 4 | 2 | 8 |") && contains(w.md, "no verdict: no data"), "the 4-node cell, no data");
}

Test(study_report, the_2017_study_is_drawn_behind) {
    unit::TempDir dir, out;
    study::ReportInput in = study_input(dir, false);
    Written w = write(in, out.path());
    std::string svg = unit::read_text(out.path() + "/figures/overall_time_loglog.svg");
    cr_assert(contains(svg, "2017 study, conda") && contains(svg, "2017 study, container"), "legend in the SVG");
    cr_assert(contains(unit::read_text(out.path() + "/figures/individual_time_loglog.svg"), "2017 study"), "individual");
    // The scripts: the study's runs and medians, grey, only when asked.
    std::vector<agg::ConfigData> background;
    std::vector<agg::Problem> problems;
    cr_assert_gt(agg::read_study(in.reference_dir, agg::Filters{}, background, problems), 13000u);
    cr_assert(problems.empty(), "%s", unit::problem_list(problems).c_str());
    agg::Options o;
    for (const auto &s : in.steps) o.paths.insert(o.paths.end(), s.records.begin(), s.records.end());
    agg::Dataset d = agg::collect(o);
    const std::string modules = in.facts.modules, label = in.facts.label;
    std::string overall = agg::figure_script(d, modules, label, "overall", "svg", "o.svg", 100, background);
    std::string individual = agg::figure_script(d, modules, label, "individual", "svg", "i.svg", 100, background);
    for (const char *part : {"$bg_runs << EOD", "5120 1", "$bg_medians0", "#B4B4B4", "'2017 study, conda'"})
        cr_assert(contains(overall, part), "overall script lacks %s", part);
    for (const char *part : {"$bg_boxes0 << EOD", "$bg_line1", "with candlesticks lw 1 lc rgb '#B4B4B4'", "'2017 study'"})
        cr_assert(contains(individual, part), "individual script lacks %s", part);
    for (const char *kind : {"overall", "individual"})
        cr_assert(!contains(agg::figure_script(d, modules, label, kind, "svg", "x.svg", 100), "bg_"),
                  "%s: no background unless asked", kind);
}

Test(study_report, without_reference_data_or_records) {
    unit::TempDir dir, out;
    study::ReportInput in = study_input(dir, false);
    in.reference_dir.clear();
    Written w = write(in, out.path());
    cr_assert(contains(w.md, "2017 reference data | none given"), "no reference");
    cr_assert(!contains(unit::read_text(out.path() + "/figures/overall_time_loglog.svg"), "2017 study"), "no background");
    // No step ran: a report that says so.
    study::ReportInput none;
    none.steps.push_back({"conda", 1, 4, 1, -1, false, {}});
    unit::TempDir out2;
    none.facts.modules = kHostileModules;
    none.facts.label = kHostileLabel;
    Written n = write(none, out2.path());
    for (const char *part : {"never ran", "No record could be used: no tables.", "conda, 1 node x 4: none of its 1 step"})
        cr_assert(contains(n.md, part), "empty study report lacks '%s':\n%s", part, n.md.c_str());
    cr_assert(contains(n.html, "json &lt;b&gt;bold&lt;/b&gt;&amp;amp; x&quot;y&#39;z"), "modules escaped");
    cr_assert(contains(n.html, "&lt;script&gt;alert(&#39;label&#39;)&lt;/script&gt; &quot;q&quot; &amp; &#39;a&#39; "
                               "&lt;img src=&quot;http://example.org/x&quot;&gt;"),
              "label escaped");
    cr_assert(contains(n.md, "&lt;script&gt;alert('label')&lt;/script&gt;"), "markdown label:\n%s", n.md.c_str());
    cr_assert(contains(n.md, "json &lt;b&gt;bold&lt;/b&gt;&amp;amp; x\"y'z"), "modules escaped (Markdown)");
    for (const char *part : {"<script", "<b>", "<img"})
        cr_assert(!contains(n.html, part) && !contains(n.md, part), "holds '%s'", part);
    auto result = study::write_report(none, "/nonexistent/dir/x");
    std::string error = unit::error_of(result);
    cr_assert(!bool(result));
    unit::expect_message(error, {"/nonexistent/dir/x"});
}

// Leaves its report in $PYIMPORT_STUDY_REPORT_KEEP when set (for the browser test).
Test(study_report, leaves_a_report) {
    unit::TempDir dir, out;
    const char *keep = std::getenv("PYIMPORT_STUDY_REPORT_KEEP");
    Written w = write(study_input(dir, true), keep && *keep ? keep : out.path());
    cr_assert(contains(w.html, "<img "), "figures");
}
