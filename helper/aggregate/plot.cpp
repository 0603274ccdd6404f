#include "plot.hpp"

#include "sys_io.hpp"

#include "gnuplot_util.hpp"
#include "import_plot.hpp"
#include "stats.hpp"
#include "tables.hpp"
#include "text_escape.hpp"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace agg {

namespace {

// The study's colours (ColorBrewer Set1), one per mode.
const char *colour(Mode m) { return m == Mode::conda ? "#E41A1C" : "#377EB8"; }
// Point shapes per gaggle size, filled and its outline.
const int kFilled[] = {7, 5, 9, 13, 11, 15};
const int kOutline[] = {6, 4, 8, 12, 10, 14};

// Deterministic jitter in [-1, 1].
class Jitter {
  public:
    double next() {
        state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
        return double(state_ >> 11) / double(1ULL << 52) - 1.0;
    }

  private:
    uint64_t state_ = 2017;
};

// ggplot2's theme_bw, roughly: light grid, dark frame, grey tick labels.
const char *kTheme =
    "set border 15 lw 1.2 lc rgb '#333333'\n"
    "set grid xtics ytics back lt 1 lw 1.5 lc rgb '#EBEBEB'\n"
    "set tics out scale 0.6 nomirror textcolor rgb '#4D4D4D'\n"
    "set ytics format '%g'\n"
    "set xlabel 'Total number of concurrent interpreters' font ',18'\n"
    "set ylabel 'Total time [s]' font ',18'\n";

// What was imported (and the label), small at the top: the title of a single
// plot, a screen label above the panels of a multiplot.
// noenhanced: the record's text is shown as it is, never read as markup
// (^ _ @ & { } ~ of gnuplot's enhanced text).
std::string title_line(const std::string &language, const std::string &modules, const std::string &label,
                       bool importtime, bool single_plot) {
    std::string text = quoted((language == "python" ? "" : "lang: " + language + "   ") + "modules: " + modules +
                              (label.empty() ? "" : "   label: " + label) + (importtime ? "   python -X importtime" : ""));
    std::string style = " noenhanced font ',11' textcolor rgb '#4D4D4D'\n";
    if (single_plot) return "set title " + text + style;
    return "set label 3 " + text + " at screen 0.44, screen 0.965 center" + style;
}

std::vector<const ConfigData *> workload_configs(const Dataset &data, const std::string &language,
                                                 const std::string &modules, const std::string &label, bool importtime) {
    std::vector<const ConfigData *> out;
    for (const auto &c : data.configs)
        if (c.key.language == language && c.key.modules == modules && c.key.label == label &&
            c.key.importtime == importtime)
            out.push_back(&c);
    return out;
}

// The reference data drawn behind the figures (FigureOptions::background).
const char *const kBackgroundGrey = "#B4B4B4";
const char *const kBackgroundLine = "#A0A0A0";
const char *const kBackgroundFill = "#F2F2F2";

std::string overall_script(const std::vector<const ConfigData *> &configs, const std::vector<ConfigData> &background) {
    std::string s;
    std::map<std::pair<Mode, int>, std::vector<const ConfigData *>> series;  // (mode, gaggle)
    double lo = INFINITY, hi = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
    for (const ConfigData *c : configs) {
        if (c->complete_runs() == 0) continue;
        series[{c->key.mode, c->key.gaggle}].push_back(c);
        for (double v : c->overall_s()) lo = std::min(lo, v), hi = std::max(hi, v);
        xlo = std::min(xlo, double(c->key.interpreters()));
        xhi = std::max(xhi, double(c->key.interpreters()));
    }
    if (series.empty()) return "";
    // The background's runs (grey points) and, per mode and gaggle size, the
    // line through its medians (solid: conda, dashed: container).
    std::vector<std::vector<double>> bg_runs;
    std::map<std::pair<Mode, int>, std::vector<std::vector<double>>> bg_medians;
    for (const ConfigData &c : background) {
        auto runs = c.overall_s();
        if (runs.empty()) continue;
        const double x = double(c.key.interpreters());
        for (double v : runs) {
            bg_runs.push_back({x, v});
            if (v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
        }
        if (x > 0) xlo = std::min(xlo, x), xhi = std::max(xhi, x);
        bg_medians[{c.key.mode, c.key.gaggle}].push_back({x, median(runs)});
    }
    std::map<int, size_t> shape;  // gaggle size -> index
    for (const auto &entry : series) shape.emplace(entry.first.second, 0);
    size_t k = 0;
    for (auto &entry : shape) entry.second = k++ % std::size(kFilled);
    auto [ylo, yhi] = log_range(lo, hi, 1.25);
    auto [x0, x1] = log_range(xlo, xhi, 1.35);
    s += kTheme;
    s += "set logscale xy\nset xtics format '%g'\nset mxtics 10\nset mytics 10\n";
    s += "set xrange [" + num(x0) + ":" + num(x1) + "]\nset yrange [" + num(ylo) + ":" + num(yhi) + "]\n";
    s += log_tics("x", x0, x1) + log_tics("y", ylo, yhi);
    s += "set key outside right center Left reverse samplen 2 spacing 1.2 title 'mode, gaggle size' font ',14'\n";
    std::string plot = "plot ";
    if (!bg_runs.empty()) {
        datablock(s, "bg_runs", bg_runs);
        plot += std::string("$bg_runs using 1:2 with points pt 6 ps 1.0 lc rgb '") + kBackgroundGrey + "' notitle, \\\n  ";
        size_t b = 0;
        for (auto &[id, medians] : bg_medians) {
            std::sort(medians.begin(), medians.end());
            std::string n = std::to_string(b++);
            datablock(s, "bg_medians" + n, medians);
            plot += "$bg_medians" + n + " using 1:2 with lines lw 2 dt " + (id.first == Mode::conda ? "1" : "2") +
                    " lc rgb '" + kBackgroundLine + "' notitle, \\\n  ";
        }
    }
    size_t i = 0;
    for (const auto &[id, list] : series) {
        auto [mode, gaggle] = id;
        std::vector<std::vector<double>> points, medians;
        for (const ConfigData *c : list) {
            auto runs = c->overall_s();
            for (double v : runs) points.push_back({double(c->key.interpreters()), v});
            medians.push_back({double(c->key.interpreters()), median(runs)});
        }
        std::sort(medians.begin(), medians.end());
        std::string n = std::to_string(i++);
        datablock(s, "runs" + n, points);
        datablock(s, "medians" + n, medians);
        std::string lc = std::string(" lc rgb '") + colour(mode) + "'";
        std::string pt = std::to_string(kFilled[shape[gaggle]]), outline = std::to_string(kOutline[shape[gaggle]]);
        plot += "$medians" + n + " using 1:2 with lines lw 3" + lc + " notitle, \\\n  ";
        plot += "$runs" + n + " using 1:2 with points pt " + pt + " ps 1.3" + lc + " notitle, \\\n  ";
        plot += "$runs" + n + " using 1:2 with points pt " + outline + " ps 1.3 lc rgb 'black' notitle, \\\n  ";
        plot += "NaN with linespoints lw 3 pt " + pt + " ps 1.3" + lc + " title " +
                quoted(std::string(pyimport::mode_name(mode)) + ", " + std::to_string(gaggle)) + ", \\\n  ";
    }
    if (!bg_runs.empty())
        for (Mode mode : {Mode::conda, Mode::container})
            plot += std::string("NaN with linespoints lw 2 dt ") + (mode == Mode::conda ? "1" : "2") + " pt 6 ps 1.0 lc rgb '" +
                    kBackgroundLine + "' title " + quoted(std::string("2017 study, ") + pyimport::mode_name(mode)) +
                    ", \\\n  ";
    plot.resize(plot.size() - 6);  // the last ", \\\n  "
    return s + plot + "\n";
}

// Box statistics as ggplot draws them: quartiles, whiskers to the furthest
// point within 1.5 IQR, points beyond as outliers.
struct Box {
    double q1, med, q3, whisker_lo, whisker_hi;
    std::vector<double> outliers;
};
Box box_of(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    Box b{quantile_sorted(v, 0.25), quantile_sorted(v, 0.5), quantile_sorted(v, 0.75), 0, 0, {}};
    double reach = 1.5 * (b.q3 - b.q1);
    b.whisker_lo = b.q1;
    b.whisker_hi = b.q3;
    for (double x : v) {
        if (x < b.q1 - reach || x > b.q3 + reach) b.outliers.push_back(x);
        else b.whisker_lo = std::min(b.whisker_lo, x), b.whisker_hi = std::max(b.whisker_hi, x);
    }
    return b;
}

// Every `stride`-th value, so no configuration floods the picture.
std::vector<double> thinned(const std::vector<double> &v, size_t max_points) {
    if (v.size() <= max_points) return v;
    std::vector<double> out;
    double stride = double(v.size()) / double(max_points);
    for (size_t i = 0; i < max_points; ++i) out.push_back(v[size_t(double(i) * stride)]);
    return out;
}

std::string individual_script(const std::vector<const ConfigData *> &configs, size_t max_points,
                              const std::vector<ConfigData> &background) {
    double lo = INFINITY, hi = -INFINITY, xlo = INFINITY, xhi = -INFINITY;
    for (const ConfigData *c : configs)
        for (double v : c->gaggle_s) {
            lo = std::min(lo, v), hi = std::max(hi, v);
            xlo = std::min(xlo, std::log10(double(c->key.interpreters())));
            xhi = std::max(xhi, std::log10(double(c->key.interpreters())));
        }
    if (!(hi >= lo)) return "";
    // The background: per mode and total number of interpreters, its box
    // (quartiles, whiskers) and the line through its medians, in grey.
    std::map<std::pair<int, int>, std::vector<double>> bg_groups;  // (mode, interpreters) -> gaggle times
    for (const ConfigData &c : background) {
        if (c.gaggle_s.empty() || c.key.interpreters() <= 0) continue;
        auto &g = bg_groups[{c.key.mode == Mode::conda ? 0 : 1, c.key.interpreters()}];
        g.insert(g.end(), c.gaggle_s.begin(), c.gaggle_s.end());
    }
    std::vector<std::vector<double>> bg_boxes[2], bg_line[2];
    for (const auto &[id, times] : bg_groups) {
        auto [m, interpreters] = id;
        const double x = std::log10(double(interpreters));
        Box b = box_of(times);
        if (!(b.whisker_lo > 0)) continue;  // not on a log axis
        bg_boxes[m].push_back({x, b.q1, b.whisker_lo, b.whisker_hi, b.q3, b.med});
        bg_line[m].push_back({x, b.med});
        lo = std::min(lo, b.whisker_lo), hi = std::max(hi, b.whisker_hi);
        xlo = std::min(xlo, x), xhi = std::max(xhi, x);
    }
    const bool with_background = !bg_boxes[0].empty() || !bg_boxes[1].empty();
    auto [ylo, yhi] = log_range(lo, hi, 1.2);
    Jitter jitter;
    const double kJitter = 0.09, kBox = 0.22;
    std::string s;
    // All points of both modes (the grey background) and each mode's own.
    // One box per mode and total number of interpreters, as in the study.
    std::map<std::pair<int, int>, std::vector<double>> groups;  // (mode, interpreters) -> gaggle times
    for (const ConfigData *c : configs) {
        auto &g = groups[{c->key.mode == Mode::conda ? 0 : 1, c->key.interpreters()}];
        g.insert(g.end(), c->gaggle_s.begin(), c->gaggle_s.end());
    }
    std::vector<std::vector<double>> all, mine[2], boxes[2], outliers[2];
    for (const auto &[id, times] : groups) {
        auto [m, interpreters] = id;
        double x = std::log10(double(interpreters));
        for (double v : thinned(times, max_points)) {
            std::vector<double> p{x + kJitter * jitter.next(), v};
            all.push_back(p);
            mine[m].push_back(p);
        }
        if (times.empty()) continue;
        Box b = box_of(times);
        boxes[m].push_back({x, b.q1, b.whisker_lo, b.whisker_hi, b.q3, b.med});
        for (double v : b.outliers) outliers[m].push_back({x, v});
    }
    datablock(s, "all", all);
    if (with_background)
        for (int m = 0; m < 2; ++m) {
            datablock(s, "bg_boxes" + std::to_string(m), bg_boxes[m]);
            datablock(s, "bg_line" + std::to_string(m), bg_line[m]);
        }
    for (int m = 0; m < 2; ++m) {
        datablock(s, "points" + std::to_string(m), mine[m]);
        datablock(s, "boxes" + std::to_string(m), boxes[m]);
        datablock(s, "outliers" + std::to_string(m), outliers[m]);
    }
    // x is log10(interpreters) on a linear axis, so boxes keep their width.
    std::string tics = "set xtics (";
    int first = int(std::floor(xlo)), last = int(std::ceil(xhi));
    const bool narrow = xhi - xlo < 2;  // then 2 and 5 are labelled too, as in log_tics
    for (int d = first; d <= last + 1; ++d) {
        tics += (d == first ? "" : ", ") + quoted(num(std::pow(10.0, d))) + " " + std::to_string(d);
        for (int k = 2; k <= 9; ++k) {
            bool label = narrow && (k == 2 || k == 5);
            tics += ", " + (label ? quoted(num(k * std::pow(10.0, d))) : std::string("''")) + " " +
                    num(d + std::log10(double(k))) + (label ? "" : " 1");
        }
    }
    s += kTheme;
    s += tics + ")\nset logscale y\nset mytics 10\n" + log_tics("y", ylo, yhi);
    s += "set xrange [" + num(xlo - 0.35) + ":" + num(xhi + 0.35) + "]\nset yrange [" + num(ylo) + ":" + num(yhi) + "]\n";
    s += "set style fill solid 1.0 border lc rgb '#333333'\nset boxwidth " + num(kBox) + " absolute\n";
    s += "set multiplot\nunset key\nset tmargin at screen 0.84\nset bmargin at screen 0.14\n";
    const double left[2] = {0.08, 0.45}, right[2] = {0.43, 0.80};
    for (int m = 0; m < 2; ++m) {
        Mode mode = m == 0 ? Mode::conda : Mode::container;
        std::string n = std::to_string(m), lc = std::string("lc rgb '#A0") + (colour(mode) + 1) + "'";
        s += "set lmargin at screen " + num(left[m]) + "\nset rmargin at screen " + num(right[m]) + "\n";
        s += "set object 1 rect from graph 0, graph 1 to graph 1, graph 1.1 noclip fc rgb '#D9D9D9' "
             "fillstyle solid 1.0 border lc rgb '#333333' lw 1.2\n";
        s += "set label 1 " + quoted(pyimport::mode_name(mode)) + " at graph 0.5, graph 1.05 center front font ',15'\n";
        if (m == 1) {
            s += "unset ylabel\nset ytics format ''\nset xlabel ' '\n" + log_tics("y", ylo, yhi, false);
            s += "set key at screen 0.82, screen 0.62 left Left reverse samplen 1 spacing 1.4 title 'mode' font ',14'\n";
        } else {
            s += "set label 2 'Total number of concurrent interpreters' at screen 0.44, screen 0.03 center font ',18'\n";
            s += "set xlabel ' '\n";
        }
        s += "plot ";
        if (with_background && !bg_boxes[m].empty())  // a little wider than the data's boxes, drawn on top
            s += "$bg_boxes" + n + " using 1:2:3:4:5:(" + num(kBox * 1.2) + ") with candlesticks lw 1 lc rgb '" +
                 kBackgroundGrey + "' fc rgb '" + kBackgroundFill + "' fs solid 1.0 border lc rgb '" + kBackgroundGrey +
                 "' notitle, \\\n"
                 "  $bg_line" + n + " using 1:2 with lines lw 2 dt 2 lc rgb '" + kBackgroundLine + "' notitle, \\\n  ";
        s += "$all using 1:2 with points pt 7 ps 0.6 lc rgb '#C8BEBEBE' notitle, \\\n"
             "  $points" + n + " using 1:2 with points pt 7 ps 0.6 " + lc + " notitle, \\\n"
             "  $boxes" + n + " using 1:2:3:4:5 with candlesticks lw 1.5 lc rgb '#333333' fc rgb '#FFFFFF' "
             "notitle, \\\n"
             "  $boxes" + n + " using 1:6:6:6:6 with candlesticks lw 3 lc rgb '#333333' notitle, \\\n"
             "  $outliers" + n + " using 1:2 with points pt 7 ps 0.7 lc rgb '#333333' notitle";
        if (m == 1)
            s += ", \\\n  NaN with points pt 7 ps 1.5 lc rgb '#80E41A1C' title 'conda', \\\n"
                 "  NaN with points pt 7 ps 1.5 lc rgb '#80377EB8' title 'container'";
        if (m == 1 && with_background)
            s += std::string(", \\\n  NaN with lines lw 2 dt 2 lc rgb '") + kBackgroundLine + "' title '2017 study'";
        s += "\nunset label 2\n";
    }
    return s + "unset multiplot\n";
}

// Runs `gnuplot script_path` in directory `dir`; fails with its last stderr
// line when it fails.
pyimport::Result<void> run_gnuplot(const std::string &gnuplot, const std::string &dir, const std::string &script) {
    char script_path[] = "/tmp/pyimport-aggregate-XXXXXX.gp";
    int fd = mkstemps(script_path, 3);
    if (fd < 0) return pyimport::fail(std::string("cannot create a temporary file: ") + std::strerror(errno));
    bool wrote = write(fd, script.data(), script.size()) == ssize_t(script.size());
    close(fd);
    char err_path[] = "/tmp/pyimport-aggregate-XXXXXX.err";
    int err_fd = mkstemps(err_path, 4);
    if (!wrote || err_fd < 0) {
        unlink(script_path);
        if (err_fd >= 0) close(err_fd), unlink(err_path);
        return pyimport::fail("cannot write the gnuplot script to /tmp");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, err_fd, 2);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    // In the figure directory, so the script names its output by a name of our
    // own making, never by a path the user gave.
    posix_spawn_file_actions_addchdir_np(&actions, dir.c_str());
    std::string program = gnuplot;
    if (program.find('/') != std::string::npos && program[0] != '/') {  // relative to where we run
        char cwd[PATH_MAX];
        if (getcwd(cwd, sizeof cwd)) program = std::string(cwd) + "/" + program;
    }
    const char *argv[] = {program.c_str(), script_path, nullptr};
    pid_t pid;
    int rc = posix_spawnp(&pid, program.c_str(), &actions, nullptr, const_cast<char **>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    int status = 0;
    if (rc == 0)
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
    lseek(err_fd, 0, SEEK_SET);
    std::string messages = pyimport::read_all(err_fd);
    close(err_fd);
    unlink(err_path);
    unlink(script_path);
    if (rc != 0) return pyimport::fail("cannot run " + gnuplot + ": " + std::strerror(rc) + " (install gnuplot-nox)");
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        // gnuplot echoes the command and a caret line; its message is the last line.
        while (!messages.empty() && (messages.back() == '\n' || messages.back() == ' ')) messages.pop_back();
        std::string line = messages.substr(messages.rfind('\n') + 1);
        return pyimport::fail(gnuplot + " failed" + (line.empty() ? "" : ": " + line));
    }
    return pyimport::ok();
}

} // namespace

std::string figure_script(const Dataset &data, const std::string &modules, const std::string &label,
                          const std::string &kind, const std::string &format, const std::string &output,
                          size_t max_points, const std::vector<ConfigData> &background, bool importtime,
                          const std::string &language) {
    auto configs = workload_configs(data, language, modules, label, importtime);
    std::string body =
        kind == "overall" ? overall_script(configs, background) : individual_script(configs, max_points, background);
    if (body.empty()) return "";
    return terminal(format) + "set output " + quoted(output) + "\n" + title_line(language, modules, label, importtime, kind == "overall") +
           body + "unset output\n";
}

pyimport::Result<void> write_figures(const Dataset &data, const FigureOptions &options,
                                     std::vector<std::string> &written) {
    if (mkdir(options.dir.c_str(), 0777) != 0 && errno != EEXIST)
        return pyimport::fail("cannot create " + options.dir + ": " + std::strerror(errno));
    auto list = workloads(data);
    for (const auto &w : list)
        for (const char *kind : {"overall", "individual", "import"})
            for (const auto &format : options.formats) {
                std::string name = std::string(kind) + "_time_loglog" + (list.size() > 1 ? "-" + w.tag : "") + "." + format;
                std::string path = options.dir + "/" + name, temp = options.dir + "/." + name + ".tmp";
                // gnuplot runs in options.dir: the script names the output relative to it.
                std::string script =
                    std::string(kind) == "import"
                        ? import_figure_script(data, w, format, "." + name + ".tmp")
                        : figure_script(data, w.modules, w.label, kind, format, "." + name + ".tmp", options.max_points,
                                        options.background, w.importtime, w.language);
                if (script.empty()) continue;  // nothing to draw (no complete run, no import times)
                if (auto drawn = run_gnuplot(options.gnuplot, options.dir, script); !drawn)
                    return unlink(temp.c_str()), drawn;
                if (rename(temp.c_str(), path.c_str()) != 0)
                    return pyimport::fail("cannot write " + path + ": " + std::strerror(errno));
                written.push_back(path);
            }
    return pyimport::ok();
}

} // namespace agg
